from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Purpose(models.TextChoices):
    """What a checklist template is for; the lounge hygiene round is the first, grooming and desk checks follow."""

    LOUNGE_HYGIENE = "lounge_hygiene", _("Lounge hygiene round")
    GROOMING = "grooming", _("Grooming check")
    DESK = "desk", _("Desk check")
    ETIQUETTE = "etiquette", _("Etiquette audit")
    OTHER = "other", pgettext_lazy("checklist purpose", "Other")


class ItemKind(models.TextChoices):
    """How an item is answered: passed or failed, or a measured value held against a limit."""

    PASS_FAIL = "pass_fail", _("Pass or fail")
    MEASURED = "measured", _("Measured value with a limit")


class RoundState(models.TextChoices):
    """A scheduled round is open until it is submitted; one not done before the next is due is missed."""

    OPEN = "open", pgettext_lazy("round state", "To do")
    DONE = "done", pgettext_lazy("round state", "Done")
    MISSED = "missed", pgettext_lazy("round state", "Missed")


class ActionState(models.TextChoices):
    """A corrective action for a failed item: open until someone puts it right."""

    OPEN = "open", pgettext_lazy("corrective action state", "Open")
    DONE = "done", pgettext_lazy("corrective action state", "Put right")
    CANCELLED = "cancelled", pgettext_lazy("corrective action state", "Cancelled")


class Schedule(models.TextChoices):
    """How often an area's rounds are made: every so many minutes in business hours (a place such as the
    lounge), once each working day before opening (the morning grooming check, S6), or once a week on a
    working day drawn at random (a desk check, S1.D3)."""

    EVERY = "every", _("Every so many minutes in business hours")
    DAILY = "daily", _("Each working day, before opening")
    WEEKLY = "weekly", _("Once a week, on a random working day")
