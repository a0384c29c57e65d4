from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoungeConfig(AppConfig):
    name = "lounge"
    verbose_name = _("Customer lounge")
