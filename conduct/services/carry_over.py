"""S1.D2 "today's work finished today" (当日事当日毕): promises still open at closing time are carried over.

Once a store's business day has closed, every promise of the store that fell due in that business day and was
still open at closing time becomes a ``CarryOver(day, promise, owner, owner_department)``: the person sees it at
the top of the next morning's home page, and the people figures count it per person and department.

What counts as "due in the business day": due after the previous business day's closing and by this day's
closing, so a promise falling due in the evening, or on a day the store is closed (a holiday, a closure, a
weekday it does not open), is the next business day's work. A closed day itself carries nothing over.

Which promises: open at closing time. Kept ones are not carried over — unless they were kept after the closing
(a worker that runs late still counts them). Cancelled and broken ones are not work left to do. Paused ones are
not carried over: their clock is stopped because the person waits on someone else (the customer, a part),
which is not work left unfinished; they count again once resumed and due.

The job is idempotent (unique promise + day, inserts that conflict are ignored) and safe in several workers at
once; it asks a constant number of queries per store, and catches up the last ``CATCH_UP_DAYS`` days the worker
may have missed (the machine was off).
"""

from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from org.business_time import StoreCalendar
from org.models import Store
from promises.choices import PromiseState
from promises.models import Promise

from ..models import CarryOver

CATCH_UP_DAYS = 7  # a worker that was off catches up this many days back
LOOK_BACK_DAYS = 31  # how far back the previous closing is searched (a long holiday break)


def _business_days(calendar: StoreCalendar, now: datetime) -> list[tuple[date, datetime, datetime]]:
    """(day, previous closing, closing) of each business day of the catch-up window that has closed by now.

    The first day's previous closing is searched back up to LOOK_BACK_DAYS; none found, its own opening."""
    today = timezone.localtime(now, calendar.tz).date()
    first = today - timedelta(days=CATCH_UP_DAYS)
    previous_close = None
    for back in range(1, LOOK_BACK_DAYS + 1):
        span = calendar.interval(first - timedelta(days=back))
        if span:
            previous_close = span[1]
            break
    days = []
    for offset in range((today - first).days + 1):
        day = first + timedelta(days=offset)
        span = calendar.interval(day)
        if span is None:
            continue  # closed: its due promises belong to the next business day
        if span[1] > now:
            break  # not closed yet (today before closing)
        days.append((day, previous_close or span[0], span[1]))
        previous_close = span[1]
    return days


def _store_carry_overs(store: Store, now: datetime) -> list[CarryOver]:
    """The carry-overs of one store's closed business days in the window (three queries: closures, promises,
    those already counted)."""
    days = _business_days(StoreCalendar(store), now)
    if not days:
        return []
    # open now, or kept late (after its due time, so perhaps after the closing); one kept on time was kept by
    # its due time, which is by the closing of its business day
    still_open_at_close = Q(state=PromiseState.OPEN, paused_at__isnull=True) | Q(
        state=PromiseState.LATE, kept_at__isnull=False
    )
    promises = list(
        Promise.objects.filter(still_open_at_close, store=store, due_at__gt=days[0][1], due_at__lte=days[-1][2])
        .select_related("owner")
        .only("id", "due_at", "state", "kept_at", "owner_id", "owner_department_id", "owner__department_id")
    )
    if not promises:
        return []
    counted = set(
        CarryOver.objects.filter(store=store, day__gte=days[0][0], day__lte=days[-1][0]).values_list(
            "promise_id", "day"
        )
    )
    found = []
    for promise in promises:
        for day, previous_close, close in days:
            if not previous_close < promise.due_at <= close:
                continue
            kept_after_close = promise.kept_at is not None and promise.kept_at > close
            if (promise.state == PromiseState.OPEN or kept_after_close) and (promise.pk, day) not in counted:
                department_id = promise.owner_department_id or (promise.owner.department_id if promise.owner else None)
                found.append(
                    CarryOver(
                        store=store,
                        day=day,
                        promise=promise,
                        owner_id=promise.owner_id,
                        owner_department_id=department_id,
                        counted_at=now,
                    )
                )
            break
    return found


def carry_overs_count(*, now: datetime | None = None) -> int:
    """The worker's job (S1.D2): each active store's promises left open at the closing of its business days
    become carried-over work. Returns how many carry-overs it found new (0 when run again; a worker running at the same moment
    may have written some of them first)."""
    now = now or timezone.now()
    stores = Store.objects.filter(active=True).prefetch_related("business_hours").order_by("pk")
    written = 0
    for store in stores:
        found = _store_carry_overs(store, now)
        if found:
            # another worker may write the same ones at the same moment: the unique (promise, day) keeps one
            CarryOver.objects.bulk_create(found, ignore_conflicts=True)
            written += len(found)
    return written
