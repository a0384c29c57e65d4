from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoungeConfig(AppConfig):
    name = "lounge"
    verbose_name = _("Customer lounge")

    def ready(self):
        from customers.selectors import TIMELINE

        from .selectors.visits import visit_items

        TIMELINE.register("lounge.visits", visit_items)
