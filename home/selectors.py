"""What each role's home page shows: the person's stores, departments and colleagues (reads only)."""

from django.db.models import Count, Q, QuerySet

from customers.models import Customer, Vehicle
from org.access import store_ids
from org.models import Department, Store, User


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
