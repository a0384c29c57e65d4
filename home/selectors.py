"""What each role's home page shows: the person's stores, departments and colleagues (reads only)."""

from datetime import date, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from checks.choices import Purpose, RoundState
from checks.models import Round
from conduct.models import CarryOver
from customers.models import Customer, Vehicle
from org.access import role_of, store_ids, supervised_department_ids
from org.choices import Role
from org.models import Department, Store, User
from promises.choices import PromiseState

CARRIED_OVER_DAYS = 7  # the person's carried-over promises still open from this many days back
CARRIED_OVER_LIMIT = 20
MISSED_CHECK_DAYS = 7


def home_stores(user) -> list[Store]:
    """The person's stores with their customers, vehicles and active staff, for a manager's or auditor's home.

    One grouped count per table (three queries for any number of stores): counting through joins multiplied
    each store's customers by its vehicles and staff, which a group's stores cannot afford (issue 10).
    """
    ids = store_ids(user)
    stores = list(Store.objects.filter(id__in=ids).order_by("code"))
    counts = {
        "customer_count": _per_store(Customer.objects.filter(store_id__in=ids, erased_at__isnull=True)),
        "vehicle_count": _per_store(Vehicle.objects.filter(store_id__in=ids)),
        "staff_count": _per_store(User.objects.filter(store_id__in=ids, is_active=True)),
    }
    for store in stores:
        for name, per_store in counts.items():
            setattr(store, name, per_store.get(store.pk, 0))
    return stores


def _per_store(qs: QuerySet) -> dict[int, int]:
    return dict(qs.order_by().values_list("store_id").annotate(n=Count("id")).values_list("store_id", "n"))


def home_departments(user) -> QuerySet:
    """The departments a supervisor looks after (and their own), with their members."""
    return (
        Department.objects.filter(Q(supervisors=user) | Q(pk=user.department_id), store_id__in=store_ids(user))
        .distinct()
        .prefetch_related("members")
    )


def home_colleagues(user) -> QuerySet:
    """The active people of the person's own department."""
    if not user.department_id:
        return User.objects.none()
    return (
        User.objects.filter(store_id=user.store_id, department_id=user.department_id, is_active=True)
        .exclude(pk=user.pk)
        .order_by("name")
    )


def home_carried_over(user) -> list[CarryOver]:
    """S1.D2: the person's promises carried over from the last days and still open, oldest day first (one query)."""
    since = timezone.localdate() - timedelta(days=CARRIED_OVER_DAYS)
    return list(
        CarryOver.objects.filter(
            owner=user, store_id__in=store_ids(user), day__gte=since, promise__state=PromiseState.OPEN
        )
        .select_related("promise")
        .order_by("day", "promise__due_at", "id")[:CARRIED_OVER_LIMIT]
    )


def home_carried_over_counts(user) -> dict | None:
    """S1.D2: for a supervisor, the carried-over work of their departments on the last day counted; for a store
    manager, an auditor or a group administrator, of each of their stores. None for anyone else or when none
    was carried over in the last days (two queries)."""
    role = role_of(user)
    stores = store_ids(user)
    qs = CarryOver.objects.filter(
        store_id__in=stores, day__gte=timezone.localdate() - timedelta(days=CARRIED_OVER_DAYS)
    )
    if role == Role.SUPERVISOR:
        departments = supervised_department_ids(user)
        if not departments:
            return None
        qs, group, name = qs.filter(owner_department_id__in=departments), "owner_department", "owner_department__name"
    elif role in (Role.STORE_MANAGER, Role.AUDITOR, Role.GROUP_ADMIN):
        group, name = "store", "store__name"
    else:
        return None
    day: date | None = qs.aggregate(last=Max("day"))["last"]
    if day is None:
        return None
    rows = list(
        qs.filter(day=day)
        .order_by()
        .values(f"{group}_id", name, "store__code")
        .annotate(n=Count("id"))
        .order_by("store__code", name)
    )
    return {
        "day": day,
        "by": group,
        "rows": [
            {"id": row[f"{group}_id"], "name": row[name], "store": row["store__code"], "count": row["n"]}
            for row in rows
        ],
        "total": sum(row["n"] for row in rows),
    }


def home_missed_checks(user) -> list[Round]:
    """The morning grooming checks (S6) and desk checks (S1.D3) of the last week that were missed, or are past
    their due time and still not done: for the store's managers, auditors and group administrators, and for a
    supervisor those of their departments. Empty for anyone else (one query)."""
    role = role_of(user)
    qs = Round.objects.filter(
        store_id__in=store_ids(user),
        purpose__in=[Purpose.GROOMING, Purpose.DESK],
        scheduled_for__gte=timezone.now() - timedelta(days=MISSED_CHECK_DAYS),
    ).filter(Q(state=RoundState.MISSED) | Q(state=RoundState.OPEN, due_at__lt=timezone.now()))
    if role == Role.SUPERVISOR:
        qs = qs.filter(area__department_id__in=supervised_department_ids(user))
    elif role not in (Role.STORE_MANAGER, Role.AUDITOR, Role.GROUP_ADMIN):
        return []
    return list(qs.select_related("store", "area", "area__department").order_by("-scheduled_for", "-id")[:20])
