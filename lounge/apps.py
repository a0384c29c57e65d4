from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoungeConfig(AppConfig):
    name = "lounge"
    verbose_name = _("Customer lounge")

    def ready(self):
        from . import selectors  # noqa: F401  (registers the lounge visits on the customer timeline)
