"""manage.py backup and manage.py restore (core/backup.py).

The round trip: a backup of the test database, restored by `manage.py restore` in another process into a scratch
database (PostgreSQL: one created and dropped here; SQLite: a file in a temporary data folder), twice (the second
restore replaces what the first wrote), gives every table the same number of rows.
"""

import io
import sqlite3
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from core.backup import PG_MAGIC, SQLITE_MAGIC, BackupError, backup_database
from core.tests.test_deploy_settings import ROOT, clean_env
from tests.factories import make_customer, make_vehicle

pytestmark = pytest.mark.django_db(transaction=True)

POSTGRES = connection.vendor == "postgresql"


def django_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


class Scratch:
    """Another database of the same kind, for `manage.py restore` run with its settings."""

    def __init__(self, tmp_path):
        self.data_dir = tmp_path / "scratch"
        self.data_dir.mkdir()
        primary = connection.settings_dict
        self.name = f"{primary['NAME']}_restore"
        self.params = {
            "host": primary["HOST"] or "127.0.0.1",
            "port": primary["PORT"] or 5432,
            "user": primary["USER"],
            "password": primary["PASSWORD"] or None,
        }

    def env(self) -> dict:
        if not POSTGRES:
            return clean_env(self.data_dir)
        p = self.params
        auth = p["user"] + (f":{p['password']}" if p["password"] else "")
        return clean_env(self.data_dir, DATABASE_URL=f"postgres://{auth}@{p['host']}:{p['port']}/{self.name}")

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self.params) as admin:
            admin.execute(sql)

    def create(self) -> None:
        if POSTGRES:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if POSTGRES:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def counts(self, tables) -> dict[str, int]:
        if POSTGRES:
            import psycopg

            with psycopg.connect(dbname=self.name, **self.params) as db:
                return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
        db = sqlite3.connect(self.data_dir / "aftersales.sqlite3")
        try:
            return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
        finally:
            db.close()


@pytest.fixture
def scratch(tmp_path):
    scratch = Scratch(tmp_path)
    scratch.create()
    yield scratch
    scratch.drop()


def restore_in_another_process(path, env):
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(path), "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_restored_backup_has_every_tables_rows(scratch, world, tmp_path):
    for n, plate in enumerate(["京A12345", "京B23456", "津C34567"]):
        customer = make_customer(world.a.store, name=f"客户{n}", mobile=f"1381234567{n}", actor=world.a.manager)
        make_vehicle(customer, plate=plate, actor=world.a.manager)
    output = tmp_path / ("group.dump" if POSTGRES else "group.sqlite3")
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("backup", output=str(output), stdout=stdout, stderr=stderr)
    assert stdout.getvalue().strip() == str(output)
    assert output.read_bytes().startswith(PG_MAGIC if POSTGRES else SQLITE_MAGIC)
    expected = django_counts()
    assert sum(1 for n in expected.values() if n) >= 8, expected  # stores, staff, customers, vehicles, history …

    for _ in range(2):  # the second restore lands on the first one's tables
        result = restore_in_another_process(output, scratch.env())
        assert result.returncode == 0, result.stdout + result.stderr
        assert scratch.counts(expected) == expected


def test_backup_writes_into_the_data_folder_by_default_and_never_over_a_file(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    stdout = io.StringIO()
    call_command("backup", stdout=stdout, stderr=io.StringIO())
    path = stdout.getvalue().strip()
    assert path.startswith(str(tmp_path / "backups" / "aftersales-"))
    assert path.endswith(".dump" if POSTGRES else ".sqlite3")
    with translation.override("en"), pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=path, stdout=io.StringIO(), stderr=io.StringIO())
    assert [p.name for p in (tmp_path / "backups").iterdir()] == [path.rsplit("/", 1)[1]]  # no partial file left


def test_restore_refuses_a_file_that_is_no_backup_of_this_kind_of_database(tmp_path):
    other = tmp_path / "other"
    other.write_bytes((SQLITE_MAGIC if POSTGRES else PG_MAGIC) + b"\0" * 100)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a backup")
    with translation.override("en"):
        with pytest.raises(CommandError, match="is a backup of a (SQLite|PostgreSQL) database; this database is"):
            call_command("restore", str(other), interactive=False)
        with pytest.raises(CommandError, match="is not a backup made by manage.py backup"):
            call_command("restore", str(notes), interactive=False)
        with pytest.raises(CommandError, match="No file"):
            call_command("restore", str(tmp_path / "missing.dump"), interactive=False)


def test_restore_asks_first_and_does_nothing_without_yes(tmp_path, monkeypatch):
    backup = tmp_path / "b"
    backup.write_bytes(PG_MAGIC if POSTGRES else SQLITE_MAGIC)
    asked = []
    monkeypatch.setattr("builtins.input", lambda question: asked.append(question) or "no")
    with translation.override("en"), pytest.raises(CommandError, match="Nothing was restored"):
        call_command("restore", str(backup))
    assert "replaces every record" in asked[0] and str(backup) in asked[0]


def test_a_missing_postgresql_tool_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr("core.backup.shutil.which", lambda name: None)
    settings_dict = {"ENGINE": "django.db.backends.postgresql", "NAME": "aftersales"}
    with translation.override("en"), pytest.raises(BackupError, match="pg_dump is not installed"):
        backup_database(settings_dict, tmp_path / "b.dump")
    assert list(tmp_path.iterdir()) == []
