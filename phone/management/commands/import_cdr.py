"""manage.py import_cdr --store S001 [--user name] FILE: import a phone system's call records."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from org.models import Store, User
from phone.cdr.importer import cdr_import_file

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = "Import call records (Asterisk Master.csv or a FreePBX/Issabel cdr export, UTF-8 or GBK) into a store."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file")
        parser.add_argument("--store", required=True, help="the store's code, for example S001")
        parser.add_argument("--user", default="", help="the username recorded as importing (optional)")
        parser.add_argument(
            "--promise-hours",
            type=float,
            default=None,
            help="missed calls this recent become call-back promises (default: the CDR_PROMISE_WINDOW_HOURS setting, 48)",
        )

    def handle(self, *args, file, store, user, promise_hours, **options):
        found = Store.objects.filter(code=store).first()
        if found is None:
            raise CommandError(_("There is no store with the code %(code)s.") % {"code": store})
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(_("There is no account named %(username)s.") % {"username": user})
        window = None if promise_hours is None else timedelta(hours=promise_hours)
        try:
            binary = open(file, "rb")
        except OSError as exc:
            raise CommandError(
                _("The file %(name)s cannot be read: %(problem)s") % {"name": file, "problem": exc}
            ) from None
        with binary:
            imp = cdr_import_file(store=found, actor=actor, binary_file=binary, filename=file, window=window)
        self.stdout.write(
            _(
                "%(name)s: %(lines)d lines read, %(added)d calls added, %(present)d already present, "
                "%(bad)d bad lines, %(promises)d call-back promises (%(state)s)."
            )
            % {
                "name": imp.filename,
                "lines": imp.rows_read,
                "added": imp.calls_created,
                "present": imp.calls_existing,
                "bad": imp.bad_rows,
                "promises": imp.promises_made,
                "state": imp.get_state_display(),
            }
        )
        for error in imp.errors[:SHOWN_ERRORS]:
            self.stdout.write(_("  line %(line)d: %(reason)s") % error)
        if imp.bad_rows > SHOWN_ERRORS:
            self.stdout.write(
                _("  … and %(count)d more bad lines (import %(id)d).")
                % {"count": imp.bad_rows - SHOWN_ERRORS, "id": imp.pk}
            )
        if imp.state == imp.State.FAILED:
            raise CommandError(imp.message)
