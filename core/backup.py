"""Backups of the database and their restore (`manage.py backup`, `manage.py restore`).

PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists --no-owner` in one transaction, so a
restore that fails leaves the database as it was. SQLite: SQLite's online backup API, safe while the site runs
(copying the file of a WAL database is not). The database is named by Django's settings of one alias; the password
reaches the PostgreSQL tools in their environment, never on a command line.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
POSTGRESQL, SQLITE = "postgresql", "sqlite"
# A restore waits at most this long for a table another process holds (a running server or worker), then fails.
RESTORE_LOCK_TIMEOUT = "60s"


class BackupError(Exception):
    """A backup or restore that could not be made; the message says why and what to do."""


def database_kind(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if "postgresql" in engine:
        return POSTGRESQL
    if "sqlite3" in engine:
        return SQLITE
    raise BackupError(
        _("Backups are made of PostgreSQL and SQLite databases only, not %(engine)s.") % {"engine": engine}
    )


def file_kind(path: Path) -> str | None:
    """The kind of database a backup file holds, by its first bytes (None: not a backup this command made)."""
    with open(path, "rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head.startswith(PG_MAGIC):
        return POSTGRESQL
    if head == SQLITE_MAGIC:
        return SQLITE
    return None


def backup_suffix(kind: str) -> str:
    return ".dump" if kind == POSTGRESQL else ".sqlite3"


def backup_database(settings_dict: dict, output: Path) -> None:
    """Write a backup of the database to `output` (a new file; a failed backup leaves no file there)."""
    kind = database_kind(settings_dict)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".partial")
    os.close(fd)
    partial = Path(partial)
    try:
        if kind == POSTGRESQL:
            _run_pg("pg_dump", ["--format=custom", "--no-password", f"--file={partial}"], settings_dict)
        else:
            try:
                _sqlite_backup(Path(settings_dict["NAME"]), partial)
            except sqlite3.Error as exc:
                raise BackupError(_("SQLite could not make the backup: %(detail)s") % {"detail": exc}) from None
        os.link(partial, output)  # fails, rather than overwrites, if the file appeared meanwhile
    finally:
        partial.unlink(missing_ok=True)


def restore_database(settings_dict: dict, source: Path) -> None:
    """Replace every table of the database with the backup's. The servers and workers should be stopped first."""
    kind = database_kind(settings_dict)
    found = file_kind(source)
    if found is None:
        raise BackupError(_("%(path)s is not a backup made by manage.py backup.") % {"path": source})
    if found != kind:
        raise BackupError(
            _("%(path)s is a backup of a %(found)s database; this database is %(kind)s.")
            % {"path": source, "found": _kind_label(found), "kind": _kind_label(kind)}
        )
    if kind == POSTGRESQL:
        _run_pg(
            "pg_restore",
            [
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "--no-password",
                f"--dbname={settings_dict['NAME']}",
                str(source),
            ],
            settings_dict,
            extra_env={"PGOPTIONS": f"-c lock_timeout={RESTORE_LOCK_TIMEOUT}"},
        )
    else:
        try:
            _sqlite_restore(source, Path(settings_dict["NAME"]))
        except sqlite3.Error as exc:
            raise BackupError(_("SQLite could not restore the backup: %(detail)s") % {"detail": exc}) from None


def describe(settings_dict: dict) -> str:
    """'the PostgreSQL database aftersales on db-host:5432' or 'the SQLite database /srv/…/aftersales.sqlite3'."""
    if database_kind(settings_dict) == POSTGRESQL:
        where = f"{settings_dict.get('HOST') or 'localhost'}:{settings_dict.get('PORT') or 5432}"
        return _("the PostgreSQL database %(name)s on %(where)s") % {"name": settings_dict["NAME"], "where": where}
    return _("the SQLite database %(name)s") % {"name": settings_dict["NAME"]}


def _kind_label(kind: str) -> str:
    return "PostgreSQL" if kind == POSTGRESQL else "SQLite"


# --- PostgreSQL ----------------------------------------------------------------------------------------------------


def _pg_env(settings_dict: dict) -> dict:
    """libpq's variables for the alias's connection, so that the password is not on the command line."""
    env = dict(os.environ)
    pairs = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
    }
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        pairs[variable] = options.get(option)
    env.update({key: str(value) for key, value in pairs.items() if value not in (None, "")})
    return env


def _run_pg(tool: str, arguments: list[str], settings_dict: dict, extra_env: dict | None = None) -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupError(
            _(
                "%(tool)s is not installed. Install PostgreSQL's client programs (Debian: postgresql-client) of the "
                "server's major version or newer."
            )
            % {"tool": tool}
        )
    env = _pg_env(settings_dict) | (extra_env or {})
    result = subprocess.run([program, *arguments], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise BackupError(_("%(tool)s failed: %(detail)s") % {"tool": tool, "detail": detail or result.returncode})


# --- SQLite --------------------------------------------------------------------------------------------------------


def _sqlite_backup(database: Path, output: Path) -> None:
    if not database.exists():
        raise BackupError(_("There is no SQLite database at %(path)s.") % {"path": database})
    source = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True, timeout=20)
    target = sqlite3.connect(output)
    try:
        source.backup(target)
        # one self-contained file: no -wal beside it when it is opened later
        target.execute("PRAGMA journal_mode=DELETE")
        _check_sqlite(target, output)
    finally:
        target.close()
        source.close()


def _sqlite_restore(source_path: Path, database: Path) -> None:
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        _check_sqlite(source, source_path)
        database.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(database, timeout=20)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")  # the live database's mode (settings.py)
        finally:
            target.close()
    finally:
        source.close()


def _check_sqlite(connection: sqlite3.Connection, path: Path) -> None:
    answer = connection.execute("PRAGMA quick_check").fetchone()[0]
    if answer != "ok":
        raise BackupError(_("%(path)s is damaged: %(detail)s") % {"path": path, "detail": answer})
