from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        from customers.selectors import TIMELINE

        from .selectors import complaint_items

        TIMELINE.register("complaints", complaint_items)
