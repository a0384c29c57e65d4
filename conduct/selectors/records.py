"""Reads of discipline records (S1.D1a–c, S1.D3, S1.D4): who sees a record, who may act on it, the lists.

A discipline record is personal: it is seen by the person, their supervisors, the store's managers, auditors
and the group's administrators — never by a colleague (another member of staff, a supervisor of another
department), for whom it does not exist (404).
"""

from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.validators import parse_id
from org.access import Right, get_for_user, has_right, may_act_on, role_of, store_ids, supervised_department_ids
from org.choices import Role
from org.models import User
from org.selectors import ROLE_RANK

from ..choices import DisciplineState
from ..models import DisciplineRecord

# Roles that see every record of their stores; a supervisor sees their departments' people; staff their own.
SEES_ALL = (Role.GROUP_ADMIN, Role.STORE_MANAGER, Role.AUDITOR)
# Roles that may record an incident or confirm a draft (of the people they may act on).
RECORDERS = (Role.GROUP_ADMIN, Role.STORE_MANAGER, Role.SUPERVISOR)
DECIDERS = (Role.GROUP_ADMIN, Role.STORE_MANAGER)


def visible_records(user) -> QuerySet:
    """The records the person may read (S1.D1a–c, S1.D3, S1.D4): see the module's docstring."""
    role = role_of(user)
    if role is None:
        return DisciplineRecord.objects.none()
    qs = DisciplineRecord.objects.filter(store_id__in=store_ids(user))
    if role in SEES_ALL:
        return qs
    if role == Role.SUPERVISOR:
        supervised = supervised_department_ids(user)
        return qs.filter(Q(person=user) | Q(person__department_id__in=supervised))
    return qs.filter(person=user)


def discipline_get_for_user(user, pk, *, right: Right = Right.VIEW) -> DisciplineRecord:
    """One record the person may read, or 404 (another store's, a colleague's); a right the role lacks is 403."""
    qs = visible_records(user).select_related(
        "store", "person", "person__department", "recorded_by", "decided_by", "promise", "attendance_day"
    )
    return get_for_user(qs, user, right=right, pk=pk)


# --- Who may act -----------------------------------------------------------------------------------


def may_record(user, person: User | None, store_id: int | None = None) -> bool:
    """Whether the person may record an incident of `person` (or confirm / dismiss their draft), S1.D1a–c.

    The person's supervisors, the store's managers and the group's administrators (org.access.may_act_on),
    of someone of a lower role (a group administrator: anyone of the store); never the person themself, never
    plain staff or auditors.
    """
    role = role_of(user)
    if role not in RECORDERS or person is None or person.pk == user.pk or not person.is_active:
        return False
    store_id = store_id if store_id is not None else person.store_id
    if store_id is None or person.store_id != store_id:
        return False
    if role != Role.GROUP_ADMIN and ROLE_RANK.get(person.role, 0) >= ROLE_RANK[role]:
        return False
    return may_act_on(user, store_id=store_id, owner_id=person.pk)


def may_record_anyone(user) -> bool:
    """Whether the person's role may record incidents at all (the "record" button)."""
    return role_of(user) in RECORDERS and has_right(user, Right.EDIT)


def may_answer(user, record: DisciplineRecord) -> bool:
    """Acknowledge or contest: the person the record is about, while it waits for their answer."""
    return record.state == DisciplineState.RECORDED and record.person_id == getattr(user, "pk", None)


def may_decide_on(user, record: DisciplineRecord) -> bool:
    """Who decides a contested record: the store's managers and the group's administrators, never the person
    themself (a store manager's own record is decided by the group)."""
    return role_of(user) in DECIDERS and has_right(user, Right.EDIT, record.store_id) and record.person_id != user.pk


def may_decide(user, record: DisciplineRecord) -> bool:
    """Uphold or withdraw the record now: it is contested and the person may decide it (may_decide_on)."""
    return record.state == DisciplineState.CONTESTED and may_decide_on(user, record)


def may_review_draft(user, record: DisciplineRecord) -> bool:
    """Confirm or dismiss a draft from attendance: who may record an incident of the person."""
    return record.state == DisciplineState.DRAFT and may_record(user, record.person, record.store_id)


def sees_only_own(user) -> bool:
    """Staff see only their own records (the list says so)."""
    role = role_of(user)
    return role is not None and role not in SEES_ALL and role != Role.SUPERVISOR


# --- Lists -----------------------------------------------------------------------------------------


def recordable_people(user, store_id: int) -> QuerySet:
    """The people of the store the person may record (see may_record): a supervisor's departments' people,
    every lower-ranked person for a manager; supervised departments first, then by name."""
    role = role_of(user)
    if role not in RECORDERS or not has_right(user, Right.EDIT, store_id):
        return User.objects.none()
    qs = User.objects.filter(store_id=store_id, is_active=True).exclude(pk=user.pk)
    if role != Role.GROUP_ADMIN:
        lower = [r for r, rank in ROLE_RANK.items() if rank < ROLE_RANK[role]]
        qs = qs.filter(role__in=lower)
    if role == Role.SUPERVISOR:
        qs = qs.filter(department_id__in=supervised_department_ids(user))
    return qs.select_related("department").order_by("department__name", "name", "username")


def people_for_filter(user) -> QuerySet:
    """The people whose records the person may read, for the list's person filter (see visible_records)."""
    role = role_of(user)
    if role is None:
        return User.objects.none()
    qs = User.objects.filter(store_id__in=store_ids(user))
    if role == Role.SUPERVISOR:
        qs = qs.filter(Q(pk=user.pk) | Q(department_id__in=supervised_department_ids(user)))
    elif role not in SEES_ALL:
        qs = qs.filter(pk=user.pk)
    return qs.order_by("name", "pk")


def month_bounds(month: str) -> tuple[datetime, datetime] | None:
    """The first moment of a month given as "YYYY-MM" and of the next, in the store's time zone; None if no month."""
    try:
        first = datetime.strptime(str(month).strip(), "%Y-%m").date()
    except ValueError:
        return None
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    return datetime.combine(first, time.min, tzinfo=tz), datetime.combine(following, time.min, tzinfo=tz)


def discipline_list(
    user,
    *,
    store: int | None = None,
    department: int | str | None = None,
    person: int | str | None = None,
    kind: str = "",
    state: str = "",
    month: str = "",
    store_code: str = "",
) -> QuerySet:
    """The records the person may read, newest first, narrowed by the filters (a filter that is no id or no
    value is ignored by the form before it gets here; one that matches nothing lists nothing)."""
    qs = visible_records(user).select_related("store", "person", "person__department", "recorded_by")
    if store:
        qs = qs.filter(store_id=store)
    if store_code:
        qs = qs.filter(store__code=store_code)
    if department:
        pk = parse_id(department)
        qs = qs.filter(person__department_id=pk) if pk else qs.none()
    if person:
        pk = parse_id(person)
        qs = qs.filter(person_id=pk) if pk else qs.none()
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if month:
        bounds = month_bounds(month)
        qs = qs.filter(occurred_at__gte=bounds[0], occurred_at__lt=bounds[1]) if bounds else qs.none()
    return qs.order_by("-occurred_at", "-id")


def drafts_to_review(user, *, store: int | None = None) -> QuerySet:
    """S1.D1a: drafts from attendance the person may confirm or dismiss (their departments' people, or all the
    store's for a manager), oldest first."""
    role = role_of(user)
    if role not in RECORDERS:
        return DisciplineRecord.objects.none()
    qs = visible_records(user).filter(state=DisciplineState.DRAFT).exclude(person=user)
    if role == Role.STORE_MANAGER:
        qs = qs.exclude(person__role__in=[Role.STORE_MANAGER, Role.GROUP_ADMIN])
    elif role == Role.SUPERVISOR:
        qs = qs.filter(person__role=Role.STAFF)
    if store:
        qs = qs.filter(store_id=store)
    return qs.select_related("store", "person", "person__department").order_by("occurred_at", "id")
