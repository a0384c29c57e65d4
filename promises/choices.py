from django.db import models
from django.utils.translation import gettext_lazy as _


class PromiseState(models.TextChoices):
    """Open until kept; kept after its due time it is late; given up it is broken."""

    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept on time")
    LATE = "late", _("Kept late")
    BROKEN = "broken", _("Broken")
    CANCELLED = "cancelled", _("Cancelled")


class PromiseKind(models.TextChoices):
    """The kinds of promise the modules make, each kept by a rule of the standards (PROMISE_KIND_RULES).

    A store may still have a default rule for a kind set up only in the admin; it is shown by its code.
    """

    MESSAGE_CALLBACK = "message_callback", _("Call back a caller who left a message")
    MISSED_CALLBACK = "missed_callback", _("Call back a missed or cut-off call")
    COMPLAINT_ACK = "complaint_ack", _("Report a complaint to the supervisor")
    COMPLAINT_VERIFICATION = "complaint_verification", _("Verify a complaint with a department")
    COMPLAINT_REPLY = "complaint_reply", _("Reply to a complaint by the promised time")
    LOUNGE_GREET = "lounge_greet", _("Greet a customer entering the lounge")
    LOUNGE_REFILL = "lounge_refill", _("Refill a customer's drink in time")
    LOUNGE_REQUEST = "lounge_request", _("Go to a lounge customer who asked")
    CHECK_ROUND = "check_round", _("Do a scheduled hygiene round")
    CHECK_CORRECTION = "check_correction", _("Put right an item that failed a check")
    FAULT_FIX = "fault_fix", _("Fix a broken facility")
    GROOMING_CHECK = "grooming_check", _("Do the morning grooming check")
    GROOMING_CORRECTION = "grooming_correction", _("Put right a grooming item and have it confirmed")
    DESK_CHECK = "desk_check", _("Do a scheduled desk check")
    DISCIPLINE_DECISION = "discipline_decision", _("Decide a contested discipline record")
    DISCIPLINE_DRAFT = "discipline_draft", _("Confirm or dismiss a draft discipline record from attendance")
    REVIEW = "review", _("Write a six-quality review by its due date")
    AUDIT_COACHING = "audit_coaching", _("Put right what an etiquette audit found")
    LEARNING = "learning", _("Learn a standard and pass its check of understanding")


# The rule of the standards each kind of promise keeps.
PROMISE_KIND_RULES = {
    PromiseKind.MESSAGE_CALLBACK: "S2.3",
    PromiseKind.MISSED_CALLBACK: "S2.10",
    PromiseKind.COMPLAINT_ACK: "S2.6",
    PromiseKind.COMPLAINT_VERIFICATION: "S2.6",
    PromiseKind.COMPLAINT_REPLY: "S2.6",
    PromiseKind.LOUNGE_GREET: "S4.1",
    PromiseKind.LOUNGE_REFILL: "S4.2",
    PromiseKind.LOUNGE_REQUEST: "S4.5",
    PromiseKind.CHECK_ROUND: "S4.6",
    PromiseKind.CHECK_CORRECTION: "S4.6",
    PromiseKind.FAULT_FIX: "S4.11",
    PromiseKind.GROOMING_CHECK: "S6.1",
    PromiseKind.GROOMING_CORRECTION: "S6.1",
    PromiseKind.DESK_CHECK: "S1.D3",
    PromiseKind.DISCIPLINE_DECISION: "S1.D1a",
    PromiseKind.DISCIPLINE_DRAFT: "S1.D1a",
    PromiseKind.REVIEW: "S1.1",
    PromiseKind.AUDIT_COACHING: "S3.1",
    PromiseKind.LEARNING: "S1.6",
}


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
