from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import Direction, HungUpFirst, Outcome, Purpose, ScriptKind, Source


class PhoneSettings(models.Model):
    """A store's telephone settings: ring cadence, call-back time for missed calls, the phone system."""

    store = models.OneToOneField(
        "org.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="phone_settings"
    )
    ring_cycle_seconds = models.FloatField(
        _("ring cycle (seconds)"),
        default=5.0,
        help_text=_("One ring with its pause; China's cadence is 1 s of tone and 4 s of silence."),
    )
    max_rings = models.PositiveSmallIntegerField(
        _("answer within (rings)"), default=3, help_text=_("S2.1: before the fourth ring.")
    )
    missed_callback_minutes = models.PositiveIntegerField(
        _("call back a missed or cut-off call within (business minutes)"), default=15
    )

    class Meta:
        verbose_name = _("telephone settings")
        verbose_name_plural = _("telephone settings")

    def __str__(self):
        return str(self.store)


def phone_settings(store) -> PhoneSettings:
    """The store's settings, created with the defaults on first use."""
    found, _created = PhoneSettings.objects.get_or_create(store=store)
    return found


class Call(models.Model):
    """One telephone call, in or out, logged at the console or imported from the phone system."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="calls")
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.INBOUND)
    number = models.CharField(
        pgettext_lazy("phone number", "number"), max_length=32, blank=True, help_text=_("The other party's number.")
    )
    number_digits = models.CharField(_("number digits"), max_length=32, blank=True, db_index=True, editable=False)
    caller_name = models.CharField(
        _("caller ID name"),
        max_length=50,
        blank=True,
        help_text=_("The name the phone system showed for the caller; it names an unknown caller."),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ring_seconds = models.FloatField(_("ring time (seconds)"), null=True, blank=True)
    rings = models.PositiveSmallIntegerField(_("rings"), null=True, blank=True)
    answered_in_time = models.BooleanField(_("answered within 3 rings"), null=True, blank=True)
    missed = models.BooleanField(_("missed"), default=False)
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls_answered",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    extension = models.CharField(_("extension"), max_length=10, blank=True)
    hung_up_first = models.CharField(_("hung up first"), max_length=10, choices=HungUpFirst.choices, blank=True)
    transferred_to = models.ForeignKey(
        "org.Department",
        verbose_name=_("transferred to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    transcript = models.TextField(_("transcript"), blank=True)
    script_score = models.PositiveSmallIntegerField(_("script check score"), null=True, blank=True)
    script_result = models.JSONField(_("script check result"), null=True, blank=True)
    returns_call = models.ForeignKey(
        "self", verbose_name=_("calls back"), on_delete=models.SET_NULL, null=True, blank=True, related_name="callbacks"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.CONSOLE)
    source_key = models.CharField(_("phone-system call id"), max_length=64, blank=True)
    disposition = models.CharField(_("phone-system result"), max_length=20, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(_("talk time (seconds)"), null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    logged_at = models.DateTimeField(_("logged at"), default=timezone.now)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["store", "started_at"], name="call_store_started"),
            # a group's call list, newest first across its stores (issue 10)
            models.Index(fields=["started_at", "id"], name="call_started_id"),
            models.Index(fields=["store", "answered_by", "started_at"], name="call_store_person"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "source_key"], condition=~Q(source_key=""), name="uniq_call_source_key"
            ),
        ]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.number}"


class GreetingScript(models.Model):
    """The phrase for one case, per department (or the store's default), shown on the console (teach)."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="scripts")
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scripts",
        help_text=_("Empty: the store's script for every department."),
    )
    kind = models.CharField(_("case"), max_length=20, choices=ScriptKind.choices)
    text = models.TextField(
        _("script"), help_text=_("{store}, {department}, {name} and {target} are filled in on the console.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("call script")
        verbose_name_plural = _("call scripts")
        ordering = ["store", "department", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["store", "department", "kind"], name="uniq_script_department_kind"),
            models.UniqueConstraint(
                fields=["store", "kind"], condition=Q(department=None), name="uniq_script_store_kind"
            ),
        ]

    def __str__(self):
        return self.get_kind_display()


class Message(models.Model):
    """A message for an absent colleague or a department (S2.3); a wanted call-back is a promise."""

    store = models.ForeignKey(
        "org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="phone_messages"
    )
    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    for_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("for"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="phone_messages",
    )
    for_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("for department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="phone_messages",
    )
    caller_name = models.CharField(_("caller's name"), max_length=50)
    caller_number = models.CharField(_("caller's number"), max_length=32, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="phone_messages",
    )
    text = models.TextField(_("message"))
    callback_wanted = models.BooleanField(_("call-back wanted"), default=False)
    callback_by = models.DateTimeField(_("call back by"), null=True, blank=True)
    promise = models.OneToOneField(
        "promises.Promise",
        verbose_name=_("call-back promise"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="phone_message",
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("taken by"), on_delete=models.PROTECT, related_name="+"
    )
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    called_back_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    callback_call = models.ForeignKey(
        Call, verbose_name=_("call-back call"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-taken_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(for_user__isnull=False) | Q(for_department__isnull=False), name="message_has_recipient"
            )
        ]

    def __str__(self):
        return f"{self.caller_name}: {self.text[:30]}"


class IncomingCall(models.Model):
    """A call the phone system announces as ringing: a pop-up on the console of the person at the extension."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="+")
    number = models.CharField(pgettext_lazy("phone number", "number"), max_length=32)
    extension = models.CharField(_("extension"), max_length=10)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answering person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("rang at"), default=timezone.now)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incoming call")
        verbose_name_plural = _("incoming calls")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "taken_at", "created_at"], name="incoming_user_open")]

    def __str__(self):
        return f"{self.extension} ← {self.number}"


class CdrImport(models.Model):
    """One import of a phone system's call-record file: what was read, written, skipped and refused."""

    class State(models.TextChoices):
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        UNKNOWN = "", _("Not known yet")
        ASTERISK = "asterisk", _("Asterisk Master.csv")
        FREEPBX = "freepbx", _("FreePBX or Issabel export")
        JSON = "json", _("JSON records")

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    file_path = models.CharField(
        _("stored file"), max_length=255, blank=True, help_text=_("Under the media folder, while steps remain.")
    )
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, blank=True)
    encoding = models.CharField(_("encoding"), max_length=10, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RUNNING)
    lines_total = models.PositiveIntegerField(_("lines in the file"), default=0)
    rows_read = models.PositiveIntegerField(_("lines read"), default=0)
    records_done = models.PositiveIntegerField(_("calls processed"), default=0)
    # Where the next step of the upload page goes on: the byte after the last line read (rows_read
    # is that line's number) and, in resume_state, the calls still open and the encoding found.
    bytes_read = models.PositiveBigIntegerField(_("bytes read"), default=0)
    resume_state = models.JSONField(_("state for the next step"), default=dict, blank=True)
    calls_created = models.PositiveIntegerField(_("calls added"), default=0)
    calls_existing = models.PositiveIntegerField(_("calls already present"), default=0)
    promises_made = models.PositiveIntegerField(_("call-back promises made"), default=0)
    bad_rows = models.PositiveIntegerField(_("bad lines"), default=0)
    errors = models.JSONField(_("bad lines (the first 1,000)"), default=list, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    # Written with each batch or step: a running import not heard of for IMPORT_STALE_SECONDS has
    # stopped (page closed, command or server killed).
    heartbeat_at = models.DateTimeField(_("last step at"), null=True, blank=True)

    class Meta:
        verbose_name = _("call-record import")
        verbose_name_plural = _("call-record imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.filename or str(self.pk)

    @property
    def is_running(self) -> bool:
        return self.state == self.State.RUNNING

    @property
    def stalled(self) -> bool:
        """Running, but no batch or step for IMPORT_STALE_SECONDS: whatever ran it is gone."""
        if not self.is_running:
            return False
        last = self.heartbeat_at or self.started_at or self.created_at
        return timezone.now() - last > timedelta(seconds=settings.IMPORT_STALE_SECONDS)

    @property
    def resumable(self) -> bool:
        """An upload page's import goes on from its stored file; one read at once (command, API) cannot."""
        return bool(self.file_path)

    @property
    def percent(self) -> int:
        if not self.lines_total:
            return 0 if self.is_running else 100
        return min(100, self.rows_read * 100 // self.lines_total)
