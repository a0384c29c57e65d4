"""manage.py backup [--output FILE]: a backup of the database (pg_dump's custom format, or an SQLite copy)."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from core.backup import BackupError, backup_database, backup_suffix, database_kind, describe


class Command(BaseCommand):
    help = (
        "Back up the database to a file: pg_dump's custom format for PostgreSQL, a copy made with SQLite's backup "
        "API for SQLite (both safe while the site runs). Prints the file's path."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="The file to write (it must not exist yet). Default: backups/aftersales-<time>.dump or "
            ".sqlite3 in the data folder.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The database alias (default: default).")

    def handle(self, *args, output, database, **options):
        settings_dict = connections[database].settings_dict
        try:
            kind = database_kind(settings_dict)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if output:
            path = Path(output).expanduser().resolve()
        else:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            path = Path(settings.DATA_DIR) / "backups" / f"aftersales-{stamp}{backup_suffix(kind)}"
        if path.exists():
            raise CommandError(_("%(path)s already exists: name another file with --output.") % {"path": path})
        started = time.monotonic()
        try:
            backup_database(settings_dict, path)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        except FileExistsError:
            raise CommandError(
                _("%(path)s already exists: name another file with --output.") % {"path": path}
            ) from None
        # The path alone on standard output, so that scripts can capture it; the account on standard error.
        self.stdout.write(str(path))
        self.stderr.write(
            _("Backed up %(database)s to %(path)s (%(size).1f MB) in %(seconds).1f s.")
            % {
                "database": describe(settings_dict),
                "path": path,
                "size": path.stat().st_size / 1_000_000,
                "seconds": time.monotonic() - started,
            }
        )
        self.stderr.write(
            _(
                "The database backup holds no uploaded files: keep the data folder's media/ too, and its "
                "secret_key.txt unless AFTERSALES_SECRET_KEY is set."
            )
        )
