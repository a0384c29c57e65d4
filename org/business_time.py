"""Business time of a store: its opening hours per weekday, its own closure days, China's
statutory holidays and make-up workdays (调休), from the maintained `holidays` library.

Promise clocks ("call back within 2 business hours") run only while the store is open: at 17:30
on a Friday, with the store closing at 18:00, two business hours end on the next open morning.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone

MAX_DAYS = 400  # a clock never searches further than this for open hours


@lru_cache(maxsize=32)
def _china(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


def is_statutory_day_off(day: date) -> bool:
    """A statutory holiday or a day off moved by 调休 (the days people do not work)."""
    return day in _china(day.year)


def is_makeup_workday(day: date) -> bool:
    """A Saturday or Sunday that is an official workday because of 调休."""
    return day in _china(day.year).weekend_workdays


def is_holiday_break(day: date) -> bool:
    """A statutory holiday, or a weekend day inside the same break (National Day week, Spring Festival)."""
    if is_statutory_day_off(day):
        return True
    if day.weekday() < 5 or is_makeup_workday(day):
        return False
    for step in (-1, 1):
        other = day + timedelta(days=step)
        while other.weekday() >= 5 and not is_makeup_workday(other) and not is_statutory_day_off(other):
            other += timedelta(days=step)
        if is_statutory_day_off(other):
            return True
    return False


@dataclass(frozen=True)
class DayHours:
    opens: time
    closes: time


class StoreCalendar:
    """The open intervals of one store, and business-time arithmetic over them."""

    def __init__(self, store, hours: dict[int, DayHours | None] | None = None, closures: set[date] | None = None):
        self.store = store
        self.tz = timezone.get_current_timezone()
        if hours is None:
            hours = {}
            for row in store.business_hours.all():
                if not row.closed and row.opens and row.closes and row.opens < row.closes:
                    hours[row.weekday] = DayHours(row.opens, row.closes)
        self.hours = hours
        self.closures = closures if closures is not None else set(store.closures.values_list("date", flat=True))
        self.open_on_holidays = getattr(store, "open_on_public_holidays", False)
        # a make-up workday opens with the hours of the first open weekday (Monday to Friday)
        self.workday_hours = next((hours[d] for d in range(5) if hours.get(d)), None)

    def hours_on(self, day: date) -> DayHours | None:
        if day in self.closures:
            return None
        if not self.open_on_holidays and is_holiday_break(day):
            return None
        own = self.hours.get(day.weekday())
        if own is None and is_makeup_workday(day):
            return self.workday_hours
        return own

    def interval(self, day: date) -> tuple[datetime, datetime] | None:
        hours = self.hours_on(day)
        if hours is None:
            return None
        return (
            datetime.combine(day, hours.opens, tzinfo=self.tz),
            datetime.combine(day, hours.closes, tzinfo=self.tz),
        )

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment `seconds` of open time after `start`; wall-clock time if the store never opens."""
        remaining = timedelta(seconds=seconds)
        local = start.astimezone(self.tz)
        day = local.date()
        for _ in range(MAX_DAYS):
            span = self.interval(day)
            if span and local < span[1]:
                begin = max(local, span[0])
                available = span[1] - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += timedelta(days=1)
        return start + timedelta(seconds=seconds)

    def elapsed(self, start: datetime, end: datetime) -> float:
        """Seconds of open time between two moments (0 if end is not after start)."""
        if end <= start:
            return 0.0
        total = timedelta()
        local_start, local_end = start.astimezone(self.tz), end.astimezone(self.tz)
        day = local_start.date()
        while day <= local_end.date():
            span = self.interval(day)
            if span:
                begin, finish = max(span[0], local_start), min(span[1], local_end)
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return total.total_seconds()

    def next_open(self, moment: datetime) -> datetime:
        """The moment itself if the store is open then, or the next opening."""
        return self.add(moment, 0)
