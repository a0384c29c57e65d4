"""Reads of attendance (S1.D1a): who may import it and see the imports, the batches, the days of a person or month.

Who imports: the store's managers and supervisors (and the group's administrators) — those who confirm or
dismiss the drafts an import makes. Staff do not import (the clock-in times of their colleagues are not theirs
to see) and auditors only read the imports. Days: managers, administrators and auditors see everyone's in
their stores, a supervisor the people of the departments they supervise and their own, staff their own.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum

from org.access import Right, get_for_user, has_right, role_of, scope, store_ids, supervised_department_ids
from org.choices import Role
from org.models import Store, User
from org.selectors import openable_staff_ids

from ..choices import DisciplineSource
from ..models import AttendanceBatch, AttendanceDay, DisciplineRecord


def may_import_attendance(user, store_id: int | None = None) -> bool:
    """A store manager or supervisor of the store (or a group administrator); with no store, of any store."""
    role = role_of(user)
    if role is None or not has_right(user, Right.EDIT, store_id):
        return False
    if role in (Role.GROUP_ADMIN, Role.STORE_MANAGER, Role.SUPERVISOR):
        return True
    return bool(supervised_department_ids(user))


def may_see_attendance_imports(user, store_id: int | None = None) -> bool:
    """Those who import, and auditors (who only read)."""
    return may_import_attendance(user, store_id) or (
        role_of(user) == Role.AUDITOR and has_right(user, Right.VIEW, store_id)
    )


def attendance_batch_get_for_user(user, pk, *, right: Right = Right.VIEW) -> AttendanceBatch:
    """One import behind the wall (another store's is a 404); staff, or an auditor acting, is a 403."""
    batch = get_for_user(AttendanceBatch.objects.select_related("store", "uploaded_by"), user, pk=pk)
    allowed = (
        may_import_attendance(user, batch.store_id)
        if right != Right.VIEW
        else may_see_attendance_imports(user, batch.store_id)
    )
    if not allowed:
        raise PermissionDenied
    return batch


def attendance_batch_list(user, store_id: int | None = None) -> QuerySet:
    """The imports of the person's stores, newest first (none for staff)."""
    if not may_see_attendance_imports(user):
        return AttendanceBatch.objects.none()
    qs = scope(AttendanceBatch.objects.select_related("store", "uploaded_by").defer("errors", "headers"), user)
    if store_id is not None:
        qs = qs.filter(store_id=store_id)
    return qs.order_by("-created_at", "-id")


def attendance_import_stores(user) -> QuerySet:
    """The active stores where the person may import attendance, for the upload's store picker."""
    ids = [pk for pk in store_ids(user) if may_import_attendance(user, pk)]
    return Store.objects.filter(pk__in=ids, active=True).order_by("code")


def attendance_days(user, *, store_id: int, person_id: int | None = None, month: date | None = None) -> QuerySet:
    """The attendance days the person may see in the store (S1.D1a: who was late when), newest first."""
    qs = AttendanceDay.objects.filter(store_id=store_id, store_id__in=store_ids(user)).select_related("person")
    openable = openable_staff_ids(user)
    if openable is not None:
        qs = qs.filter(person_id__in=openable)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if month is not None:
        end = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        qs = qs.filter(date__gte=month, date__lt=end)
    return qs.order_by("-date", "person__name", "person_id")


def attendance_month_summary(days: QuerySet) -> list[dict]:
    """Per person: the days, late arrivals, early leaves and missing punches of the listed days."""
    return list(
        days.order_by()
        .values("person_id", "person__name")
        .annotate(
            days=Count("id"),
            late=Count("id", filter=Q(late_minutes__gt=0)),
            late_minutes=Sum("late_minutes"),
            early=Count("id", filter=Q(early_minutes__gt=0)),
            missing=Count("id", filter=Q(missing_punch=True)),
        )
        .order_by("-late", "person__name")
    )


def attendance_people(user, store_id: int):
    """The people whose days the person may see in the store, for the list's filter."""
    qs = User.objects.filter(store_id=store_id).order_by("name", "pk")
    openable = openable_staff_ids(user)
    if openable is not None:
        qs = qs.filter(pk__in=openable)
    return qs


def attendance_batch_drafts(batch: AttendanceBatch, limit: int = 200) -> list[DisciplineRecord]:
    """The records computed from the batch's days (drafts until the supervisor confirms or dismisses them)."""
    return list(
        DisciplineRecord.objects.filter(attendance_day__batch=batch, source=DisciplineSource.ATTENDANCE)
        .select_related("person")
        .order_by("occurred_at", "id")[:limit]
    )


def attendance_batch_days(batch: AttendanceBatch, limit: int = 100) -> list[AttendanceDay]:
    """The first days the batch wrote (new or changed), in date and name order."""
    return list(batch.days.select_related("person").order_by("date", "person__name", "person_id")[:limit])
