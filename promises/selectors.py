"""Reads of promises: a person's day (due today, overdue, carried over) and the bell."""

from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from org.access import store_ids

from .choices import PromiseState
from .models import Notification, Promise


def _mine(user):
    q = Q(owner=user)
    if user.department_id:
        q |= Q(owner_department_id=user.department_id, owner__isnull=True)
    return Promise.objects.filter(q, store_id__in=store_ids(user))


def day_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    now = timezone.localtime(now or timezone.now())
    start = datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)
    return start, start + timedelta(days=1)


def my_day(user, now: datetime | None = None) -> dict:
    """The person's open promises: overdue, due today (by due time), and what carries over (S1.D2)."""
    now = now or timezone.now()
    start, end = day_bounds(now)
    open_ = _mine(user).filter(state=PromiseState.OPEN).select_related("owner", "owner_department", "store")
    overdue = [p for p in open_.filter(due_at__lt=now).order_by("due_at")[:100]]
    today = [p for p in open_.filter(due_at__gte=now, due_at__lt=end).order_by("due_at")[:100]]
    kept_today = _mine(user).filter(kept_at__gte=start, kept_at__lt=end).count()
    return {
        "overdue": overdue,
        "today": today,
        "carried_over": overdue + today,  # what is still open at the end of the day goes to tomorrow
        "kept_today": kept_today,
    }


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).count()


def recent_notifications(user, limit: int = 10):
    return list(Notification.objects.filter(recipient=user).select_related("store")[:limit])
