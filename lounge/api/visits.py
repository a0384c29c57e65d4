"""API: lounge visits — list, read, arrival and each step (S4.1–S4.4).

Thin endpoints: the store wall (org.access) first, then the same services as the board, so the same
validation applies. Service errors become 422 JSON naming the field through the handlers in
aftersales/api.py. A step's body is read only once the wall has let the caller in, so another
store's visit is a 404 whatever is sent.
"""

import datetime as dt
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
    PersonRef,
    StoreKey,
    StoreRef,
    after_wall,
    one_of_store,
    page_of,
    person_ref,
    store_ref,
)
from core.validators import field_error
from customers.models import Customer, Vehicle
from lounge.models import Seat, Visit
from lounge.selectors import visits as selectors
from lounge.services import visits as services
from org.access import Right, require, store_from_ref

router = Router(tags=["lounge"])

# typed bodies whose errors wait for the store wall: another store's visit is a 404 whatever is sent
_PATCH_BODY = BodyAfterWall(None)
_SERVE_BODY = BodyAfterWall(None)


# --- Shapes --------------------------------------------------------------------------------------


class CustomerRef(Schema):
    id: int
    name: str


class VehicleRef(Schema):
    id: int
    plate: str
    model: str


class SeatRef(Schema):
    id: int
    label: str


class ServingOut(Schema):
    drink: str
    drink_id: int | None
    refill: bool
    served_at: datetime
    served_by: PersonRef | None
    on_time: bool | None = Field(description="For a refill: served before its clock ran out (S4.2).")


class VisitOut(Schema):
    id: int
    url: str
    web_url: str
    store: StoreRef
    name: str = Field(description="The customer's name, the walk-in's name, or 'Guest'.")
    customer: CustomerRef | None
    vehicle: VehicleRef | None
    guest_name: str
    seat: SeatRef | None
    first_visit: bool = Field(description="S4.3: a first-time customer, to be introduced to the services.")
    repair_order: str
    service_status: str
    arrived_at: datetime
    in_lounge: bool
    greet_due_at: datetime | None = Field(description="S4.1: the greeting clock's due time.")
    greeted_at: datetime | None
    greeted_by: PersonRef | None
    greet_seconds: int | None = Field(description="S4.1: seconds from arrival to greeting.")
    drink_offered_at: datetime | None
    servings: list[ServingOut]
    refill_due_at: datetime | None = Field(description="S4.2: when the next refill is due, while its clock runs.")
    introduced_at: datetime | None
    introduced_by: PersonRef | None
    farewell_at: datetime | None
    farewell_by: PersonRef | None
    departed_at: datetime | None


class VisitPageOut(PageOut):
    items: list[VisitOut]


class VisitPageQuery(PageQuery):
    in_lounge: bool | None = Field(None, description="Only customers still in the lounge (true) or gone (false).")
    date: dt.date | None = Field(None, description="Only visits that began on this day (store time), YYYY-MM-DD.")


class VisitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    store: StoreKey | None = Field(None, description="The store's code or id; by default the caller's store.")
    customer: Id | None = Field(None, description="The customer on file (id).")
    vehicle: Id | None = Field(None, description="The vehicle (id); its owner is the customer.")
    plate: str = Field("", max_length=20, description="Or find the customer by their vehicle's plate.")
    phone: str = Field("", max_length=40, description="Or by their phone number.")
    guest_name: str = Field("", max_length=50, description="A walk-in not on file: a name, or nothing.")
    seat: Id | None = Field(None, description="The seat or table (id).")
    first_visit: bool = Field(
        False, description="Mark a walk-in as first-time (S4.3); a customer on file is marked automatically."
    )
    repair_order: str = Field("", max_length=30)
    service_status: str = Field("", max_length=100)


class ServeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    drink: Id | None = Field(
        None,
        description="A drink of the store's menu (id); without it the last drink served is served again.",
    )


class VisitPatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    seat: Id | None = Field(None, description="The seat (id); null takes the seat away.")
    repair_order: str | None = Field(None, max_length=30)
    service_status: str | None = Field(None, max_length=100)
    first_visit: bool | None = None


# --- Helpers -------------------------------------------------------------------------------------


def _out(v: Visit) -> dict:
    greet = v.greet_promise
    refill = v.refill_promise
    return {
        "id": v.pk,
        "url": reverse("api:visit_detail", kwargs={"visit_id": v.pk}),
        "web_url": reverse("lounge:visit_detail", kwargs={"visit_pk": v.pk}),
        "store": store_ref(v.store),
        "name": v.display_name,
        "customer": {"id": v.customer.pk, "name": v.customer.name} if v.customer else None,
        "vehicle": {"id": v.vehicle.pk, "plate": v.vehicle.plate, "model": v.vehicle.model} if v.vehicle else None,
        "guest_name": v.guest_name,
        "seat": {"id": v.seat.pk, "label": v.seat.label} if v.seat else None,
        "first_visit": v.first_visit,
        "repair_order": v.repair_order,
        "service_status": v.service_status,
        "arrived_at": v.arrived_at,
        "in_lounge": v.in_lounge,
        "greet_due_at": greet.due_at if greet else None,
        "greeted_at": v.greeted_at,
        "greeted_by": person_ref(v.greeted_by),
        "greet_seconds": v.greet_seconds,
        "drink_offered_at": v.drink_offered_at,
        "servings": [
            {
                "drink": s.drink_name,
                "drink_id": s.drink_id,
                "refill": s.refill,
                "served_at": s.served_at,
                "served_by": person_ref(s.served_by),
                "on_time": s.on_time,
            }
            for s in v.servings.all()
        ],
        "refill_due_at": refill.due_at if refill is not None and refill.is_open else None,
        "introduced_at": v.introduced_at,
        "introduced_by": person_ref(v.introduced_by),
        "farewell_at": v.farewell_at,
        "farewell_by": person_ref(v.farewell_by),
        "departed_at": v.departed_at,
    }


def _visits(user, **filters):
    """The visits the API shows (lounge.selectors.visits.visit_list), with everything a visit's answer reads."""
    qs = selectors.visit_list(user, **filters).select_related(
        "arrival_recorded_by", "introduced_by", "farewell_by", "greet_promise", "refill_promise"
    )
    return qs.prefetch_related("servings__served_by")


def _detail(user, visit_id: Id) -> dict:
    visit = selectors.visit_get_for_user(user, visit_id)
    return _out(_visits(user).get(pk=visit.pk))


def _step(request, visit_id: Id, act, payload=None) -> dict:
    """One step on a visit: the wall and the right first, then the body (BodyAfterWall), then the service."""
    visit = selectors.visit_get_for_user(request.user, visit_id, right=Right.EDIT)
    act(visit, after_wall(request, payload))
    return _detail(request.user, visit.pk)


# --- Endpoints -----------------------------------------------------------------------------------


@router.get(
    "/lounge/visits",
    response=VisitPageOut,
    url_name="visit_list",
    summary="List lounge visits",
    description="Visits of the caller's stores, newest first, paged; filters `store`, `in_lounge`, `date`."
    + ERRORS_TEXT,
)
def visit_list(request, query: Query[VisitPageQuery]):
    require(request.user, Right.VIEW)
    qs = _visits(request.user, day=query.date, in_lounge=query.in_lounge, store_code=query.store.strip())
    return page_of(qs, query, _out)


@router.get(
    "/lounge/visits/{visit_id}",
    response={200: VisitOut, 404: ErrorOut},
    url_name="visit_detail",
    summary="Read a lounge visit",
    description="One visit with each step, who took it and when, its drinks and its clocks." + ERRORS_TEXT,
)
def visit_detail(request, visit_id: Id):
    return _detail(request.user, visit_id)


@router.post(
    "/lounge/visits",
    response={201: VisitOut, **WRITE_ERRORS},
    url_name="visit_arrive",
    summary="A customer arrives in the lounge",
    description="S4.1: the customer on file (by `customer`, `vehicle`, `plate` or `phone`) or a walk-in (a "
    "`guest_name` or nothing). A customer with no earlier visit in the store is marked first-time (S4.3). The "
    "greeting clock starts, due in the store's greeting seconds." + ERRORS_TEXT,
)
def visit_arrive(request, payload: VisitIn):
    user = request.user
    require(user, Right.EDIT)
    store = store_from_ref(user, payload.store, right=Right.EDIT)
    visit = services.visit_arrive(
        actor=user,
        store=store,
        customer=one_of_store(Customer, payload.customer, store, "customer"),
        vehicle=one_of_store(Vehicle, payload.vehicle, store, "vehicle"),
        plate=payload.plate,
        phone=payload.phone,
        guest_name=payload.guest_name,
        seat=one_of_store(Seat, payload.seat, store, "seat"),
        first_visit=payload.first_visit,
        repair_order=payload.repair_order,
        service_status=payload.service_status,
    )
    return Status(201, _detail(user, visit.pk))


@router.patch(
    "/lounge/visits/{visit_id}",
    response={200: VisitOut, **WRITE_ERRORS},
    url_name="visit_update",
    summary="Change a visit's seat or service status",
    description="Only the fields sent change: `seat` (null takes it away), `repair_order`, `service_status`, "
    "`first_visit`." + ERRORS_TEXT,
)
def visit_update(request, visit_id: Id, payload: VisitPatchIn = _PATCH_BODY):
    def act(visit, payload):
        sent = payload.model_fields_set
        services.visit_update(
            actor=request.user,
            visit=visit,
            seat=one_of_store(Seat, payload.seat, visit.store, "seat") if "seat" in sent else None,
            clear_seat="seat" in sent and payload.seat is None,
            repair_order=payload.repair_order,
            service_status=payload.service_status,
            first_visit=payload.first_visit,
        )

    return _step(request, visit_id, act, payload)


@router.post(
    "/lounge/visits/{visit_id}/serve",
    response={200: VisitOut, **WRITE_ERRORS},
    url_name="visit_serve",
    summary="A drink is served, or refilled",
    description="S4.2: a drink of the store's menu that is available; every serving after the first is a "
    "refill, on time or late against the refill clock, and starts the next refill clock. Without `drink` the "
    "last drink is served again." + ERRORS_TEXT,
)
def visit_serve(request, visit_id: Id, payload: ServeIn = _SERVE_BODY):
    def act(visit, payload):
        drink = None
        if payload.drink is not None:
            drink = selectors.menu_drink(visit.store_id, payload.drink)
            if drink is None:
                raise field_error("drink", services.NOT_ON_MENU)
        services.visit_serve(actor=request.user, visit=visit, drink=drink)

    return _step(request, visit_id, act, payload)


# The steps without a body: (path, service, name, summary, description); each is one endpoint whose name
# is its URL name (api:visit_greet …) and, with the module, its OpenAPI operationId; it answers with the visit.
STEPS = [
    (
        "greet",
        services.visit_greet,
        "visit_greet",
        "The customer is greeted",
        "S4.1: by the caller, now; the seconds since arrival are recorded and the greeting clock kept. "
        "A visit is greeted once.",
    ),
    (
        "offer-drink",
        services.visit_offer_drink,
        "visit_offer",
        "A drink is offered",
        "S4.2: the customer was asked what they would like to drink.",
    ),
    (
        "introduce",
        services.visit_introduce,
        "visit_introduce",
        "The services are introduced",
        "S4.3: for a first-time customer, after the greeting; once per visit.",
    ),
    (
        "farewell",
        services.visit_farewell,
        "visit_farewell",
        "The customer is seen off",
        "S4.4: by the caller, now; once per visit.",
    ),
    (
        "depart",
        services.visit_depart,
        "visit_depart",
        "The customer has left",
        "The clocks still open are closed with the reason 'customer left': cancelled if not yet due, "
        "closed as not kept if already overdue.",
    ),
]


def _step_endpoint(service, name: str):
    def endpoint(request, visit_id: Id):
        return _step(request, visit_id, lambda visit, _payload: service(actor=request.user, visit=visit))

    endpoint.__name__ = endpoint.__qualname__ = name
    return endpoint


for _path, _service, _name, _summary, _description in STEPS:
    router.post(
        f"/lounge/visits/{{visit_id}}/{_path}",
        response={200: VisitOut, **WRITE_ERRORS},
        url_name=_name,
        summary=_summary,
        description=_description + ERRORS_TEXT,
    )(_step_endpoint(_service, _name))
