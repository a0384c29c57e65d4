"""The checks API: rounds and their results, corrective actions (S4.6–S4.10), behind the store wall.

Thin endpoints: the store wall first (checks.selectors), then the same services as the pages, so the
same validation applies; a service's error is a 422 naming the field. An item's problem is named
``results.<result id>.<field>`` (``passed``, ``value``, ``comment``, ``photo``).

Photos: a round's answers are JSON; the photo of an item (needed when an item with the photo rule
fails) is uploaded first, as ``multipart/form-data`` with the file in ``photo``, to
``POST /checks/rounds/{round_id}/results/{result_id}/photo``; then the round is submitted.
Closing a corrective action is ``multipart/form-data`` too (``note``, optional ``photo``).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, WithJsonSchema

from core.api_schemas import (
    ERRORS_TEXT,
    WRITE_ERRORS,
    BodyAfterWall,
    ErrorOut,
    Id,
    PageOut,
    PageQuery,
    StoreRef,
    page_of,
    store_ref,
)
from core.api_schemas import after_wall as _after_wall
from core.images import photo_response
from core.validators import field_error, text_max_length
from org.access import Right, require, store_ids
from org.models import User

from . import selectors
from .choices import ActionState, ItemKind, Purpose, RoundState
from .models import CorrectiveAction, Round, RoundResult, RoundSubject
from .services import actions, people, rounds

router = Router(tags=["checks"])


# --- Shapes --------------------------------------------------------------------------------------


class ActionOut(Schema):
    id: int
    store: StoreRef
    round_id: int
    result_id: int
    rule_id: str = Field(description="The standard's rule the failed item checks, e.g. S4.7.")
    description: str
    state: ActionState
    owner_id: int | None = Field(description="The person who puts it right; null when it is a department's desk.")
    owner_department_id: int | None
    due_at: datetime | None = Field(description="When it is to be put right (the corrective action's clock).")
    promise_state: str | None
    created_at: datetime
    done_at: datetime | None
    done_by_id: int | None
    done_note: str
    has_photo: bool = Field(description="A photo after was taken: GET /checks/actions/{id}/photo.")


class ActionPageOut(PageOut):
    items: list[ActionOut]


class ResultOut(Schema):
    id: int
    position: int
    text: str = Field(description="What was checked, as the template said it when the round started.")
    rule_id: str
    kind: ItemKind
    min_value: float | None
    max_value: float | None
    unit: str
    photo_on_fail: bool
    passed: bool | None
    value: float | None
    comment: str
    has_photo: bool = Field(
        description="A photo is attached: GET …/results/{result_id}/photo. In a check of people (S6, S1.D3) only "
        "for the person, their supervisors and the managers: false for everyone else."
    )
    photo_deleted: bool = Field(description="A photo of a person was deleted after the store's retention period.")
    subject_id: int | None = Field(description="In a check of people: the person whose item this is.")
    action_id: int | None = Field(description="The corrective action of a failed item.")


class SubjectOut(Schema):
    id: int
    person_id: int
    name: str
    absent: bool = Field(description="Not checked: on a rest day, on leave, or marked absent by the checker.")
    absence: str = Field(description="Why the person is not checked.")
    checked_at: datetime | None = Field(description="When the person's items were answered.")
    failed_count: int


class SubjectAnswersIn(Schema):
    model_config = ConfigDict(extra="forbid")

    results: list["AnswerIn"] = Field(max_length=100, description="One answer for each item of the person.")


class AbsentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=100, description="Why the person is not checked (required).")


class SubjectAddIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person: Id = Field(description="The person (id) on duty that day, added to the check or checked after all.")


class RoundItemOut(Schema):
    id: int
    url: str
    web_url: str
    store: StoreRef
    area_id: int | None
    area: str
    template_name: str
    purpose: Purpose
    scheduled_for: datetime | None = Field(description="The slot; null for an extra round outside the schedule.")
    due_at: datetime | None
    state: RoundState
    started_at: datetime | None
    submitted_at: datetime | None
    submitted_by_id: int | None
    on_time: bool | None = Field(description="Submitted by its due time; null for an extra round.")
    item_count: int
    failed_count: int
    score: float | None = Field(description="Percent of items passed.")


class RoundOut(RoundItemOut):
    results: list[ResultOut]
    subjects: list[SubjectOut] = Field(
        description="A check of people (grooming S6.1–S6.4, desk S1.D3): the people on the list; empty otherwise."
    )


class RoundPageOut(PageOut):
    items: list[RoundItemOut]


class RoundListQuery(PageQuery):
    area: Id | None = Field(None, description="Only this area (id).")
    state: RoundState | None = None
    date_from: date | None = Field(None, description="Rounds of this day or later (slot, or start of an extra round).")
    date_to: date | None = Field(None, description="Rounds of this day or earlier.")


class ActionListQuery(PageQuery):
    state: ActionState | None = None


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    result: Id = Field(description="The item's id in the round (results[].id of GET /checks/rounds/{round_id}).")
    passed: bool | None = Field(None, description="Pass-or-fail items: true or false. Ignored for measured items.")
    value: Annotated[Decimal, WithJsonSchema({"type": "number"})] | None = Field(
        None,
        max_digits=RoundResult._meta.get_field("value").max_digits,
        decimal_places=RoundResult._meta.get_field("value").decimal_places,
        allow_inf_nan=False,
        description="Measured items: the value; outside the item's limits the item fails (S4.7: ≤ 2 butts).",
    )
    comment: str = Field("", max_length=300)


class SubmitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    results: list[AnswerIn] = Field(max_length=500, description="One answer for every item of the round.")
    action_owner: Id | None = Field(
        None, description="The person who puts failed items right (id); by default the area's department desk."
    )


# The answers are read after the store wall: another store's round is 404 whatever the body says.
SUBMIT_BODY = BodyAfterWall(...)


# --- Output --------------------------------------------------------------------------------------


def _num(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _round_item(r: Round) -> dict:
    return {
        "id": r.pk,
        "url": reverse("api:round_detail", kwargs={"round_id": r.pk}),
        "web_url": reverse("checks:round_detail", kwargs={"round_pk": r.pk}),
        "store": store_ref(r.store),
        "area_id": r.area_id,
        "area": r.area.name if r.area_id else "",
        "template_name": r.template_name,
        "purpose": r.purpose,
        "scheduled_for": r.scheduled_for,
        "due_at": r.due_at,
        "state": r.state,
        "started_at": r.started_at,
        "submitted_at": r.submitted_at,
        "submitted_by_id": r.submitted_by_id,
        "on_time": r.on_time,
        "item_count": r.item_count,
        "failed_count": r.failed_count,
        "score": _num(r.score),
    }


def _result(res: RoundResult, user=None) -> dict:
    action = getattr(res, "action", None) if res.passed is False else None
    visible = user is None or selectors.may_see_person(user, res.subject_id, res.store_id)
    return {
        "id": res.pk,
        "position": res.position,
        "text": res.text,
        "rule_id": res.rule_id,
        "kind": res.kind,
        "min_value": _num(res.min_value),
        "max_value": _num(res.max_value),
        "unit": res.unit,
        "photo_on_fail": res.photo_on_fail,
        "passed": res.passed,
        "value": _num(res.value),
        "comment": res.comment,
        "has_photo": bool(res.photo) and visible,
        "photo_deleted": res.photo_deleted_at is not None,
        "subject_id": res.subject_id,
        "action_id": action.pk if action is not None else None,
    }


def _round_out(request, round_id: Id) -> dict:
    r = selectors.round_get_for_user(request.user, round_id)
    return _round_item(r) | {
        "results": [_result(res, request.user) for res in selectors.round_results(r)],
        "subjects": [_subject(s) for s in r.subjects.select_related("person").order_by("position", "id")],
    }


def _subject(s) -> dict:
    return {
        "id": s.pk,
        "person_id": s.person_id,
        "name": s.person.name,
        "absent": s.absent,
        "absence": s.absence,
        "checked_at": s.checked_at,
        "failed_count": s.failed_count,
    }


def _action(a: CorrectiveAction, user=None) -> dict:
    visible = user is None or selectors.may_see_person(user, a.result.subject_id, a.store_id)
    return {
        "id": a.pk,
        "store": store_ref(a.store),
        "round_id": a.result.round_id,
        "result_id": a.result_id,
        "rule_id": a.result.rule_id,
        "description": a.description,
        "state": a.state,
        "owner_id": a.owner_id,
        "owner_department_id": a.owner_department_id,
        "due_at": a.promise.due_at if a.promise_id else None,
        "promise_state": a.promise.state if a.promise_id else None,
        "created_at": a.created_at,
        "done_at": a.done_at,
        "done_by_id": a.done_by_id,
        "done_note": a.done_note,
        "has_photo": bool(a.photo) and visible,
    }


# --- Rounds --------------------------------------------------------------------------------------


@router.get(
    "/checks/rounds",
    url_name="round_list",
    response={200: RoundPageOut},
    summary="List rounds",
    description="Rounds of the caller's stores (hygiene rounds, S4.6–S4.10), newest first; filters: area, "
    "state, date_from, date_to, store." + ERRORS_TEXT,
)
def round_list(request, query: Query[RoundListQuery]):
    require(request.user, Right.VIEW)
    qs = selectors.round_list(
        request.user,
        area=query.area or "",
        state=query.state or "",
        date_from=query.date_from,
        date_to=query.date_to,
        store_code=query.store,
    )
    return page_of(qs, query, _round_item)


@router.get(
    "/checks/rounds/{round_id}",
    url_name="round_detail",
    response={200: RoundOut, 404: ErrorOut},
    summary="One round with its results",
    description="The round's items as they were when it started (a later change of the template does not "
    "change them), each answer, and the corrective action of each failed item." + ERRORS_TEXT,
)
def round_detail(request, round_id: Id):
    return _round_out(request, round_id)


@router.post(
    "/checks/rounds/{round_id}/start",
    url_name="round_start",
    response={200: RoundOut, **WRITE_ERRORS},
    summary="Start a scheduled round",
    description="Copies the template's items into the round's results (the snapshot the answers refer to). "
    "Starting a started round changes nothing." + ERRORS_TEXT,
)
def round_start(request, round_id: Id):
    r = selectors.round_get_for_user(request.user, round_id, right=Right.EDIT)
    rounds.round_start(actor=request.user, round=r)
    return _round_out(request, round_id)


@router.post(
    "/checks/areas/{area_id}/rounds",
    url_name="round_start_adhoc",
    response={201: RoundOut, **WRITE_ERRORS},
    summary="Start an extra round of an area",
    description="An extra round outside the schedule, started at once (supervisors and managers); it has no "
    "clock." + ERRORS_TEXT,
)
def round_adhoc(request, area_id: Id):
    area = selectors.area_get_for_user(request.user, area_id, right=Right.EDIT)
    r = rounds.round_start_adhoc(actor=request.user, area=area)
    return Status(201, _round_out(request, r.pk))


@router.post(
    "/checks/rounds/{round_id}/results/{result_id}/photo",
    url_name="result_photo_upload",
    response={200: ResultOut, **WRITE_ERRORS},
    summary="Upload an item's photo",
    description="`multipart/form-data` with the image in `photo` (JPEG, PNG, WebP or GIF; it is checked, scaled "
    "down and stored as JPEG without its metadata). Only while the round is being done." + ERRORS_TEXT,
)
def result_photo_upload(request, round_id: Id, result_id: Id, photo: File[UploadedFile] = None):
    result = selectors.result_get_for_user(request.user, result_id, right=Right.EDIT, round_pk=round_id)
    if photo is None:
        raise field_error("photo", _("Take or choose a photo."), code="required")
    result = rounds.result_photo_set(actor=request.user, result=result, photo=photo)
    return _result(result, request.user)


@router.get(
    "/checks/rounds/{round_id}/results/{result_id}/photo",
    url_name="result_photo",
    response={404: ErrorOut},
    summary="An item's photo (JPEG)",
    description=ERRORS_TEXT,
)
def result_photo(request, round_id: Id, result_id: Id):
    return photo_response(selectors.result_photo_get_for_user(request.user, result_id, round_pk=round_id))


@router.post(
    "/checks/rounds/{round_id}/submit",
    url_name="round_submit",
    response={200: RoundOut, **WRITE_ERRORS},
    summary="Submit a round's answers",
    description="Every item answered: `passed` for pass-or-fail items, `value` for measured ones (outside the "
    "limits fails). A failed item with the photo rule needs its photo uploaded first. The round is scored "
    "(percent passed), marked on time or late, and each failed item becomes a corrective action with an owner "
    "and a clock. Nothing is saved unless everything is valid." + ERRORS_TEXT,
)
def round_submit(request, round_id: Id, payload: SubmitIn = SUBMIT_BODY):
    r = selectors.round_get_for_user(request.user, round_id, right=Right.EDIT)
    body = _after_wall(request, payload)
    ids = [a.result for a in body.results]
    if len(ids) != len(set(ids)):
        raise field_error("results", _("Each item is answered once only."), code="duplicate")
    owner = None
    if body.action_owner is not None:
        owner = User.objects.filter(pk=body.action_owner, is_active=True).first()
        if owner is None:
            raise field_error("action_owner", _("The person putting failed items right must work in the store."))
    answers = {a.result: rounds.Answer(passed=a.passed, value=a.value, comment=a.comment) for a in body.results}
    rounds.round_submit(actor=request.user, round=r, answers=answers, action_owner=owner)
    return _round_out(request, round_id)


# --- Corrective actions --------------------------------------------------------------------------


@router.get(
    "/checks/actions",
    url_name="action_list",
    response={200: ActionPageOut},
    summary="List corrective actions",
    description="Failed items to put right, open ones first; filter: state, store." + ERRORS_TEXT,
)
def action_list(request, query: Query[ActionListQuery]):
    require(request.user, Right.VIEW)
    qs = selectors.action_list(request.user, state=query.state or "", store_code=query.store)
    return page_of(qs, query, lambda a: _action(a, request.user))


@router.post(
    "/checks/actions/{action_id}/close",
    url_name="action_close",
    response={200: ActionOut, **WRITE_ERRORS},
    summary="Close a corrective action",
    description="`multipart/form-data`: `note` (what was done, required) and an optional `photo` after. The "
    "action's clock is kept (on time or late)." + ERRORS_TEXT,
)
def action_close(
    request,
    action_id: Id,
    note: Annotated[str, Form(max_length=text_max_length(CorrectiveAction, "done_note"))] = "",
    photo: File[UploadedFile] = None,
):
    action = selectors.action_get_for_user(request.user, action_id, right=Right.EDIT)
    actions.action_close(actor=request.user, action=action, note=note, photo=photo)
    return _action(selectors.action_get_for_user(request.user, action_id), request.user)


@router.post(
    "/checks/actions/{action_id}/confirm",
    url_name="action_confirm",
    response={200: ActionOut, **WRITE_ERRORS},
    summary="Confirm a correction of a person checked",
    description="A failed item of a check of people (grooming S6.1–S6.4, desk S1.D3) put right: confirmed by the "
    "checker, the person's supervisor or a manager, never the person. `multipart/form-data`: optional `note` and "
    "`photo` (a second photo). The correction's clock is kept (on time or late)." + ERRORS_TEXT,
)
def action_confirm(
    request,
    action_id: Id,
    note: Annotated[str, Form(max_length=text_max_length(CorrectiveAction, "done_note"))] = "",
    photo: File[UploadedFile] = None,
):
    action = selectors.action_get_for_user(request.user, action_id, right=Right.EDIT)
    actions.correction_confirm(actor=request.user, action=action, note=note, photo=photo)
    return _action(selectors.action_get_for_user(request.user, action_id), request.user)


@router.get(
    "/checks/actions/{action_id}/photo",
    url_name="action_photo",
    response={404: ErrorOut},
    summary="A corrective action's photo after (JPEG)",
    description=ERRORS_TEXT,
)
def action_photo(request, action_id: Id):
    return photo_response(selectors.action_photo_get_for_user(request.user, action_id))


# --- Checks of people (S6.1–S6.4 grooming, S1.D3 desk) --------------------------------------------

SUBJECT_BODY = BodyAfterWall(...)
ABSENT_BODY = BodyAfterWall(...)
ADD_BODY = BodyAfterWall(...)


def _round_subject(request, round_id: Id, subject_id: Id):
    """The round (being done, by someone who may) and one of its people; another round's person is a 404."""
    r = selectors.round_get_for_user(request.user, round_id, right=Right.EDIT)
    subject = RoundSubject.objects.select_related("person").filter(round=r, pk=subject_id).first()
    if subject is None:
        raise Http404
    return r, subject


@router.post(
    "/checks/rounds/{round_id}/people/{subject_id}/answers",
    url_name="subject_answer",
    response={200: RoundOut, **WRITE_ERRORS},
    summary="Answer one person's items",
    description="Every item of the person: `passed` (or `value` for a measured item) and a `comment`; a failed "
    "item needs a note (`comment`) or a photo uploaded first — either is enough. Can be answered again until "
    "the round is submitted; the round is submitted with POST …/submit once every present person is checked."
    + ERRORS_TEXT,
)
def subject_answer(request, round_id: Id, subject_id: Id, payload: SubjectAnswersIn = SUBJECT_BODY):
    r, subject = _round_subject(request, round_id, subject_id)
    body = _after_wall(request, payload)
    ids = [a.result for a in body.results]
    if len(ids) != len(set(ids)):
        raise field_error("results", _("Each item is answered once only."), code="duplicate")
    answers = {a.result: rounds.Answer(passed=a.passed, value=a.value, comment=a.comment) for a in body.results}
    people.subject_answer(actor=request.user, round=r, subject=subject, answers=answers)
    return _round_out(request, round_id)


@router.post(
    "/checks/rounds/{round_id}/people/{subject_id}/all-pass",
    url_name="subject_all_pass",
    response={200: RoundOut, **WRITE_ERRORS},
    summary="Every item of one person passed",
    description="One tap for a person whose items all pass (S6.1–S6.4)." + ERRORS_TEXT,
)
def subject_all_pass(request, round_id: Id, subject_id: Id):
    r, subject = _round_subject(request, round_id, subject_id)
    people.subject_all_pass(actor=request.user, round=r, subject=subject)
    return _round_out(request, round_id)


@router.post(
    "/checks/rounds/{round_id}/people/{subject_id}/absent",
    url_name="subject_absent",
    response={200: RoundOut, **WRITE_ERRORS},
    summary="Mark a person absent",
    description="The person is not checked; `reason` is required. Their items are taken off the round." + ERRORS_TEXT,
)
def subject_absent(request, round_id: Id, subject_id: Id, payload: AbsentIn = ABSENT_BODY):
    r, subject = _round_subject(request, round_id, subject_id)
    body = _after_wall(request, payload)
    people.subject_absent(actor=request.user, round=r, subject=subject, reason=body.reason)
    return _round_out(request, round_id)


@router.post(
    "/checks/rounds/{round_id}/people",
    url_name="subject_add",
    response={200: RoundOut, **WRITE_ERRORS},
    summary="Add a person on duty to a check",
    description="A person of the store on duty that day (from the roster) is added with the round's items; a "
    "person marked absent is checked after all." + ERRORS_TEXT,
)
def subject_add(request, round_id: Id, payload: SubjectAddIn = ADD_BODY):
    r = selectors.round_get_for_user(request.user, round_id, right=Right.EDIT)
    body = _after_wall(request, payload)
    person = User.objects.filter(pk=body.person).first()
    if person is None or r.store_id not in store_ids(person):
        raise field_error("person", _("Choose a person who works in the store."))
    people.subject_add(actor=request.user, round=r, person=person)
    return _round_out(request, round_id)
