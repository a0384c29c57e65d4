"""Reads of complaints: the list with its filters, a department's verification inbox, the timeline."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.selectors import TimelineItem, timeline_source
from org.access import Right, get_for_user, scope

from .choices import ComplaintState
from .models import Complaint, Verification


def complaint_get_for_user(user, pk, *, right: Right = Right.VIEW) -> Complaint:
    """One complaint behind the store wall: another store's is 404, a missing right 403."""
    qs = Complaint.objects.select_related(
        "store", "department", "staff_involved", "logged_by", "acknowledged_by", "reply_by", "closed_by", "customer"
    )
    return get_for_user(qs, user, right=right, pk=pk)


def verification_get_for_user(user, pk, *, right: Right = Right.VIEW) -> Verification:
    qs = Verification.objects.select_related("complaint", "complaint__store", "department")
    return get_for_user(qs, user, right=right, field="complaint__store", pk=pk)


def complaint_list(user, *, state="", severity="", department="", overdue=False, store_code=""):
    qs = scope(Complaint.objects.all(), user).select_related("store", "department")
    if state:
        qs = qs.filter(state=state)
    if severity:
        qs = qs.filter(severity=severity)
    if department:
        qs = qs.filter(department_id=department) if str(department).isdigit() else qs.none()
    if overdue:
        qs = qs.filter(reply_at__isnull=True, reply_promised_at__lt=timezone.now()).exclude(state=ComplaintState.CLOSED)
    if store_code:
        qs = qs.filter(store__code=store_code)
    return qs.order_by("-logged_at", "-id")


def verification_inbox(user, *, open_only=True):
    """Verifications asked of the person's department (or the departments they supervise; all for managers)."""
    from org.access import role_of
    from org.choices import Role

    qs = scope(Verification.objects.all(), user, "complaint__store").select_related(
        "complaint", "complaint__store", "department", "asked_by"
    )
    if role_of(user) not in (Role.STORE_MANAGER, Role.GROUP_ADMIN, Role.AUDITOR):
        qs = qs.filter(Q(department_id=user.department_id) | Q(department__supervisors=user)).distinct()
    if open_only:
        qs = qs.filter(answered_at__isnull=True)
    return qs.order_by("asked_at", "id")


@timeline_source
def _complaint_items(customer) -> list[TimelineItem]:
    items = []
    for c in Complaint.objects.filter(customer=customer).select_related("department"):
        items.append(
            TimelineItem(
                at=c.logged_at,
                kind="complaint",
                title=_("Complaint %(number)s (%(state)s)") % {"number": c.number, "state": c.get_state_display()},
                detail=f"{c.department.name}: {c.course[:100]}",
                url=reverse("complaints:complaint_detail", kwargs={"complaint_pk": c.pk}),
            )
        )
    return items
