"""API: attendance imports and days (S1.D1a late arrival, early leave, missing punches).

`POST /attendance/batches` takes the rows of a clock-in export as JSON and is all or nothing: one bad row and
nothing is written, with a 422 entry per problem naming the row (`rows[3].clock_in`). The same access
functions and services as the pages: store managers and supervisors of the store import; another store's
batch is a 404.
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
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
    page_of,
    person_ref,
    store_ref,
)
from core.validators import field_error
from org.access import Right, store_from_ref

from ..choices import AttendanceSource, BatchState
from ..selectors import attendance as selectors
from ..services import attendance as services

router = Router(tags=["conduct"])

MAX_ROWS = 60_000


class AttendanceRowIn(Schema):
    model_config = ConfigDict(extra="forbid")

    employee_no: str = Field("", max_length=20, description="The person's employee number (工号); checked first.")
    name: str = Field("", max_length=50, description="Else the name, unique among the store's active staff.")
    date: str = Field(..., max_length=30, description="The day: 2026-11-03, 2026/11/3, 26-11-03 …")
    clock_in: str | None = Field(
        None, max_length=40, description='The clock-in: "08:52", "08:52:13", "2026-11-03 08:52"; empty if none.'
    )
    clock_out: str | None = Field(
        None, max_length=40, description='The clock-out, "18:05" or "次日 00:10" for after midnight; empty if none.'
    )


class AttendanceBatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    store: StoreKey | None = Field(None, description="The store's code or id; by default the caller's own.")
    source: AttendanceSource = AttendanceSource.OTHER
    file_name: str = Field("", max_length=200, description="What the rows came from, shown in the list of imports.")
    rows: list[AttendanceRowIn] = Field(..., max_length=MAX_ROWS)


class AttendanceBatchOut(Schema):
    id: int
    url: str
    web_url: str
    store: StoreRef
    source: AttendanceSource
    file_name: str
    state: BatchState
    uploaded_by: PersonRef | None
    created_at: datetime
    imported_at: datetime | None
    rows: int
    valid_rows: int
    days_written: int = Field(description="Days new or changed; a file imported again writes none.")
    drafts_made: int = Field(description="Draft discipline records made for the supervisors to confirm.")
    first_date: date | None
    last_date: date | None


class AttendanceErrorOut(Schema):
    row: int
    field: str
    reason: str


class AttendanceBatchDetailOut(AttendanceBatchOut):
    errors: list[AttendanceErrorOut]


class AttendanceBatchPageOut(PageOut):
    items: list[AttendanceBatchOut]


class AttendanceDayOut(Schema):
    id: int
    person: PersonRef
    date: date
    clock_in: datetime | None
    clock_out: datetime | None
    shift_start: datetime | None = Field(description="Null on a rest, leave or closed day: nothing is late then.")
    shift_end: datetime | None
    late_minutes: int
    early_minutes: int
    missing_punch: bool
    batch_id: int | None


class AttendanceDayPageOut(PageOut):
    items: list[AttendanceDayOut]


class AttendanceDayQuery(PageQuery):
    person: Id | None = None
    month: str = Field("", pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$", description="YYYY-MM, for example 2026-11.")


def _batch_out(b) -> dict:
    return {
        "id": b.pk,
        "url": reverse("api:attendance_batch_detail", kwargs={"batch_id": b.pk}),
        "web_url": reverse("conduct:attendance_batch", kwargs={"batch_pk": b.pk}),
        "store": store_ref(b.store),
        "source": b.source,
        "file_name": b.file_name,
        "state": b.state,
        "uploaded_by": person_ref(b.uploaded_by),
        "created_at": b.created_at,
        "imported_at": b.imported_at,
        "rows": b.rows,
        "valid_rows": b.valid_rows,
        "days_written": b.days_written,
        "drafts_made": b.drafts_made,
        "first_date": b.first_date,
        "last_date": b.last_date,
    }


def _day_out(d) -> dict:
    return {
        "id": d.pk,
        "person": person_ref(d.person),
        "date": d.date,
        "clock_in": d.clock_in,
        "clock_out": d.clock_out,
        "shift_start": d.shift_start,
        "shift_end": d.shift_end,
        "late_minutes": d.late_minutes,
        "early_minutes": d.early_minutes,
        "missing_punch": d.missing_punch,
        "batch_id": d.batch_id,
    }


@router.post(
    "/attendance/batches",
    url_name="attendance_batch_create",
    response={201: AttendanceBatchDetailOut, **WRITE_ERRORS},
    summary="Import attendance rows",
    description="S1.D1a: rows of a clock-in export, "
    '`{"store": "S001", "source": "dingtalk", "rows": [{"employee_no": "E1003", "date": "2026-11-03", '
    '"clock_in": "08:52", "clock_out": "18:05"}]}`. All or nothing: any bad row (unknown person, a person of '
    "another store, a bad date or time, clock-out before clock-in, the same person and day twice) is a 422 "
    "naming `rows[i].field`, nothing written. Each person-day is written once (the same rows again change "
    "nothing); late arrivals, early leaves and missing punches become draft records for the supervisors "
    "to confirm. Store managers and supervisors of the store only (403 otherwise)." + ERRORS_TEXT,
)
def attendance_batch_create(request, payload: AttendanceBatchIn):
    store = store_from_ref(request.user, payload.store, right=Right.VIEW)
    batch = services.attendance_import_rows(
        actor=request.user,
        store=store,
        rows=[row.model_dump() for row in payload.rows],
        source=payload.source,
        file_name=payload.file_name,
    )
    return Status(201, _batch_out(batch) | {"errors": batch.errors})


@router.get(
    "/attendance/batches",
    response={200: AttendanceBatchPageOut, 403: ErrorOut},
    url_name="attendance_batch_list",
    summary="List attendance imports",
    description="The imports of the caller's stores, newest first; `store` (code) narrows to one. Managers, "
    "supervisors and auditors." + ERRORS_TEXT,
)
def attendance_batch_list(request, query: Query[PageQuery]):
    if not selectors.may_see_attendance_imports(request.user):
        raise PermissionDenied
    qs = selectors.attendance_batch_list(request.user)
    if query.store:
        qs = qs.filter(store__code=query.store)
    return page_of(qs, query, _batch_out)


@router.get(
    "/attendance/batches/{batch_id}",
    response={200: AttendanceBatchDetailOut, 403: ErrorOut, 404: ErrorOut},
    url_name="attendance_batch_detail",
    summary="One attendance import",
    description="Its counts and its row errors." + ERRORS_TEXT,
)
def attendance_batch_detail(request, batch_id: Id):
    batch = selectors.attendance_batch_get_for_user(request.user, batch_id)
    return _batch_out(batch) | {"errors": batch.errors}


@router.get(
    "/attendance/days",
    response={200: AttendanceDayPageOut, 404: ErrorOut},
    url_name="attendance_day_list",
    summary="Attendance days",
    description="S1.D1a: who clocked in when, late or early or with a punch missing; newest first. `store` (code "
    "or id; by default the caller's own), `person`, `month` (YYYY-MM). Managers and auditors see everyone in "
    "their stores, a supervisor their departments' people, staff their own days." + ERRORS_TEXT,
)
def attendance_day_list(request, query: Query[AttendanceDayQuery]):
    store = store_from_ref(request.user, query.store or None, right=Right.VIEW)
    month = None
    if query.month:
        year, number = query.month.split("-")
        month = date(int(year), int(number), 1)
    if (
        query.person is not None
        and not selectors.attendance_people(request.user, store.pk).filter(pk=query.person).exists()
    ):
        raise field_error("person", _("Not found in the store."))
    qs = selectors.attendance_days(request.user, store_id=store.pk, person_id=query.person, month=month)
    return page_of(qs, query, _day_out)
