from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConductConfig(AppConfig):
    name = "conduct"
    verbose_name = _("Conduct and discipline")

    def ready(self):
        from promises.services import WORKER_JOBS

        from .services.carry_over import carry_overs_count

        # S1.D2: promises still open at a store's closing time are carried over to the next business day.
        WORKER_JOBS.register("carry_overs_count", carry_overs_count)
