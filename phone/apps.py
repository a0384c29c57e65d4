from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhoneConfig(AppConfig):
    name = "phone"
    verbose_name = _("Telephone")

    def ready(self):
        from customers.selectors import NEW_CUSTOMER_SOURCES, TIMELINE
        from promises.services import WORKER_JOBS

        from .cdr.importer import cdr_imports_stopped
        from .selectors import call_items, caller_of_call, message_items

        TIMELINE.register("phone.calls", call_items)
        TIMELINE.register("phone.messages", message_items)
        NEW_CUSTOMER_SOURCES.register("call", caller_of_call)

        # A call-record import whose command or server was killed is marked failed, saying how far it got.
        WORKER_JOBS.register("cdr_imports_stopped", cdr_imports_stopped)
