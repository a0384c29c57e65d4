"""What every figure shares: the period and scope it covers, the figure and breakdown a page shows, shares.

A module of figures (telephone, complaints, lounge, and the standards still to come) counts records of one
scope (``FigureScope``: stores already behind the wall, a period, optionally a department or a person)
and answers plain numbers, ``Figure`` or ``FigureTable``; the records view of each figure lists exactly
the records it counts.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

DAY, WEEK, MONTH, YEAR = "day", "week", "month", "year"
PERIOD_KINDS = (DAY, WEEK, MONTH, YEAR)


@dataclass(frozen=True)
class Period:
    """A day, a week (Monday to Sunday), a month or a year in the store's time zone (Asia/Shanghai)."""

    kind: str
    first: date
    last: date  # inclusive

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=timezone.get_default_timezone())

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=timezone.get_default_timezone())

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def period_containing(kind: str, on: date) -> Period:
    """The day, week, month or year that contains the date."""
    if kind == WEEK:
        first = on - timedelta(days=on.weekday())
        return Period(WEEK, first, first + timedelta(days=6))
    if kind == MONTH:
        first = on.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return Period(MONTH, first, following - timedelta(days=1))
    if kind == YEAR:
        return Period(YEAR, on.replace(month=1, day=1), on.replace(month=12, day=31))
    return Period(DAY, on, on)


@dataclass(frozen=True)
class FigureScope:
    """What a figure covers: stores (already behind the wall), a period, optionally a department or a person."""

    store_ids: frozenset[int]
    period: Period
    department_id: int | None = None
    person_id: int | None = None
    now: datetime = field(default_factory=timezone.now)


def share(part: int, whole: int) -> float | None:
    """Percentage with one decimal, or None when there is nothing to measure."""
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class Figure:
    """One figure a provider adds to the page: a label, a value, and where its records are listed."""

    key: str
    label: str
    value: object
    rule_id: str = ""
    records_url: str = ""


@dataclass(frozen=True)
class FigureTable:
    """A breakdown a provider adds to the page: counts in rows and columns, each linked to its records."""

    key: str
    label: str
    columns: tuple[str, ...]  # the headings, the first one over the rows' labels
    rows: tuple[tuple[str, tuple[tuple[object, str], ...]], ...]  # (label, ((count, records url), …))
    total: tuple[str, tuple[tuple[object, str], ...]] | None = None  # the totals row, the same way
    rule_id: str = ""
