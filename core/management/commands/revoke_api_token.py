"""manage.py revoke_api_token <prefix>: the token stops working at once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.api_auth import PREFIX_LENGTH, api_token_revoke


class Command(BaseCommand):
    help = "Revoke an API token, named by its prefix (as list_api_tokens shows it), its id or the whole token."

    def add_arguments(self, parser):
        parser.add_argument("key", nargs="?", help="The token's prefix (its first 8 characters) or the whole token.")
        parser.add_argument("--id", type=int, dest="token_id", help="The token's id instead of its prefix.")

    def handle(self, *args, key, token_id, **options):
        if token_id is None and not key:
            raise CommandError(_("Name the token to revoke by its prefix or with --id."))
        kwargs = {"token_id": token_id}
        if token_id is None:
            kwargs = {"token": key} if len(key) > PREFIX_LENGTH else {"prefix": key}
        try:
            record = api_token_revoke(**kwargs)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            _("Revoked API token %(prefix)s… of %(username)s.")
            % {"prefix": record.key_prefix, "username": record.user.username}
        )
