"""API: complaints — log, list, detail and each stage (S2.4, S2.6).

Thin endpoints: the store wall (org.access) first, then the same services as the web pages, so the
same validation applies. Service errors become 422 JSON through the handlers in aftersales/api.py.
"""

from datetime import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from core.api_schemas import (
    ERRORS_TEXT,
    REVEAL_TEXT,
    WRITE_ERRORS,
    BodyAfterWall,
    ErrorOut,
    Id,
    PageOut,
    PageQuery,
    RevealedPhoneOut,
    StoreKey,
    StoreRef,
    form_limit,
    one_of_store,
    page_of,
    revealed_phone,
    store_ref,
)
from core.api_schemas import after_wall as _after_wall
from core.validators import field_error, mask_phone
from org.access import Right, require, store_from_ref
from org.models import Department, User
from phone.models import Call

from . import selectors
from .choices import Channel, ComplaintState, ReplyChannel, Severity
from .forms import AnswerForm, ComplaintForm, FollowUpForm, ReopenForm, ReplyForm, VerificationRequestForm
from .models import Complaint
from .services import complaints, stages

router = Router(tags=["complaints"])


class VerificationOut(Schema):
    id: int
    department_id: int
    department: str
    question: str
    asked_at: datetime
    answer: str
    answered_at: datetime | None


class ComplaintItemOut(Schema):
    id: int
    url: str
    store: StoreRef
    number: str
    channel: Channel
    customer_name: str
    contact_phone_masked: str = Field(description="The contact number masked, 138****5678 (PIPL).")
    department_id: int
    severity: Severity
    state: ComplaintState
    logged_at: datetime
    reply_promised_at: datetime
    overdue: bool = Field(description="Not yet replied and past the time promised to the customer (S2.6).")


class ComplaintOut(ComplaintItemOut):
    call_id: int | None
    customer_id: int | None
    vehicle_involved: bool
    vehicle_model: str
    plate: str
    staff_involved_id: int | None
    staff_unknown: bool
    happened_at: datetime
    place: str
    course: str
    customer_wants: str
    acknowledged_at: datetime | None
    ack_minutes: float | None = Field(description="Minutes from logging to acknowledgement (S2.6).")
    reply_at: datetime | None
    reply_channel: str
    reply_text: str
    reply_on_time: bool | None
    satisfaction_score: int | None
    satisfaction_comment: str
    followup_attempts: int
    unreachable: bool
    closed_at: datetime | None
    reopened_count: int
    reopen_reason: str
    verifications: list[VerificationOut]


class ComplaintPageOut(PageOut):
    items: list[ComplaintItemOut]


class ComplaintListQuery(PageQuery):
    state: ComplaintState | None = None
    severity: Severity | None = None
    department: Id | None = None
    overdue: bool = False


class ComplaintIn(Schema):
    model_config = ConfigDict(extra="forbid")

    store: StoreKey | None = Field(None, description="The store's code or id; needed only for several stores.")
    call: Id | None = Field(None, description="The phone call the complaint came in on.")
    customer: Id | None = None
    vehicle: Id | None = None
    channel: Channel = Channel.PHONE
    customer_name: str = Field("", max_length=form_limit(ComplaintForm, "customer_name"))
    contact_phone: str = Field("", max_length=form_limit(ComplaintForm, "contact_phone"))
    vehicle_involved: bool = True
    vehicle_model: str = Field("", max_length=form_limit(ComplaintForm, "vehicle_model"))
    plate: str = Field("", max_length=form_limit(ComplaintForm, "plate"))
    department: Id | None = None
    staff_involved: Id | None = None
    staff_unknown: bool = False
    happened_at: datetime | None = None
    place: str = Field("", max_length=form_limit(ComplaintForm, "place"))
    course: str = Field("", max_length=form_limit(ComplaintForm, "course"))
    customer_wants: str = Field("", max_length=form_limit(ComplaintForm, "customer_wants"))
    severity: Severity | None = None
    reply_promised_at: datetime | None = Field(None, description="S2.6: the reply time promised to the customer.")


class VerificationIn(Schema):
    model_config = ConfigDict(extra="forbid")
    departments: list[Id] = Field(default_factory=list, max_length=50)
    question: str = Field("", max_length=form_limit(VerificationRequestForm, "question"))


class VerificationAnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")
    answer: str = Field("", max_length=form_limit(AnswerForm, "answer"))


class ComplaintReplyIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reply_channel: ReplyChannel
    reply_text: str = Field("", max_length=form_limit(ReplyForm, "reply_text"))


class ComplaintFollowUpIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reached: bool
    satisfaction_score: int | None = None
    satisfaction_comment: str = Field("", max_length=form_limit(FollowUpForm, "satisfaction_comment"))


class ComplaintReopenIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field("", max_length=form_limit(ReopenForm, "reason"))
    reply_promised_at: datetime | None = None


def _item(c: Complaint) -> dict:
    return {
        "id": c.pk,
        "url": reverse("api:complaint_detail", kwargs={"complaint_id": c.pk}),
        "store": store_ref(c.store),
        "number": c.number,
        "channel": c.channel,
        "customer_name": c.customer_name,
        "contact_phone_masked": mask_phone(c.contact_phone),
        "department_id": c.department_id,
        "severity": c.severity,
        "state": c.state,
        "logged_at": c.logged_at,
        "reply_promised_at": c.reply_promised_at,
        "overdue": c.is_overdue() and c.state != ComplaintState.CLOSED,
    }


def _detail(c: Complaint) -> dict:
    fields = [
        "call_id", "customer_id", "vehicle_involved", "vehicle_model", "plate", "staff_involved_id", "staff_unknown",
        "happened_at", "place", "course", "customer_wants", "acknowledged_at", "ack_minutes", "reply_at",
        "reply_channel", "reply_text", "reply_on_time", "satisfaction_score", "satisfaction_comment",
        "followup_attempts", "unreachable", "closed_at", "reopened_count", "reopen_reason",
    ]  # fmt: skip
    out = _item(c) | {f: getattr(c, f) for f in fields}
    out["verifications"] = [
        {
            "id": v.pk,
            "department_id": v.department_id,
            "department": v.department.name,
            "question": v.question,
            "asked_at": v.asked_at,
            "answer": v.answer,
            "answered_at": v.answered_at,
        }
        for v in c.verifications.select_related("department")
    ]
    return out


@router.post(
    "/complaints",
    response={201: ComplaintOut, **WRITE_ERRORS},
    url_name="complaint_create",
    summary="Log a complaint",
    description="S2.4, S2.6: every required fact; the reply time promised to the customer is required. "
    "The department's supervisors and the store managers are notified at once." + ERRORS_TEXT,
)
def complaint_create(request, payload: ComplaintIn):
    require(request.user, Right.EDIT)
    store = store_from_ref(request.user, payload.store, right=Right.EDIT, default_own=False)
    from customers.models import Customer, Vehicle

    data = payload.dict(exclude={"store", "call", "customer", "vehicle"})
    data["department"] = one_of_store(Department, payload.department, store, "department")
    data["staff_involved"] = one_of_store(User, payload.staff_involved, store, "staff_involved")
    call = one_of_store(Call, payload.call, store, "call")
    customer = one_of_store(Customer, payload.customer, store, "customer")
    vehicle = one_of_store(Vehicle, payload.vehicle, store, "vehicle")
    complaint = complaints.complaint_log(
        actor=request.user, store=store, call=call, customer=customer, vehicle=vehicle, **data
    )
    return Status(201, _detail(selectors.complaint_get_for_user(request.user, complaint.pk)))


@router.get(
    "/complaints",
    url_name="complaint_list",
    response={200: ComplaintPageOut},
    summary="List complaints",
    description="Paged, newest first; filters: state, severity, department, overdue." + ERRORS_TEXT,
)
def complaint_list(request, query: Query[ComplaintListQuery]):
    require(request.user, Right.VIEW)
    qs = selectors.complaint_list(
        request.user,
        state=query.state or "",
        severity=query.severity or "",
        department=query.department or "",
        overdue=query.overdue,
        store_code=query.store,
    )
    return page_of(qs, query, _item)


@router.get(
    "/complaints/{complaint_id}",
    response={200: ComplaintOut, 404: ErrorOut},
    url_name="complaint_detail",
    summary="One complaint with its stages",
    description="One complaint of the caller's stores: the facts recorded (S2.4), every stage with its time "
    "and person, the verifications and the promised reply time (S2.6)." + ERRORS_TEXT,
)
def complaint_detail(request, complaint_id: Id):
    return _detail(selectors.complaint_get_for_user(request.user, complaint_id))


@router.post(
    "/complaints/{complaint_id}/reveal-phone",
    response={200: RevealedPhoneOut, **WRITE_ERRORS},
    url_name="complaint_reveal_phone",
    summary="Show the contact phone in full",
    description="The complaint's contact phone in full, to reply to the customer (S2.6); logged in the "
    "personal-data log like a customer's number." + REVEAL_TEXT + ERRORS_TEXT,
)
def complaint_reveal_phone(request, complaint_id: Id):
    complaint = selectors.complaint_get_for_user(request.user, complaint_id, right=Right.REVEAL_PHONE)
    return revealed_phone("contact_phone", complaints.complaint_reveal_phone(actor=request.user, complaint=complaint))


def _stage(request, complaint_id, action):
    complaint = selectors.complaint_get_for_user(request.user, complaint_id, right=Right.EDIT)
    action(complaint)
    return _detail(selectors.complaint_get_for_user(request.user, complaint_id))


@router.post(
    "/complaints/{complaint_id}/acknowledge",
    url_name="complaint_acknowledge",
    response={200: ComplaintOut, **WRITE_ERRORS},
    summary="Acknowledge (supervisor or duty manager)",
    description="S2.6: the minutes from logging are measured." + ERRORS_TEXT,
)
def complaint_acknowledge(request, complaint_id: Id):
    return _stage(request, complaint_id, lambda c: stages.complaint_acknowledge(actor=request.user, complaint=c))


@router.post(
    "/complaints/{complaint_id}/verifications",
    url_name="complaint_verify",
    response={200: ComplaintOut, **WRITE_ERRORS},
    summary="Ask departments to verify",
    description='Body: `{"departments": [id, …], "question": "…"}`.' + ERRORS_TEXT,
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": VerificationIn.model_json_schema()}}}},
)
def complaint_verify(request, complaint_id: Id):
    # The body is read after the store wall so that another store's complaint is a 404 whatever is sent.
    def act(c):
        try:
            body = VerificationIn.model_validate_json(request.body or b"{}")
        except ValueError:
            raise ValidationError(
                {"departments": [ValidationError(_("Send departments (ids) and question as JSON."), code="invalid")]}
            ) from None
        departments = list(Department.objects.filter(pk__in=body.departments, store_id=c.store_id))
        if len(departments) != len(set(body.departments)):
            raise field_error("departments", _("Not found in the store."))
        stages.verification_request(actor=request.user, complaint=c, departments=departments, question=body.question)

    return _stage(request, complaint_id, act)


@router.post(
    "/complaints/{complaint_id}/verifications/{verification_id}/answer",
    url_name="verification_answer",
    response={200: ComplaintOut, **WRITE_ERRORS},
    summary="Answer a verification (the asked department)",
    description=ERRORS_TEXT,
)
def verification_answer(
    request, complaint_id: int, verification_id: int, payload: Annotated[VerificationAnswerIn, BodyAfterWall(...)]
):
    verification = selectors.verification_get_for_user(
        request.user, verification_id, right=Right.EDIT, complaint_pk=complaint_id
    )
    payload = _after_wall(request, payload)
    stages.verification_answer(actor=request.user, verification=verification, answer=payload.answer)
    return _detail(selectors.complaint_get_for_user(request.user, complaint_id))


@router.post(
    "/complaints/{complaint_id}/reply",
    url_name="complaint_reply",
    response={200: ComplaintOut, **WRITE_ERRORS},
    summary="Record the reply given to the customer",
    description="S2.6: kept on time or late against the time promised." + ERRORS_TEXT,
)
def complaint_reply(request, complaint_id: Id, payload: Annotated[ComplaintReplyIn, BodyAfterWall(...)]):
    def act(c):
        body = _after_wall(request, payload)
        stages.complaint_reply(actor=request.user, complaint=c, channel=body.reply_channel, text=body.reply_text)

    return _stage(request, complaint_id, act)


@router.post(
    "/complaints/{complaint_id}/follow-up",
    url_name="complaint_followup",
    response={200: ComplaintOut, **WRITE_ERRORS},
    summary="Record the satisfaction follow-up",
    description="A score 1–5 and comment, or `reached: false` for a try without reaching the customer; "
    "after three tries the customer is marked unreachable." + ERRORS_TEXT,
)
def complaint_followup(request, complaint_id: Id, payload: Annotated[ComplaintFollowUpIn, BodyAfterWall(...)]):
    def act(c):
        body = _after_wall(request, payload)
        stages.complaint_followup(
            actor=request.user,
            complaint=c,
            reached=body.reached,
            score=body.satisfaction_score,
            comment=body.satisfaction_comment,
        )

    return _stage(request, complaint_id, act)


@router.post(
    "/complaints/{complaint_id}/close",
    url_name="complaint_close",
    response={200: ComplaintOut, **WRITE_ERRORS},
    summary="Close (needs a recorded reply)",
    description=ERRORS_TEXT,
)
def complaint_close(request, complaint_id: Id):
    return _stage(request, complaint_id, lambda c: stages.complaint_close(actor=request.user, complaint=c))


@router.post(
    "/complaints/{complaint_id}/reopen",
    url_name="complaint_reopen",
    response={200: ComplaintOut, **WRITE_ERRORS},
    summary="Reopen with a reason and a new reply time",
    description=ERRORS_TEXT,
)
def complaint_reopen(request, complaint_id: Id, payload: Annotated[ComplaintReopenIn, BodyAfterWall(...)]):
    def act(c):
        body = _after_wall(request, payload)
        stages.complaint_reopen(
            actor=request.user, complaint=c, reason=body.reason, reply_promised_at=body.reply_promised_at
        )

    return _stage(request, complaint_id, act)
