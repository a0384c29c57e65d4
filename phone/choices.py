from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Direction(models.TextChoices):
    INBOUND = "in", _("Incoming")
    OUTBOUND = "out", _("Outgoing")
    INTERNAL = "internal", _("Internal")


class Purpose(models.TextChoices):
    """Why the caller called (S2.3–S2.6)."""

    SOMEONE = "someone", _("Looking for someone")
    COMPLAINT = "complaint", _("Complaint")
    TRANSFER = "transfer", _("Transfer")
    ENQUIRY = "enquiry", _("Enquiry")
    BOOKING = "booking", _("Booking")
    CALLBACK = "callback", _("Call back")
    OTHER = "other", pgettext_lazy("call purpose", "Other")


class Outcome(models.TextChoices):
    HANDLED = "handled", _("Handled")
    HANDED_OVER = "handed_over", _("Handed to a colleague")
    MESSAGE = "message", _("Message taken")
    TRANSFERRED = "transferred", _("Transferred")
    COMPLAINT = "complaint", _("Complaint logged")
    DROPPED = "dropped", _("Cut off")
    MISSED = "missed", _("Missed")
    NO_ANSWER = "no_answer", _("Nobody answered our call")


class HungUpFirst(models.TextChoices):
    """S2.11: hang up only after the caller."""

    UNKNOWN = "", _("Not known")
    CALLER = "caller", _("The caller")
    STAFF = "staff", _("Our side")


class Source(models.TextChoices):
    CONSOLE = "console", _("Call console")
    PHONE_SYSTEM = "cdr", _("Phone-system records")
    API = "api", _("API")


class ScriptKind(models.TextChoices):
    """The cases the standard gives a phrase for (S2.2–S2.10)."""

    GREETING = "greeting", _("Greeting (S2.2)")
    PRESENT = "present", _("Colleague present (S2.3)")
    ABSENT = "absent", _("Colleague absent (S2.3)")
    TRANSFER = "transfer", _("Transfer (S2.5)")
    COMPLAINT = "complaint", _("Complaint (S2.4, S2.6)")
    UNCLEAR = "unclear", _("Cannot hear clearly (S2.9)")
    WRONG_NUMBER = "wrong_number", _("Wrong number (S2.8)")
    DROPPED = "dropped", _("Calling back a cut-off call (S2.10)")
