"""API: the phone system's incoming-call push, calls, transcripts, messages (S2).

Thin endpoints: parse the input, ask the store wall (org.access), call the same services as the
console. Errors come back as JSON through the handlers registered in aftersales/api.py.
"""

from datetime import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict

from core.api_schemas import (
    ERRORS_TEXT,
    REVEAL_TEXT,
    BodyAfterWall,
    ErrorOut,
    Id,
    PageOut,
    PageQuery,
    PersonRef,
    RevealedPhoneOut,
    StoreKey,
    StoreRef,
    ValidationErrorOut,
    after_wall,
    form_limit,
    page_of,
    person_ref,
    revealed_phone,
    store_ref,
)
from core.validators import field_error, mask_number, text_max_length
from org.access import Right, require, store_from_ref
from org.models import Department, User

from . import selectors
from .choices import Direction, HungUpFirst, Outcome, Purpose, Source
from .forms import CallForm, MessageForm
from .models import Call, IncomingCall, Message
from .services import calls as call_services
from .services import messages as message_services

router = Router(tags=["phone"])


class CustomerRef(Schema):
    id: int
    name: str


def _customer(customer) -> dict | None:
    return {"id": customer.pk, "name": customer.name} if customer else None


# --- The incoming-call pop-up --------------------------------------------------------------------


class IncomingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    number: str = Field(
        max_length=form_limit(CallForm, "number"), description="The caller's number as the phone system shows it."
    )
    extension: str = Field(
        max_length=text_max_length(IncomingCall, "extension"),
        description="The extension that rings; its person gets the pop-up.",
    )
    store: StoreKey | None = Field(None, description="The store's code or id; by default the token person's store.")


class IncomingOut(Schema):
    id: int
    store: StoreRef
    number_masked: str = Field(description="The caller's number masked (PIPL).")
    extension: str
    user: PersonRef
    customer: CustomerRef | None
    created_at: datetime


@router.post(
    "/calls/incoming",
    response={201: IncomingOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Announce a ringing call",
    url_name="call_incoming",
    description="The phone system announces a call ringing at an extension: the person with that extension "
    "sees the caller (customer, vehicles, open promises) pop up on their call console within seconds. "
    "Nothing else is recorded; the call itself is logged at the console or imported from the call records."
    + ERRORS_TEXT,
)
def call_incoming(request, payload: IncomingIn):
    user = request.user
    require(user, Right.EDIT)
    store = store_from_ref(user, payload.store, right=Right.EDIT)
    incoming = call_services.call_incoming(store=store, number=payload.number, extension=payload.extension)
    return Status(
        201,
        {
            "id": incoming.pk,
            "store": store_ref(store),
            "number_masked": mask_number(incoming.number),
            "extension": incoming.extension,
            "user": person_ref(incoming.user),
            "customer": _customer(incoming.customer),
            "created_at": incoming.created_at,
        },
    )


# --- Calls ---------------------------------------------------------------------------------------


class ScriptItemOut(Schema):
    key: str
    rule_id: str
    kind: str
    passed: bool
    phrase: str | None = None
    evidence: str | None = None


class CallOut(Schema):
    id: int
    url: str
    store: StoreRef
    direction: Direction
    number_masked: str = Field(
        description="The other party's number masked, 138****5678 (PIPL); POST /calls/{call_id}/reveal-number for it in full."
    )
    caller_name: str = Field(description="The caller-ID name from the phone system's records (empty if none).")
    customer: CustomerRef | None
    started_at: datetime
    ring_seconds: float | None
    rings: int | None
    answered_in_time: bool | None = Field(description="S2.1: answered before the 4th ring.")
    missed: bool
    purpose: str
    outcome: str
    notes: str
    answered_by: PersonRef | None
    hung_up_first: str
    returns_call: int | None
    script_score: int | None = Field(
        description="Script check score 0-100 (S2.2, S2.4, S2.6), null without transcript."
    )
    script_items: list[ScriptItemOut]


class CallPageOut(PageOut):
    items: list[CallOut]


class CallPageQuery(PageQuery):
    missed: bool | None = Field(None, description="Only missed calls (true) or only answered ones (false).")
    person: Id | None = Field(None, description="Only calls answered by this person (id).")


class CallIn(Schema):
    model_config = ConfigDict(extra="forbid")

    store: StoreKey | None = Field(None, description="The store's code or id; by default the caller's store.")
    direction: Direction = Direction.INBOUND
    number: str = Field(
        "",
        max_length=form_limit(CallForm, "number"),
        description="The other party's number; unknown callers may leave it empty.",
    )
    started_at: datetime | None = None
    ring_seconds: float | None = Field(None, ge=0, description="Ring time in seconds (S2.1).")
    rings: int | None = Field(None, ge=1, description="Or the rings counted; converted with the store's ring cycle.")
    purpose: Purpose | None = None
    outcome: Outcome
    notes: str = Field("", max_length=form_limit(CallForm, "notes"))
    hung_up_first: HungUpFirst = HungUpFirst.UNKNOWN
    answered_by: Id | None = Field(None, description="Who answered (person id); by default the caller.")
    transcript: str = Field(
        "",
        max_length=form_limit(CallForm, "transcript"),
        description="Checked against the department's script at once.",
    )


class TranscriptIn(Schema):
    model_config = ConfigDict(extra="forbid")

    transcript: str = Field(max_length=form_limit(CallForm, "transcript"))


def _call_out(call: Call) -> dict:
    result = call.script_result or {}
    return {
        "id": call.pk,
        "url": reverse("api:call_detail", kwargs={"call_id": call.pk}),
        "store": store_ref(call.store),
        "direction": call.direction,
        "number_masked": mask_number(call.number),
        "caller_name": call.caller_name,
        "customer": _customer(call.customer),
        "started_at": call.started_at,
        "ring_seconds": call.ring_seconds,
        "rings": call.rings,
        "answered_in_time": call.answered_in_time,
        "missed": call.missed,
        "purpose": call.purpose,
        "outcome": call.outcome,
        "notes": call.notes,
        "answered_by": person_ref(call.answered_by),
        "hung_up_first": call.hung_up_first,
        "returns_call": call.returns_call_id,
        "script_score": call.script_score,
        "script_items": result.get("items", []),
    }


@router.get(
    "/calls",
    response=CallPageOut,
    summary="List calls",
    url_name="call_list",
    description="Calls of the caller's stores, newest first, paged; filters `store`, `missed`, `person`." + ERRORS_TEXT,
)
def call_list(request, query: Query[CallPageQuery]):
    user = request.user
    require(user, Right.VIEW)
    qs = selectors.call_list(user, store_code=query.store, missed=query.missed, person=query.person)
    return page_of(qs, query, _call_out)


@router.get(
    "/calls/{call_id}",
    response={200: CallOut, 404: ErrorOut},
    summary="Read a call",
    url_name="call_detail",
    description="One call with its ring time and script check result." + ERRORS_TEXT,
)
def call_detail(request, call_id: Id):
    return _call_out(selectors.call_get_for_user(request.user, call_id))


@router.post(
    "/calls",
    response={201: CallOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Log a call",
    url_name="call_create",
    description="Logs a call as the console does: the number is checked (E.164, or digits for an extension), the "
    "customer found by number, the ring time converted (rings × the store's ring cycle, S2.1). A dropped or "
    "missed call with a known number becomes a call-back promise for the desk (S2.10)." + ERRORS_TEXT,
)
def call_create(request, payload: CallIn):
    user = request.user
    require(user, Right.EDIT)
    store = store_from_ref(user, payload.store, right=Right.EDIT)
    require(user, Right.EDIT, store.pk)
    data = payload.dict(exclude={"store", "answered_by"})
    if payload.answered_by is not None:
        person = User.objects.filter(pk=payload.answered_by, store=store, is_active=True).first()
        if person is None:
            raise field_error("answered_by", _("The person must work in this store."))
        data["answered_by"] = person
    call = call_services.call_log(actor=user, store=store, source=Source.API, **data)
    return Status(201, _call_out(call))


@router.post(
    "/calls/{call_id}/transcript",
    response={200: CallOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Add a call's transcript",
    url_name="call_transcript",
    description="Stores the transcript and checks it against the department's script (S2.2; S2.4 and S2.6 for "
    "complaints); the answer carries the score and each item's result." + ERRORS_TEXT,
)
def call_transcript(request, call_id: Id, payload: Annotated[TranscriptIn, BodyAfterWall(...)]):
    user = request.user
    call = selectors.call_get_for_user(user, call_id, right=Right.EDIT)
    # The body is read after the wall: another store's call is 404 whatever the body says.
    try:
        payload = after_wall(request, payload)
    except HttpError:  # not JSON: the transcript's own message, as the endpoint has always answered
        raise field_error("transcript", _("Send JSON with the transcript as text.")) from None
    call = call_services.call_transcript_set(actor=user, call=call, transcript=payload.transcript)
    return _call_out(selectors.call_get_for_user(user, call.pk))


@router.post(
    "/calls/{call_id}/reveal-number",
    response={200: RevealedPhoneOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Show a call's number in full",
    url_name="call_reveal_number",
    description="The other party's number in full, for a call back; the reveal is logged." + REVEAL_TEXT + ERRORS_TEXT,
)
def call_reveal_number(request, call_id: Id):
    user = request.user
    call = selectors.call_get_for_user(user, call_id)
    return revealed_phone("number", call_services.call_reveal_number(actor=user, call=call))


# --- Messages ------------------------------------------------------------------------------------


class MessageOut(Schema):
    id: int
    store: StoreRef
    for_user: PersonRef | None
    for_department: str | None
    caller_name: str
    caller_number_masked: str = Field(
        description="The caller's number masked (PIPL); POST /messages/{message_id}/reveal-number for it in full."
    )
    customer: CustomerRef | None
    text: str
    callback_wanted: bool
    callback_due_at: datetime | None = Field(description="When the call-back promise is due (S2.3).")
    promise_state: str | None
    taken_by: PersonRef
    taken_at: datetime
    read_at: datetime | None
    called_back_at: datetime | None


class MessagePageOut(PageOut):
    items: list[MessageOut]


class MessageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    store: StoreKey | None = Field(None, description="The store's code or id; by default the caller's store.")
    for_user: Id | None = Field(None, description="The person the message is for (id).")
    for_department: Id | None = Field(None, description="Or the department (id).")
    caller_name: str = Field(max_length=form_limit(MessageForm, "caller_name"))
    caller_number: str = Field("", max_length=form_limit(MessageForm, "caller_number"))
    text: str = Field(max_length=form_limit(MessageForm, "text"))
    callback_wanted: bool = False
    callback_by: datetime | None = Field(None, description="By default two business hours from now.")


def _message_out(m: Message) -> dict:
    return {
        "id": m.pk,
        "store": store_ref(m.store),
        "for_user": person_ref(m.for_user),
        "for_department": str(m.for_department) if m.for_department else None,
        "caller_name": m.caller_name,
        "caller_number_masked": mask_number(m.caller_number),
        "customer": _customer(m.customer),
        "text": m.text,
        "callback_wanted": m.callback_wanted,
        "callback_due_at": m.promise.due_at if m.promise else None,
        "promise_state": m.promise.state if m.promise else None,
        "taken_by": person_ref(m.taken_by),
        "taken_at": m.taken_at,
        "read_at": m.read_at,
        "called_back_at": m.called_back_at,
    }


@router.get(
    "/messages",
    response=MessagePageOut,
    summary="List my messages",
    url_name="message_list",
    description="Messages for the caller and the caller's department, newest first, paged." + ERRORS_TEXT,
)
def message_list(request, query: Query[PageQuery]):
    user = request.user
    require(user, Right.VIEW)
    qs = selectors.messages_for(user)
    if query.store:
        qs = qs.filter(store__code=query.store.strip())
    return page_of(qs, query, _message_out)


@router.post(
    "/messages",
    response={201: MessageOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Take a message",
    url_name="message_create",
    description="A message for an absent colleague or a department (S2.3). A wanted call-back needs the "
    "caller's number and becomes a promise owned by the recipient, reminded and escalated." + ERRORS_TEXT,
)
def message_create(request, payload: MessageIn):
    user = request.user
    require(user, Right.EDIT)
    store = store_from_ref(user, payload.store, right=Right.EDIT)
    data = payload.dict(exclude={"store", "for_user", "for_department"})
    data["for_user"] = (
        User.objects.filter(pk=payload.for_user, store=store).first() if payload.for_user is not None else None
    )
    data["for_department"] = (
        Department.objects.filter(pk=payload.for_department, store=store).first()
        if payload.for_department is not None
        else None
    )
    errors = {}
    if payload.for_user is not None and data["for_user"] is None:
        errors["for_user"] = [_("The recipient must work in this store.")]
    if payload.for_department is not None and data["for_department"] is None:
        errors["for_department"] = [_("The department must be one of this store's.")]
    if errors:
        raise ValidationError(errors)
    message = message_services.message_take(actor=user, store=store, **data)
    return Status(201, _message_out(selectors.message_get_for_user(user, message.pk)))


@router.post(
    "/messages/{message_id}/read",
    response={200: MessageOut, 403: ErrorOut, 404: ErrorOut},
    summary="Mark a message read",
    url_name="message_read",
    description="The recipient has read the message." + ERRORS_TEXT,
)
def message_read(request, message_id: Id):
    user = request.user
    message = selectors.message_get_for_user(user, message_id, right=Right.EDIT)
    message_services.message_mark_read(actor=user, message=message)
    return _message_out(selectors.message_get_for_user(user, message.pk))


@router.post(
    "/messages/{message_id}/reveal-number",
    response={200: RevealedPhoneOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Show a message's caller number in full",
    url_name="message_reveal_number",
    description="The caller's number in full, for the call back the message asks for (S2.3); for the "
    "message's recipients. The reveal is logged." + REVEAL_TEXT + ERRORS_TEXT,
)
def message_reveal_number(request, message_id: Id):
    user = request.user
    message = selectors.message_get_for_user(user, message_id)
    return revealed_phone("caller_number", message_services.message_reveal_number(actor=user, message=message))
