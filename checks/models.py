"""The checklist engine: templates of items, areas with a schedule, rounds with their results, corrective actions.

A round copies each item of its template into its own results when it starts, so editing a template
never changes a past round (its wording, limits and rule IDs stay as they were checked).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ActionState, ItemKind, Purpose, RoundState, Schedule


def photo_path(instance, filename):
    """Photos are stored per store and month under MEDIA_ROOT and served only behind the store wall."""
    now = timezone.localtime()
    return f"checks/{instance.store_id}/{now:%Y/%m}/{filename}"


class ChecklistTemplate(models.Model):
    """A list of items to check, edited by managers; a round copies it when it starts."""

    store = models.ForeignKey(
        "org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="checklist_templates"
    )
    name = models.CharField(_("name"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.OTHER)
    description = models.CharField(_("description"), max_length=300, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["store", "name"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="uniq_checklist_template_name")]

    def __str__(self):
        return self.name


class TemplateItem(models.Model):
    """One point of a template: what to look at, the rule it checks, how it is answered."""

    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("what to check"), max_length=200)
    rule_id = models.CharField(
        _("rule"), max_length=10, help_text=_("The standard's rule this item checks, e.g. S4.7.")
    )
    kind = models.CharField(_("answered as"), max_length=10, choices=ItemKind.choices, default=ItemKind.PASS_FAIL)
    max_value = models.DecimalField(
        _("at most"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("A measured value above this fails the item."),
    )
    min_value = models.DecimalField(
        _("at least"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("A measured value below this fails the item."),
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    photo_on_fail = models.BooleanField(_("photo required when failed"), default=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "position", "id"]

    def __str__(self):
        return self.text


class Area(models.Model):
    """A place checked on a schedule with one template, e.g. the lounge every hour in business hours."""

    store = models.ForeignKey(
        "org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="check_areas"
    )
    name = models.CharField(_("name"), max_length=100)
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="areas"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("done by (department)"),
        on_delete=models.PROTECT,
        related_name="check_areas",
        help_text=_("The department whose desk owns the rounds of this area."),
    )
    every_minutes = models.PositiveIntegerField(
        _("a round every (minutes)"),
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(24 * 60)],
        help_text=_("Rounds are scheduled in business hours only."),
    )
    due_within_minutes = models.PositiveIntegerField(
        _("to be done within (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
    )
    active = models.BooleanField(_("scheduled"), default=True)
    schedule = models.CharField(_("schedule"), max_length=10, choices=Schedule.choices, default=Schedule.EVERY)
    checks_people = models.BooleanField(
        _("checks each person"),
        default=False,
        help_text=_(
            "A round checks each person of the department on duty that day (grooming, desk) rather than the place."
        ),
    )

    class Meta:
        verbose_name = _("checked area")
        verbose_name_plural = _("checked areas")
        ordering = ["store", "name"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="uniq_check_area_name")]

    def __str__(self):
        return self.name


class Round(models.Model):
    """One pass through a template in an area: scheduled as a promise, done on a phone, scored."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="rounds")
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, null=True, blank=True, related_name="rounds"
    )
    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("template"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rounds",
    )
    template_name = models.CharField(_("template"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.OTHER)
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    promise = models.ForeignKey(
        "promises.Promise",
        verbose_name=_("promise"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=10, choices=RoundState.choices, default=RoundState.OPEN)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rounds_done",
    )
    on_time = models.BooleanField(_("done on time"), null=True, blank=True)
    item_count = models.PositiveSmallIntegerField(_("items"), default=0)
    failed_count = models.PositiveSmallIntegerField(_("items failed"), default=0)
    score = models.DecimalField(
        _("score (percent of items passed)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-scheduled_for", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["area", "scheduled_for"], name="uniq_round_area_slot"),
        ]
        indexes = [
            models.Index(fields=["store", "submitted_at"], name="round_store_submitted"),
            models.Index(fields=["store", "scheduled_for"], name="round_store_scheduled"),
            models.Index(fields=["due_at"], condition=Q(state="open"), name="round_open_due"),
            # the round list's order (newest slot or start first) across a group's stores (issue 10)
            models.Index(Coalesce("scheduled_for", "started_at").desc(), F("id").desc(), name="round_when_id"),
        ]

    def __str__(self):
        return self.template_name


class RoundResult(models.Model):
    """One item of a round, as the template said it when the round started, with its answer."""

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="results")
    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        TemplateItem,
        verbose_name=_("template item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person checked"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="check_results",
        help_text=_("In a check of people (grooming, desk): whose item this is."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("what to check"), max_length=200)
    rule_id = models.CharField(_("rule"), max_length=10)
    kind = models.CharField(_("answered as"), max_length=10, choices=ItemKind.choices)
    max_value = models.DecimalField(_("at most"), max_digits=8, decimal_places=2, null=True, blank=True)
    min_value = models.DecimalField(_("at least"), max_digits=8, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    photo_on_fail = models.BooleanField(_("photo required when failed"), default=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    value = models.DecimalField(_("measured value"), max_digits=8, decimal_places=2, null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    photo = models.ImageField(_("photo"), upload_to=photo_path, blank=True)
    photo_deleted_at = models.DateTimeField(
        _("photo deleted at"),
        null=True,
        blank=True,
        help_text=_("A photo of a person deleted after the store's retention period (S6)."),
    )

    class Meta:
        verbose_name = _("round result")
        verbose_name_plural = _("round results")
        ordering = ["round", "position", "id"]
        indexes = [models.Index(fields=["subject", "store"], name="round_result_subject")]

    def __str__(self):
        return self.text


class RoundSubject(models.Model):
    """A person on a round that checks people: on duty and checked, or absent and marked, not checked (S6)."""

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="subjects")
    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="round_subjects"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    absent = models.BooleanField(_("absent"), default=False)
    absence = models.CharField(_("why absent"), max_length=100, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    failed_count = models.PositiveSmallIntegerField(_("items failed"), default=0)

    class Meta:
        verbose_name = _("person checked")
        verbose_name_plural = _("people checked")
        ordering = ["round", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="uniq_round_subject")]
        indexes = [models.Index(fields=["person", "store"], name="round_subject_person")]

    def __str__(self):
        return str(self.person)


class CheckSettings(models.Model):
    """A store's settings for checks of people: the correction clock, repeated failures, photo retention (S6)."""

    store = models.OneToOneField(
        "org.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="check_settings"
    )
    correction_minutes = models.PositiveIntegerField(
        _("a failed grooming item put right within (business minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    repeat_failures = models.PositiveSmallIntegerField(
        _("repeated failures flagged at"),
        default=3,
        validators=[MinValueValidator(2), MaxValueValidator(20)],
        help_text=_("The same item failed this many times by one person is flagged to the store manager."),
    )
    repeat_window_days = models.PositiveSmallIntegerField(
        _("within (days)"), default=30, validators=[MinValueValidator(7), MaxValueValidator(365)]
    )
    photo_retention_days = models.PositiveSmallIntegerField(
        _("photos of people kept for (days)"),
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(3650)],
        help_text=_("Photos from checks of people are personal data: deleted after this many days."),
    )

    class Meta:
        verbose_name = _("check settings")
        verbose_name_plural = _("check settings")

    def __str__(self):
        return str(self.store)


def check_settings(store) -> CheckSettings:
    """The store's check settings (the defaults until a manager changes them)."""
    found = CheckSettings.objects.filter(store=store).first()
    return found if found is not None else CheckSettings(store=store)


class CorrectiveAction(models.Model):
    """A failed item to put right: an owner and a clock (a promise), closed with what was done."""

    store = models.ForeignKey(
        "org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="corrective_actions"
    )
    result = models.OneToOneField(
        RoundResult, verbose_name=_("failed item"), on_delete=models.CASCADE, related_name="action"
    )
    description = models.CharField(_("what is to be put right"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrective_actions",
    )
    owner_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrective_actions",
    )
    promise = models.ForeignKey(
        "promises.Promise",
        verbose_name=_("promise"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=10, choices=ActionState.choices, default=ActionState.OPEN)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    done_at = models.DateTimeField(_("put right at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("put right by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    done_note = models.CharField(_("what was done"), max_length=300, blank=True)
    photo = models.ImageField(_("photo after"), upload_to=photo_path, blank=True)
    photo_deleted_at = models.DateTimeField(_("photo deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["store", "state"], name="corrective_action_state"),
            # the action list's order (open first, then newest) across a group's stores (issue 10)
            models.Index(
                Case(When(state="open", then=Value(0)), default=Value(1), output_field=models.IntegerField()),
                F("created_at").desc(),
                F("id").desc(),
                name="corrective_action_list",
            ),
        ]

    def __str__(self):
        return self.description
