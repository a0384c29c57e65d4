"""Reads of complaints: the list with its filters, a department's verification inbox, the timeline."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.validators import parse_id
from customers.selectors import TimelineItem
from org.access import Right, get_for_user, scope

from .choices import ComplaintState, Severity
from .models import Complaint, Verification

# The severities the "high or critical" figure counts (S2.6).
SEVERE = (Severity.HIGH, Severity.CRITICAL)

# A stage a complaint has reached, as the list filters it and the figures count it: the average
# minutes to acknowledge are over the acknowledged ones, the replies on time over those replied to,
# the satisfaction over those rated. One condition each, so a figure and its list always agree.
STAGE_REACHED: dict[str, Q] = {
    "acknowledged": Q(ack_minutes__isnull=False),
    "replied": Q(reply_on_time__isnull=False),
    "rated": Q(satisfaction_score__isnull=False),
}


def complaint_get_for_user(user, pk, *, right: Right = Right.VIEW) -> Complaint:
    """One complaint behind the store wall: another store's is 404, a missing right 403."""
    qs = Complaint.objects.select_related(
        "store", "department", "staff_involved", "logged_by", "acknowledged_by", "reply_by", "closed_by", "customer"
    )
    return get_for_user(qs, user, right=right, pk=pk)


def verification_get_for_user(user, pk, *, right: Right = Right.VIEW, complaint_pk=None) -> Verification:
    """A verification request of a complaint; with `complaint_pk` (the API's nested address) the complaint is
    checked first and the verification must be one of its own."""
    lookup = {"pk": pk}
    if complaint_pk is not None:
        lookup["complaint"] = complaint_get_for_user(user, complaint_pk, right=right)
    qs = Verification.objects.select_related("complaint", "complaint__store", "department")
    return get_for_user(qs, user, right=right, field="complaint__store", **lookup)


def _day_start(day: date) -> datetime:
    """Midnight starting the day in the stores' time zone (Asia/Shanghai)."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def complaints_matching(
    qs: QuerySet,
    *,
    state="",
    severity=(),
    department=None,
    staff=None,
    store=None,
    logged_from: date | None = None,
    logged_to: date | None = None,
    stage="",
    overdue=False,
    store_code="",
) -> QuerySet:
    """The complaints matching the list's filters; the complaint figures count with the same conditions.

    `severity` is one value or several; `logged_from` and `logged_to` are days, both included; `stage`
    is a key of STAGE_REACHED.
    """
    if state:
        qs = qs.filter(state=state)
    if severity:
        qs = qs.filter(severity__in=[severity] if isinstance(severity, str) else list(severity))
    if department:
        qs = qs.filter(department_id=parse_id(department)) if parse_id(department) else qs.none()
    if staff:
        qs = qs.filter(staff_involved_id=staff)
    if store:
        qs = qs.filter(store_id=store)
    if logged_from:
        qs = qs.filter(logged_at__gte=_day_start(logged_from))
    if logged_to:
        qs = qs.filter(logged_at__lt=_day_start(logged_to + timedelta(days=1)))
    if stage:
        qs = qs.filter(STAGE_REACHED[stage])
    if overdue:
        qs = qs.filter(reply_at__isnull=True, reply_promised_at__lt=timezone.now()).exclude(state=ComplaintState.CLOSED)
    if store_code:
        qs = qs.filter(store__code=store_code)
    return qs


def complaint_list(user, **filters) -> QuerySet:
    """The complaints of the person's stores matching the filters (see complaints_matching), newest first."""
    qs = complaints_matching(scope(Complaint.objects.all(), user), **filters)
    return qs.select_related("store", "department").order_by("-logged_at", "-id")


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


def complaint_items(customer) -> list[TimelineItem]:
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


# --- For the call console (phone) ----------------------------------------------------------------


def open_complaints_of_caller(store, customer, number: str, *, limit: int = 5) -> list:
    """The caller's complaints not yet closed, newest first: by customer, or by the contact phone given (S2.6)."""
    match = Q(contact_phone=number) if number else Q(pk__in=[])
    if customer is not None:
        match |= Q(customer=customer)
    return list(
        Complaint.objects.filter(match, store=store).exclude(state=ComplaintState.CLOSED).order_by("-logged_at")[:limit]
    )
