from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Channel, ComplaintState, ReplyChannel, Severity

USER = settings.AUTH_USER_MODEL


class Complaint(models.Model):
    """A customer's complaint, from logging to closure, with its clocks (S2.4, S2.6)."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="complaints")
    number = models.CharField(_("number"), max_length=30, unique=True, help_text=_("For example C-S001-2026-0001."))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    call = models.ForeignKey(
        "phone.Call",
        verbose_name=_("call"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    customer_name = models.CharField(_("customer name"), max_length=50, help_text=_("S2.6: required."))
    contact_phone = models.CharField(_("contact phone"), max_length=20, help_text=_("S2.4, S2.6: required."))
    vehicle = models.ForeignKey(
        "customers.Vehicle",
        verbose_name=_("vehicle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    vehicle_involved = models.BooleanField(_("a vehicle is involved"), default=True)
    vehicle_model = models.CharField(
        _("vehicle model"), max_length=50, blank=True, help_text=_("S2.6: required when a vehicle is involved.")
    )
    plate = models.CharField(
        _("plate"), max_length=10, blank=True, help_text=_("S2.4: required when a vehicle is involved.")
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department complained about"),
        on_delete=models.PROTECT,
        related_name="complaints",
        help_text=_("S2.6: required."),
    )
    staff_involved = models.ForeignKey(
        USER,
        verbose_name=_("staff involved"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints_about",
    )
    staff_unknown = models.BooleanField(
        _("staff involved unknown"), default=False, help_text=_("S2.6: name the staff involved, or mark them unknown.")
    )
    happened_at = models.DateTimeField(_("happened at"), help_text=_("S2.4: the time of the events."))
    place = models.CharField(_("place"), max_length=100, help_text=_("S2.4: where it happened."))
    course = models.TextField(
        _("course of events"), help_text=_("S2.4: what happened, including the vehicle's condition.")
    )
    customer_wants = models.TextField(_("what the customer wants"), help_text=_("S2.6: required."))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    reply_promised_at = models.DateTimeField(
        _("reply promised for"), help_text=_("S2.6: the time the customer was told they will get an answer.")
    )
    state = models.CharField(
        _("state"), max_length=12, choices=ComplaintState.choices, default=ComplaintState.LOGGED, db_index=True
    )
    logged_at = models.DateTimeField(_("logged at"), default=timezone.now)
    logged_by = models.ForeignKey(
        USER, verbose_name=_("logged by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, verbose_name=_("acknowledged by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ack_minutes = models.FloatField(
        _("minutes to acknowledgement"), null=True, blank=True, help_text=_("S2.6: reported-to-superior delay.")
    )
    reply_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    reply_by = models.ForeignKey(
        USER, verbose_name=_("replied by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reply_channel = models.CharField(_("reply given by"), max_length=10, choices=ReplyChannel.choices, blank=True)
    reply_text = models.TextField(_("reply"), blank=True)
    reply_on_time = models.BooleanField(_("replied on time"), null=True, blank=True, help_text=_("S2.6: measured."))
    satisfaction_score = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    satisfaction_comment = models.TextField(_("satisfaction comment"), blank=True)
    followup_attempts = models.PositiveSmallIntegerField(
        _("follow-up attempts without reaching the customer"), default=0
    )
    unreachable = models.BooleanField(_("customer unreachable"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, verbose_name=_("closed by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    reopen_reason = models.CharField(_("reason for reopening"), max_length=200, blank=True)
    ack_promise = models.ForeignKey(
        "promises.Promise",
        verbose_name=_("acknowledgement promise"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reply_promise = models.ForeignKey(
        "promises.Promise",
        verbose_name=_("reply promise"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-logged_at", "-id"]
        indexes = [
            models.Index(fields=["store", "logged_at"], name="complaint_store_logged"),
            # a group's complaint list, newest first across its stores (issue 10)
            models.Index(fields=["logged_at", "id"], name="complaint_logged_id"),
            models.Index(fields=["reply_promised_at"], condition=~Q(state="closed"), name="complaint_open_reply_due"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.state == ComplaintState.CLOSED

    def is_overdue(self, now=None) -> bool:
        """Not yet replied and past the time promised to the customer (S2.6)."""
        return self.reply_at is None and self.reply_promised_at < (now or timezone.now())


class Verification(models.Model):
    """A question about a complaint put to one department, answered from its inbox (S2.6)."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="verifications"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department asked"), on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    asked_by = models.ForeignKey(
        USER, verbose_name=_("asked by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        USER, verbose_name=_("answered by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    promise = models.ForeignKey(
        "promises.Promise",
        verbose_name=_("promise"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        ordering = ["asked_at", "id"]
        indexes = [models.Index(fields=["department", "answered_at"], name="verification_inbox")]

    def __str__(self):
        return f"{self.complaint.number} → {self.department}"

    @property
    def store_id(self):
        return self.complaint.store_id
