"""Reads of promises: which are the person's to watch, their day (due today, overdue, carried over), the bell."""

from datetime import datetime, time, timedelta

from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.utils import timezone

from org.access import role_of, store_ids
from org.choices import Role
from org.models import Department

from .choices import PromiseState
from .models import Notification, Promise

# How many open promises a list shows at most (the overdue ones first): a page, not the archive.
WATCH_LIMIT = 200


def watched(user) -> tuple[Q, Q | None, str]:
    """Which promises are the person's to watch: (mine, my team's or None, what the team is).

    Mine: the promises they own, and their department desk's (owned by the department, no person):
    anyone of the department may keep those. The team's, for those who answer for others' promises
    (they are escalated to them, S1.4): a store manager (and a group admin) watches every promise of
    their stores, a supervisor the promises of the departments they supervise and of their own
    department, owned by the desk or by a member. Staff and auditors have no team here. Always
    within the person's stores (the store wall): callers filter on `store_ids(user)`.
    """
    mine = Q(owner=user)
    if user.department_id:
        mine |= Q(owner__isnull=True, owner_department_id=user.department_id)
    role = role_of(user)
    if role in (Role.STORE_MANAGER, Role.GROUP_ADMIN):
        return mine, Q(pk__isnull=False), WATCH_STORE
    if role == Role.SUPERVISOR:
        departments = Department.objects.filter(Q(supervisors=user) | Q(pk=user.department_id or 0)).values("pk")
        return mine, Q(owner_department_id__in=departments) | Q(owner__department_id__in=departments), WATCH_DEPARTMENTS
    return mine, None, ""


WATCH_STORE = "store"
WATCH_DEPARTMENTS = "departments"


def _watched_open(user, end: datetime):
    """Open promises due before `end` that the person watches, each marked `is_mine` (one query)."""
    mine, team, _team_kind = watched(user)
    condition = mine | team if team is not None else mine
    return (
        Promise.objects.filter(condition, store_id__in=store_ids(user), state=PromiseState.OPEN, due_at__lt=end)
        .annotate(is_mine=Case(When(mine, then=Value(True)), default=Value(False), output_field=BooleanField()))
        .select_related("owner", "owner_department", "store")
        .order_by("due_at", "pk")
    )


def day_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    now = timezone.localtime(now or timezone.now())
    start = datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)
    return start, start + timedelta(days=1)


def my_day(user, now: datetime | None = None) -> dict:
    """The promises the person watches (see `watched`): overdue and due today, theirs apart from their
    team's or store's, and what of theirs carries over (S1.D2). Two queries, whatever the numbers."""
    now = now or timezone.now()
    start, end = day_bounds(now)
    _mine, team, team_kind = watched(user)
    found = list(_watched_open(user, end)[:WATCH_LIMIT])
    overdue = [p for p in found if p.is_mine and p.due_at < now]
    today = [p for p in found if p.is_mine and p.due_at >= now]
    kept_today = Promise.objects.filter(
        _mine, store_id__in=store_ids(user), kept_at__gte=start, kept_at__lt=end
    ).count()
    return {
        "overdue": overdue,
        "today": today,
        "carried_over": overdue + today,  # what is still open at the end of the day goes to tomorrow
        "kept_today": kept_today,
        "team": team_kind,  # "store", "departments" or "" (nobody else's promises to watch)
        "team_overdue": [p for p in found if not p.is_mine and p.due_at < now],
        "team_today": [p for p in found if not p.is_mine and p.due_at >= now],
        "now": now,
    }


def watch_counts(user, now: datetime | None = None) -> dict:
    """For the bell: how many watched promises are overdue or due later today, mine and my team's (one query)."""
    now = now or timezone.now()
    _start, end = day_bounds(now)
    mine, team, team_kind = watched(user)
    condition = mine | team if team is not None else mine
    counting = {
        "overdue": Count("pk", filter=mine & Q(due_at__lt=now)),
        "today": Count("pk", filter=mine & Q(due_at__gte=now)),
    }
    if team is not None:
        counting["team_overdue"] = Count("pk", filter=~mine & Q(due_at__lt=now))
    counts = Promise.objects.filter(
        condition, store_id__in=store_ids(user), state=PromiseState.OPEN, due_at__lt=end
    ).aggregate(**counting)
    return {"team_overdue": 0} | counts | {"team": team_kind}


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).count()


def recent_notifications(user, limit: int = 10):
    return list(Notification.objects.filter(recipient=user).select_related("store")[:limit])
