from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecksConfig(AppConfig):
    name = "checks"
    verbose_name = _("Checks")

    def ready(self):
        from promises.services import WORKER_JOBS

        from .services.people import purge_people_photos
        from .services.rounds import rounds_schedule

        # S4.6–S4.10: each area's round of the current slot is made, earlier ones not done are missed.
        WORKER_JOBS.register("checks_rounds", rounds_schedule)
        # S6: photos of people are personal data, deleted after the store's retention period.
        WORKER_JOBS.register("purge_people_photos", purge_people_photos)
