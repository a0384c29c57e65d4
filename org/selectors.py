"""Reads across the organisation: which stores, departments and staff a person may see or manage.

The store wall itself is org.access; this module adds the decisions about people: whose record a
person may open, which roles they may give, and whom they may manage.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.audit import add_change_rows, field_labels
from core.models import HistoryEntry

from .access import Right, get_for_user, has_right, may_act_on, role_of, scope, store_ids, supervised_department_ids
from .choices import Role, RosterKind
from .models import BusinessHours, Department, RosterDay, Shift, Store, StoreClosure, User

# Higher ranks may give lower or equal roles and manage people of lower or equal roles.
# An auditor only reads, so their rank is below a store manager's.
ROLE_RANK = {
    Role.GROUP_ADMIN: 4,
    Role.STORE_MANAGER: 3,
    Role.SUPERVISOR: 2,
    Role.AUDITOR: 2,
    Role.STAFF: 1,
}


def store_managers(store_id: int) -> QuerySet:
    """The active store managers of the store (its own and those who also look after it)."""
    return User.objects.filter(
        Q(store_id=store_id) | Q(extra_stores=store_id), role=Role.STORE_MANAGER, is_active=True
    ).distinct()


def department_supervisors(department_ids) -> QuerySet:
    """The active supervisors of the departments (named as supervisors, or a supervisor working in one)."""
    return User.objects.filter(
        Q(supervised_departments__in=department_ids) | Q(role=Role.SUPERVISOR, department_id__in=department_ids),
        is_active=True,
    ).distinct()


def _rank(role: str | None) -> int:
    return ROLE_RANK.get(role, 0)


def assignable_roles(actor) -> list[str]:
    """The roles the person may give: never above their own, and only a group admin makes group admins."""
    role = role_of(actor)
    if not has_right(actor, Right.MANAGE_STAFF):
        return []
    if role == Role.GROUP_ADMIN:
        return list(Role.values)
    return [value for value in Role.values if value != Role.GROUP_ADMIN and _rank(value) <= _rank(role)]


def may_manage_person(actor, person: User) -> bool:
    """Whether the actor may change the person's account: their right, their store, not a higher role."""
    if not has_right(actor, Right.MANAGE_STAFF):
        return False
    if (person.is_superuser or person.is_staff) and not actor.is_superuser:
        # accounts that reach Django's admin are the operators' to manage, not the product's
        return False
    if _rank(person.role) > _rank(role_of(actor)):
        return False
    if person.store_id is None:
        # only group admins are without a store; only a group admin of the same group manages them
        return role_of(actor) == Role.GROUP_ADMIN and (
            person.group_id == actor.group_id or (actor.is_superuser and not actor.group_id)
        )
    return person.store_id in store_ids(actor)


def staff_directory(user) -> QuerySet:
    """Everyone in the person's stores (and, for a group admin, the group's people without a store)."""
    role = role_of(user)
    if role is None:
        return User.objects.none()
    condition = Q(store_id__in=store_ids(user))
    if role == Role.GROUP_ADMIN:
        if user.is_superuser and not user.group_id:
            condition |= Q(store__isnull=True)
        else:
            condition |= Q(store__isnull=True, group_id=user.group_id)
    return User.objects.filter(condition)


def openable_staff_ids(user) -> set[int] | None:
    """Ids of the directory entries whose full record the person may open; None means all of them.

    Managers, group admins and auditors open everyone in their stores; a supervisor opens the
    members of the departments they supervise and themselves; everyone else only themselves.
    """
    role = role_of(user)
    if role in (Role.GROUP_ADMIN, Role.STORE_MANAGER, Role.AUDITOR):
        return None
    if role == Role.SUPERVISOR:
        ids = set(
            User.objects.filter(
                store_id=user.store_id, department__in=user.supervised_departments.values("id")
            ).values_list("id", flat=True)
        )
        return ids | {user.pk}
    return {user.pk}


def staff_get_for_user(user, pk, *, right: Right = Right.VIEW) -> User:
    """One person behind the wall, or 404; a record or a right the role does not give is 403."""
    try:
        person = staff_directory(user).select_related("store", "department", "group").get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if right == Right.VIEW:
        openable = openable_staff_ids(user)
        if openable is not None and person.pk not in openable:
            raise PermissionDenied
    elif right == Right.MANAGE_STAFF:
        if not may_manage_person(user, person):
            raise PermissionDenied
    elif not has_right(user, right):
        raise PermissionDenied
    return person


def store_get_for_user(user, pk, *, right: Right = Right.VIEW) -> Store:
    return get_for_user(Store.objects.select_related("group"), user, right=right, field="id", pk=pk)


def department_get_for_user(user, pk, *, right: Right = Right.VIEW) -> Department:
    return get_for_user(Department.objects.select_related("store"), user, right=right, pk=pk)


def closure_get_for_user(user, pk, *, right: Right = Right.VIEW) -> StoreClosure:
    return get_for_user(StoreClosure.objects.select_related("store"), user, right=right, pk=pk)


def stores_with_counts(user) -> QuerySet:
    """The person's stores with the number of active staff and departments, for the store list."""
    return (
        scope(Store.objects.all(), user, field="id")
        .select_related("group")
        .annotate(
            staff_count=Count("staff", filter=Q(staff__is_active=True), distinct=True),
            department_count=Count("departments", filter=Q(departments__active=True), distinct=True),
        )
        .order_by("code")
    )


def departments_with_counts(store: Store) -> QuerySet:
    return store.departments.annotate(
        member_count=Count("members", filter=Q(members__is_active=True), distinct=True)
    ).order_by("-active", "name")


def weekly_hours(store: Store) -> list[tuple[int, str, BusinessHours | None]]:
    """Seven rows (weekday, label, hours or None when not set), Monday first."""
    from .choices import Weekday

    rows = {h.weekday: h for h in store.business_hours.all()}
    return [(day.value, day.label, rows.get(day.value)) for day in Weekday]


ORG_HISTORY_MODELS = (Store, BusinessHours, StoreClosure, Department)


def store_history(store: Store, limit: int = 30) -> list[HistoryEntry]:
    """Changes to the store, its hours, closure days and departments, newest first."""
    types = ContentType.objects.get_for_models(*ORG_HISTORY_MODELS)
    by_type = {ct.pk: model for model, ct in types.items()}
    entries = list(
        HistoryEntry.objects.filter(store=store, content_type__in=list(types.values())).select_related("actor")[:limit]
    )
    labels = {model: field_labels(model) for model in ORG_HISTORY_MODELS}
    for entry in entries:
        model = by_type.get(entry.content_type_id)
        entry.model_label = model._meta.verbose_name if model else ""
        add_change_rows(entry, labels.get(model, {}))
    return entries


# --- The roster: who works when (S1.D1a, S6) ---------------------------------------------------------


@dataclass(frozen=True)
class WorkDay:
    """One person's day as the roster (or, without an entry, the store's business hours) has it.

    ``start``/``end`` are aware datetimes of the shift (``end`` on the next day for a shift past midnight);
    both None when the person does not work that day (``kind`` says why: rest, leave, or the store closed).
    """

    person_id: int
    date: date
    kind: str  # RosterKind, or "closed" for a day the store is closed and nobody rostered
    start: datetime | None
    end: datetime | None
    shift_name: str = ""
    rostered: bool = False  # from a roster entry, not the business-hours default

    @property
    def working(self) -> bool:
        return self.start is not None


def _shift_window(day: date, starts, ends) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    start = datetime.combine(day, starts, tzinfo=tz)
    end = datetime.combine(day if ends > starts else day + timedelta(days=1), ends, tzinfo=tz)
    return start, end


def work_days(store: Store, people, first: date, last: date) -> dict[tuple[int, date], WorkDay]:
    """Each person's days from ``first`` to ``last`` (inclusive): their roster entry, or the store's business
    hours on a day the store is open. Two queries whatever the number of people and days."""
    from org.business_time import StoreCalendar

    person_ids = [getattr(p, "pk", p) for p in people]
    entries = {
        (row.person_id, row.date): row
        for row in RosterDay.objects.filter(
            store=store, person_id__in=person_ids, date__gte=first, date__lte=last
        ).select_related("shift")
    }
    calendar = StoreCalendar(store)
    days: dict[tuple[int, date], WorkDay] = {}
    day = first
    while day <= last:
        interval = calendar.interval(day)
        for person_id in person_ids:
            entry = entries.get((person_id, day))
            if entry is not None and entry.kind != RosterKind.WORK:
                days[(person_id, day)] = WorkDay(person_id, day, entry.kind, None, None, rostered=True)
            elif entry is not None and entry.shift is not None:
                start, end = _shift_window(day, entry.shift.starts, entry.shift.ends)
                days[(person_id, day)] = WorkDay(
                    person_id, day, RosterKind.WORK, start, end, entry.shift.name, rostered=True
                )
            elif interval is not None:
                days[(person_id, day)] = WorkDay(
                    person_id, day, RosterKind.WORK, interval[0], interval[1], rostered=entry is not None
                )
            else:
                days[(person_id, day)] = WorkDay(person_id, day, "closed", None, None, rostered=entry is not None)
        day += timedelta(days=1)
    return days


def on_duty(department: Department, day: date) -> list[tuple[User, WorkDay]]:
    """The department's active people with their day (S6: the morning grooming check lists those working and
    marks the others), ordered by name."""
    people = list(User.objects.filter(department=department, is_active=True).order_by("name", "pk"))
    days = work_days(department.store, people, day, day)
    return [(person, days[(person.pk, day)]) for person in people]


def roster_may_edit(user, *, store_id: int, department_id: int | None) -> bool:
    """Whether the person may set the roster days of someone of that department (S1.D1a): the store's managers
    and the group's administrators, and a supervisor of the department (``may_act_on``); not the person
    themselves, not a colleague, never an auditor. Someone without a department is the managers' to roster."""
    if not may_act_on(user, store_id=store_id, department_id=department_id):
        return False
    if role_of(user) in (Role.GROUP_ADMIN, Role.STORE_MANAGER):
        return True
    return department_id is not None and department_id in supervised_department_ids(user)


def roster_may_edit_some(user, *, store_id: int) -> bool:
    """Whether the person may set anyone's roster days in the store (S1.D1a): its managers, the group's
    administrators, a supervisor of one of its departments. Staff and auditors only read the roster."""
    if not has_right(user, Right.EDIT, store_id):
        return False
    if role_of(user) in (Role.GROUP_ADMIN, Role.STORE_MANAGER):
        return True
    return Department.objects.filter(store_id=store_id, pk__in=supervised_department_ids(user)).exists()


def shift_get_for_user(user, pk, *, right: Right = Right.VIEW) -> Shift:
    return get_for_user(Shift.objects.select_related("store"), user, right=right, pk=pk)


def store_shifts(store: Store, *, active_only: bool = False) -> QuerySet:
    """The store's shifts, in use first, by start time (S1.D1a)."""
    qs = Shift.objects.filter(store=store)
    if active_only:
        qs = qs.filter(active=True)
    return qs.order_by("-active", "starts", "name")


def roster_people(store: Store, department: Department | None = None) -> QuerySet:
    """The active people of the store (of the department, when given) whose days the roster shows, by department
    and name."""
    qs = User.objects.filter(store=store, is_active=True).select_related("department")
    if department is not None:
        qs = qs.filter(department=department)
    return qs.order_by("department__name", "name", "pk")
