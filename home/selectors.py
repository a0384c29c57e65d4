"""What each role's home page shows: the person's stores, departments and colleagues (reads only)."""

from django.db.models import Count, Q, QuerySet

from org.access import store_ids
from org.models import Department, Store, User


def home_stores(user) -> QuerySet:
    """The person's stores with their customers, vehicles and active staff, for a manager's or auditor's home."""
    return (
        Store.objects.filter(id__in=store_ids(user))
        .annotate(
            customer_count=Count("customers", filter=Q(customers__erased_at__isnull=True), distinct=True),
            vehicle_count=Count("vehicles", distinct=True),
            staff_count=Count("staff", filter=Q(staff__is_active=True), distinct=True),
        )
        .order_by("code")
    )


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
