from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhoneConfig(AppConfig):
    name = "phone"
    verbose_name = _("Telephone")

    def ready(self):
        from . import selectors  # noqa: F401  (registers the calls and messages on the customer timeline)
