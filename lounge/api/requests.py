"""API: lounge requests (S4.2, S4.5) — list, create, acknowledge, done, cancel — and the seats they come from.

Thin endpoints: the store wall (org.access) first, then the same services as the pages, so the same
validation applies; service errors become 422 JSON naming the field (aftersales/api.py). The
customer's QR page is HTML only: there is no public API.
"""

from datetime import datetime

from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from core.api_schemas import (
    ERRORS_TEXT,
    WRITE_ERRORS,
    BodyAfterWall,
    ErrorOut,
    Id,
    PageOut,
    PageQuery,
    StoreKey,
    StoreRef,
    after_wall,
    one_of_store,
    page_of,
    store_ref,
)
from core.validators import text_max_length
from lounge.choices import RequestKind, RequestSource, RequestState
from lounge.models import Drink, Facility, LoungeRequest, Seat, Visit
from lounge.selectors import requests as selectors
from lounge.services import requests as services
from org.access import Right, require, store_from_ref

router = Router(tags=["lounge"])

_CANCEL_BODY = BodyAfterWall(...)  # typed body whose errors wait for the store wall (see complaints.api)


class RequestOut(Schema):
    id: int
    url: str
    store: StoreRef
    seat_id: int | None
    seat: str = Field(description="The seat's or table's label; empty without a seat.")
    visit_id: int | None = Field(description="The customer's open visit at that seat when the request came in.")
    kind: RequestKind
    drink_id: int | None
    drink: str
    summary: str = Field(description="What was asked for, as staff read it.")
    note: str
    source: RequestSource
    state: RequestState
    created_at: datetime
    due_at: datetime | None = Field(description="S4.5: someone must be on the way by then (the request's promise).")
    overdue: bool
    acknowledged_at: datetime | None
    acknowledged_by_id: int | None
    response_seconds: int | None = Field(description="S4.5: seconds from the request until someone was on the way.")
    done_at: datetime | None
    done_by_id: int | None


class RequestPageOut(PageOut):
    items: list[RequestOut]


class RequestListQuery(PageQuery):
    state: RequestState | None = None
    kind: RequestKind | None = None


class RequestIn(Schema):
    model_config = ConfigDict(extra="forbid")

    store: StoreKey | None = Field(None, description="The store's code or id; needed only for several stores.")
    kind: RequestKind
    seat: Id | None = Field(None, description="The seat or table (id, see GET /lounge/seats).")
    visit: Id | None = Field(None, description="The customer's visit; without it, the open visit at the seat.")
    drink: Id | None = Field(None, description="Required for a drink (S4.2): one of the store's menu, available.")
    facility: Id | None = Field(None, description="Required for something broken (S4.11): one of the store's.")
    note: str = Field("", max_length=text_max_length(LoungeRequest, "note"), description="At most 200 characters.")


class CancelIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field("", max_length=text_max_length(LoungeRequest, "note"))


class SeatOut(Schema):
    id: int
    store: StoreRef
    label: str
    active: bool
    issued_at: datetime = Field(description="When the seat's current QR code was issued.")


class SeatPageOut(PageOut):
    items: list[SeatOut]


class SeatListQuery(PageQuery):
    active: bool | None = None


def _out(req: LoungeRequest) -> dict:
    promise = req.promise
    return {
        "id": req.pk,
        "url": reverse("api:request_detail", kwargs={"request_id": req.pk}),
        "store": store_ref(req.store),
        "seat_id": req.seat_id,
        "seat": req.seat.label if req.seat_id else "",
        "visit_id": req.visit_id,
        "kind": req.kind,
        "drink_id": req.drink_id,
        "drink": req.drink.name if req.drink_id else "",
        "summary": selectors.request_summary(req),
        "note": req.note,
        "source": req.source,
        "state": req.state,
        "created_at": req.created_at,
        "due_at": promise.due_at if promise is not None else None,
        "overdue": bool(promise is not None and promise.is_overdue()),
        "acknowledged_at": req.acknowledged_at,
        "acknowledged_by_id": req.acknowledged_by_id,
        "response_seconds": selectors.response_seconds(req),
        "done_at": req.done_at,
        "done_by_id": req.done_by_id,
    }


def _detail(request, request_id) -> dict:
    return _out(selectors.request_get_for_user(request.user, request_id))


def _stage(request, request_id, service) -> dict:
    """A stage without a body (on the way, done): the wall and the right first, then the service."""
    service(actor=request.user, request=selectors.request_get_for_user(request.user, request_id, right=Right.EDIT))
    return _detail(request, request_id)


@router.get(
    "/lounge/requests",
    response={200: RequestPageOut},
    url_name="request_list",
    summary="List lounge requests",
    description="Paged, newest first; filters: state, kind, store. Requests come from customers' QR codes, "
    "the board or the API (S4.2, S4.5)." + ERRORS_TEXT,
)
def request_list(request, query: Query[RequestListQuery]):
    require(request.user, Right.VIEW)
    qs = selectors.request_list(request.user, state=query.state or "", kind=query.kind or "", store_code=query.store)
    return page_of(qs, query, _out)


@router.post(
    "/lounge/requests",
    url_name="request_create",
    response={201: RequestOut, **WRITE_ERRORS},
    summary="Record a lounge request",
    description="A customer's request entered by staff or an integration: linked to the open visit at the seat; "
    "a drink must be on the store's menu and available (S4.2); something broken needs a facility (S4.11). "
    "The lounge desk is notified at once and someone must be on the way within the store's minutes (S4.5)."
    + ERRORS_TEXT,
)
def request_create(request, payload: RequestIn):
    require(request.user, Right.EDIT)
    store = store_from_ref(request.user, payload.store, right=Right.EDIT, default_own=False)
    req = services.request_create(
        store=store,
        kind=payload.kind,
        seat=one_of_store(Seat, payload.seat, store, "seat"),
        visit=one_of_store(Visit, payload.visit, store, "visit"),
        drink=one_of_store(Drink, payload.drink, store, "drink"),
        facility=one_of_store(Facility, payload.facility, store, "facility"),
        note=payload.note,
        source=RequestSource.API,
        actor=request.user,
    )
    return Status(201, _detail(request, req.pk))


@router.get(
    "/lounge/requests/{request_id}",
    response={200: RequestOut, 404: ErrorOut},
    url_name="request_detail",
    summary="One lounge request",
    description="With its clock (due time, overdue) and response time (S4.5)." + ERRORS_TEXT,
)
def request_detail(request, request_id: Id):
    return _detail(request, request_id)


@router.post(
    "/lounge/requests/{request_id}/acknowledge",
    url_name="request_acknowledge",
    response={200: RequestOut, **WRITE_ERRORS},
    summary="Someone is on the way",
    description="S4.5: the customer's page shows it; the request's promise is kept and the response time "
    "measured. Only an open request." + ERRORS_TEXT,
)
def request_acknowledge(request, request_id: Id):
    return _stage(request, request_id, services.request_acknowledge)


@router.post(
    "/lounge/requests/{request_id}/done",
    url_name="request_done",
    response={200: RequestOut, **WRITE_ERRORS},
    summary="Done",
    description="S4.2: a refill or drink is also recorded as served on the customer's visit." + ERRORS_TEXT,
)
def request_done(request, request_id: Id):
    return _stage(request, request_id, services.request_done)


@router.post(
    "/lounge/requests/{request_id}/cancel",
    url_name="request_cancel",
    response={200: RequestOut, **WRITE_ERRORS},
    summary="Cancel",
    description="A request that needs nothing more (sent twice, the customer left); its clock is cancelled."
    + ERRORS_TEXT,
)
def request_cancel(request, request_id: Id, payload: CancelIn = _CANCEL_BODY):
    req = selectors.request_get_for_user(request.user, request_id, right=Right.EDIT)
    payload = after_wall(request, payload)  # a bad body is answered only once the wall let the caller in
    services.request_cancel(actor=request.user, request=req, reason=payload.reason)
    return _detail(request, request_id)


@router.get(
    "/lounge/seats",
    response={200: SeatPageOut},
    url_name="seat_list",
    summary="List lounge seats",
    description="The seats and tables of the caller's stores (their QR codes are printed from the seats page, "
    "never given out here); filter: active, store." + ERRORS_TEXT,
)
def seat_list(request, query: Query[SeatListQuery]):
    require(request.user, Right.VIEW)
    page = page_of(selectors.seat_list(request.user, store_code=query.store, active=query.active), query)
    page["items"] = [
        {"id": s.pk, "store": store_ref(s.store), "label": s.label, "active": s.active, "issued_at": s.issued_at}
        for s in page["items"]
    ]
    return page
