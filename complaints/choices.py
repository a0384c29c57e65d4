from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    """How the complaint reached the store (S2.4 by phone, S2.6 any upset customer)."""

    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    WECHAT = "wechat", _("WeChat")
    SURVEY = "survey", _("Survey")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class ComplaintState(models.TextChoices):
    """The stages of a complaint, in order (S2.6)."""

    LOGGED = "logged", _("Logged")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    VERIFYING = "verifying", _("Verifying")
    REPLIED = "replied", _("Replied")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", pgettext_lazy("complaint state", "Closed")


class ReplyChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")
    WECHAT = "wechat", _("WeChat")
    SMS = "sms", _("SMS")
    OTHER = "other", _("Other")


class ReplyPreset(models.TextChoices):
    """Reply times offered on the form (S2.6: tell the customer when they will get an answer).

    They run in the store's business hours (complaints.forms.reply_time_from_preset); the values keep
    their first names (today_18, tomorrow_12) so that links and saved forms keep working.
    """

    HOURS_2 = "2h", _("Within 2 business hours")
    TODAY_18 = "today_18", _("By closing time")
    TOMORROW_12 = "tomorrow_12", _("Next business day, 12:00")
    HOURS_24 = "24h", _("Within 24 hours")
    CUSTOM = "custom", _("Another time")
