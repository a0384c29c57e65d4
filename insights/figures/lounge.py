"""Lounge figures (S4.1–S4.11) computed from visits, servings, requests, rounds, faults and promises.

Nobody types a lounge KPI: every count is the number of records one named condition matches
(``conditions``), and the records view lists exactly those records, so a figure and its
drill-down always agree. Averages are taken over the same records the count beside them lists.

A person (the attendant) is the one who greeted the visit, served the refill, answered the
request, did the round or fixed the fault; an open fault counts for its owner, an overdue refill
promise for its owner or whoever closed it. The department
filter of the telephone page does not apply here.

Queries: every reader runs a fixed number of queries, whatever the data size: per kind of record, one on
the daily rollups (insights.rollups.lounge) and one on the records of the days not rolled up. The 90th
percentile of the time to greet uses the nearest-rank method (the smallest time that at least 90 % of the
greetings did not exceed), from histograms of the greeting times (``greet_samples``): exact, and the same
on PostgreSQL and SQLite.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checks.choices import Purpose, RoundState
from checks.models import Round, RoundResult
from lounge.choices import FaultState, RequestKind, RequestState
from lounge.models import FaultTicket, LoungeRequest, LoungeSettings, Serving, Visit
from promises.choices import PromiseKind, PromiseState
from promises.models import Promise

from ..rollups import base as rollups
from .base import FigureScope, share

LOUNGE_REFILL = PromiseKind.LOUNGE_REFILL  # S4.2: the next refill's clock
FAULT_FIX = PromiseKind.FAULT_FIX  # S4.11: the clock to fix a fault

VISIT, SERVING, PROMISE, REQUEST, ROUND, RESULT, FAULT = (
    "visit",
    "serving",
    "promise",
    "request",
    "round",
    "result",
    "fault",
)

FIGURE_LABELS = {
    "visits": _("Lounge visits"),
    "visits_greeted": _("Visits with a measured greeting"),
    "visits_greeted_in_time": _("Visits greeted within the store's time"),
    "visits_not_greeted": _("Visits not greeted"),
    "first_visits": _("First-time customers"),
    "introduced": _("First-time customers given the service introduction"),
    "refills": _("Refills"),
    "refills_on_time": _("Refills on time"),
    "refills_overdue": _("Overdue refill promises"),
    "requests": _("Help requests"),
    "requests_answered": _("Requests answered"),
    "requests_in_time": _("Requests answered within the store's time"),
    "requests_unanswered": _("Requests not answered"),
    "rounds_done": _("Hygiene rounds done"),
    "rounds_due": _("Hygiene rounds due"),
    "rounds_on_time": _("Hygiene rounds done on time"),
    "failed_items": _("Failed round items"),
    "faults_open": _("Open faults"),
    "faults_fixed": _("Faults fixed"),
    "faults_fixed_in_time": _("Faults fixed within their promise"),
}

SERIES_LABELS = {
    "visits": _("Visits"),
    "greet_avg": _("Average time to greet (s)"),
    "greet_p90": _("90th percentile of time to greet (s)"),
    "round_score": _("Average round score"),
    "rounds_on_time_share": _("Rounds done on time (%)"),
    "visits_title": _("Visits and time to greet per day"),
    "rounds_title": _("Hygiene rounds per day (%)"),
}


# --- the stores' clocks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """The lounge clocks of the scope's stores, grouped by value: {limit: [store ids]}.

    Grouping keeps a condition short (usually one term) whatever the number of stores; a store
    without saved settings uses the defaults.
    """

    greet_seconds: dict[int, list[int]]
    help_minutes: dict[int, list[int]]

    def greeted_in_time(self) -> Q:
        """S4.1: greeted within the store's ``greet_within_seconds``."""
        return _any(Q(store_id__in=ids, greet_seconds__lte=limit) for limit, ids in self.greet_seconds.items())

    def answered_in_time(self) -> Q:
        """S4.5: someone on the way within the store's ``help_within_minutes``."""
        return _any(
            Q(store_id__in=ids, acknowledged_at__lte=F("created_at") + timedelta(minutes=limit))
            for limit, ids in self.help_minutes.items()
        )

    def help_minutes_shown(self) -> int | None:
        """The one time limit of the scope's stores, or None when they differ."""
        return next(iter(self.help_minutes)) if len(self.help_minutes) == 1 else None

    def greet_seconds_shown(self) -> int | None:
        return next(iter(self.greet_seconds)) if len(self.greet_seconds) == 1 else None


def _any(terms: Iterable[Q]) -> Q:
    result = None
    for term in terms:
        result = term if result is None else result | term
    return result if result is not None else Q(pk__in=[])


def store_limits(store_ids: frozenset[int]) -> Limits:
    """One query: the saved settings of the stores; defaults for the others (nothing is created on a read)."""
    saved = {s.store_id: s for s in LoungeSettings.objects.filter(store_id__in=store_ids)}
    greet: dict[int, list[int]] = defaultdict(list)
    help_: dict[int, list[int]] = defaultdict(list)
    for store_id in sorted(store_ids):
        found = saved.get(store_id) or LoungeSettings(store_id=store_id)
        greet[found.greet_within_seconds].append(store_id)
        help_[found.help_within_minutes].append(store_id)
    return Limits(greet_seconds=dict(greet), help_minutes=dict(help_))


# --- scoped base querysets ------------------------------------------------------------------------


def _in_period(field: str, scope: FigureScope) -> Q:
    return Q(**{f"{field}__gte": scope.period.start, f"{field}__lt": scope.period.end})


def visits_in_scope(scope: FigureScope) -> QuerySet:
    """Visits that arrived in the period (S4.1, S4.3); a person's are the visits they greeted."""
    qs = Visit.objects.filter(_in_period("arrived_at", scope), store_id__in=scope.store_ids)
    if scope.person_id:
        qs = qs.filter(greeted_by_id=scope.person_id)
    return qs


def refills_in_scope(scope: FigureScope) -> QuerySet:
    """Refills served in the period (S4.2); a person's are the refills they served."""
    qs = Serving.objects.filter(_in_period("served_at", scope), store_id__in=scope.store_ids, refill=True)
    if scope.person_id:
        qs = qs.filter(served_by_id=scope.person_id)
    return qs


def refill_promises_in_scope(scope: FigureScope) -> QuerySet:
    """Refill promises (kind PromiseKind.LOUNGE_REFILL) due in the period; a person's are the ones they owned or closed.

    The lounge desk (a department) usually owns the clock; whoever served the late refill closed it.
    """
    qs = Promise.objects.filter(_in_period("due_at", scope), store_id__in=scope.store_ids, kind=LOUNGE_REFILL)
    if scope.person_id:
        qs = qs.filter(Q(owner_id=scope.person_id) | Q(closed_by_id=scope.person_id))
    return qs


def requests_in_scope(scope: FigureScope) -> QuerySet:
    """Requests asked in the period (S4.5); a person's are the requests they answered."""
    qs = LoungeRequest.objects.filter(_in_period("created_at", scope), store_id__in=scope.store_ids)
    if scope.person_id:
        qs = qs.filter(acknowledged_by_id=scope.person_id)
    return qs


def _rounds_done(scope: FigureScope) -> Q:
    return _in_period("submitted_at", scope) & ROUND_DONE


def _rounds_due(scope: FigureScope) -> Q:
    """Scheduled in the period and done, missed, or open past its due time (an open round not yet due is not counted)."""
    return _in_period("scheduled_for", scope) & (ROUND_DUE_CLOSED | round_overdue_now(scope.now))


def rounds_in_scope(scope: FigureScope) -> QuerySet:
    """Lounge hygiene rounds submitted or scheduled in the period (S4.6–S4.10); a person's are the ones they did."""
    qs = Round.objects.filter(
        _in_period("submitted_at", scope) | _in_period("scheduled_for", scope),
        store_id__in=scope.store_ids,
        purpose=Purpose.LOUNGE_HYGIENE,
    )
    if scope.person_id:
        qs = qs.filter(submitted_by_id=scope.person_id)
    return qs


def round_results_in_scope(scope: FigureScope) -> QuerySet:
    """The items of the lounge hygiene rounds done in the period."""
    qs = RoundResult.objects.filter(
        _in_period("round__submitted_at", scope),
        store_id__in=scope.store_ids,
        round__purpose=Purpose.LOUNGE_HYGIENE,
        round__state=RoundState.DONE,
    )
    if scope.person_id:
        qs = qs.filter(round__submitted_by_id=scope.person_id)
    return qs


OPEN_FAULT_STATES = (FaultState.OPEN, FaultState.IN_PROGRESS)


def _faults_open(scope: FigureScope) -> Q:
    """Open now, whatever the period (S4.11); a person's are the ones they own."""
    condition = Q(state__in=OPEN_FAULT_STATES)
    return condition & Q(owner_id=scope.person_id) if scope.person_id else condition


def _faults_fixed(scope: FigureScope) -> Q:
    """Fixed in the period; a person's are the ones they fixed."""
    condition = _in_period("fixed_at", scope) & Q(state=FaultState.FIXED)
    return condition & Q(fixed_by_id=scope.person_id) if scope.person_id else condition


def faults_in_scope(scope: FigureScope) -> QuerySet:
    """Faults open now or fixed in the period."""
    return FaultTicket.objects.filter(_faults_open(scope) | _faults_fixed(scope), store_id__in=scope.store_ids)


BASES = {
    VISIT: visits_in_scope,
    SERVING: refills_in_scope,
    PROMISE: refill_promises_in_scope,
    REQUEST: requests_in_scope,
    ROUND: rounds_in_scope,
    RESULT: round_results_in_scope,
    FAULT: faults_in_scope,
}


# --- the conditions behind each figure --------------------------------------------------------------
#
# The pieces that do not depend on the period are named: the rollups (insights.rollups.lounge) count a
# store's day with the very same conditions.

GREETED = Q(greet_seconds__isnull=False)
NOT_GREETED = Q(greeted_at__isnull=True)
FIRST_VISIT = Q(first_visit=True)
INTRODUCED = Q(first_visit=True, introduced_at__isnull=False)
REFILL_ON_TIME = Q(on_time=True)
REFILL_OVERDUE_CLOSED = Q(state__in=[PromiseState.LATE, PromiseState.BROKEN])
ANSWERED = Q(acknowledged_at__isnull=False)
UNANSWERED = Q(acknowledged_at__isnull=True, done_at__isnull=True) & ~Q(state=RequestState.CANCELLED)
ROUND_DONE = Q(state=RoundState.DONE)
ROUND_DUE_CLOSED = Q(state__in=[RoundState.DONE, RoundState.MISSED])
ROUND_ON_TIME = Q(state=RoundState.DONE, on_time=True)
FAILED = Q(passed=False)


def refill_overdue_now(now) -> Q:
    """An open refill promise past its due time now (read from the records, never rolled up)."""
    return Q(state=PromiseState.OPEN, paused_at__isnull=True, due_at__lt=now)


def round_overdue_now(now) -> Q:
    """An open round past its due time now (read from the records, never rolled up)."""
    return Q(state=RoundState.OPEN, due_at__lt=now)


def conditions(scope: FigureScope, limits: Limits) -> dict[str, tuple[str, Q]]:
    """Each figure's record kind and the condition its records meet, on top of the kind's base queryset."""
    overdue = REFILL_OVERDUE_CLOSED | refill_overdue_now(scope.now)
    fixed = _faults_fixed(scope)
    return {
        "visits": (VISIT, Q()),
        "visits_greeted": (VISIT, GREETED),
        "visits_greeted_in_time": (VISIT, GREETED & limits.greeted_in_time()),
        "visits_not_greeted": (VISIT, NOT_GREETED),
        "first_visits": (VISIT, FIRST_VISIT),
        "introduced": (VISIT, INTRODUCED),
        "refills": (SERVING, Q()),
        "refills_on_time": (SERVING, REFILL_ON_TIME),
        "refills_overdue": (PROMISE, overdue),
        "requests": (REQUEST, Q()),
        "requests_answered": (REQUEST, ANSWERED),
        "requests_in_time": (REQUEST, ANSWERED & limits.answered_in_time()),
        "requests_unanswered": (REQUEST, UNANSWERED),
        "rounds_done": (ROUND, _rounds_done(scope)),
        "rounds_due": (ROUND, _rounds_due(scope)),
        "rounds_on_time": (ROUND, _rounds_due(scope) & ROUND_ON_TIME),
        "failed_items": (RESULT, FAILED),
        "faults_open": (FAULT, _faults_open(scope)),
        "faults_fixed": (FAULT, fixed),
        "faults_fixed_in_time": (FAULT, fixed & Q(promise__state=PromiseState.KEPT)),
    }


FIGURE_KEYS = tuple(FIGURE_LABELS)
RECORD_KINDS = {
    **dict.fromkeys(("visits", "visits_greeted", "visits_greeted_in_time", "visits_not_greeted"), VISIT),
    **dict.fromkeys(("first_visits", "introduced"), VISIT),
    **dict.fromkeys(("refills", "refills_on_time"), SERVING),
    "refills_overdue": PROMISE,
    **dict.fromkeys(("requests", "requests_answered", "requests_in_time", "requests_unanswered"), REQUEST),
    **dict.fromkeys(("rounds_done", "rounds_due", "rounds_on_time"), ROUND),
    "failed_items": RESULT,
    **dict.fromkeys(("faults_open", "faults_fixed", "faults_fixed_in_time"), FAULT),
}


def _counts(record_kind: str, conds: dict[str, tuple[str, Q]]) -> dict:
    """Aggregates named ``n_<figure>`` for every figure of one record kind (a bare name may shadow a field)."""
    return {f"n_{key}": Count("id", filter=cond) for key, (kind, cond) in conds.items() if kind == record_kind}


SELECT_RELATED = {
    VISIT: ("store", "customer", "seat", "greeted_by", "introduced_by"),
    SERVING: ("store", "visit__customer", "served_by"),
    PROMISE: ("store", "owner", "owner_department"),
    REQUEST: ("store", "seat", "visit__customer", "acknowledged_by"),
    ROUND: ("store", "area", "submitted_by"),
    RESULT: ("store", "round__submitted_by"),
    FAULT: ("store", "facility", "owner", "owner_department", "fixed_by", "promise"),
}
ORDERING = {
    VISIT: ("-arrived_at", "-id"),
    SERVING: ("-served_at", "-id"),
    PROMISE: ("due_at", "id"),
    REQUEST: ("-created_at", "-id"),
    ROUND: ("-scheduled_for", "-submitted_at", "-id"),
    RESULT: ("-round__submitted_at", "round_id", "position", "id"),
    FAULT: ("-reported_at", "-id"),
}


def records(scope: FigureScope, key: str, kind: str | None = None, limits: Limits | None = None) -> QuerySet:
    """The records one figure counts (KeyError for an unknown figure); requests may be narrowed to one kind."""
    record_kind = RECORD_KINDS[key]
    condition = conditions(scope, limits or store_limits(scope.store_ids))[key][1]
    qs = BASES[record_kind](scope).filter(condition)
    if kind and record_kind == REQUEST:
        qs = qs.filter(kind=kind)
    return qs.select_related(*SELECT_RELATED[record_kind]).order_by(*ORDERING[record_kind])


# --- figures ----------------------------------------------------------------------------------------


def percentile(values: list, pct: int = 90):
    """Nearest-rank percentile of sorted values: the smallest value with at least pct % of them at or below it."""
    if not values:
        return None
    return values[max(math.ceil(pct / 100 * len(values)), 1) - 1]


def _round1(value) -> float | None:
    return round(float(value), 1) if value is not None else None


def minutes(duration: timedelta | None) -> float | None:
    return round(duration.total_seconds() / 60, 1) if duration is not None else None


def hours(duration: timedelta | None) -> float | None:
    return round(duration.total_seconds() / 3600, 1) if duration is not None else None


RESPONSE = ExpressionWrapper(F("acknowledged_at") - F("created_at"), output_field=DurationField())
TIME_TO_FIX = ExpressionWrapper(F("fixed_at") - F("reported_at"), output_field=DurationField())


@dataclass(frozen=True)
class GreetPercentiles:
    """The 90th percentile of the time to greet (S4.1): over the scope, per day and per person who greeted."""

    total: int | None
    by_day: dict[date, int]
    by_person: dict[int, int]


def greet_samples(scope: FigureScope) -> GreetPercentiles:
    """The 90th percentiles of the period's measured greetings (S4.1): whole, per day and per person.

    From histograms (how many greetings took each number of seconds): the rolled-up days' from the rollups
    (family ``greet``), the other days' counted from the visits; the nearest rank of the merged counts is
    exactly ``percentile`` of the times themselves, on PostgreSQL and SQLite alike.
    """
    tz = timezone.get_default_timezone()
    reader = _Reader(scope, Limits(greet_seconds={}, help_minutes={}))  # the histogram needs no clock
    records = visits_in_scope(scope).filter(GREETED)
    found = {}
    for name, group, rolled_group in (
        ("total", None, None),
        ("day", TruncDate("arrived_at", tzinfo=tz), F("day")),
        ("person", F("greeted_by_id"), F("person_id")),
    ):
        histograms: dict = defaultdict(dict)
        for (key, seconds), sums in rollups.read(
            reader.families["greet"],
            reader.split,
            records=records,
            rollups=reader.person,
            group=group,
            rolled_group=rolled_group,
        ).items():
            histograms[key][int(seconds)] = histograms[key].get(int(seconds), 0) + sums.get("records", 0)
        found[name] = {key: rollups.nearest_rank(counts) for key, counts in histograms.items()}
    return GreetPercentiles(
        found["total"].get(None),
        found["day"],
        {person: value for person, value in found["person"].items() if person is not None},
    )


# Each reader adds up the rolled-up days of its scope (insights.rollups.lounge, DailyFigure) and the records
# of the other days (never rolled up, today, changed since): two queries per kind of record, one more for
# which days are rolled up; what depends on "now" and the faults are read from the records.


def _hygiene_rounds(scope: FigureScope) -> QuerySet:
    qs = Round.objects.filter(store_id__in=scope.store_ids, purpose=Purpose.LOUNGE_HYGIENE)
    return qs.filter(submitted_by_id=scope.person_id) if scope.person_id else qs


class _Reader:
    """The scope's lounge rollups: which days are rolled up, the families with the stores' clocks."""

    def __init__(self, scope: FigureScope, limits: Limits):
        from ..rollups.lounge import families

        self.scope = scope
        self.split = rollups.split(scope, "lounge")
        self.families = {family.name: family for family in families(limits)}
        self.person = Q(person_id=scope.person_id) if scope.person_id else None

    def read(self, name: str, records, group=None, rolled_group=None, live: Q | None = None) -> dict:
        found = rollups.read(
            self.families[name],
            self.split,
            records=records,
            rollups=self.person,
            group=group,
            rolled_group=rolled_group,
            live=live,
        )
        return rollups.by_group(found)

    def visits(self, group=None, rolled_group=None):
        return self.read("visit", visits_in_scope(self.scope), group, rolled_group)

    def refills(self, group=None, rolled_group=None):
        return self.read("refill", refills_in_scope(self.scope), group, rolled_group)

    def requests(self, group=None, rolled_group=None):
        family = self.families["request"]
        return rollups.read(
            family,
            self.split,
            records=requests_in_scope(self.scope),
            rollups=self.person,
            group=group,
            rolled_group=rolled_group,
        )

    def rounds_done(self, group=None, rolled_group=None):
        records = _hygiene_rounds(self.scope).filter(_rounds_done(self.scope))
        return self.read("round_done", records, group, rolled_group)

    def rounds_due(self, group=None, rolled_group=None):
        records = _hygiene_rounds(self.scope).filter(_in_period("scheduled_for", self.scope))
        return self.read("round_due", records, group, rolled_group, live=round_overdue_now(self.scope.now))


def _n(sums, key: str) -> int:
    return sums.get(key, 0) if sums else 0


def _response(sums) -> timedelta | None:
    average = sums.average("answered") if sums else None
    return timedelta(microseconds=round(average)) if average is not None else None


def lounge_figures(
    scope: FigureScope, *, limits: Limits | None = None, samples: GreetPercentiles | None = None
) -> dict:
    """All lounge figures of the scope: each kind of record from the rollups and the records, the faults and
    the percentiles from the records (and one query for the stores' clocks unless given)."""
    limits = limits or store_limits(scope.store_ids)
    samples = greet_samples(scope) if samples is None else samples
    reader = _Reader(scope, limits)
    empty = rollups.Sums()
    visits = reader.visits().get(None, empty)
    refills = reader.refills().get(None, empty)
    overdue = reader.read("refill_promise", refill_promises_in_scope(scope), live=refill_overdue_now(scope.now)).get(
        None, empty
    )
    closer = reader.read("refill_promise_closer", None).get(None, empty) if scope.person_id else empty
    by_kind = {kind: sums for (_group, kind), sums in reader.requests().items()}
    requests = rollups.by_group({(None, kind): sums for kind, sums in by_kind.items()}).get(None, empty)
    done = reader.rounds_done().get(None, empty)
    due = reader.rounds_due().get(None, empty)
    items = reader.read("round_item", round_results_in_scope(scope)).get(None, empty)
    conds = conditions(scope, limits)
    faults = faults_in_scope(scope).aggregate(
        **_counts(FAULT, conds), fix_avg=Avg(TIME_TO_FIX, filter=conds["faults_fixed"][1])
    )
    figures = {
        "visits": _n(visits, "records"),
        "visits_greeted": _n(visits, "greeted"),
        "visits_greeted_in_time": _n(visits, "greeted_in_time"),
        "visits_not_greeted": _n(visits, "not_greeted"),
        "first_visits": _n(visits, "first"),
        "introduced": _n(visits, "introduced"),
        "refills": _n(refills, "records"),
        "refills_on_time": _n(refills, "on_time"),
        "refills_overdue": _n(overdue, "overdue_closed") + _n(overdue, "live") + _n(closer, "overdue_closed"),
        "requests": _n(requests, "records"),
        "requests_answered": _n(requests, "answered"),
        "requests_in_time": _n(requests, "in_time"),
        "requests_unanswered": _n(requests, "unanswered"),
        "rounds_done": _n(done, "records"),
        "rounds_due": _n(due, "due_closed") + _n(due, "live"),
        "rounds_on_time": _n(due, "on_time"),
        "failed_items": _n(items, "failed"),
        **{key: faults[f"n_{key}"] for key in ("faults_open", "faults_fixed", "faults_fixed_in_time")},
    }
    return {
        **figures,
        "greet_avg": _round1(visits.average("greeted")),
        "greet_p90": samples.total,
        "greet_limit_seconds": limits.greet_seconds_shown(),
        "greeted_in_time_share": share(figures["visits_greeted_in_time"], figures["visits_greeted"]),
        "introduced_share": share(figures["introduced"], figures["first_visits"]),
        "refills_on_time_share": share(figures["refills_on_time"], figures["refills"]),
        "response_avg_minutes": minutes(_response(requests)),
        "help_limit_minutes": limits.help_minutes_shown(),
        "requests_in_time_share": share(figures["requests_in_time"], figures["requests_answered"]),
        "requests_by_kind": [
            {
                "kind": kind,
                "label": label,
                "requests": _n(by_kind[kind], "records"),
                "answered": _n(by_kind[kind], "answered"),
                "in_time": _n(by_kind[kind], "in_time"),
                "in_time_share": share(_n(by_kind[kind], "in_time"), _n(by_kind[kind], "answered")),
                "response_avg_minutes": minutes(_response(by_kind[kind])),
            }
            for kind, label in RequestKind.choices
            if kind in by_kind
        ],
        "score_avg": _round1(done.average("records")),
        "rounds_on_time_share": share(figures["rounds_on_time"], figures["rounds_due"]),
        "fix_avg_hours": hours(faults["fix_avg"]),
        "faults_fixed_in_time_share": share(figures["faults_fixed_in_time"], figures["faults_fixed"]),
    }


def daily_series(scope: FigureScope, *, samples: GreetPercentiles | None = None, limits: Limits | None = None) -> dict:
    """Per day of the period: visits, average and 90th percentile of the time to greet, round score,
    rounds done on time (from the rollups and the records, and one query for the percentiles unless given)."""
    tz = timezone.get_default_timezone()
    samples = greet_samples(scope) if samples is None else samples
    reader = _Reader(scope, limits or store_limits(scope.store_ids))
    day = F("day")
    visits = reader.visits(TruncDate("arrived_at", tzinfo=tz), day)
    done = reader.rounds_done(TruncDate("submitted_at", tzinfo=tz), day)
    due = reader.rounds_due(TruncDate("scheduled_for", tzinfo=tz), day)
    series: dict[str, list] = {
        "days": [],
        "visits": [],
        "greet_avg": [],
        "greet_p90": [],
        "round_score": [],
        "rounds_on_time_share": [],
    }
    for on in scope.period.days:
        found, found_done, found_due = visits.get(on), done.get(on), due.get(on)
        series["days"].append(on.isoformat())
        series["visits"].append(_n(found, "records"))
        series["greet_avg"].append(_round1(found.average("greeted")) if found else None)
        series["greet_p90"].append(samples.by_day.get(on))
        series["round_score"].append(_round1(found_done.average("records")) if found_done else None)
        series["rounds_on_time_share"].append(
            share(_n(found_due, "on_time"), _n(found_due, "due_closed") + _n(found_due, "live"))
        )
    return series


PERSON_COLUMNS = {
    "visits": 0,
    "visits_greeted_in_time": 0,
    "first_visits": 0,
    "introduced": 0,
    "greet_avg": None,
    "greet_p90": None,
    "refills": 0,
    "refills_on_time": 0,
    "requests_answered": 0,
    "requests_in_time": 0,
    "response_avg_minutes": None,
    "rounds_done": 0,
    "rounds_due": 0,
    "rounds_on_time": 0,
    "score_avg": None,
    "faults_fixed": 0,
    "faults_fixed_in_time": 0,
    "fix_avg_hours": None,
}


def per_person(
    scope: FigureScope,
    names: dict[int, str],
    *,
    limits: Limits | None = None,
    samples: GreetPercentiles | None = None,
) -> list[dict]:
    """One row per attendant who greeted, refilled, answered, did a round or fixed a fault in the period.

    From the rollups and the records per kind of record (and the clocks and greeting times unless given).
    Records nobody handled (a visit not greeted, a missed round) have no row: they are in the totals.
    """
    limits = limits or store_limits(scope.store_ids)
    samples = greet_samples(scope) if samples is None else samples
    reader = _Reader(scope, limits)
    conds = conditions(scope, limits)
    person = F("person_id")
    rows: dict[int, dict] = {}

    def row_for(person_id):
        return rows.setdefault(person_id, dict(PERSON_COLUMNS))

    def handled(found: dict):
        return sorted((group, sums) for group, sums in found.items() if group is not None)

    for person_id, found in handled(reader.visits(F("greeted_by_id"), person)):
        row = row_for(person_id)
        row["visits"] = _n(found, "records")
        row["visits_greeted_in_time"] = _n(found, "greeted_in_time")
        row["first_visits"] = _n(found, "first")
        row["introduced"] = _n(found, "introduced")
        row["greet_avg"] = _round1(found.average("greeted"))
    for person_id, found in handled(reader.refills(F("served_by_id"), person)):
        row_for(person_id).update({"refills": _n(found, "records"), "refills_on_time": _n(found, "on_time")})
    for person_id, found in handled(rollups.by_group(reader.requests(F("acknowledged_by_id"), person))):
        row = row_for(person_id)
        row.update({"requests_answered": _n(found, "answered"), "requests_in_time": _n(found, "in_time")})
        row["response_avg_minutes"] = minutes(_response(found))
    for person_id, found in handled(reader.rounds_done(F("submitted_by_id"), person)):
        row = row_for(person_id)
        row["rounds_done"] = _n(found, "records")
        row["score_avg"] = _round1(found.average("records"))
    for person_id, found in handled(reader.rounds_due(F("submitted_by_id"), person)):
        row = row_for(person_id)
        row["rounds_due"] = _n(found, "due_closed") + _n(found, "live")
        row["rounds_on_time"] = _n(found, "on_time")
    fixed = faults_in_scope(scope).filter(conds["faults_fixed"][1], fixed_by_id__isnull=False)
    for found in (
        fixed.values(group=F("fixed_by_id"))
        .annotate(
            n_faults_fixed=Count("id"),
            n_faults_fixed_in_time=Count("id", filter=conds["faults_fixed_in_time"][1]),
            fix_avg=Avg(TIME_TO_FIX),
        )
        .order_by("group")
    ):
        row = row_for(found["group"])
        row.update({key: found[f"n_{key}"] for key in ("faults_fixed", "faults_fixed_in_time")})
        row["fix_avg_hours"] = hours(found["fix_avg"])
    result = []
    for person_id, row in rows.items():
        row["id"] = person_id
        row["name"] = names.get(person_id, "")
        row["greet_p90"] = samples.by_person.get(person_id)
        row["refills_on_time_share"] = share(row["refills_on_time"], row["refills"])
        row["introduced_share"] = share(row["introduced"], row["first_visits"])
        row["requests_in_time_share"] = share(row["requests_in_time"], row["requests_answered"])
        row["rounds_on_time_share"] = share(row["rounds_on_time"], row["rounds_due"])
        row["faults_fixed_in_time_share"] = share(row["faults_fixed_in_time"], row["faults_fixed"])
        result.append(row)
    return sorted(result, key=lambda r: (r["name"] == "", r["name"], r["id"]))
