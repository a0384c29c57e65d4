"""API: who is calling (GET /me), the stores behind their wall (GET /stores), and the roster (S1.D1a): a
store's shifts (GET/POST /shifts) and who works which day (GET/PUT /roster)."""

import re
from datetime import date, datetime, time
from typing import Annotated, Literal

import pydantic
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from core.api_schemas import ERRORS_TEXT, WRITE_ERRORS, Id, StoreKey, StoreRef, store_ref
from core.validators import field_error

from . import selectors as roster_selectors
from .access import ROLE_RIGHTS, Right, require, role_of, store_from_ref, store_ids
from .choices import Role
from .models import Department, Shift, Store, User
from .services import roster as roster_services

router = Router(tags=["me"])


class StoreOut(Schema):
    id: int
    code: str
    name: str
    brand: str
    city: str
    active: bool


class TokenOut(Schema):
    key_prefix: str
    name: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    role: str | None
    role_label: str
    language: str
    rights: list[str]
    stores: list[StoreOut]
    token: TokenOut | None = None


def _stores(user):
    return Store.objects.filter(id__in=store_ids(user)).order_by("code")


@router.get("/me", response=MeOut, summary="Who is calling", url_name="me")
def me(request):
    """The person the token (or the signed-in session) acts as: their role, rights and stores.

    `token` names the API token used (its prefix and name), or is null for a browser session.
    """
    user = request.user
    role = role_of(user)
    token = getattr(request, "api_token", None)
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.name,
        "role": role,
        "role_label": str(Role(role).label) if role else "",
        "language": user.language,
        "rights": sorted(str(right) for right in ROLE_RIGHTS.get(role, ())) if role else [],
        "stores": list(_stores(user)),
        "token": {"key_prefix": token.key_prefix, "name": token.name} if token else None,
    }


@router.get("/stores", response=list[StoreOut], summary="My stores", url_name="store_list")
def store_list(request):
    """The stores whose records the caller may see, by code. Use a store's `code` (or `id`) where an
    endpoint asks for a store."""
    require(request.user, Right.VIEW)
    return list(_stores(request.user))


# --- The roster (S1.D1a): shifts and who works which day ------------------------------------------

ROSTER_TEXT = """

A day is `work` (on `shift`, or on the store's business hours when `shift` is null), `rest` (休),
`leave` (假), or `closed` (the store is closed and nobody is rostered). `rostered` says whether the roster
holds an entry for the day (false: the business-hours default)."""


class ShiftOut(Schema):
    id: int
    store: StoreRef
    name: str
    starts: str = Field(description="HH:MM (HH:MM:SS when it has seconds), the store's local time.")
    ends: str = Field(description="HH:MM; before `starts` for a shift that ends after midnight.")
    active: bool


TIME_PATTERN = r"^([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def _plain_time(value):
    """A time of day as HH:MM (or HH:MM:SS), without a time zone: a shift is in the store's own time."""
    if isinstance(value, str) and not re.fullmatch(TIME_PATTERN, value.strip()):
        raise ValueError("HH:MM")
    return value


ShiftTime = Annotated[
    time,
    pydantic.BeforeValidator(_plain_time),
    pydantic.WithJsonSchema({"type": "string", "pattern": TIME_PATTERN, "examples": ["08:00"]}),
]


class ShiftIn(Schema):
    store: StoreKey | None = Field(None, description="The store's code or id; without it, the caller's own store.")
    name: str = Field(max_length=30)
    starts: ShiftTime = Field(description="HH:MM, the store's local time.")
    ends: ShiftTime = Field(description="HH:MM; before `starts` for a shift that ends after midnight.")


class ShiftListQuery(Schema):
    store: StoreKey | None = Field(None, description="The store's code or id; without it, the caller's own store.")


class RosterQuery(Schema):
    store: StoreKey | None = Field(None, description="The store's code or id; without it, the caller's own store.")
    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="The month, YYYY-MM.")
    department: Id | None = Field(None, description="Only this department's people (staff: always their own).")


class RosterDayOut(Schema):
    date: date
    kind: str = Field(description="`work`, `rest`, `leave` or `closed`.")
    shift_id: int | None
    shift: str = Field(description="The shift's name; empty on the business hours or a day off.")
    starts: datetime | None
    ends: datetime | None
    rostered: bool


class RosterPersonOut(Schema):
    id: int
    name: str
    employee_no: str
    department_id: int | None
    days: list[RosterDayOut]


class RosterOut(Schema):
    store: StoreRef
    month: str
    people: list[RosterPersonOut]


class RosterEntryIn(Schema):
    person: Id
    date: date
    kind: Literal["work", "rest", "leave", "default"] = Field(
        description="`default` removes the entry: the person works the store's business hours."
    )
    shift: Id | None = Field(None, description="A shift of the store, on a `work` day only; null: business hours.")


class RosterPutIn(Schema):
    store: StoreKey | None = Field(None, description="The store's code or id; without it, the caller's own store.")
    entries: list[RosterEntryIn] = Field(max_length=2000)


class RosterPutOut(Schema):
    saved: int


def _time_text(value: time) -> str:
    """A shift's time as the store reads it, without a time zone (OpenAPI's "time" format would demand one)."""
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _shift_out(shift: Shift) -> dict:
    return {
        "id": shift.pk,
        "store": store_ref(shift.store),
        "name": shift.name,
        "starts": _time_text(shift.starts),
        "ends": _time_text(shift.ends),
        "active": shift.active,
    }


@router.get(
    "/shifts",
    response=list[ShiftOut],
    tags=["roster"],
    summary="A store's shifts",
    url_name="shift_list",
    description="The shifts of the store (in use first), as the roster names them (S1.D1a)." + ERRORS_TEXT,
)
def shift_list(request, query: Query[ShiftListQuery]):
    store = store_from_ref(request.user, query.store, right=Right.VIEW)
    return [_shift_out(shift) for shift in roster_selectors.store_shifts(store).select_related("store")]


@router.post(
    "/shifts",
    response={201: ShiftOut, **WRITE_ERRORS},
    tags=["roster"],
    summary="Add a shift",
    url_name="shift_create",
    description="Store managers and group admins. The name is unique in the store; a shift cannot end when it "
    "starts (an end before the start is past midnight)." + ERRORS_TEXT,
)
def shift_create(request, payload: ShiftIn):
    require(request.user, Right.MANAGE_STORE)
    store = store_from_ref(request.user, payload.store, right=Right.MANAGE_STORE)
    shift = roster_services.shift_create(
        actor=request.user, store=store, name=payload.name, starts=payload.starts, ends=payload.ends
    )
    return Status(201, _shift_out(shift))


@router.get(
    "/roster",
    response=RosterOut,
    tags=["roster"],
    summary="The roster of a month",
    url_name="roster_month",
    description="Each active person of the store (or the department) with every day of the month (S1.D1a). Staff "
    "see their own department's." + ROSTER_TEXT + ERRORS_TEXT,
)
def roster_month(request, query: Query[RosterQuery]):
    user = request.user
    store = store_from_ref(user, query.store, right=Right.VIEW)
    month = roster_services.parse_month(query.month)
    if month is None:
        raise field_error("month", _("Enter the month as YYYY-MM, for example 2026-12."))
    department = None
    if query.department is not None:
        department = Department.objects.filter(pk=query.department, store=store).first()
        if department is None:
            raise field_error("department", _("Choose a department of %(store)s.") % {"store": store.code})
    if role_of(user) == Role.STAFF:
        department = department or (user.department if user.store_id == store.pk else None)
        if department is None or department.pk != user.department_id:
            raise PermissionDenied
    days = roster_services.month_days(month)
    people = list(roster_selectors.roster_people(store, department))
    work = roster_selectors.work_days(store, people, days[0], days[-1])
    shift_ids = dict(roster_selectors.store_shifts(store).values_list("name", "pk"))
    return {
        "store": store_ref(store),
        "month": f"{month:%Y-%m}",
        "people": [
            {
                "id": person.pk,
                "name": person.name,
                "employee_no": person.employee_no or "",
                "department_id": person.department_id,
                "days": [
                    {
                        "date": day,
                        "kind": str(work[(person.pk, day)].kind),
                        "shift_id": shift_ids.get(work[(person.pk, day)].shift_name),
                        "shift": work[(person.pk, day)].shift_name,
                        "starts": work[(person.pk, day)].start,
                        "ends": work[(person.pk, day)].end,
                        "rostered": work[(person.pk, day)].rostered,
                    }
                    for day in days
                ],
            }
            for person in people
        ],
    }


@router.put(
    "/roster",
    response={200: RosterPutOut, **WRITE_ERRORS},
    tags=["roster"],
    summary="Set days of the roster",
    url_name="roster_set",
    description="A batch of days, all or nothing (S1.D1a): a department's supervisor sets their people's days, a "
    "store manager anyone's. A bad entry is a 422 naming it, `entries.<n>.<field>` (n from 0); then nothing is "
    "saved." + ERRORS_TEXT,
)
def roster_set(request, payload: RosterPutIn):
    require(request.user, Right.EDIT)
    store = store_from_ref(request.user, payload.store, right=Right.EDIT)
    people = {p.pk: p for p in User.objects.filter(pk__in={e.person for e in payload.entries})}
    shifts = {s.pk: s for s in Shift.objects.filter(pk__in={e.shift for e in payload.entries if e.shift})}
    entries = [
        roster_services.RosterEntry(
            person=people.get(e.person),
            day=e.date,
            kind=e.kind,
            # an unknown id is "not one of the store's shifts", like another store's
            shift=None if e.shift is None else shifts.get(e.shift, Shift(pk=e.shift, name=str(e.shift))),
        )
        for e in payload.entries
    ]
    saved = roster_services.roster_set_many(actor=request.user, store=store, entries=entries)
    return Status(200, {"saved": len(saved)})
