from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import EventAction, NotificationKind, PromiseState


class PromiseRule(models.Model):
    """How one kind of promise is reminded and escalated; a store's own rule beats the default."""

    store = models.ForeignKey(
        "org.Store",
        verbose_name=_("store"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Empty: the default for every store."),
    )
    kind = models.CharField(_("kind of promise"), max_length=40)
    remind_at_percent = models.PositiveSmallIntegerField(
        _("remind at (percent of the promised time)"),
        default=80,
        help_text=_("The owner is reminded when this share of the promised time has passed."),
    )
    escalate_supervisor_after_minutes = models.PositiveIntegerField(
        _("escalate to the supervisor after (minutes past due)"), default=0
    )
    escalate_manager_after_minutes = models.PositiveIntegerField(
        _("escalate to the store manager after (minutes past due)"), default=60
    )

    class Meta:
        verbose_name = _("promise rule")
        verbose_name_plural = _("promise rules")
        constraints = [
            models.UniqueConstraint(fields=["store", "kind"], name="uniq_promise_rule_store_kind"),
            models.UniqueConstraint(fields=["kind"], condition=Q(store=None), name="uniq_promise_rule_default_kind"),
        ]

    def __str__(self):
        return self.kind


class Promise(models.Model):
    """A promise with a clock: an owner, a due time in business hours, a state, reminders and escalation."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="promises")
    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    rule_id = models.CharField(
        _("rule"), max_length=10, help_text=_("The standard's rule this promise serves, e.g. S2.3.")
    )
    title = models.CharField(_("what is promised"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="promises",
    )
    owner_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="promises",
        help_text=_("A desk's promise: anyone of the department may keep it."),
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("made at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    business_time = models.BooleanField(_("counted in business hours"), default=True)
    due_at = models.DateTimeField(_("due at"), db_index=True)
    state = models.CharField(_("state"), max_length=10, choices=PromiseState.choices, default=PromiseState.OPEN)
    kept_at = models.DateTimeField(_("kept at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    close_reason = models.CharField(_("reason"), max_length=200, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    pause_reason = models.CharField(_("pause reason"), max_length=200, blank=True)
    remaining_seconds = models.FloatField(_("time left when paused (s)"), null=True, blank=True)
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    next_escalation_at = models.DateTimeField(_("next escalation at"), null=True, blank=True)

    class Meta:
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(state="open"), name="promise_open_due"),
            models.Index(fields=["remind_at"], condition=Q(state="open", reminded_at=None), name="promise_to_remind"),
            models.Index(fields=["next_escalation_at"], condition=Q(state="open"), name="promise_to_escalate"),
            models.Index(fields=["subject_type", "subject_id"], name="promise_subject"),
            # the figures' promises of a store and period, and a store's open promises (issue 10)
            models.Index(fields=["store", "due_at"], name="promise_store_due"),
            models.Index(fields=["store", "due_at"], condition=Q(state="open"), name="promise_open_store_due"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state == PromiseState.OPEN

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def is_overdue(self, now=None) -> bool:
        return self.is_open and not self.is_paused and self.due_at < (now or timezone.now())


class PromiseEvent(models.Model):
    """What happened to a promise, when and by whom: made, reminded, escalated, paused, kept …"""

    promise = models.ForeignKey(Promise, verbose_name=_("promise"), on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=EventAction.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("promise event")
        verbose_name_plural = _("promise events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class Notification(models.Model):
    """A message to one person in the app (the bell), possibly also posted to the store's WeCom group."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="+")
    promise = models.ForeignKey(
        Promise,
        verbose_name=_("promise"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.title


class WebhookDelivery(models.Model):
    """A post to a WeCom group robot, retried with back-off until delivered; never blocks anyone's work."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="+")
    url = models.URLField(_("webhook"), max_length=300)
    payload = models.JSONField(_("message"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    # Set by the worker that is posting it; a post whose claim ran out (the worker died) is tried again.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(delivered_at=None), name="webhook_pending"),
        ]

    def __str__(self):
        return f"{self.store_id} {self.created_at:%Y-%m-%d %H:%M}"
