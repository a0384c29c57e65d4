from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Shared mechanisms")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import session_touched_at_sign_in

        user_logged_in.connect(session_touched_at_sign_in, dispatch_uid="core_session_touched")
