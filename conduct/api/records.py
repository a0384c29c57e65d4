"""API: discipline records (S1.D1a–c, S1.D3, S1.D4) — list, detail, record, acknowledge, contest, decide, and
confirm or dismiss a draft from attendance.

Thin endpoints: the same access function (conduct.selectors.records.discipline_get_for_user: a colleague's record or
another store's is a 404) and the same services as the pages. Service errors become 422 JSON naming the field.
"""

from datetime import datetime
from typing import Annotated

from django.urls import reverse
from django.utils.translation import gettext as _
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
    page_of,
    person_ref,
    store_ref,
)
from core.validators import field_error
from org.access import Right, require, store_from_ref, store_ids
from org.models import User

from ..choices import DisciplineKind, DisciplineSource, DisciplineState
from ..models import DisciplineRecord
from ..selectors import records as selectors
from ..services import discipline as services

router = Router(tags=["conduct"])


# --- Shapes --------------------------------------------------------------------------------------


class RecordItemOut(Schema):
    id: int
    url: str
    web_url: str
    store: StoreRef
    person: PersonRef
    kind: DisciplineKind
    rule_id: str = Field(description="The rule of the standards the incident breaks (S1.D1a … S1.D4).")
    state: DisciplineState
    source: DisciplineSource
    occurred_at: datetime
    minutes: int | None = Field(description="For a late arrival or early leave: how many minutes.")
    description: str


class RecordOut(RecordItemOut):
    recorded_by: PersonRef | None
    recorded_at: datetime | None
    answer_by: datetime | None = Field(description="The person acknowledges or contests the record by then.")
    answered_at: datetime | None
    contest_reason: str
    decided_by: PersonRef | None
    decided_at: datetime | None
    decision_reason: str = Field(description="Why the record was upheld or withdrawn, or the draft dismissed.")
    decision_due_at: datetime | None = Field(description="A contested record: when the store manager decides by.")
    attendance_day_id: int | None
    photo_url: str | None


class RecordPageOut(PageOut):
    items: list[RecordItemOut]


class RecordListQuery(PageQuery):
    person: Id | None = None
    department: Id | None = None
    kind: DisciplineKind | None = None
    state: DisciplineState | None = None
    month: str = Field("", max_length=7, description="A calendar month, YYYY-MM.")


class RecordIn(Schema):
    model_config = ConfigDict(extra="forbid")

    store: StoreKey | None = Field(None, description="The store's code or id; by default the person's store.")
    person: Id = Field(description="Whom the record is about (a person the caller supervises or manages).")
    kind: DisciplineKind
    occurred_at: datetime | None = Field(None, description="When it happened; now by default.")
    minutes: int | None = Field(None, description="Required for a late arrival or early leave, refused otherwise.")
    description: str = Field("", max_length=500, description="What was seen (required).")
    source: DisciplineSource = Field(DisciplineSource.MANUAL, description="`manual` or `spot_check`.")


class ReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=500, description="Required.")


class DecideIn(Schema):
    model_config = ConfigDict(extra="forbid")

    outcome: DisciplineState = Field(description="`upheld` or `withdrawn`.")
    reason: str = Field("", max_length=500, description="Required.")


def _item(r: DisciplineRecord) -> dict:
    return {
        "id": r.pk,
        "url": reverse("api:record_detail", kwargs={"record_id": r.pk}),
        "web_url": reverse("conduct:record_detail", kwargs={"record_pk": r.pk}),
        "store": store_ref(r.store),
        "person": person_ref(r.person),
        "kind": r.kind,
        "rule_id": r.rule_id,
        "state": r.state,
        "source": r.source,
        "occurred_at": r.occurred_at,
        "minutes": r.minutes,
        "description": r.description,
    }


def _detail(r: DisciplineRecord) -> dict:
    contested = r.state == DisciplineState.CONTESTED and r.promise_id
    return _item(r) | {
        "recorded_by": person_ref(r.recorded_by),
        "recorded_at": r.recorded_at,
        "answer_by": r.answer_by,
        "answered_at": r.answered_at,
        "contest_reason": r.contest_reason,
        "decided_by": person_ref(r.decided_by),
        "decided_at": r.decided_at,
        "decision_reason": r.decision_reason,
        "decision_due_at": r.promise.due_at if contested else None,
        "attendance_day_id": r.attendance_day_id,
        "photo_url": reverse("conduct:record_photo", kwargs={"record_pk": r.pk}) if r.photo else None,
    }


# --- Endpoints -----------------------------------------------------------------------------------


@router.get(
    "/conduct/records",
    response={200: RecordPageOut},
    url_name="record_list",
    summary="List discipline records",
    description="The records the caller may read, newest first: the person sees their own, a supervisor their "
    "departments' people, managers, auditors and group admins all of their stores. Filters: `person`, "
    "`department`, `kind`, `state`, `month` (YYYY-MM), `store` (code)." + ERRORS_TEXT,
)
def record_list(request, query: Query[RecordListQuery]):
    require(request.user, Right.VIEW)
    if query.month and selectors.month_bounds(query.month) is None:
        raise field_error("month", _("Give the month as YYYY-MM, for example 2026-11."))
    qs = selectors.discipline_list(
        request.user,
        person=query.person,
        department=query.department,
        kind=query.kind or "",
        state=query.state or "",
        month=query.month,
        store_code=query.store,
    )
    return page_of(qs, query, _item)


@router.post(
    "/conduct/records",
    url_name="record_create",
    response={201: RecordOut, **WRITE_ERRORS},
    summary="Record an incident",
    description="S1.D1a–c, S1.D3, S1.D4: by the person's supervisor, a store manager or a group admin. The rule "
    "follows from `kind`; `minutes` is required for `late` and `early_leave` and refused otherwise. The person is "
    "notified and may acknowledge or contest the record within the store's days." + ERRORS_TEXT,
)
def record_create(request, payload: RecordIn):
    user = request.user
    require(user, Right.EDIT)
    person = User.objects.filter(pk=payload.person).first()
    if payload.store is None and person is not None and person.store_id in store_ids(user):
        store = person.store
    else:
        store = store_from_ref(user, payload.store, right=Right.EDIT)
    if person is None or person.store_id != store.pk:
        raise field_error("person", _("Not found in the store."))
    record = services.discipline_record(
        actor=user,
        store=store,
        person=person,
        kind=payload.kind,
        occurred_at=payload.occurred_at,
        minutes=payload.minutes,
        description=payload.description,
        source=payload.source,
    )
    return Status(201, _detail(selectors.discipline_get_for_user(user, record.pk)))


@router.get(
    "/conduct/records/{record_id}",
    response={200: RecordOut, 404: ErrorOut},
    url_name="record_detail",
    summary="One discipline record",
    description="A colleague's record (not theirs, not of a department they supervise) is a 404." + ERRORS_TEXT,
)
def record_detail(request, record_id: Id):
    return _detail(selectors.discipline_get_for_user(request.user, record_id))


def _step(request, record_id, action):
    record = selectors.discipline_get_for_user(request.user, record_id, right=Right.EDIT)
    action(record)
    return _detail(selectors.discipline_get_for_user(request.user, record_id))


@router.post(
    "/conduct/records/{record_id}/acknowledge",
    url_name="record_acknowledge",
    response={200: RecordOut, **WRITE_ERRORS},
    summary="Acknowledge a record (the person)",
    description=ERRORS_TEXT,
)
def record_acknowledge(request, record_id: Id):
    return _step(request, record_id, lambda r: services.discipline_acknowledge(actor=request.user, record=r))


@router.post(
    "/conduct/records/{record_id}/contest",
    url_name="record_contest",
    response={200: RecordOut, **WRITE_ERRORS},
    summary="Contest a record (the person)",
    description='`{"reason": "…"}` (required), before `answer_by`; the store manager is to decide.' + ERRORS_TEXT,
)
def record_contest(request, record_id: Id, payload: Annotated[ReasonIn, BodyAfterWall(...)]):
    def act(record):
        body = after_wall(request, payload)
        services.discipline_contest(actor=request.user, record=record, reason=body.reason)

    return _step(request, record_id, act)


@router.post(
    "/conduct/records/{record_id}/decide",
    url_name="record_decide",
    response={200: RecordOut, **WRITE_ERRORS},
    summary="Decide a contested record (store manager)",
    description='`{"outcome": "upheld" | "withdrawn", "reason": "…"}`; a withdrawn record stays visible.' + ERRORS_TEXT,
)
def record_decide(request, record_id: Id, payload: Annotated[DecideIn, BodyAfterWall(...)]):
    def act(record):
        body = after_wall(request, payload)
        services.discipline_decide(actor=request.user, record=record, outcome=body.outcome, reason=body.reason)

    return _step(request, record_id, act)


@router.post(
    "/conduct/records/{record_id}/confirm",
    url_name="record_confirm",
    response={200: RecordOut, **WRITE_ERRORS},
    summary="Confirm a draft from attendance",
    description="S1.D1a: by the person's supervisor or a manager; the record counts and the person is notified."
    + ERRORS_TEXT,
)
def record_confirm(request, record_id: Id):
    return _step(request, record_id, lambda r: services.discipline_confirm(actor=request.user, record=r))


@router.post(
    "/conduct/records/{record_id}/dismiss",
    url_name="record_dismiss",
    response={200: RecordOut, **WRITE_ERRORS},
    summary="Dismiss a draft from attendance",
    description='`{"reason": "…"}` (required); the draft stays visible as dismissed.' + ERRORS_TEXT,
)
def record_dismiss(request, record_id: Id, payload: Annotated[ReasonIn, BodyAfterWall(...)]):
    def act(record):
        body = after_wall(request, payload)
        services.discipline_dismiss(actor=request.user, record=record, reason=body.reason)

    return _step(request, record_id, act)
