from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PreferredContact(models.TextChoices):
    MOBILE = "mobile", _("Mobile phone")
    LANDLINE = "landline", _("Landline")
    SMS = "sms", _("Text message")
    WECHAT = "wechat", _("WeChat")


class PersonalDataAction(models.TextChoices):
    REVEAL = "reveal", _("Phone number revealed")
    EXPORT = "export", pgettext_lazy("personal data", "Exported")
    ERASE = "erase", _("Erased on request")
