"""Conduct and work discipline (S1.D1a–c, S1.D2–S1.D4): discipline records, attendance, carried-over work.

A discipline record is never deleted: a draft computed from attendance is confirmed or dismissed by the
supervisor (never automatic punishment), the person acknowledges or contests a recorded one, and the store
manager upholds or withdraws a contested one — every step in the history.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AttendanceSource, BatchState, DisciplineKind, DisciplineSource, DisciplineState


def photo_path(instance, filename):
    """Photos of people are stored per store and month and served only behind the wall."""
    now = timezone.localtime()
    return f"conduct/{instance.store_id}/{now:%Y/%m}/{filename}"


class ConductSettings(models.Model):
    """A store's discipline settings: the time to contest, what counts as late, and the monthly thresholds."""

    store = models.OneToOneField(
        "org.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="conduct_settings"
    )
    contest_days = models.PositiveSmallIntegerField(
        _("days to acknowledge or contest a record"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    late_grace_minutes = models.PositiveSmallIntegerField(
        _("minutes of grace before an arrival is late"),
        default=0,
        validators=[MaxValueValidator(60)],
        help_text=_("S1.D1a: a clock-in this many minutes after the shift starts is not yet late."),
    )
    early_grace_minutes = models.PositiveSmallIntegerField(
        _("minutes of grace before a departure is early"), default=0, validators=[MaxValueValidator(60)]
    )
    late_per_month = models.PositiveSmallIntegerField(
        _("late arrivals in a calendar month before the store manager is told"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    records_per_month = models.PositiveSmallIntegerField(
        _("discipline records in a calendar month before the store manager is told"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("discipline settings")
        verbose_name_plural = _("discipline settings")

    def __str__(self):
        return str(self.store)


def conduct_settings(store) -> ConductSettings:
    """The store's discipline settings (the defaults until a manager changes them)."""
    found = ConductSettings.objects.filter(store=store).first()
    return found if found is not None else ConductSettings(store=store)


class AttendanceBatch(models.Model):
    """One imported clock-in export (DingTalk, WeCom or a spreadsheet), as the customer import does it."""

    store = models.ForeignKey(
        "org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="attendance_batches"
    )
    source = models.CharField(
        _("source"), max_length=10, choices=AttendanceSource.choices, default=AttendanceSource.OTHER
    )
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=BatchState.choices, default=BatchState.CHECKED)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    days_written = models.PositiveIntegerField(_("days written"), default=0)
    drafts_made = models.PositiveIntegerField(_("draft records made"), default=0)
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    first_date = models.DateField(_("first day"), null=True, blank=True)
    last_date = models.DateField(_("last day"), null=True, blank=True)
    # The uploaded file, kept until the user confirms (its rows are read again then) and for the error list.
    file_path = models.CharField(_("stored file"), max_length=200, blank=True)
    file_kind = models.CharField(_("file type"), max_length=5, blank=True)
    headers = models.JSONField(_("column names"), default=list, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), default=0)
    mapping = models.JSONField(_("columns"), default=dict, blank=True)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)

    class Meta:
        verbose_name = _("attendance import")
        verbose_name_plural = _("attendance imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.file_name or str(self.pk)


class AttendanceDay(models.Model):
    """One person's clock-in and clock-out on one day, and what they mean against the roster (S1.D1a)."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="attendance_days"
    )
    date = models.DateField(_("date"))
    clock_in = models.DateTimeField(_("clock-in"), null=True, blank=True)
    clock_out = models.DateTimeField(_("clock-out"), null=True, blank=True)
    shift_start = models.DateTimeField(_("shift starts"), null=True, blank=True)
    shift_end = models.DateTimeField(_("shift ends"), null=True, blank=True)
    late_minutes = models.PositiveIntegerField(_("minutes late"), default=0)
    early_minutes = models.PositiveIntegerField(_("minutes left early"), default=0)
    missing_punch = models.BooleanField(_("clock-in or clock-out missing"), default=False)
    batch = models.ForeignKey(
        AttendanceBatch,
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="days",
    )

    class Meta:
        verbose_name = _("attendance day")
        verbose_name_plural = _("attendance days")
        ordering = ["-date", "person"]
        constraints = [models.UniqueConstraint(fields=["person", "date"], name="uniq_attendance_person_date")]
        indexes = [models.Index(fields=["store", "date"], name="attendance_store_date")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.person}"


class DisciplineRecord(models.Model):
    """An incident of work discipline: who, which rule, when, what was seen — and its answer (S1.D1a–c, S1.D3–4)."""

    store = models.ForeignKey(
        "org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="discipline_records"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="discipline_records",
    )
    kind = models.CharField(_("what happened"), max_length=20, choices=DisciplineKind.choices)
    rule_id = models.CharField(_("rule"), max_length=10)
    source = models.CharField(
        _("source"), max_length=12, choices=DisciplineSource.choices, default=DisciplineSource.MANUAL
    )
    state = models.CharField(
        _("state"), max_length=12, choices=DisciplineState.choices, default=DisciplineState.RECORDED
    )
    occurred_at = models.DateTimeField(_("when"))
    minutes = models.PositiveIntegerField(
        _("minutes"), null=True, blank=True, help_text=_("For a late arrival or early leave: how many minutes.")
    )
    description = models.CharField(_("what was seen"), max_length=500)
    photo = models.ImageField(_("photo"), upload_to=photo_path, blank=True)
    attendance_day = models.ForeignKey(
        AttendanceDay,
        verbose_name=_("attendance day"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    answer_by = models.DateTimeField(_("acknowledge or contest by"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    contest_reason = models.CharField(_("why contested"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("reason for the decision"), max_length=500, blank=True)
    promise = models.ForeignKey(
        "promises.Promise",
        verbose_name=_("promise"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("discipline record")
        verbose_name_plural = _("discipline records")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            # one draft or record per attendance day and kind: importing the same file again adds none
            models.UniqueConstraint(
                fields=["attendance_day", "kind"],
                condition=Q(attendance_day__isnull=False),
                name="uniq_discipline_attendance_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "occurred_at"], name="discipline_store_when"),
            models.Index(fields=["person", "occurred_at"], name="discipline_person_when"),
            # the record list's order (newest first) across a group's stores (issue 10)
            models.Index(models.F("occurred_at").desc(), models.F("id").desc(), name="discipline_when_id"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.person}"


class CarryOver(models.Model):
    """S1.D2: a promise due on a working day and still open at closing time, carried over to the next day."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    promise = models.ForeignKey(
        "promises.Promise", verbose_name=_("promise"), on_delete=models.CASCADE, related_name="carry_overs"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carry_overs",
    )
    owner_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("owning department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carry_overs",
    )
    counted_at = models.DateTimeField(_("counted at"), default=timezone.now)

    class Meta:
        verbose_name = _("carried-over work")
        verbose_name_plural = _("carried-over work")
        ordering = ["-day", "id"]
        constraints = [models.UniqueConstraint(fields=["promise", "day"], name="uniq_carry_over_promise_day")]
        indexes = [models.Index(fields=["store", "day"], name="carry_over_store_day")]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.promise}"
