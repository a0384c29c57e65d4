"""manage.py create_api_token <username> [--name NAME]: a new API token, printed once."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.api_auth import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a staff member and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The account the integration acts as.")
        parser.add_argument("--name", default="", help="What the token is for, for example 'phone system'.")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("There is no account named %(username)s.") % {"username": username})
        try:
            _record, plain = api_token_create(user=user, name=name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        # The token alone on standard output, so that scripts can capture it.
        self.stdout.write(plain)
        self.stderr.write(
            self.style.WARNING(
                _(
                    "Copy this token now: it is shown only once and cannot be recovered. Send it as 'Authorization: Bearer <token>'."
                )
            )
        )
