from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        from customers.selectors import TIMELINE
        from phone.selectors import CALLER_CARD

        from .selectors import complaint_items, open_complaints_of_caller

        TIMELINE.register("complaints", complaint_items)
        # S2.6: the incoming-call card shows the caller's complaints not yet closed.
        CALLER_CARD.register("complaints", open_complaints_of_caller)
