"""Reads of the checklist engine: one access function per object type, the lists, today's schedule."""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from core.audit import add_change_rows, field_labels
from core.models import HistoryEntry
from core.validators import parse_id
from org import access
from org.access import Right, get_for_user, scope, store_ids
from org.business_time import StoreCalendar

from .choices import ActionState, RoundState, Schedule
from .models import Area, ChecklistTemplate, CorrectiveAction, Round, RoundResult, RoundSubject, TemplateItem

# --- One record behind the store wall (another store's is 404, a missing right 403) ---------------


def template_get_for_user(user, pk, *, right: Right = Right.VIEW) -> ChecklistTemplate:
    return get_for_user(ChecklistTemplate.objects.select_related("store"), user, right=right, pk=pk)


def item_get_for_user(user, pk, *, right: Right = Right.VIEW) -> TemplateItem:
    qs = TemplateItem.objects.select_related("template", "template__store")
    return get_for_user(qs, user, right=right, field="template__store", pk=pk)


def area_get_for_user(user, pk, *, right: Right = Right.VIEW) -> Area:
    qs = Area.objects.select_related("store", "template", "department")
    return get_for_user(qs, user, right=right, pk=pk)


def round_get_for_user(user, pk, *, right: Right = Right.VIEW) -> Round:
    qs = Round.objects.select_related("store", "area", "area__department", "submitted_by", "promise")
    return get_for_user(qs, user, right=right, pk=pk)


def result_get_for_user(user, pk, *, right: Right = Right.VIEW, round_pk=None) -> RoundResult:
    """An item of a round; with `round_pk` (the API's nested address) the round is checked first and the
    item must be one of its own."""
    lookup = {"pk": pk}
    if round_pk is not None:
        lookup["round"] = round_get_for_user(user, round_pk, right=right)
    return get_for_user(RoundResult.objects.select_related("round", "store"), user, right=right, **lookup)


def action_get_for_user(user, pk, *, right: Right = Right.VIEW) -> CorrectiveAction:
    qs = CorrectiveAction.objects.select_related(
        "store",
        "result",
        "result__round",
        "result__round__area",
        "owner",
        "owner_department",
        "done_by",
        "promise",
    )
    return get_for_user(qs, user, right=right, pk=pk)


# --- Checks of people: who may see a person's photos and checks (S6.1–S6.4, S1.D3) -----------------


def may_see_person(user, person_id: int | None, store_id: int) -> bool:
    """Photos and checks of a person are personal data: the person, their supervisors, the store's managers
    and the group's administrators (org.access.may_act_on) — not colleagues, not auditors. A record that is
    about no person (a place) is everyone's who may view the store."""
    if person_id is None:
        return True
    return access.may_see_person(user, store_id=store_id, person_id=person_id, auditors=False)


def result_photo_get_for_user(user, pk, *, round_pk=None):
    """A round item's photo: behind the store wall (404), and for a person's item only to those who may see
    the person (403)."""
    result = result_get_for_user(user, pk, round_pk=round_pk)
    if not may_see_person(user, result.subject_id, result.store_id):
        raise PermissionDenied
    return result.photo


def action_photo_get_for_user(user, pk):
    """A corrective action's photo after; a person's correction only to those who may see the person (403)."""
    action = action_get_for_user(user, pk)
    if not may_see_person(user, action.result.subject_id, action.store_id):
        raise PermissionDenied
    return action.photo


def person_get_for_user(user, pk):
    """A person whose checks are shown (S6.1–S6.4, S1.D3): 404 outside the wall, 403 for colleagues."""
    from org.models import User

    person = User.objects.filter(pk=parse_id(pk) or 0, store_id__isnull=False).select_related("department").first()
    if person is None or person.store_id not in store_ids(user):
        raise Http404
    if not may_see_person(user, person.pk, person.store_id):
        raise PermissionDenied
    return person


def round_subjects(round: Round) -> list[RoundSubject]:
    """The people of a round of people, in order, each with their items (`items`) and their corrective actions."""
    subjects = list(round.subjects.select_related("person", "person__department").order_by("position", "id"))
    by_person: dict[int, list[RoundResult]] = {}
    for result in round_results(round):
        if result.subject_id is not None:
            by_person.setdefault(result.subject_id, []).append(result)
    for subject in subjects:
        subject.items = by_person.get(subject.person_id, [])
        subject.answered = sum(1 for r in subject.items if r.passed is not None)
    return subjects


@dataclass
class PersonSummary:
    """One person's checks over a period (S6.1–S6.4, S1.D3): rounds done, items, failures by item, pass rate."""

    checks: int = 0
    items: int = 0
    failed: int = 0
    by_item: list[tuple[str, str, int]] = field(default_factory=list)  # (rule, item, times failed)

    @property
    def pass_rate(self) -> float | None:
        return round((self.items - self.failed) * 100 / self.items, 1) if self.items else None


def person_check_summary(person, first: date, last: date) -> PersonSummary:
    """The person's checks submitted from `first` to `last` (inclusive): how many, items passed and failed,
    the items failed most (S6.1–S6.4 grooming, S1.D3 desk). Two queries."""
    start, end = _day_range(first)[0], _day_range(last)[1]
    rows = RoundResult.objects.filter(
        subject=person,
        store_id=person.store_id,
        round__state=RoundState.DONE,
        round__submitted_at__gte=start,
        round__submitted_at__lt=end,
    )
    totals = rows.aggregate(
        checks=Count("round", distinct=True),
        items=Count("id"),
        failed=Count("id", filter=Q(passed=False)),
    )
    by_item = (
        rows.filter(passed=False).values("rule_id", "text").annotate(n=Count("id")).order_by("-n", "rule_id", "text")
    )
    return PersonSummary(
        checks=totals["checks"],
        items=totals["items"],
        failed=totals["failed"],
        by_item=[(row["rule_id"], row["text"], row["n"]) for row in by_item],
    )


def person_rounds(person):
    """The rounds of people in which the person was on the list, newest first (absent ones included)."""
    return (
        RoundSubject.objects.filter(person=person, store_id=person.store_id)
        .select_related("round", "round__area")
        .order_by("-round__started_at", "-id")
    )


# --- Lists ---------------------------------------------------------------------------------------


def template_list(user):
    return (
        scope(ChecklistTemplate.objects.all(), user)
        .select_related("store")
        .annotate(item_total=Count("items", distinct=True), area_total=Count("areas", distinct=True))
        .order_by("store__code", "-active", "name")
    )


def template_items(template: ChecklistTemplate) -> list[TemplateItem]:
    return list(template.items.order_by("position", "id"))


def template_history(template: ChecklistTemplate) -> list[HistoryEntry]:
    """The template's history, item changes included (they are recorded on the template)."""
    ct = ContentType.objects.get_for_model(ChecklistTemplate)
    entries = list(HistoryEntry.objects.filter(content_type=ct, object_id=template.pk).select_related("actor")[:50])
    labels = field_labels(TemplateItem) | field_labels(ChecklistTemplate)
    for entry in entries:
        add_change_rows(entry, labels)
    return entries


def area_list(user):
    return (
        scope(Area.objects.all(), user)
        .select_related("store", "template", "department")
        .order_by("store__code", "-active", "name")
    )


def _day_range(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def round_list(
    user, *, area="", state="", day: date | None = None, store_code="", date_from=None, date_to=None, purpose=""
):
    """Rounds of the person's stores, newest first: scheduled ones by their slot, extra ones by their start;
    optionally of one purpose (hygiene rounds S4.6, grooming checks S6, desk checks S1.D3)."""
    qs = (
        scope(Round.objects.all(), user)
        .select_related("store", "area", "submitted_by")
        .annotate(when=Coalesce("scheduled_for", "started_at"))
    )
    if area:
        qs = qs.filter(area_id=parse_id(area)) if parse_id(area) else qs.none()
    if state:
        qs = qs.filter(state=state)
    if purpose:
        qs = qs.filter(purpose=purpose)
    if day is not None:
        date_from = date_to = day
    if date_from is not None:
        qs = qs.filter(when__gte=_day_range(date_from)[0])
    if date_to is not None:
        qs = qs.filter(when__lt=_day_range(date_to)[1])
    if store_code:
        qs = qs.filter(store__code=store_code)
    return qs.order_by(F("when").desc(), "-id")  # never null: a round is scheduled or started (issue 10: its index)


def round_results(round: Round) -> list[RoundResult]:
    """The round's items as they were checked, each with its corrective action (if failed)."""
    return list(
        round.results.select_related("action", "action__owner", "action__owner_department", "action__promise").order_by(
            "position", "id"
        )
    )


def action_list(user, *, state="", store_code=""):
    """Corrective actions, open ones first (oldest due first), then the rest newest first."""
    qs = scope(CorrectiveAction.objects.all(), user).select_related(
        "store", "result", "result__round", "result__round__area", "owner", "owner_department", "promise"
    )
    if state:
        qs = qs.filter(state=state)
    if store_code:
        qs = qs.filter(store__code=store_code)
    open_first = Case(When(state=ActionState.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.annotate(open_first=open_first).order_by("open_first", "-created_at", "-id")


# --- Today's schedule ----------------------------------------------------------------------------


@dataclass
class Slot:
    at: datetime
    round: Round | None
    status: str  # a RoundState value, or "upcoming" / "not_made"
    overdue: bool = False


@dataclass
class AreaDay:
    area: Area
    slots: list[Slot] = field(default_factory=list)
    open_today: bool = True
    weekly_on: date | None = None  # a weekly area not checked today: the day of this week it is (S1.D3)

    @property
    def done(self) -> int:
        return sum(1 for s in self.slots if s.status == RoundState.DONE)


def today_schedule(user, *, now: datetime | None = None) -> list[AreaDay]:
    """Each active area of the person's stores with today's slots and the round of each (S4.6–S4.10)."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    areas = list(
        scope(Area.objects.filter(active=True), user)
        .select_related("store", "template", "department")
        .prefetch_related("store__business_hours", "store__closures")
        .order_by("store__code", "name")
    )
    start, end = _day_range(day)
    rounds = {
        (r.area_id, r.scheduled_for): r
        for r in Round.objects.filter(area__in=areas, scheduled_for__gte=start, scheduled_for__lt=end)
    }
    calendars: dict[int, StoreCalendar] = {}
    out = []
    for area in areas:
        calendar = calendars.get(area.store_id) or calendars.setdefault(
            area.store_id,  # the closures prefetched: one query for every store, not one per store (issue 10)
            StoreCalendar(area.store, closures={c.date for c in area.store.closures.all()}),
        )
        row = AreaDay(area=area, open_today=calendar.interval(day) is not None)
        if area.schedule == Schedule.WEEKLY:
            row.weekly_on = weekly_day(area=area, day=day, calendar=calendar)
        for at in area_slots(area=area, day=day, calendar=calendar):
            round = rounds.get((area.pk, at))
            if round is not None:
                overdue = round.state == RoundState.OPEN and round.due_at is not None and round.due_at < now
                row.slots.append(Slot(at=at, round=round, status=round.state, overdue=overdue))
            else:
                row.slots.append(Slot(at=at, round=None, status="upcoming" if at > now else "not_made"))
        out.append(row)
    return out


# --- The schedule (S4.6–S4.10): when an area's rounds fall -----------------------------------------


def weekly_day(*, area: Area, day: date, calendar: StoreCalendar) -> date | None:
    """The working day of the ISO week of `day` on which a weekly area is checked (S1.D3): drawn from a hash
    of the area and the week, so every worker (and every page) agrees; None when the store never opens that week."""
    year, week, _weekday = day.isocalendar()
    monday = day - timedelta(days=day.weekday())
    open_days = [d for d in (monday + timedelta(days=n) for n in range(7)) if calendar.interval(d) is not None]
    if not open_days:
        return None
    digest = hashlib.sha256(f"checks-area:{area.pk}:{year}-W{week:02d}".encode()).hexdigest()
    return open_days[int(digest[:12], 16) % len(open_days)]


def area_slots(*, area: Area, day: date, calendar: StoreCalendar) -> list[datetime]:
    """The area's round times on a day: every N minutes from opening while the store is open (Schedule.EVERY),
    at opening on each working day (DAILY, the morning grooming check S6.1–S6.4), or at opening on the week's
    drawn working day (WEEKLY, a desk check S1.D3)."""
    span = calendar.interval(day)
    if span is None:
        return []
    opens, closes = span
    if area.schedule == Schedule.DAILY:
        return [opens]
    if area.schedule == Schedule.WEEKLY:
        return [opens] if weekly_day(area=area, day=day, calendar=calendar) == day else []
    step = timedelta(minutes=area.every_minutes)
    slots = []
    slot = opens
    while slot < closes:
        slots.append(slot)
        slot += step
    return slots


def current_slot(*, area: Area, now: datetime, calendar: StoreCalendar) -> datetime | None:
    """The slot that has begun and is not yet followed by the next one; None outside business hours.

    A daily or weekly round is made from the start of its day, so that it can be done before opening
    (S6: the morning grooming check); its slot is the opening time."""
    local = timezone.localtime(now, calendar.tz)
    if area.schedule in (Schedule.DAILY, Schedule.WEEKLY):
        slots = area_slots(area=area, day=local.date(), calendar=calendar)
        return slots[0] if slots else None
    span = calendar.interval(local.date())
    if span is None or not span[0] <= local < span[1]:
        return None
    index = int((local - span[0]).total_seconds() // (area.every_minutes * 60))
    return span[0] + timedelta(minutes=area.every_minutes * index)


def next_slot_start(*, area: Area, slot: datetime, calendar: StoreCalendar) -> datetime:
    """When the slot after this one begins: later the same day, else at the store's next opening.

    A daily or weekly round not done is missed when its day's business hours end (the next morning at
    the latest, S6.1–S6.4, S1.D3)."""
    local = timezone.localtime(slot, calendar.tz)
    span = calendar.interval(local.date())
    if area.schedule in (Schedule.DAILY, Schedule.WEEKLY):
        day_end = datetime.combine(local.date() + timedelta(days=1), time.min, tzinfo=calendar.tz)
        return max(span[1], local + timedelta(minutes=area.due_within_minutes)) if span is not None else day_end
    candidate = local + timedelta(minutes=area.every_minutes)
    if span is not None and candidate < span[1]:
        return candidate
    close = span[1] if span is not None else candidate
    return calendar.next_open(close)
