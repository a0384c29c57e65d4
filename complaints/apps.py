from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        from insights.selectors import register_complaint_figures

        from . import selectors  # noqa: F401  (registers the complaints on customer timelines)
        from .figures import complaint_figures

        register_complaint_figures(complaint_figures)
