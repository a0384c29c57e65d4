"""manage.py restore FILE: replace the database's contents with a backup made by manage.py backup."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from core.backup import BackupError, describe, restore_database


class Command(BaseCommand):
    help = (
        "Restore a backup made by manage.py backup, replacing every table of the database. Stop the web servers "
        "and workers first. On PostgreSQL the restore is one transaction: if it fails, nothing changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file (.dump for PostgreSQL, .sqlite3 for SQLite).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The database alias (default: default).")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, file, database, interactive, **options):
        path = Path(file).expanduser().resolve()
        if not path.is_file():
            raise CommandError(_("No file %(path)s.") % {"path": path})
        connection = connections[database]
        settings_dict = connection.settings_dict
        try:
            target = describe(settings_dict)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if interactive:
            question = _(
                "This replaces every record in %(database)s with the backup %(path)s. Stop the web servers and "
                "workers first. Type 'yes' to go on: "
            ) % {"database": target, "path": path}
            try:
                answer = input(question)
            except EOFError:  # no one to answer (a script): it says --noinput when it means it
                answer = ""
            if answer.strip().lower() != "yes":
                raise CommandError(_("Nothing was restored."))
        connection.close()  # this process holds no lock or open transaction while the tables are replaced
        started = time.monotonic()
        try:
            restore_database(settings_dict, path)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _(
                "Restored %(path)s into %(database)s in %(seconds).1f s. If the backup comes from an older version, "
                "run manage.py migrate now."
            )
            % {"path": path, "database": target, "seconds": time.monotonic() - started}
        )
