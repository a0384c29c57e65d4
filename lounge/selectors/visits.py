"""Reads of the lounge: the live board, a visit's steps, the visits list, the arrival look-up, the timeline.

The board is read in a constant number of queries whatever the number of customers, requests and
faults, because it is polled every few seconds by every tablet in the lounge.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import history_for
from core.validators import parse_id
from customers.models import Customer
from customers.selectors import TimelineItem, search
from lounge.choices import FAULT_OPEN_STATES, REQUEST_OPEN_STATES, RequestKind
from lounge.models import Drink, FaultTicket, LoungeRequest, LoungeSettings, Serving, Visit, lounge_settings
from org.access import Right, get_for_user, scope
from org.choices import DepartmentKind
from org.models import Department, Store

# --- Access --------------------------------------------------------------------------------------


def visit_get_for_user(user, pk, *, right: Right = Right.VIEW) -> Visit:
    """One visit behind the store wall: another store's is 404, a missing right 403."""
    qs = Visit.objects.select_related(
        "store",
        "customer",
        "vehicle",
        "seat",
        "arrival_recorded_by",
        "greeted_by",
        "introduced_by",
        "farewell_by",
        "greet_promise",
        "refill_promise",
    )
    return get_for_user(qs, user, right=right, pk=pk)


def drink_get_for_user(user, pk, *, right: Right = Right.VIEW) -> Drink:
    """One drink of a store's menu behind the store wall."""
    return get_for_user(Drink.objects.select_related("store"), user, right=right, pk=pk)


def lounge_department(store: Store) -> Department | None:
    """The store's lounge desk (the first active department of kind lounge), which owns the clocks."""
    return Department.objects.filter(store=store, kind=DepartmentKind.LOUNGE, active=True).order_by("id").first()


def menu(store: Store) -> list[Drink]:
    """The drinks on the store's menu, in menu order (the board, a visit's page)."""
    return list(Drink.objects.filter(store=store, active=True).order_by("position", "name"))


def menu_drink(store_id: int, pk) -> Drink | None:
    """A drink of the store by its id, or None (no id, or another store's drink)."""
    pk = parse_id(pk)
    return Drink.objects.filter(pk=pk, store_id=store_id).first() if pk else None


def drink_list(store: Store) -> list[Drink]:
    """Every drink of the store, those on the menu first, in menu order (the drink menu page)."""
    return list(Drink.objects.filter(store=store).order_by("-active", "position", "name"))


def settings_of(store: Store) -> LoungeSettings:
    """The store's lounge settings as saved, or the defaults (unsaved) while the store has none."""
    found = LoungeSettings.objects.filter(store=store).select_related("maintenance_department").first()
    return found or LoungeSettings(store=store)


# --- Clocks --------------------------------------------------------------------------------------


@dataclass
class Clock:
    """A clock shown on the board: counting up from `at` (since), or down to `at` (due; red when overdue)."""

    at: datetime
    seconds: int  # elapsed since `at`, or left until `at` (negative when overdue)
    overdue: bool = False

    @property
    def epoch_ms(self) -> int:
        return int(self.at.timestamp() * 1000)

    @property
    def text(self) -> str:
        return clock_text(abs(self.seconds))


def clock_text(seconds: int) -> str:
    """0:35, 12:05, 1:02:09 — as the board's script shows it, second by second."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def since(at: datetime, now: datetime) -> Clock:
    return Clock(at=at, seconds=max(0, int((now - at).total_seconds())))


def due(at: datetime, now: datetime) -> Clock:
    left = int((at - now).total_seconds())
    return Clock(at=at, seconds=left, overdue=left < 0)


# --- The board -----------------------------------------------------------------------------------


def _card_order(visit: Visit) -> tuple:
    """Who needs someone first: not yet greeted, an overdue refill, a new customer to introduce, the rest."""
    if visit.greeted_at is None:
        rank = 0
    elif visit.refill_clock is not None and visit.refill_clock.overdue:
        rank = 1
    elif visit.needs_intro:
        rank = 2
    else:
        rank = 3
    return (rank, visit.arrived_at, visit.pk)


def board(store: Store, *, now: datetime | None = None) -> dict:
    """Everything the lounge board shows, in a constant number of queries.

    Who is in the lounge and since when, their vehicle and service status, what they have had to drink
    and when, the greeting and refill clocks (S4.1, S4.2), first-time customers to introduce (S4.3),
    open requests with their age (S4.5) and the facilities out of order (S4.11).
    """
    now = now or timezone.now()
    settings = lounge_settings(store)
    drinks = menu(store)
    drinks_by_id = {d.pk: d for d in drinks}
    requests = list(
        LoungeRequest.objects.filter(store=store, state__in=REQUEST_OPEN_STATES)
        .select_related("seat", "visit", "visit__customer", "drink", "promise", "acknowledged_by")
        .order_by("-created_at", "-id")  # newest first: the one just asked for is at the top
    )
    visits = list(
        Visit.objects.filter(store=store, departed_at=None)
        .select_related("customer", "vehicle", "seat", "greeted_by", "greet_promise", "refill_promise")
        .prefetch_related(Prefetch("servings", queryset=Serving.objects.order_by("served_at", "id")))
    )
    faults = list(
        FaultTicket.objects.filter(store=store, state__in=FAULT_OPEN_STATES)
        .select_related("facility")
        .order_by("reported_at", "id")
    )
    for fault in faults:
        fault.age = since(fault.reported_at, now)
    requests_by_visit: dict[int, list] = {}
    for req in requests:
        req.age = since(req.created_at, now)
        promise = req.promise
        req.clock = due(promise.due_at, now) if promise is not None and promise.is_open else None
        req.overdue = req.clock is not None and req.clock.overdue
        if req.visit_id:
            requests_by_visit.setdefault(req.visit_id, []).append(req)
    counts = {"here": len(visits), "to_greet": 0, "refill_overdue": 0, "to_introduce": 0}
    for visit in visits:
        visit.here = since(visit.arrived_at, now)
        visit.served = list(visit.servings.all())
        visit.last_serving = visit.served[-1] if visit.served else None
        last = visit.last_serving
        visit.refill_drink = drinks_by_id.get(last.drink_id) if last is not None else None
        visit.greet_clock = None
        if visit.greeted_at is None:
            promise = visit.greet_promise
            deadline = promise.due_at if promise is not None else visit.arrived_at
            visit.greet_clock = due(deadline, now)
            visit.waiting = since(visit.arrived_at, now)
            counts["to_greet"] += 1
        refill = visit.refill_promise
        visit.refill_clock = due(refill.due_at, now) if refill is not None and refill.is_open else None
        if visit.refill_clock is not None and visit.refill_clock.overdue:
            counts["refill_overdue"] += 1
        visit.needs_intro = visit.first_visit and visit.introduced_at is None
        if visit.needs_intro:
            counts["to_introduce"] += 1
        visit.open_requests = requests_by_visit.get(visit.pk, [])
        visit.help_asked = any(r.kind == RequestKind.HELP for r in visit.open_requests)
    visits.sort(key=_card_order)
    counts["requests"] = len(requests)
    counts["faults"] = len(faults)
    return {
        "store": store,
        "now": now,
        "now_ms": int(now.timestamp() * 1000),
        "settings": settings,
        "visits": visits,
        "requests": requests,
        "faults": faults,
        "drinks": drinks,
        "counts": counts,
    }


def arrival_lookup(user, store: Store, query: str, *, limit: int = 8) -> dict:
    """Customers and vehicles of the board's store matching a plate, phone digits or a name (arrival form).

    Each is marked when already in the lounge, and when it would be their first visit here (S4.3).
    """
    query = (query or "").strip()[:40]
    if not query:
        return {"query": "", "rows": []}
    customers, vehicles = search(user, query, limit=limit)
    rows = [{"vehicle": v, "customer": v.owner} for v in vehicles if v.store_id == store.pk]
    seen = {row["customer"].pk for row in rows}
    rows += [{"vehicle": None, "customer": c} for c in customers if c.store_id == store.pk and c.pk not in seen]
    ids = {row["customer"].pk for row in rows}
    visited = dict(
        Visit.objects.filter(store=store, customer_id__in=ids)
        .values("customer_id")
        .annotate(here=Count("id", filter=Q(departed_at=None)))
        .values_list("customer_id", "here")
    )
    for row in rows:
        pk = row["customer"].pk
        row["first_visit"] = pk not in visited
        row["in_lounge"] = bool(visited.get(pk))
        row["value"] = f"v{row['vehicle'].pk}" if row["vehicle"] else f"c{pk}"
    return {"query": query, "rows": rows}


# --- A visit, and the visits list ----------------------------------------------------------------

_DRINK_COUNT = Coalesce(
    Subquery(
        Serving.objects.filter(visit=OuterRef("pk")).order_by().values("visit").annotate(n=Count("id")).values("n")
    ),
    0,
)


def visit_list(user, *, day: date | None = None, in_lounge: bool | None = None, store_code: str = ""):
    """Visits of the person's stores, newest first, with their number of drinks.

    The drinks are counted by a subquery per shown visit, not by a join and GROUP BY: a grouped query made
    the page's count group a group's 1.5 million visits (56 s on the API, issue 10)."""
    qs = (
        scope(Visit.objects.all(), user)
        .select_related("store", "customer", "vehicle", "seat", "greeted_by")
        .annotate(drink_count=_DRINK_COUNT)
    )
    if day is not None:
        tz = timezone.get_current_timezone()
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()), tz)
        qs = qs.filter(arrived_at__gte=start, arrived_at__lt=start + timedelta(days=1))
    if in_lounge is not None:
        qs = qs.filter(departed_at__isnull=in_lounge)
    if store_code:
        qs = qs.filter(store__code=store_code)
    return qs.order_by("-arrived_at", "-id")


@dataclass
class Step:
    at: datetime
    key: str  # arrived, greeted, offered, served, refill, introduced, request, farewell, departed
    title: str
    actor: str = ""
    detail: str = ""
    late: bool = False


def _who(user) -> str:
    return (user.name or user.username) if user else ""


def visit_steps(visit: Visit) -> list[Step]:
    """The visit's steps in time order: arrival, greeting, drinks and refills, introduction, requests, farewell, departure."""
    steps = [
        Step(
            visit.arrived_at,
            "arrived",
            _("Arrived in the lounge"),
            _who(visit.arrival_recorded_by),
            _("Seat %(seat)s") % {"seat": visit.seat.label} if visit.seat_id else "",
        )
    ]
    if visit.greeted_at:
        promise = visit.greet_promise
        steps.append(
            Step(
                visit.greeted_at,
                "greeted",
                _("Greeted (S4.1)"),
                _who(visit.greeted_by),
                _("%(seconds)s seconds after arrival") % {"seconds": visit.greet_seconds},
                late=promise is not None and promise.state == "late",
            )
        )
    if visit.drink_offered_at:
        steps.append(Step(visit.drink_offered_at, "offered", _("Drink offered (S4.2)")))
    for serving in visit.servings.select_related("served_by").order_by("served_at", "id"):
        if serving.refill:
            detail = "" if serving.on_time is None else (_("on time") if serving.on_time else _("late"))
            title = _("Refill: %(drink)s") % {"drink": serving.drink_name}
        else:
            detail, title = "", _("Served: %(drink)s") % {"drink": serving.drink_name}
        steps.append(
            Step(
                serving.served_at,
                "refill" if serving.refill else "served",
                title,
                _who(serving.served_by),
                detail,
                late=serving.on_time is False,
            )
        )
    if visit.introduced_at:
        steps.append(
            Step(visit.introduced_at, "introduced", _("Services introduced (S4.3)"), _who(visit.introduced_by))
        )
    for req in visit.requests.select_related("acknowledged_by", "done_by", "drink").order_by("created_at", "id"):
        steps.append(
            Step(
                req.created_at,
                "request",
                _("Asked for: %(kind)s") % {"kind": req.get_kind_display()},
                "",
                " · ".join(
                    p
                    for p in (
                        req.drink.name if req.drink_id else "",
                        req.note,
                        str(req.get_state_display()),
                        _("on the way: %(person)s") % {"person": _who(req.acknowledged_by)}
                        if req.acknowledged_by_id
                        else "",
                    )
                    if p
                ),
            )
        )
    if visit.farewell_at:
        steps.append(Step(visit.farewell_at, "farewell", _("Seen off (S4.4)"), _who(visit.farewell_by)))
    if visit.departed_at:
        steps.append(Step(visit.departed_at, "departed", _("Left the lounge")))
    steps.sort(key=lambda s: s.at)
    return steps


def visit_history(visit: Visit) -> list:
    """The visit's history entries, newest first (a drink served is labelled by lounge.services.visits)."""
    return history_for(visit)


def visit_summary(visit: Visit, drinks: int | None = None) -> str:
    """One line for lists and the customer's timeline: greeted after …, drinks, introduced, left at …"""
    parts = []
    if visit.greet_seconds is not None:
        parts.append(_("greeted after %(seconds)s s") % {"seconds": visit.greet_seconds})
    else:
        parts.append(_("not greeted"))
    if drinks:
        parts.append(_("drinks: %(count)s") % {"count": drinks})
    if visit.introduced_at:
        parts.append(_("services introduced"))
    if visit.departed_at:
        parts.append(_("left at %(time)s") % {"time": timezone.localtime(visit.departed_at).strftime("%H:%M")})
    else:
        parts.append(_("in the lounge"))
    return " · ".join(parts)


# --- The customer's timeline ---------------------------------------------------------------------


def visit_items(customer: Customer) -> list[TimelineItem]:
    items = []
    for visit in (
        Visit.objects.filter(customer=customer)
        .select_related("store", "greeted_by")
        .annotate(drink_count=_DRINK_COUNT)
        .order_by("-arrived_at")[:50]
    ):
        items.append(
            TimelineItem(
                at=visit.arrived_at,
                kind="visit",
                title=_("Lounge visit") if not visit.first_visit else _("Lounge visit (first visit)"),
                detail=visit_summary(visit, visit.drink_count),
                url=reverse("lounge:visit_detail", kwargs={"visit_pk": visit.pk}),
                actor=_who(visit.greeted_by),
            )
        )
    return items
