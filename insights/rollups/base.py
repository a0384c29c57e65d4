"""Daily rollups: how a store's day of records becomes counts, and how a figure reads them back.

A ``Family`` is one kind of record seen by the figures (calls, messages, promises, visits …): the day a
record belongs to (the local date of one of its fields), the department and person it counts for, and its
measures — each a count of the records matching a condition (the SAME ``Q`` the figure uses, imported from
``insights.figures``), optionally with the sum of a value for an average. ``compute`` turns one store's days
into ``DailyFigure`` rows; ``read`` answers a figure from the rolled-up days of its scope and from the
records for every other day, so a figure is the same whether its days are rolled up or not.

Which days are rolled up (``Split``): per store and module, the days from ``RollupState.first_day`` to
``last_day``, before the scope's today, minus the days marked in ``DirtyDay`` (their records changed since;
database triggers mark them, see ``triggers``). The worker job ``rollups_refresh`` redoes the marked days
and extends every store's range to yesterday; ``manage.py rollups_rebuild`` rolls up any range.
"""

import hashlib
import math
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import CharField, Count, F, Q, Sum, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from org.models import Store

from ..figures.base import FigureScope
from ..models import SLOTS, DailyFigure, DirtyDay, RollupState

# --- families ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    """One kind of record the figures count, and how a store's day of them becomes rollup rows.

    ``counts``: measure → the condition of the records it counts. ``sums``: measure → the value summed
    over the same records (its average is the sum over the count). ``department`` / ``person`` /
    ``kind``: the record's fields kept as the rollup's columns (None: not kept). ``live``: records
    always read from the records, never rolled up (an open promise is overdue depending on "now").
    """

    name: str
    model: type
    day_field: str
    counts: Mapping[str, Q]
    sums: Mapping[str, object] = field(default_factory=dict)
    department: str | None = None
    person: str | None = None
    kind: str | None = None
    base: Q = field(default_factory=Q)
    to_number: Callable[[object], float | None] = float

    @property
    def measures(self) -> dict[str, Q]:
        """The counts, and ``records`` (every record): a group with records but no count still has its row."""
        return {"records": Q(), **self.counts}

    def __post_init__(self):
        assert len(self.measures) <= SLOTS, f"{self.name}: at most {SLOTS} counts per row"
        assert len(self.sums) <= 1, f"{self.name}: one sum per row"

    @property
    def slots(self) -> dict[str, str]:
        """measure → its DailyFigure column (n1 … n8, in the order of ``measures``)."""
        return {measure: f"n{position}" for position, measure in enumerate(self.measures, start=1)}

    def aggregates(self) -> dict:
        """``n_<measure>`` counts and ``s_<measure>`` sums of the records."""
        found = {}
        for measure, condition in self.measures.items():
            condition = condition or None  # Q(): every record
            found[f"n_{measure}"] = Count("id", filter=condition)
            if measure in self.sums:
                found[f"s_{measure}"] = Sum(self.sums[measure], filter=condition)
        return found

    def related_store(self, store_ids) -> dict:
        """A day taken from a related record (an item's round): that record's store, so that its index is used."""
        if "__" not in self.day_field:
            return {}
        relation = self.day_field.rsplit("__", 1)[0]
        return (
            {f"{relation}__store_id__in": store_ids}
            if isinstance(store_ids, frozenset)
            else {f"{relation}__store_id": store_ids}
        )

    def number(self, value) -> float | None:
        return None if value is None else self.to_number(value)


def local_day(field_name: str):
    return TruncDate(field_name, tzinfo=timezone.get_default_timezone())


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs, inclusive."""
    found: list[list[date]] = []
    for day in sorted(set(days)):
        if found and day == found[-1][1] + timedelta(days=1):
            found[-1][1] = day
        else:
            found.append([day, day])
    return [(first, last) for first, last in found]


def _any(terms: Iterable[Q]) -> Q | None:
    result = None
    for term in terms:
        result = term if result is None else result | term
    return result


# --- which days are rolled up -----------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """The scope's days per store: rolled up (read from DailyFigure) or not (read from the records)."""

    rolled: Mapping[int, tuple[tuple[date, date], ...]]
    raw: Mapping[int, tuple[tuple[date, date], ...]]
    version: tuple = ()  # (store, RollupState.version): what the rolled-up days hold

    def _grouped(self, by_store) -> dict[tuple, list[int]]:
        groups: dict[tuple, list[int]] = defaultdict(list)
        for store_id, found in sorted(by_store.items()):
            if found:
                groups[found].append(store_id)
        return groups

    def raw_q(self, field_name: str, prefix: str = "") -> Q | None:
        """The records of the days not rolled up (None: every day is rolled up)."""
        return _any(
            Q(**{f"{prefix}store_id__in": stores})
            & _any(
                Q(**{f"{field_name}__gte": day_start(first), f"{field_name}__lt": day_start(last + timedelta(days=1))})
                for first, last in found
            )
            for found, stores in self._grouped(self.raw).items()
        )

    def rolled_q(self) -> Q | None:
        """The DailyFigure rows of the rolled-up days (None: no day is rolled up)."""
        return _any(
            Q(store_id__in=stores) & _any(Q(day__gte=first, day__lte=last) for first, last in found)
            for found, stores in self._grouped(self.rolled).items()
        )


def split(scope: FigureScope, module: str) -> Split:
    """One query: the module's rolled-up ranges of the scope's stores and their changed days in the period."""
    period = scope.period
    states = RollupState.objects.filter(store_id__in=scope.store_ids, module=module).values_list(
        "store_id", "first_day", "last_day", "version"
    )
    today = timezone.localdate(scope.now)
    changed = (
        DirtyDay.objects.filter(
            store_id__in=scope.store_ids, day__gte=period.first, day__lte=min(period.last, today - timedelta(days=1))
        )
        .annotate(version=Value(None, output_field=CharField()))
        .values_list("store_id", "day", "day", "version")
        .distinct()
    )
    ranges: dict[int, tuple[date, date]] = {}
    dirty: dict[int, set[date]] = defaultdict(set)
    versions = {}
    for store_id, first, last, version in states.union(changed, all=True):
        if version is not None:
            ranges[store_id] = (first, last)
            versions[store_id] = version
        else:
            dirty[store_id].add(first)
    rolled, raw = {}, {}
    for store_id in scope.store_ids:
        first, last = ranges.get(store_id, (today, today - timedelta(days=1)))
        last = min(last, today - timedelta(days=1))
        days = period.days
        rolled_days = [d for d in days if first <= d <= last and d not in dirty[store_id]]
        rolled_set = set(rolled_days)
        rolled[store_id] = tuple(runs(rolled_days))
        raw[store_id] = tuple(runs(d for d in days if d not in rolled_set))
    return Split(rolled=rolled, raw=raw, version=tuple(sorted(versions.items())))


# --- reading a figure -------------------------------------------------------------------------------


class Sums(dict):
    """measure → count, and ``<measure>__sum`` → the summed value (None when nothing was summed)."""

    def add(self, measure: str, n: int, total=None):
        self[measure] = self.get(measure, 0) + (n or 0)
        if total is not None:
            key = f"{measure}__sum"
            self[key] = (self.get(key) or 0) + total

    def average(self, measure: str):
        total = self.get(f"{measure}__sum")
        return total / self[measure] if total is not None and self.get(measure) else None


def read(
    family: Family,
    split_: Split,
    *,
    records,
    rollups: Q | None = None,
    group=None,
    rolled_group=None,
    live: Q | None = None,
) -> dict:
    """A family's measures over the scope, from the rollups of the rolled-up days and the records of the others.

    `records`: the family's records of the scope (its period, stores, department, person, base condition).
    `rollups`: the same department and person filter on DailyFigure. `group`/`rolled_group`: what to break
    down by (an expression on the records and on DailyFigure; None for the totals). `live`: records read
    from the records whatever their day, counted as ``live`` (an open promise past its due time now).
    Answers {(group, kind): Sums} with at most three queries (records, live records, rollups).
    """
    result: dict = defaultdict(Sums)
    raw_q = split_.raw_q(family.day_field)
    if raw_q is not None and "__" in family.day_field:
        raw_q &= Q(**family.related_store(frozenset(split_.raw)))

    def grouped(qs, aggregates: dict):
        names = []
        if group is not None:
            qs = qs.annotate(group_=group)
            names.append("group_")
        if family.kind:
            names.append(family.kind)
        if names:
            return qs.values(*names).annotate(**aggregates).order_by()
        return [qs.aggregate(**aggregates)]

    def sums_of(row) -> Sums:
        return result[(row.get("group_"), _kind(row.get(family.kind)) if family.kind else "")]

    if raw_q is not None and records is not None:  # records None: the rolled-up days only
        for row in grouped(records.filter(raw_q), family.aggregates()):
            sums = sums_of(row)
            for measure in family.measures:
                sums.add(measure, row[f"n_{measure}"], family.number(row.get(f"s_{measure}")))
    if live is not None and records is not None:
        # A query of its own: the partial index on open records serves it, whatever the period's length.
        for row in grouped(records.filter(live), {"n_live": Count("id")}):
            sums_of(row).add("live", row["n_live"])
    rolled_q = split_.rolled_q()
    if rolled_q is not None:
        qs = DailyFigure.objects.filter(rolled_q, rollups or Q(), family=family.name)
        names = ["kind"]
        if rolled_group is not None:
            qs = qs.annotate(group_=rolled_group)
            names.append("group_")
        slots = family.slots
        totals = {f"s_{measure}": Sum(column) for measure, column in slots.items()} | {"total_": Sum("total")}
        key = _cache_key(family, rolled_q, rollups, rolled_group, split_.version)
        rows = cache.get(key)
        if rows is None:
            rows = list(qs.values(*names).annotate(**totals).order_by())
            cache.set(key, rows, CACHE_SECONDS)
        for row in rows:
            sums = result[(row.get("group_"), row["kind"])]
            for measure in slots:
                sums.add(measure, row[f"s_{measure}"], row["total_"] if measure in family.sums else None)
    return result


# The rolled-up part of a read is cached: the key names the rolled-up days read (so a changed day, read from
# the records, is a new key) and every store's rollup version (a new random token whenever the worker or the
# command writes the store's rows), so a cached answer is never one of rows since rewritten. The timeout only
# bounds what no version sees: a person moved to another department (a department's figures join the person).
CACHE_SECONDS = 600


def _cache_key(family: Family, rolled_q: Q, rollups: Q | None, rolled_group, version: tuple) -> str:
    described = repr((family.name, str(rolled_q), str(rollups), str(rolled_group), version))
    return "insights:rollup:" + hashlib.sha1(described.encode()).hexdigest()


def _kind(value) -> str:
    """The kind column's text: a request's kind, or a number (a greeting's seconds)."""
    return "" if value is None else str(value)


def nearest_rank(histogram: Mapping[int, int], pct: int = 90):
    """The nearest-rank percentile of counted values ({value: count}), as insights.figures.lounge.percentile."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = max(math.ceil(pct / 100 * total), 1)
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None


def by_group(found: dict) -> dict:
    """{(group, kind): Sums} → {group: Sums} over every kind."""
    result: dict = defaultdict(Sums)
    for (group, _kind), sums in found.items():
        target = result[group]
        for key, value in sums.items():
            if key.endswith("__sum"):
                if value is not None:
                    target[key] = (target.get(key) or 0) + value
            else:
                target[key] = target.get(key, 0) + value
    return result


# --- computing a store's days -----------------------------------------------------------------------


def compute(family: Family, store_id: int, days: Iterable[date]) -> list[DailyFigure]:
    """One query: the family's rollup rows of the store's days."""
    days = list(days)
    if not days:
        return []
    within = _any(
        Q(
            **{
                f"{family.day_field}__gte": day_start(first),
                f"{family.day_field}__lt": day_start(last + timedelta(days=1)),
            }
        )
        for first, last in runs(days)
    )
    names = {"day_": local_day(family.day_field)}
    columns = ["day_"]
    for column, source in (("department_", family.department), ("person_", family.person), ("kind_", family.kind)):
        if source:
            names[column] = F(source)
            columns.append(column)
    rows = (
        family.model.objects.filter(family.base, within, **(family.related_store(store_id) or {"store_id": store_id}))
        .annotate(**names)
        .values(*columns)
        .annotate(**family.aggregates())
        .order_by()
    )
    found = []
    for row in rows:
        counts = {column: row[f"n_{measure}"] for measure, column in family.slots.items()}
        summed = [row.get(f"s_{measure}") for measure in family.sums]
        found.append(
            DailyFigure(
                store_id=store_id,
                day=row["day_"],
                family=family.name,
                kind=_kind(row.get("kind_")),
                department_id=row.get("department_"),
                person_id=row.get("person_"),
                total=family.number(summed[0]) if summed else None,
                **counts,
            )
        )
    return found


# --- the modules and what the worker and the command do ----------------------------------------------

MODULES: dict[str, Callable[[frozenset[int]], tuple[Family, ...]]] = {}


def register(module: str, families: Callable[[frozenset[int]], tuple[Family, ...]]) -> None:
    """A module's families for given stores (telephone, lounge …), rolled up together (insights' AppConfig.ready)."""
    MODULES[module] = families


def families_of(module: str, store_ids: frozenset[int]) -> dict[str, Family]:
    return {family.name: family for family in MODULES[module](store_ids)}


def _claim_marks(store_id: int | None, first: date | None, before: date, limit: int | None) -> list[tuple[int, date]]:
    """Delete and answer the changed-day marks before `before` (of one store and from `first` when given).

    Only the marks read here are deleted, and they are read before the records: a write committed later
    has its own mark, which stays for the next run (marks are only inserted, see ``DirtyDay``).
    """
    marks = DirtyDay.objects.filter(day__lt=before)
    if store_id is not None:
        marks = marks.filter(store_id=store_id)
    if first is not None:
        marks = marks.filter(day__gte=first)
    found = list(
        marks.order_by("id").values_list("id", "store_id", "day")[:limit]
        if limit
        else marks.values_list("id", "store_id", "day")
    )
    ids = [row[0] for row in found]
    for start in range(0, len(ids), 1000):
        DirtyDay.objects.filter(id__in=ids[start : start + 1000]).delete()
    return sorted({(store, day) for _id, store, day in found})


def _write(module: str, store_id: int, days: list[date]) -> int:
    """Replace the module's rollup rows of the store's days with freshly computed ones."""
    if not days:
        return 0
    families = MODULES[module](frozenset({store_id}))
    names = [family.name for family in families]
    for first, last in runs(days):
        DailyFigure.objects.filter(store_id=store_id, day__gte=first, day__lte=last, family__in=names).delete()
    rows = [row for family in families for row in compute(family, store_id, days)]
    DailyFigure.objects.bulk_create(rows, batch_size=2000)
    RollupState.objects.filter(store_id=store_id, module=module).update(version=uuid.uuid4().hex)
    return len(rows)


def _try_lock() -> bool:
    """On PostgreSQL, one worker rolls up at a time (the others skip this round)."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [0x1A510115])
        return bool(cursor.fetchone()[0])


def rollups_refresh(*, now: datetime | None = None, limit: int = 500) -> int:
    """The worker's job: redo the changed days already rolled up and extend every store to yesterday.

    Answers the number of store-days rolled up. A store seen for the first time starts empty at today
    (earlier days stay read from the records until ``rollups_rebuild`` rolls them up).
    """
    today = timezone.localdate(now or timezone.now())
    done = 0
    with transaction.atomic():
        if not _try_lock():
            return 0
        marks = _claim_marks(None, None, today, limit)
        changed: dict[int, set[date]] = defaultdict(set)
        for store_id, day in marks:
            changed[store_id].add(day)
        store_ids = list(Store.objects.values_list("pk", flat=True))
        for module in MODULES:
            states = {s.store_id: s for s in RollupState.objects.filter(module=module)}
            for store_id in store_ids:
                state = states.get(store_id) or RollupState.objects.create(
                    store_id=store_id,
                    module=module,
                    first_day=today,
                    last_day=today - timedelta(days=1),
                    version=uuid.uuid4().hex,
                )
                redo = {d for d in changed.get(store_id, ()) if state.first_day <= d <= state.last_day}
                extend_to = today - timedelta(days=1)
                new_days = [
                    state.last_day + timedelta(days=n) for n in range(1, (extend_to - state.last_day).days + 1)
                ][:limit]
                _write(module, store_id, sorted(redo | set(new_days)))
                done += len(redo) + len(new_days)
                if new_days:
                    state.last_day = new_days[-1]
                    state.save(update_fields=["last_day"])  # its version was renewed by _write
    return done


def rollups_rebuild(*, store_id: int, first: date, last: date) -> int:
    """Roll up the store's days first … last for every module (and any gap to the range already rolled up).

    One transaction; answers the store-days written. The changed-day marks of those days are claimed first
    (see ``_claim_marks``); a claimed mark of another day still rolled up is redone as well.
    """
    done = 0
    with transaction.atomic():
        states = {
            s.module: s for s in RollupState.objects.select_for_update().filter(store_id=store_id, module__in=MODULES)
        }
        wanted: dict[str, tuple[date, date]] = {}
        for name in MODULES:
            lo, hi = first, last
            state = states.get(name)
            if state and state.first_day <= state.last_day:
                # one range per store: fill the gap between the range rolled up and the one asked for
                lo = min(lo, state.last_day + timedelta(days=1))
                hi = max(hi, state.first_day - timedelta(days=1))
            wanted[name] = (lo, hi)
        marks = _claim_marks(
            store_id,
            min(lo for lo, _ in wanted.values()),
            max(hi for _, hi in wanted.values()) + timedelta(days=1),
            None,
        )
        for name, (lo, hi) in wanted.items():
            state = states.get(name)
            days = {lo + timedelta(days=n) for n in range((hi - lo).days + 1)}
            if state:
                days |= {day for _, day in marks if state.first_day <= day <= state.last_day}
            done += len(days)
            _write(name, store_id, sorted(days))
            if state is None:
                RollupState.objects.create(
                    store_id=store_id, module=name, first_day=lo, last_day=hi, version=uuid.uuid4().hex
                )
                continue
            if state.first_day > state.last_day:
                state.first_day, state.last_day = lo, hi
            else:
                state.first_day, state.last_day = min(state.first_day, lo), max(state.last_day, hi)
            state.save(update_fields=["first_day", "last_day"])  # its version was renewed by _write
    return done
