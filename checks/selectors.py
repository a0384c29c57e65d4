"""Reads of the checklist engine: one access function per object type, the lists, today's schedule."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, F, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.audit import add_change_rows, field_labels
from core.models import HistoryEntry
from core.validators import parse_id
from org.access import Right, get_for_user, scope
from org.business_time import StoreCalendar

from .choices import ActionState, RoundState
from .models import Area, ChecklistTemplate, CorrectiveAction, Round, RoundResult, TemplateItem

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


def round_list(user, *, area="", state="", day: date | None = None, store_code="", date_from=None, date_to=None):
    """Rounds of the person's stores, newest first: scheduled ones by their slot, extra ones by their start."""
    qs = (
        scope(Round.objects.all(), user)
        .select_related("store", "area", "submitted_by")
        .annotate(when=Coalesce("scheduled_for", "started_at"))
    )
    if area:
        qs = qs.filter(area_id=parse_id(area)) if parse_id(area) else qs.none()
    if state:
        qs = qs.filter(state=state)
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
        row = AreaDay(area=area)
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


def area_slots(*, area: Area, day: date, calendar: StoreCalendar) -> list[datetime]:
    """The area's round times on a day: every N minutes from opening, while the store is open."""
    span = calendar.interval(day)
    if span is None:
        return []
    opens, closes = span
    step = timedelta(minutes=area.every_minutes)
    slots = []
    slot = opens
    while slot < closes:
        slots.append(slot)
        slot += step
    return slots


def current_slot(*, area: Area, now: datetime, calendar: StoreCalendar) -> datetime | None:
    """The slot that has begun and is not yet followed by the next one; None outside business hours."""
    local = timezone.localtime(now, calendar.tz)
    span = calendar.interval(local.date())
    if span is None or not span[0] <= local < span[1]:
        return None
    index = int((local - span[0]).total_seconds() // (area.every_minutes * 60))
    return span[0] + timedelta(minutes=area.every_minutes * index)


def next_slot_start(*, area: Area, slot: datetime, calendar: StoreCalendar) -> datetime:
    """When the slot after this one begins: later the same day, else at the store's next opening."""
    local = timezone.localtime(slot, calendar.tz)
    span = calendar.interval(local.date())
    candidate = local + timedelta(minutes=area.every_minutes)
    if span is not None and candidate < span[1]:
        return candidate
    close = span[1] if span is not None else candidate
    return calendar.next_open(close)
