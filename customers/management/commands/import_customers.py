"""Import customers and vehicles from an .xlsx or .csv export, all steps at once.

    manage.py import_customers --store S001 --user manager1 export.xlsx
    manage.py import_customers --store S001 --user manager1 export.csv --valid-only --report errors.xlsx
    manage.py import_customers --store S001 --user manager1 export.csv --mapping '{"name": "客户", "mobile": "C"}'

By default the import is all or nothing: one invalid row and nothing is imported.
"""

import json
import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from customers import selectors
from customers.imports import columns
from customers.models import ImportJob
from customers.services import imports
from org.access import Right, has_right
from org.models import Store, User


def _column(job: ImportJob, value) -> int:
    """A column given as a 1-based number, a letter (A, B, … AA) or the header text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value - 1
    text = str(value).strip()
    if text in job.headers:
        return job.headers.index(text)
    if re.fullmatch(r"[A-Za-z]{1,3}", text):
        from openpyxl.utils import column_index_from_string

        return column_index_from_string(text.upper()) - 1
    if text.isdigit():
        return int(text) - 1
    raise CommandError(_("No column %(column)s in the file.") % {"column": text})


class Command(BaseCommand):
    help = "Import customers and vehicles from an .xlsx or .csv export of another dealer system."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx or .csv file")
        parser.add_argument("--store", required=True, help="store code, for example S001")
        parser.add_argument("--user", required=True, help="username of the person importing (needs the import right)")
        parser.add_argument(
            "--mapping",
            default="auto",
            help='"auto" (guess from the header names) or a JSON object: our field → header text, column letter '
            'or 1-based column number, e.g. {"name": "姓名", "mobile": "C", "plate": 5}',
        )
        choice = parser.add_mutually_exclusive_group()
        choice.add_argument("--valid-only", action="store_true", help="import the valid rows and list the others")
        choice.add_argument(
            "--all-or-nothing", action="store_true", help="import nothing if any row is invalid (the default)"
        )
        parser.add_argument("--confirm-vin-check", action="store_true", help="keep VINs whose check digit is wrong")
        parser.add_argument("--report", help="write the error report (.xlsx) to this path")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No file %(path)s.") % {"path": path})
        try:
            store = Store.objects.get(code=options["store"])
        except Store.DoesNotExist:
            raise CommandError(_("No store with the code %(code)s.") % {"code": options["store"]}) from None
        try:
            user = User.objects.get(username=options["user"])
        except User.DoesNotExist:
            raise CommandError(_("No user %(name)s.") % {"name": options["user"]}) from None
        if not has_right(user, Right.IMPORT, store.pk):
            raise CommandError(
                _("%(user)s may not import into store %(store)s.") % {"user": user.username, "store": store.code}
            )
        try:
            with path.open("rb") as handle:
                job = imports.import_upload(actor=user, store=store, uploaded=File(handle, name=path.name))
            if options["mapping"] != "auto":
                try:
                    given = json.loads(options["mapping"])
                except json.JSONDecodeError:
                    raise CommandError(_("--mapping is neither auto nor a JSON object.")) from None
                if not isinstance(given, dict):
                    raise CommandError(_("--mapping is neither auto nor a JSON object."))
                mapping = {key: _column(job, value) for key, value in given.items()}
            else:
                mapping = job.mapping
            job = imports.import_set_mapping(
                job=job, actor=user, mapping=mapping, confirm_vin_check=options["confirm_vin_check"]
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in _messages(exc))) from None
        self.stdout.write(
            _("File %(name)s (%(encoding)s): %(rows)d rows; columns: %(columns)s")
            % {
                "name": job.original_name,
                "encoding": job.encoding or job.file_type,
                "rows": job.total_rows,
                "columns": ", ".join(
                    f"{columns.field_label(k)}={columns.column_letter(i)}" for k, i in job.mapping.items()
                ),
            }
        )
        job = imports.import_run(job=job, actor=user, valid_only=options["valid_only"])
        for error in job.errors[:20]:
            self.stdout.write(
                _("row %(row)d, %(field)s: %(reason)s")
                % {"row": error["row"], "field": columns.field_label(error["field"]), "reason": error["reason"]}
            )
        if len(job.errors) > 20:
            self.stdout.write(_("… and %(count)d more errors.") % {"count": len(job.errors) - 20})
        if options["report"] and job.errors:
            Path(options["report"]).write_bytes(selectors.import_error_report(job))
            self.stdout.write(_("Error report written to %(path)s.") % {"path": options["report"]})
        summary = _(
            "Import #%(job)d %(state)s: %(rows)d rows, %(valid)d valid, %(invalid)d with errors; "
            "%(customers)d customers and %(vehicles)d vehicles imported."
        ) % {
            "job": job.pk,
            "state": job.get_state_display(),
            "rows": job.total_rows,
            "valid": job.valid_rows,
            "invalid": job.error_rows,
            "customers": job.imported_customers,
            "vehicles": job.imported_vehicles,
        }
        self.stdout.write(summary)
        if job.state != ImportJob.State.DONE:
            raise CommandError(job.message or _("Nothing was imported."))


def _messages(exc: ValidationError):
    if hasattr(exc, "error_dict"):
        return [(columns.field_label(k) if k != "file" else _("File"), v) for k, v in exc.message_dict.items()]
    return [(_("File"), exc.messages)]
