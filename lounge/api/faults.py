"""API: lounge facilities and fault tickets (S4.11) — the register, report, start, fix, close.

Thin endpoints: the store wall (org.access) first, then the same services as the pages, so the same
validation applies. Bodies are JSON, or multipart/form-data where a photo comes along (report, fix):
the body is read after the wall, so another store's ticket is a 404 whatever is sent. Service errors
become 422 JSON naming the field, through the handlers in aftersales/api.py.
"""

import copy
import json
from datetime import date, datetime

import pydantic
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as SchemaValidationError
from pydantic import ConfigDict

from core.api_schemas import (
    ERRORS_TEXT,
    WRITE_ERRORS,
    ErrorOut,
    Id,
    PageOut,
    PageQuery,
    PersonRef,
    StoreKey,
    StoreRef,
    ValidationErrorOut,
    page_of,
    person_ref,
    store_ref,
)
from core.images import PHOTO_MAX_BYTES, photo_response
from core.validators import field_error, text_max_length
from lounge.choices import FacilityKind, FaultSource, FaultState
from lounge.models import Facility, FaultTicket
from lounge.selectors import faults as selectors
from lounge.services import faults as services
from org.access import Right, require, scope, store_from_ref
from org.models import User

router = Router(tags=["lounge"])

# The fault writes also answer 400 for a body that cannot be read at all (a form with a photo, or JSON).
UPLOAD_ERRORS = {400: ValidationErrorOut, **WRITE_ERRORS}
PHOTO_TEXT = (
    f" A photo is sent as multipart/form-data with the file in the field `photo` and the other fields as form "
    f"fields; it must be a JPEG, PNG, WebP or GIF image of at most {PHOTO_MAX_BYTES // (1024 * 1024)} MB "
    "(code `photo_format` or `photo_too_large` otherwise); it is stored scaled down, without its metadata."
)


# --- Shapes --------------------------------------------------------------------------------------


class FacilityOut(Schema):
    id: int
    store: StoreRef
    name: str
    kind: FacilityKind
    location: str
    active: bool
    out_of_order: bool = Field(description="S4.11: it has a fault ticket that is open or being fixed.")
    open_fault_id: int | None = Field(description="That ticket, if any.")


class FacilityPageOut(PageOut):
    items: list[FacilityOut]


class FacilityListQuery(PageQuery):
    include_inactive: bool = Field(False, description="Also facilities no longer in use.")


class FaultItemOut(Schema):
    id: int
    url: str
    web_url: str
    store: StoreRef
    facility_id: int
    facility: str
    description: str
    source: FaultSource
    state: FaultState
    out_of_order: bool = Field(description="Open or being fixed: the facility is out of order.")
    reported_at: datetime
    owner: PersonRef | None
    owner_department_id: int | None
    due_at: datetime | None = Field(description="S4.11: when it must be fixed by (store business hours).")
    overdue: bool


class FaultOut(FaultItemOut):
    reported_by: PersonRef | None = Field(description="Empty when a customer reported it from the table's QR code.")
    request_id: int | None
    round_result_id: int | None
    started_at: datetime | None
    fixed_at: datetime | None
    fixed_by: PersonRef | None
    fix_note: str
    close_reason: str
    fix_minutes: float | None = Field(description="Minutes from the report to the fix (S4.11 time to fix).")
    fixed_on_time: bool | None = Field(description="Fixed before its clock ran out; null until fixed.")
    photo_url: str | None
    fix_photo_url: str | None
    appended: bool = Field(
        False, description="The facility already had an open ticket: this report was added to it (answer 200)."
    )


class FaultPageOut(PageOut):
    items: list[FaultItemOut]


class FaultListQuery(PageQuery):
    state: FaultState | None = None
    open: bool = Field(False, description="Only tickets open or being fixed.")
    facility: Id | None = None
    reported_from: date | None = Field(None, description="Reported on or after this day.")
    reported_to: date | None = Field(None, description="Reported on or before this day.")


class FaultReportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    store: StoreKey | None = Field(None, description="The store's code or id; by default the facility's store.")
    facility: Id | None = Field(None, description="The broken facility (see GET /api/v1/lounge/facilities).")
    description: str = Field(
        "", max_length=text_max_length(FaultTicket, "description"), description="What is wrong, at most 300 characters."
    )
    owner: Id | None = Field(
        None, description="A person to own the ticket; by default the store's maintenance (or lounge) department."
    )


class FaultStartIn(Schema):
    model_config = ConfigDict(extra="forbid")

    assignee: Id | None = Field(None, description="Give the ticket and its clock to this colleague.")


class FaultFixIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(
        "",
        max_length=text_max_length(FaultTicket, "fix_note"),
        description="What was done, at most 300 characters (required).",
    )


class FaultCloseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        "",
        max_length=text_max_length(FaultTicket, "close_reason"),
        description="Why it is closed without a fix, at most 200 characters (required).",
    )


def _request_body(schema: type[Schema], *, photo: bool) -> dict:
    """The OpenAPI request body: the schema as JSON and, with a photo, as a multipart form."""
    json_schema = schema.model_json_schema()
    content = {"application/json": {"schema": json_schema}}
    if photo:
        multipart = copy.deepcopy(json_schema)
        multipart["properties"]["photo"] = {"type": "string", "format": "binary", "description": "The photo."}
        content["multipart/form-data"] = {"schema": multipart}
    return {"requestBody": {"required": False, "content": content}}


def _read_body(request, schema: type[Schema]):
    """(payload, photo) from a JSON body or a multipart form; bad input is a 422 naming each field."""
    photo = None
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        data = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken" and v != ""}
        photo = request.FILES.get("photo")
    else:
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            raise HttpError(400, "json") from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise SchemaValidationError([{"loc": ("body", "payload"), "type": "model_type", "msg": ""}])
    try:
        return schema.model_validate(data), photo
    except pydantic.ValidationError as exc:
        errors = [{**e, "loc": ("body", "payload", *e["loc"])} for e in exc.errors(include_url=False)]
        raise SchemaValidationError(errors) from None


def _facility_out(f: Facility) -> dict:
    open_faults = getattr(f, "open_faults", None)
    if open_faults is None:
        open_faults = [t for t in [selectors.open_fault_of(f)] if t]
    return {
        "id": f.pk,
        "store": store_ref(f.store),
        "name": f.name,
        "kind": f.kind,
        "location": f.location,
        "active": f.active,
        "out_of_order": bool(open_faults),
        "open_fault_id": open_faults[0].pk if open_faults else None,
    }


def _item(t: FaultTicket) -> dict:
    promise = t.promise
    is_open = t.state in selectors.OPEN_STATES
    return {
        "id": t.pk,
        "url": reverse("api:fault_detail", kwargs={"fault_id": t.pk}),
        "web_url": reverse("lounge:fault_detail", kwargs={"fault_pk": t.pk}),
        "store": store_ref(t.store),
        "facility_id": t.facility_id,
        "facility": t.facility.name,
        "description": t.description,
        "source": t.source,
        "state": t.state,
        "out_of_order": is_open,
        "reported_at": t.reported_at,
        "owner": person_ref(t.owner),
        "owner_department_id": t.owner_department_id,
        "due_at": promise.due_at if promise else None,
        "overdue": bool(is_open and promise and promise.is_overdue()),
    }


def _detail(t: FaultTicket) -> dict:
    promise = t.promise
    on_time = None
    if t.state == FaultState.FIXED and promise is not None:
        on_time = promise.state == "kept"
    return _item(t) | {
        "reported_by": person_ref(t.reported_by),
        "request_id": t.request_id,
        "round_result_id": t.round_result_id,
        "started_at": t.started_at,
        "fixed_at": t.fixed_at,
        "fixed_by": person_ref(t.fixed_by),
        "fix_note": t.fix_note,
        "close_reason": t.close_reason,
        "fix_minutes": selectors.fix_minutes(t),
        "fixed_on_time": on_time,
        "photo_url": reverse("api:fault_photo", kwargs={"fault_id": t.pk}) if t.photo else None,
        "fix_photo_url": reverse("api:fault_fix_photo", kwargs={"fault_id": t.pk}) if t.fix_photo else None,
        "appended": bool(getattr(t, "appended", False)),
    }


def _colleague(pk, field: str):
    if pk is None:
        return None
    found = User.objects.filter(pk=pk).first()
    if found is None:
        raise field_error(field, _("Not found in the store."))
    return found


# --- The register --------------------------------------------------------------------------------


@router.get(
    "/lounge/facilities",
    response={200: FacilityPageOut},
    url_name="facility_list",
    summary="List the lounge's facilities",
    description="The register of the caller's stores (S4.11), each in order or out of order with its open ticket. "
    "Paged; `store` (code) narrows to one store." + ERRORS_TEXT,
)
def facility_list(request, query: Query[FacilityListQuery]):
    require(request.user, Right.VIEW)
    qs = selectors.facility_list(request.user, store_code=query.store, include_inactive=query.include_inactive)
    return page_of(qs, query, _facility_out)


# --- Fault tickets -------------------------------------------------------------------------------


@router.get(
    "/lounge/faults",
    response={200: FaultPageOut},
    url_name="fault_list",
    summary="List fault tickets",
    description="Paged; open tickets first (the nearest clock first), then the newest. Filters: `state`, `open` "
    "(open or being fixed), `facility`, `reported_from`, `reported_to` (days), `store` (code)." + ERRORS_TEXT,
)
def fault_list(request, query: Query[FaultListQuery]):
    require(request.user, Right.VIEW)
    qs = selectors.fault_list(
        request.user,
        state=query.state or "",
        open_only=query.open,
        facility=query.facility or "",
        date_from=query.reported_from,
        date_to=query.reported_to,
        store_code=query.store,
    )
    return page_of(qs, query, _item)


@router.post(
    "/lounge/faults",
    url_name="fault_report",
    response={201: FaultOut, 200: FaultOut, **UPLOAD_ERRORS},
    summary="Report a broken facility",
    description="S4.11: the fault becomes a maintenance ticket with an owner and a clock to fix it "
    "(`fix_within_hours` business hours of the store); the owner is notified at once. "
    'JSON `{"facility": 12, "description": "no hot water"}` (optional `store`, `owner`).'
    + PHOTO_TEXT
    + " A facility that already has an open ticket gets no second one: the report is added to the open "
    "ticket, which is returned with 200 and `appended: true` (201 for a new ticket)." + ERRORS_TEXT,
    openapi_extra=_request_body(FaultReportIn, photo=True),
)
def fault_report(request):
    user = request.user
    require(user, Right.EDIT)
    payload, photo = _read_body(request, FaultReportIn)
    facility = None
    if payload.facility is not None:
        facility = scope(Facility.objects.select_related("store"), user).filter(pk=payload.facility).first()
    if payload.store is None and facility is not None:
        store = facility.store
        require(user, Right.EDIT, store.pk)
    else:
        store = store_from_ref(user, payload.store, right=Right.EDIT)
    if payload.facility is not None and (facility is None or facility.store_id != store.pk):
        raise field_error("facility", _("Not found in the store."))
    fault = services.fault_report(
        actor=user,
        store=store,
        facility=facility,
        description=payload.description,
        source=FaultSource.API,
        photo=photo,
        owner=_colleague(payload.owner, "owner"),
    )
    body = _detail(selectors.fault_get_for_user(user, fault.pk)) | {"appended": fault.appended}
    return Status(200 if fault.appended else 201, body)


@router.get(
    "/lounge/faults/{fault_id}",
    response={200: FaultOut, 404: ErrorOut},
    url_name="fault_detail",
    summary="One fault ticket",
    description="Its states with times and people, owner, clock, time to fix, links to its photos." + ERRORS_TEXT,
)
def fault_detail(request, fault_id: Id):
    return _detail(selectors.fault_get_for_user(request.user, fault_id))


def _step(request, fault_id, schema, action):
    fault = selectors.fault_get_for_user(request.user, fault_id, right=Right.EDIT)
    payload, photo = _read_body(request, schema)
    action(fault, payload, photo)
    return _detail(selectors.fault_get_for_user(request.user, fault_id))


@router.post(
    "/lounge/faults/{fault_id}/start",
    url_name="fault_start",
    response={200: FaultOut, **UPLOAD_ERRORS},
    summary="Start the work",
    description='State "being fixed"; optional `{"assignee": id}` gives the ticket and its clock to a colleague '
    "of the store, who is notified." + ERRORS_TEXT,
    openapi_extra=_request_body(FaultStartIn, photo=False),
)
def fault_start(request, fault_id: Id):
    def act(fault, payload, photo):
        services.fault_start(actor=request.user, fault=fault, assignee=_colleague(payload.assignee, "assignee"))

    return _step(request, fault_id, FaultStartIn, act)


@router.post(
    "/lounge/faults/{fault_id}/fix",
    url_name="fault_fix",
    response={200: FaultOut, **UPLOAD_ERRORS},
    summary="Record the fix",
    description='S4.11: `{"note": "what was done"}` (required); the clock is kept, on time or late, and the '
    "facility is back in order." + PHOTO_TEXT + ERRORS_TEXT,
    openapi_extra=_request_body(FaultFixIn, photo=True),
)
def fault_fix(request, fault_id: Id):
    def act(fault, payload, photo):
        services.fault_fix(actor=request.user, fault=fault, note=payload.note, photo=photo)

    return _step(request, fault_id, FaultFixIn, act)


@router.post(
    "/lounge/faults/{fault_id}/close",
    url_name="fault_close",
    response={200: FaultOut, **UPLOAD_ERRORS},
    summary="Close without a fix",
    description='`{"reason": "…"}` (required); the clock is cancelled with the reason. Store managers, group '
    "admins and supervisors only." + ERRORS_TEXT,
    openapi_extra=_request_body(FaultCloseIn, photo=False),
)
def fault_close(request, fault_id: Id):
    def act(fault, payload, photo):
        services.fault_close_unfixed(actor=request.user, fault=fault, reason=payload.reason)

    return _step(request, fault_id, FaultCloseIn, act)


IMAGE_RESPONSE = {"responses": {"200": {"description": "The photo (JPEG).", "content": {"image/jpeg": {}}}}}


@router.get(
    "/lounge/faults/{fault_id}/photo",
    response={404: ErrorOut},
    url_name="fault_photo",
    summary="The photo taken when the fault was reported",
    description="A JPEG; 404 when the ticket has none." + ERRORS_TEXT,
    openapi_extra=IMAGE_RESPONSE,
)
def fault_photo(request, fault_id: Id):
    return photo_response(selectors.fault_get_for_user(request.user, fault_id).photo)


@router.get(
    "/lounge/faults/{fault_id}/fix-photo",
    response={404: ErrorOut},
    url_name="fault_fix_photo",
    summary="The photo taken after the fix",
    description="A JPEG; 404 when the ticket has none." + ERRORS_TEXT,
    openapi_extra=IMAGE_RESPONSE,
)
def fault_fix_photo(request, fault_id: Id):
    return photo_response(selectors.fault_get_for_user(request.user, fault_id).fix_photo)
