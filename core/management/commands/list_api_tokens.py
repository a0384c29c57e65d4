"""manage.py list_api_tokens [<username>]: every token, active or revoked, without the secret."""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import ApiToken


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "List API tokens (prefix, person, name, made, last used, revoked), optionally of one account."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="Only this account's tokens.")

    def handle(self, *args, username=None, **options):
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at", "-id")
        if username:
            tokens = tokens.filter(user__username=username)
        rows = [
            (
                str(t.pk),
                t.key_prefix,
                t.user.username,
                t.name or "-",
                _when(t.created_at),
                _when(t.last_used_at),
                _when(t.revoked_at) if t.revoked_at else _("active"),
            )
            for t in tokens
        ]
        if not rows:
            self.stdout.write(_("No API tokens."))
            return
        header = (_("id"), _("prefix"), _("account"), _("name"), _("created"), _("last used"), _("revoked"))
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write(
                "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            )
