from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _install_triggers(sender, using="default", **kwargs):
    from .rollups import triggers

    triggers.install(using)


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Figures")

    def ready(self):
        from lounge.models import LoungeSettings
        from promises.services import WORKER_JOBS

        from .rollups import base, lounge, telephone

        base.register("telephone", lambda store_ids: telephone.FAMILIES)
        base.register("lounge", lounge.families_for)
        # Changing a store's lounge clocks changes what its rolled-up days count.
        post_save.connect(lounge.settings_changed, sender=LoungeSettings, dispatch_uid="insights_lounge_settings")

        # Issue 10: the changed days are rolled up again and every store's rollups reach yesterday.
        WORKER_JOBS.register("insights_rollups", base.rollups_refresh)
        # The changed-day triggers (insights.rollups.triggers) after every migrate, for every app's tables.
        post_migrate.connect(_install_triggers, sender=self, dispatch_uid="insights_rollup_triggers")
