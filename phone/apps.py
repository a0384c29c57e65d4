from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhoneConfig(AppConfig):
    name = "phone"
    verbose_name = _("Telephone")

    def ready(self):
        from promises.services import register_worker_job

        from . import selectors  # noqa: F401  (registers the calls and messages on the customer timeline)
        from .cdr_import import cdr_imports_stopped

        # A call-record import whose command or server was killed is marked failed, saying how far it got.
        register_worker_job("cdr_imports_stopped", cdr_imports_stopped)
