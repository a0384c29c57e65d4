"""Rounds: made on each area's schedule by the worker, started, answered and submitted (S4.6–S4.10).

Scheduled rounds are promises with clocks (promises app): PromiseKind.CHECK_ROUND due a few minutes
after its slot. A failed item of a submitted round becomes a corrective action (checks.services.actions).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import history_record, snapshot
from core.images import photo_clean
from core.models import HistoryAction
from org.access import Right, deny_unless, has_right, role_of, store_ids, supervised_department_ids
from org.business_time import StoreCalendar
from org.choices import Role
from promises.choices import PromiseKind, PromiseState
from promises.services import promise_break, promise_keep, promise_make

from ..choices import ItemKind, Purpose, RoundState, Schedule
from ..links import round_url
from ..models import Area, ChecklistTemplate, Round, RoundResult, TemplateItem
from ..selectors import current_slot, next_slot_start
from .actions import action_open

ROUND_FIELDS = ["state", "started_at", "submitted_at", "submitted_by", "on_time", "item_count", "failed_count", "score"]

# Who may start a round that is not on the schedule (an extra, ad-hoc round).
ADHOC_ROLES = (Role.GROUP_ADMIN, Role.STORE_MANAGER, Role.SUPERVISOR)


def may_start_adhoc(user, store_id: int) -> bool:
    """An extra round outside the schedule: supervisors and managers of the store."""
    return role_of(user) in ADHOC_ROLES and has_right(user, Right.EDIT, store_id)


def may_check_people(user, *, store_id: int, department_id: int | None) -> bool:
    """Who checks people (S6 grooming, S1.D3 desks): the checked department's supervisors — a store names
    another checker by giving them that department to supervise on their account — the store's managers and
    the group's administrators. Never the people being checked, nor another department's supervisor."""
    role = role_of(user)
    if role is None or not has_right(user, Right.EDIT, store_id):
        return False
    if role in (Role.GROUP_ADMIN, Role.STORE_MANAGER):
        return True
    return department_id is not None and department_id in supervised_department_ids(user)


def may_do_round(user, round: Round) -> bool:
    """Whether the person may start, answer and submit the round: anyone who edits in the store for a round of
    a place, a checker of people (``may_check_people``) for a round of people."""
    if not has_right(user, Right.EDIT, round.store_id):
        return False
    area = round.area if round.area_id is not None else None
    if area is not None and area.checks_people:
        return may_check_people(user, store_id=round.store_id, department_id=area.department_id)
    return True


def may_start_extra(user, area: Area) -> bool:
    """An extra round of the area: supervisors and managers; a check of people only by its checkers."""
    if area.checks_people:
        return may_check_people(user, store_id=area.store_id, department_id=area.department_id)
    return may_start_adhoc(user, area.store_id)


# --- The schedule --------------------------------------------------------------------------------


SCHEDULED_KINDS = {Purpose.GROOMING: PromiseKind.GROOMING_CHECK, Purpose.DESK: PromiseKind.DESK_CHECK}


def _round_title(round: Round, area: Area) -> str:
    if area.schedule != Schedule.EVERY:
        return _("%(template)s of %(area)s on %(day)s") % {
            "template": round.template_name,
            "area": area.name,
            "day": timezone.localtime(round.scheduled_for).strftime("%m-%d"),
        }
    return _("Round of %(area)s at %(slot)s: %(template)s") % {
        "template": round.template_name,
        "area": area.name,
        "slot": timezone.localtime(round.scheduled_for).strftime("%m-%d %H:%M"),
    }


def _round_new(area: Area, **schedule) -> Round:
    """A round of the area, under its template's name and purpose as they read now."""
    return Round.objects.create(
        store_id=area.store_id,
        area=area,
        template=area.template,
        template_name=area.template.name,
        purpose=area.template.purpose,
        **schedule,
    )


def _schedule_area(area: Area, slot: datetime, rule_id: str, now: datetime) -> Round | None:
    """The round of one slot with its promise; None if another worker made it first."""
    due_at = slot + timedelta(minutes=area.due_within_minutes)
    if due_at <= now:
        return None  # the slot is already past its due time (the worker was not running): not made afterwards
    try:
        with transaction.atomic():
            round = _round_new(area, scheduled_for=slot, due_at=due_at)
            round.promise = promise_make(
                store=area.store,
                # S6.1–S6.4 the morning grooming check, S1.D3 a desk check; a hygiene round otherwise (S4.6)
                kind=SCHEDULED_KINDS.get(area.template.purpose, PromiseKind.CHECK_ROUND),
                rule_id=rule_id,
                title=_round_title(round, area),
                owner_department=area.department,
                subject=round,
                url=round_url(round),
                due_at=due_at,
                now=now,
            )
            round.save(update_fields=["promise"])
            history_record(
                actor=None,
                obj=round,
                action=HistoryAction.CREATE,
                after=snapshot(round, ["scheduled_for", "due_at", "state"]),
                note=_("Scheduled"),
            )
    except IntegrityError:
        return None  # made by another worker at the same moment (unique area + slot)
    return round


def _mark_missed(now: datetime, calendars: dict) -> int:
    """Open scheduled rounds whose next slot has begun are missed; their promise is broken."""
    missed = 0
    candidates = (
        Round.objects.filter(state=RoundState.OPEN, area__isnull=False, scheduled_for__lt=now)
        .select_related("area", "area__store")
        .order_by("scheduled_for")
    )
    for round in candidates:
        calendar = calendars.get(round.store_id) or calendars.setdefault(
            round.store_id, StoreCalendar(round.area.store)
        )
        if next_slot_start(area=round.area, slot=round.scheduled_for, calendar=calendar) > now:
            continue
        with transaction.atomic():
            locked = (
                Round.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=round.pk, state=RoundState.OPEN)
                .select_related("promise")
                .first()
            )
            if locked is None:
                continue  # done, missed, or held by another worker meanwhile
            before = snapshot(locked, ["state"])
            locked.state = RoundState.MISSED
            locked.save(update_fields=["state"])
            if locked.promise is not None and locked.promise.state == PromiseState.OPEN:
                promise_break(promise=locked.promise, reason=_("The round was not done before the next one began."))
            history_record(
                actor=None,
                obj=locked,
                action=HistoryAction.UPDATE,
                before=before,
                after=snapshot(locked, ["state"]),
                note=_("Missed"),
            )
            missed += 1
    return missed


def rounds_schedule(*, now: datetime | None = None) -> int:
    """The worker's job: make each active area's round for the current slot, mark earlier open ones missed.

    Safe in several workers at once: the unique (area, slot) makes a second creation fail and be
    skipped; a round being marked missed is locked. Returns how many rounds were made or missed.
    """
    now = now or timezone.now()
    first_rule = TemplateItem.objects.filter(template=OuterRef("template")).order_by("position", "id")
    areas = (
        Area.objects.filter(active=True, template__active=True, store__active=True)
        .select_related("store", "template", "department")
        .prefetch_related("store__business_hours")
        .annotate(first_rule=Subquery(first_rule.values("rule_id")[:1]))
    )
    calendars: dict[int, StoreCalendar] = {}
    due: list[tuple[Area, datetime]] = []
    for area in areas:
        if not area.first_rule:
            continue  # a template with no items has nothing to check
        calendar = calendars.get(area.store_id) or calendars.setdefault(area.store_id, StoreCalendar(area.store))
        slot = current_slot(area=area, now=now, calendar=calendar)
        if slot is not None:
            due.append((area, slot))
    # the rounds already made, in one query whatever the number of areas (S4.6, S6.1, S1.D3)
    made_already = (
        set(
            Round.objects.filter(
                area__in=[a for a, _slot in due], scheduled_for__in={slot for _a, slot in due}
            ).values_list("area_id", "scheduled_for")
        )
        if due
        else set()
    )
    made = 0
    for area, slot in due:
        if (area.pk, slot) in made_already:
            continue
        if _schedule_area(area, slot, area.first_rule, now) is not None:
            made += 1
    return made + _mark_missed(now, calendars)


# --- Doing a round -------------------------------------------------------------------------------


def _locked_round(round: Round) -> Round:
    return (
        Round.objects.select_for_update(of=("self",))
        .select_related("store", "area", "area__department", "promise")
        .get(pk=round.pk)
    )


def _snapshot_items(round: Round, template: ChecklistTemplate) -> int:
    items = list(template.items.order_by("position", "id"))
    if not items:
        raise ValidationError(_("The template has no items to check: a manager adds them first."), code="no_items")
    RoundResult.objects.bulk_create(
        RoundResult(
            round=round,
            store_id=round.store_id,
            item=item,
            position=index,
            text=item.text,
            rule_id=item.rule_id,
            kind=item.kind,
            max_value=item.max_value,
            min_value=item.min_value,
            unit=item.unit,
            photo_on_fail=item.photo_on_fail,
        )
        for index, item in enumerate(items, start=1)
    )
    return len(items)


@transaction.atomic
def round_start(*, actor, round: Round, now: datetime | None = None) -> Round:
    """Start a round: its template's items are copied into its results as they read now (a snapshot).

    Starting a round already started changes nothing.
    """
    deny_unless(actor is None or may_do_round(actor, round))
    round = _locked_round(round)
    if round.state != RoundState.OPEN:
        raise ValidationError(_("Only a round still to do can be started."), code="not_open")
    if round.started_at is not None:
        return round
    template = ChecklistTemplate.objects.filter(pk=round.template_id).first()
    if template is None:
        raise ValidationError(_("The round's template no longer exists."), code="no_template")
    now = now or timezone.now()
    if round.area is not None and round.area.checks_people:
        from .people import subjects_start  # people.py builds on this module

        count = subjects_start(round, template, timezone.localtime(round.scheduled_for or now).date())
    else:
        count = _snapshot_items(round, template)
    before = snapshot(round, ROUND_FIELDS)
    round.started_at = now
    round.item_count = count
    round.save(update_fields=["started_at", "item_count"])
    history_record(
        actor=actor, obj=round, action=HistoryAction.UPDATE, before=before, after=snapshot(round, ROUND_FIELDS)
    )
    return round


@transaction.atomic
def round_start_adhoc(*, actor, area: Area, now: datetime | None = None) -> Round:
    """An extra round outside the schedule, started at once by a supervisor or manager (no clock)."""
    area = Area.objects.select_related("template").get(pk=area.pk)
    deny_unless(may_start_extra(actor, area))
    now = now or timezone.now()
    round = _round_new(area)
    history_record(
        actor=actor,
        obj=round,
        action=HistoryAction.CREATE,
        after=snapshot(round, ["state"]),
        note=_("Extra round"),
    )
    return round_start(actor=actor, round=round, now=now)


@dataclass
class Answer:
    """One item's answer: passed or failed (pass-or-fail items) or a value (measured), a comment, a photo."""

    passed: bool | None = None
    value: Decimal | None = None
    comment: str = ""
    photo: object | None = None  # an uploaded file; checked and scaled by core.images.photo_clean


def measured_passes(result, value: Decimal) -> bool:
    """A measured value passes when it is within the item's limits (S4.7: at most 2 butts)."""
    if result.min_value is not None and value < result.min_value:
        return False
    return not (result.max_value is not None and value > result.max_value)


def _field(result: RoundResult, name: str) -> str:
    return f"results.{result.pk}.{name}"


def _owner_ok(person, store_id: int) -> bool:
    return person.is_active and store_id in store_ids(person) and has_right(person, Right.EDIT, store_id)


@transaction.atomic
def result_photo_set(*, actor, result: RoundResult, photo) -> RoundResult:
    """Attach a photo to an item of a round being done (the API's upload; the page sends photos with the answers)."""
    deny_unless(actor is None or has_right(actor, Right.EDIT, result.store_id))
    round = _locked_round(result.round)
    if round.state != RoundState.OPEN or round.started_at is None:
        raise ValidationError(_("Photos are added only to a round being done."), code="not_open")
    try:
        cleaned = photo_clean(photo)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.error_list}) from None
    result = RoundResult.objects.select_for_update().get(pk=result.pk)
    result.photo.save(cleaned.name, cleaned, save=False)
    result.save(update_fields=["photo"])
    return result


def _unanswered(result, message) -> list[ValidationError]:
    """An item left unanswered: the message names its rule and its wording."""
    return [ValidationError(message, code="required", params={"rule": result.rule_id, "item": result.text})]


@transaction.atomic
def round_submit(
    *,
    actor,
    round: Round,
    answers: dict[int, Answer],
    action_owner=None,
    now: datetime | None = None,
) -> Round:
    """Submit a round: every item answered, a photo for each failed item that requires one (S4.6–S4.10).

    Scores the round (passed ÷ answered × 100), says whether it was done on time, keeps its promise,
    and turns each failed item into a corrective action with an owner — the area's department desk,
    or the person chosen — and a clock. Nothing is saved unless everything is valid.
    """
    deny_unless(actor is None or may_do_round(actor, round))
    round = _locked_round(round)
    if round.state != RoundState.OPEN:
        raise ValidationError(_("This round is no longer to be done."), code="not_open")
    if round.started_at is None:
        raise ValidationError(_("Start the round first."), code="not_started")
    if round.subjects.exists():
        from .people import people_round_submit  # a check of people (S6.1–S6.4, S1.D3)

        return people_round_submit(actor=actor, round=round, answers=answers, now=now)
    now = now or timezone.now()
    results = list(round.results.select_for_update().order_by("position", "id"))
    by_pk = {r.pk: r for r in results}
    errors: dict[str, list] = {}
    unknown = [pk for pk in answers if pk not in by_pk]
    if unknown:
        errors["results"] = [
            ValidationError(
                _("These are not items of this round: %(ids)s."),
                code="unknown_result",
                params={"ids": ", ".join(str(pk) for pk in unknown[:10])},
            )
        ]
    if action_owner is not None and not _owner_ok(action_owner, round.store_id):
        errors["action_owner"] = [
            ValidationError(_("The person putting failed items right must work in the store."), code="invalid")
        ]
    photos: dict[int, object] = {}
    for result in results:
        answer = answers.get(result.pk) or Answer()
        comment = str(answer.comment or "").strip()
        if len(comment) > 300:
            errors[_field(result, "comment")] = [
                ValidationError(_("At most %(limit)d characters."), code="max_length", params={"limit": 300})
            ]
        result.comment = comment[:300]
        if result.kind == ItemKind.MEASURED:
            if answer.value is None:
                errors[_field(result, "value")] = _unanswered(
                    result, _("%(rule)s: enter the measured value of “%(item)s”.")
                )
                continue
            try:
                value = Decimal(answer.value)
            except (ArithmeticError, TypeError, ValueError):
                value = None
            if value is None or not value.is_finite() or abs(value) >= Decimal("1000000"):
                errors[_field(result, "value")] = [ValidationError(_("Enter a number."), code="invalid")]
                continue
            result.value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            result.passed = measured_passes(result, result.value)
        else:
            if answer.passed is None:
                errors[_field(result, "passed")] = _unanswered(
                    result, _("%(rule)s: say whether “%(item)s” passed or failed.")
                )
                continue
            result.passed = bool(answer.passed)
            result.value = None
        if answer.photo:
            try:
                photos[result.pk] = photo_clean(answer.photo)
            except ValidationError as exc:
                errors[_field(result, "photo")] = exc.error_list
                continue
        if result.passed is False and result.photo_on_fail and not result.photo and result.pk not in photos:
            errors[_field(result, "photo")] = [
                ValidationError(
                    _("%(rule)s: “%(item)s” failed — take a photo of it."),
                    code="photo_required",
                    params={"rule": result.rule_id, "item": result.text},
                )
            ]
    if errors:
        raise ValidationError(errors)

    before = snapshot(round, ROUND_FIELDS)
    for result in results:
        if result.pk in photos:
            cleaned = photos[result.pk]
            result.photo.save(cleaned.name, cleaned, save=False)
        result.full_clean()
        result.save(update_fields=["passed", "value", "comment", "photo"])
    passed = sum(1 for r in results if r.passed)
    round.item_count = len(results)
    round.failed_count = len(results) - passed
    round.score = (Decimal(passed * 100) / Decimal(len(results))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    round.submitted_at = now
    round.submitted_by = actor if getattr(actor, "pk", None) else None
    round.on_time = (now <= round.due_at) if round.due_at else None
    round.state = RoundState.DONE
    round.full_clean()
    round.save(update_fields=ROUND_FIELDS)
    if round.promise is not None and round.promise.state == PromiseState.OPEN:
        promise_keep(promise=round.promise, actor=actor, at=now)
    history_record(
        actor=actor, obj=round, action=HistoryAction.UPDATE, before=before, after=snapshot(round, ROUND_FIELDS)
    )
    for result in results:
        if result.passed is False:
            action_open(round=round, result=result, owner=action_owner, actor=actor, now=now)
    return round
