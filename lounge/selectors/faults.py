"""Reads of facilities and fault tickets (S4.11): behind the store wall, with their open tickets.

A facility is *out of order* while it has a ticket in state open or in progress (OPEN_STATES); the
board, the facilities page and the figures all count it that way.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Case, F, IntegerField, Prefetch, Value, When
from django.utils import timezone

from core.validators import parse_id
from lounge.choices import FAULT_OPEN_STATES as OPEN_STATES
from lounge.models import Facility, FaultTicket, lounge_settings
from lounge.selectors.visits import lounge_department
from org.access import Right, get_for_user, scope
from org.models import Department, Store


def facility_get_for_user(user, pk, *, right: Right = Right.VIEW) -> Facility:
    """One facility behind the store wall: another store's is 404, a missing right 403."""
    return get_for_user(Facility.objects.select_related("store"), user, right=right, pk=pk)


def fault_get_for_user(user, pk, *, right: Right = Right.VIEW) -> FaultTicket:
    """One fault ticket behind the store wall: another store's is 404, a missing right 403."""
    qs = FaultTicket.objects.select_related(
        "store",
        "facility",
        "owner",
        "owner_department",
        "promise",
        "reported_by",
        "fixed_by",
        "request",
        "round_result",
    )
    return get_for_user(qs, user, right=right, pk=pk)


def fault_department(store: Store) -> Department | None:
    """The desk that owns a store's fault tickets: its maintenance department, else its lounge department."""
    chosen = lounge_settings(store).maintenance_department
    if chosen is not None and chosen.active and chosen.store_id == store.pk:
        return chosen
    return lounge_department(store)


def _open_faults() -> Prefetch:
    return Prefetch(
        "faults",
        queryset=FaultTicket.objects.filter(state__in=OPEN_STATES).select_related("promise").order_by("reported_at"),
        to_attr="open_faults",
    )


def facility_list(user, *, store_code: str = "", include_inactive: bool = False):
    """The register of the person's stores, each facility with `open_faults` (a list, oldest first)."""
    qs = scope(Facility.objects.all(), user).select_related("store").prefetch_related(_open_faults())
    if not include_inactive:
        qs = qs.filter(active=True)
    if store_code:
        qs = qs.filter(store__code=store_code)
    return qs.order_by("store__code", "name", "id")


def facilities_out_of_order(store_ids) -> list[Facility]:
    """Facilities of the stores with an open or in-progress fault, each with `open_fault` (its oldest ticket).

    Two queries whatever the number of facilities; ordered by store, then the longest broken first.
    """
    tickets = (
        FaultTicket.objects.filter(store_id__in=list(store_ids), state__in=OPEN_STATES)
        .select_related("facility", "promise")
        .order_by("store_id", "reported_at", "id")
    )
    found: dict[int, Facility] = {}
    for ticket in tickets:
        facility = found.get(ticket.facility_id)
        if facility is None:
            facility = ticket.facility
            facility.open_fault = ticket
            found[ticket.facility_id] = facility
    return list(found.values())


def open_fault_of(facility: Facility) -> FaultTicket | None:
    """The facility's open or in-progress ticket (there is at most one: a second report is added to it)."""
    return facility.faults.filter(state__in=OPEN_STATES).order_by("reported_at", "id").first()


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def fault_list(
    user,
    *,
    state: str = "",
    open_only: bool = False,
    facility: str | int = "",
    date_from: date | None = None,
    date_to: date | None = None,
    store_code: str = "",
):
    """Tickets of the person's stores: open ones first (the nearest clock first), then the newest."""
    qs = scope(FaultTicket.objects.all(), user).select_related(
        "store", "facility", "owner", "owner_department", "promise"
    )
    if state:
        qs = qs.filter(state=state)
    if open_only:
        qs = qs.filter(state__in=OPEN_STATES)
    if facility:
        qs = qs.filter(facility_id=parse_id(facility)) if parse_id(facility) else qs.none()
    if date_from:
        qs = qs.filter(reported_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(reported_at__lt=_day_start(date_to + timedelta(days=1)))
    if store_code:
        qs = qs.filter(store__code=store_code)
    qs = qs.annotate(
        open_rank=Case(When(state__in=OPEN_STATES, then=Value(0)), default=Value(1), output_field=IntegerField()),
        open_due=Case(When(state__in=OPEN_STATES, then=F("promise__due_at")), default=None),
    )
    return qs.order_by("open_rank", "open_due", "-reported_at", "-id")


def fix_minutes(fault: FaultTicket) -> float | None:
    """Minutes from the report to the fix (wall clock), for a fixed ticket (S4.11 "time to fix")."""
    if fault.fixed_at is None:
        return None
    return round(max(0.0, (fault.fixed_at - fault.reported_at).total_seconds()) / 60, 1)
