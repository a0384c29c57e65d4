"""Reads of customers' requests and the lounge's seats (S4.2, S4.5): behind the store wall, the desk's queue,
the customer's code and receipt look-ups, and who may answer a request."""

import re

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from core.audit import add_change_rows, field_labels
from core.models import HistoryEntry
from lounge.choices import REQUEST_OPEN_STATES as OPEN_STATES
from lounge.choices import RequestKind
from lounge.models import LoungeRequest, Seat
from org.access import Right, get_for_user, may_act_on, scope
from org.models import Store

TOKEN_MAX_LENGTH = Seat._meta.get_field("token").max_length
RECEIPT_MAX_LENGTH = LoungeRequest._meta.get_field("receipt").max_length
CODE_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+")
REQUEST_RELATED = (
    "store",
    "seat",
    "visit",
    "visit__customer",
    "drink",
    "facility",
    "promise",
    "acknowledged_by",
    "done_by",
)


# --- Access --------------------------------------------------------------------------------------


def request_get_for_user(user, pk, *, right: Right = Right.VIEW) -> LoungeRequest:
    """One request behind the store wall: another store's is 404, a missing right 403."""
    return get_for_user(LoungeRequest.objects.select_related(*REQUEST_RELATED), user, right=right, pk=pk)


def seat_get_for_user(user, pk, *, right: Right = Right.MANAGE_STORE) -> Seat:
    """One seat behind the store wall; seats are configured by the store's managers."""
    return get_for_user(Seat.objects.select_related("store"), user, right=right, pk=pk)


def may_answer(user, req: LoungeRequest) -> bool:
    """On my way, done, cancel: whoever its clock belongs to (the lounge desk's members, else the manager it was
    given to), their supervisor, the store's managers (org.access.may_act_on); a request without a clock is
    everyday work of the store."""
    promise = req.promise if req.promise_id else None
    return may_act_on(
        user,
        store_id=req.store_id,
        owner_id=promise.owner_id if promise else None,
        department_id=promise.owner_department_id if promise else None,
    )


# --- One request ---------------------------------------------------------------------------------


def response_seconds(req: LoungeRequest) -> int | None:
    """S4.5: seconds from the customer's request until someone was on the way."""
    if req.acknowledged_at is None:
        return None
    return max(0, int((req.acknowledged_at - req.created_at).total_seconds()))


def request_summary(req: LoungeRequest) -> str:
    """What was asked for, as staff read it: the kind, and the drink or the broken facility named."""
    label = str(req.get_kind_display())
    if req.kind == RequestKind.DRINK and req.drink_id:
        return f"{label} · {req.drink.name}"
    if req.kind == RequestKind.FAULT and req.facility_id:
        return f"{label} · {req.facility.name}"
    return label


# --- Lists ---------------------------------------------------------------------------------------


def request_list(user, *, state: str = "", kind: str = "", store_code: str = "", store=None) -> QuerySet:
    """Requests of the person's stores, newest first, with everything a list shows."""
    qs = scope(LoungeRequest.objects.all(), user).select_related(*REQUEST_RELATED)
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if store_code:
        qs = qs.filter(store__code=store_code)
    if store is not None:
        qs = qs.filter(store=store)
    return qs.order_by("-created_at", "-id")


def requests_open(user, store: Store) -> list[LoungeRequest]:
    """The store's requests still waiting or with someone on the way, oldest first (the desk's queue)."""
    qs = request_list(user, store=store).filter(state__in=OPEN_STATES)
    return list(qs.order_by("created_at", "id")[:100])


def requests_recent_closed(user, store: Store, limit: int = 15) -> list[LoungeRequest]:
    """The store's most recently done or cancelled requests."""
    qs = request_list(user, store=store).exclude(state__in=OPEN_STATES)
    return list(qs.order_by("-created_at", "-id")[:limit])


def seat_list(user, *, store_code: str = "", active: bool | None = None) -> QuerySet:
    """Seats of the person's stores, by store and name."""
    qs = scope(Seat.objects.select_related("store"), user)
    if store_code:
        qs = qs.filter(store__code=store_code)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("store__code", "label")


def seats_of(store: Store) -> QuerySet:
    """The store's seats, those in use first, by name."""
    return Seat.objects.filter(store=store).select_related("store").order_by("-active", "label")


def seat_history(seats, limit: int = 15):
    """The latest changes to the store's seats (added, renamed, taken out of use, code re-issued), one query."""
    if not seats:
        return []
    entries = list(
        HistoryEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Seat), object_id__in=[s.pk for s in seats]
        )
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )
    labels = field_labels(Seat)
    for entry in entries:
        add_change_rows(entry, labels)
    return entries


# --- The customer's codes ------------------------------------------------------------------------


def _is_code(value: str, max_length: int) -> bool:
    """Codes are URL-safe base64 (secrets.token_urlsafe): anything else is refused before the database sees it."""
    return bool(value) and len(value) <= max_length and CODE_CHARACTERS.fullmatch(value) is not None


def seat_for_token(token: str) -> Seat | None:
    """The seat behind a customer's code: only a seat in use, of an active store, with its current code."""
    if not _is_code(token, TOKEN_MAX_LENGTH):
        return None
    return Seat.objects.select_related("store").filter(token=token, active=True, store__active=True).first()


def request_for_receipt(seat: Seat, receipt: str) -> LoungeRequest | None:
    """The customer's own request, by the receipt in their status link, and only at their seat."""
    if not _is_code(receipt, RECEIPT_MAX_LENGTH):
        return None
    return LoungeRequest.objects.select_related("drink", "facility").filter(seat=seat, receipt=receipt).first()
