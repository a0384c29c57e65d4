"""A backup round trip on a PostgreSQL database, timed: `manage.py backup`, then `manage.py restore` into a scratch
database created (and dropped) here, then every table's row count compared with the source's.

    .venv/bin/python bench/backup_bench.py postgres://postgres@127.0.0.1:5432/aft_group [--keep]

The counts are taken just before and just after the backup; a table written to meanwhile (a server in use) must
come back with a count between the two. The dump goes to a temporary folder and is removed at the end.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def database_size(url: str) -> int:
    with psycopg.connect(url) as db:
        return db.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def manage(url: str, *arguments: str) -> float:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_REPLICA_URL"}} | {"DATABASE_URL": url}
    started = time.monotonic()
    subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, check=True)
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help="postgres:// URL of the database to back up")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    parts = urlsplit(args.source)
    name = parts.path.lstrip("/")
    scratch_name = f"{name}_restore_check"
    scratch = urlunsplit(parts._replace(path=f"/{scratch_name}"))
    admin = urlunsplit(parts._replace(path="/postgres"))

    before = counts(args.source)
    with tempfile.TemporaryDirectory(prefix="backup_bench.") as folder:
        dump = Path(folder) / f"{name}.dump"
        backup_seconds = manage(args.source, "backup", "--output", str(dump))
        after = counts(args.source)
        dump_bytes = dump.stat().st_size
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{scratch_name}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{scratch_name}"')
        try:
            restore_seconds = manage(scratch, "restore", "--noinput", str(dump))
            restored = counts(scratch)
            restored_bytes = database_size(scratch)
        finally:
            if not args.keep:
                with psycopg.connect(admin, autocommit=True) as db:
                    db.execute(f'DROP DATABASE IF EXISTS "{scratch_name}" WITH (FORCE)')

    source_bytes = database_size(args.source)
    # A table written to while the backup ran (a server in use: sessions, sign-ins) holds, in the dump, the rows of
    # pg_dump's snapshot: somewhere between the counts taken before and after it.
    moved = {t for t in after if before.get(t) != after[t]}

    def agrees(table: str) -> bool:
        n = restored.get(table)
        if table in moved:
            return n is not None and min(before.get(table, 0), after[table]) <= n <= max(
                before.get(table, 0), after[table]
            )
        return n == after[table]

    print(f"\n{'table':40} {'before':>12} {'after':>12} {'restored':>12}")
    for table, n in sorted(after.items(), key=lambda item: -item[1]):
        mark = "" if agrees(table) else "   <-- differs"
        mark = mark or ("   (written during the backup)" if table in moved else "")
        print(f"{table:40} {before.get(table, 0):12,} {n:12,} {restored.get(table, -1):12,}{mark}")
    ok = set(restored) == set(after) and all(agrees(t) for t in after)
    print(f"\nrows: {sum(after.values()):,} in {len(after)} tables; every table's restored count agrees: {ok}")
    print(
        f"database {source_bytes / 1e6:,.1f} MB; dump {dump_bytes / 1e6:,.1f} MB; restored {restored_bytes / 1e6:,.1f} MB"
    )
    print(f"backup {backup_seconds:.1f} s; restore {restore_seconds:.1f} s")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
