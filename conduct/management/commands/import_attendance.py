"""Import a DingTalk or WeCom clock-in export (S1.D1a), every step at once.

    manage.py import_attendance --store S001 export.xlsx
    manage.py import_attendance --store S001 export.csv --source wecom --dry-run
    manage.py import_attendance --store S001 export.csv --user manager1 --all-or-nothing

The good rows are imported and the others listed (as the upload page does after "import the good rows");
with --all-or-nothing one bad row means nothing is imported. A refused file (unreadable, no good row, or a
bad row with --all-or-nothing) ends with a non-zero exit code.
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from conduct.choices import AttendanceSource
from conduct.imports.columns import field_label
from conduct.services import attendance as services
from customers.imports.columns import column_letter
from org.models import Store, User

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = "Import a DingTalk or WeCom attendance export (.xlsx or .csv) into a store (S1.D1a)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx or .csv export")
        parser.add_argument("--store", required=True, help="store code, for example S001")
        parser.add_argument("--source", default=AttendanceSource.OTHER, choices=AttendanceSource.values)
        parser.add_argument("--user", help="username of the person importing (a manager or supervisor of the store)")
        parser.add_argument("--dry-run", action="store_true", help="check the rows and write nothing")
        parser.add_argument("--all-or-nothing", action="store_true", help="import nothing if any row is bad")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No file %(path)s.") % {"path": path})
        store = Store.objects.filter(code=options["store"]).first()
        if store is None:
            raise CommandError(_("No store with the code %(code)s.") % {"code": options["store"]})
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("No user %(name)s.") % {"name": options["user"]})
        try:
            batch, result, mapping = services.attendance_import_file(
                actor=user,
                store=store,
                path=path,
                source=options["source"],
                all_or_nothing=options["all_or_nothing"],
                dry_run=options["dry_run"],
            )
        except PermissionDenied:
            raise CommandError(
                _("%(user)s may not import attendance into store %(store)s.")
                % {"user": options["user"], "store": store.code}
            ) from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            _("Columns: %(columns)s")
            % {"columns": ", ".join(f"{field_label(k)}={column_letter(i)}" for k, i in mapping.items())}
        )
        for error in result.errors[:SHOWN_ERRORS]:
            self.stdout.write(
                _("row %(row)d, %(field)s: %(reason)s")
                % {"row": error["row"], "field": field_label(error["field"]), "reason": error["reason"]}
            )
        if len(result.errors) > SHOWN_ERRORS:
            self.stdout.write(_("… and %(count)d more errors.") % {"count": len(result.errors) - SHOWN_ERRORS})
        self.stdout.write(
            _("%(rows)d rows: %(good)d good, %(bad)d with errors.")
            % {"rows": result.rows, "good": len(result.good), "bad": result.error_rows}
        )
        if batch is not None:
            self.stdout.write(
                _("Import #%(batch)d: %(days)d days written, %(drafts)d draft records made.")
                % {"batch": batch.pk, "days": batch.days_written, "drafts": batch.drafts_made}
            )
            return
        if options["dry_run"] and result.good and not (options["all_or_nothing"] and result.errors):
            self.stdout.write(_("Dry run: nothing was written."))
            return
        raise CommandError(_("The file is refused: nothing was imported."))
