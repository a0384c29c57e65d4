from django.db import models
from django.utils.translation import gettext_lazy as _


class PromiseState(models.TextChoices):
    """Open until kept; kept after its due time it is late; given up it is broken."""

    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept on time")
    LATE = "late", _("Kept late")
    BROKEN = "broken", _("Broken")
    CANCELLED = "cancelled", _("Cancelled")


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    ESCALATION = "escalation", _("Escalation")
    ASSIGNED = "assigned", _("New promise")
    INFO = "info", _("Information")


class EventAction(models.TextChoices):
    MADE = "made", _("Made")
    REMINDED = "reminded", _("Owner reminded")
    ESCALATED_1 = "escalated_1", _("Escalated to the supervisor")
    ESCALATED_2 = "escalated_2", _("Escalated to the store manager")
    PAUSED = "paused", _("Clock paused")
    RESUMED = "resumed", _("Clock resumed")
    KEPT = "kept", _("Kept")
    CANCELLED = "cancelled", _("Cancelled")
    BROKEN = "broken", _("Closed as not kept")
