"""Lounge figures (S4.1–S4.11) computed from visits, servings, requests, rounds, faults and promises.

Nobody types a lounge KPI: every count is the number of records one named condition matches
(``conditions``), and the records view lists exactly those records, so a figure and its
drill-down always agree. Averages are taken over the same records the count beside them lists.

A person (the attendant) is the one who greeted the visit, served the refill, answered the
request, did the round or fixed the fault; an open fault counts for its owner, an overdue refill
promise for its owner or whoever closed it. The department
filter of the telephone page does not apply here.

Queries: every reader runs a fixed number of aggregate queries, whatever the data size. The 90th
percentile of the time to greet is computed in Python from one ``values_list`` query of the
period's measured greeting times (portable: SQLite has no percentile function), with the
nearest-rank method: the smallest time that at least 90 % of the greetings did not exceed.
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
    return _in_period("submitted_at", scope) & Q(state=RoundState.DONE)


def _rounds_due(scope: FigureScope) -> Q:
    """Scheduled in the period and done, missed, or open past its due time (an open round not yet due is not counted)."""
    return _in_period("scheduled_for", scope) & (
        Q(state__in=[RoundState.DONE, RoundState.MISSED]) | Q(state=RoundState.OPEN, due_at__lt=scope.now)
    )


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


def conditions(scope: FigureScope, limits: Limits) -> dict[str, tuple[str, Q]]:
    """Each figure's record kind and the condition its records meet, on top of the kind's base queryset."""
    overdue = Q(state__in=[PromiseState.LATE, PromiseState.BROKEN]) | Q(
        state=PromiseState.OPEN, paused_at__isnull=True, due_at__lt=scope.now
    )
    answered = Q(acknowledged_at__isnull=False)
    fixed = _faults_fixed(scope)
    return {
        "visits": (VISIT, Q()),
        "visits_greeted": (VISIT, Q(greet_seconds__isnull=False)),
        "visits_greeted_in_time": (VISIT, Q(greet_seconds__isnull=False) & limits.greeted_in_time()),
        "visits_not_greeted": (VISIT, Q(greeted_at__isnull=True)),
        "first_visits": (VISIT, Q(first_visit=True)),
        "introduced": (VISIT, Q(first_visit=True, introduced_at__isnull=False)),
        "refills": (SERVING, Q()),
        "refills_on_time": (SERVING, Q(on_time=True)),
        "refills_overdue": (PROMISE, overdue),
        "requests": (REQUEST, Q()),
        "requests_answered": (REQUEST, answered),
        "requests_in_time": (REQUEST, answered & limits.answered_in_time()),
        "requests_unanswered": (
            REQUEST,
            Q(acknowledged_at__isnull=True, done_at__isnull=True) & ~Q(state=RequestState.CANCELLED),
        ),
        "rounds_done": (ROUND, _rounds_done(scope)),
        "rounds_due": (ROUND, _rounds_due(scope)),
        "rounds_on_time": (ROUND, _rounds_due(scope) & Q(state=RoundState.DONE, on_time=True)),
        "failed_items": (RESULT, Q(passed=False)),
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
class GreetSample:
    day: date
    person_id: int | None
    seconds: int


def greet_samples(scope: FigureScope) -> list[GreetSample]:
    """One query: every measured greeting of the period (S4.1), sorted by seconds, for the 90th percentiles."""
    tz = timezone.get_default_timezone()
    rows = (
        visits_in_scope(scope)
        .filter(greet_seconds__isnull=False)
        .order_by("greet_seconds", "id")
        .values_list("arrived_at", "greeted_by_id", "greet_seconds")
    )
    return [GreetSample(timezone.localtime(arrived, tz).date(), person, seconds) for arrived, person, seconds in rows]


def lounge_figures(scope: FigureScope, *, limits: Limits | None = None, samples: list | None = None) -> dict:
    """All lounge figures of the scope: one aggregate query per record kind, one for requests by kind,
    one for the greeting times (and one for the stores' clocks unless given)."""
    limits = limits or store_limits(scope.store_ids)
    samples = greet_samples(scope) if samples is None else samples
    conds = conditions(scope, limits)
    found: dict = {}
    found |= visits_in_scope(scope).aggregate(**_counts(VISIT, conds), greet_avg=Avg("greet_seconds"))
    found |= refills_in_scope(scope).aggregate(**_counts(SERVING, conds))
    found |= refill_promises_in_scope(scope).aggregate(**_counts(PROMISE, conds))
    found |= requests_in_scope(scope).aggregate(
        **_counts(REQUEST, conds), response_avg=Avg(RESPONSE, filter=conds["requests_answered"][1])
    )
    found |= rounds_in_scope(scope).aggregate(
        **_counts(ROUND, conds), score_avg=Avg("score", filter=conds["rounds_done"][1])
    )
    found |= round_results_in_scope(scope).aggregate(**_counts(RESULT, conds))
    found |= faults_in_scope(scope).aggregate(
        **_counts(FAULT, conds), fix_avg=Avg(TIME_TO_FIX, filter=conds["faults_fixed"][1])
    )
    figures = {key: found[f"n_{key}"] for key in FIGURE_KEYS}
    by_kind = {
        row["kind"]: row
        for row in requests_in_scope(scope)
        .values("kind")
        .annotate(
            **{f"n_{key}": Count("id", filter=conds[key][1]) for key in ("requests", "requests_answered")},
            n_requests_in_time=Count("id", filter=conds["requests_in_time"][1]),
            response_avg=Avg(RESPONSE, filter=conds["requests_answered"][1]),
        )
        .order_by("kind")
    }
    seconds = [sample.seconds for sample in samples]
    return {
        **figures,
        "greet_avg": _round1(found["greet_avg"]),
        "greet_p90": percentile(seconds),
        "greet_limit_seconds": limits.greet_seconds_shown(),
        "greeted_in_time_share": share(figures["visits_greeted_in_time"], figures["visits_greeted"]),
        "introduced_share": share(figures["introduced"], figures["first_visits"]),
        "refills_on_time_share": share(figures["refills_on_time"], figures["refills"]),
        "response_avg_minutes": minutes(found["response_avg"]),
        "help_limit_minutes": limits.help_minutes_shown(),
        "requests_in_time_share": share(figures["requests_in_time"], figures["requests_answered"]),
        "requests_by_kind": [
            {
                "kind": kind,
                "label": label,
                "requests": by_kind[kind]["n_requests"],
                "answered": by_kind[kind]["n_requests_answered"],
                "in_time": by_kind[kind]["n_requests_in_time"],
                "in_time_share": share(by_kind[kind]["n_requests_in_time"], by_kind[kind]["n_requests_answered"]),
                "response_avg_minutes": minutes(by_kind[kind]["response_avg"]),
            }
            for kind, label in RequestKind.choices
            if kind in by_kind
        ],
        "score_avg": _round1(found["score_avg"]),
        "rounds_on_time_share": share(figures["rounds_on_time"], figures["rounds_due"]),
        "fix_avg_hours": hours(found["fix_avg"]),
        "faults_fixed_in_time_share": share(figures["faults_fixed_in_time"], figures["faults_fixed"]),
    }


def daily_series(scope: FigureScope, *, samples: list | None = None) -> dict:
    """Per day of the period: visits, average and 90th percentile of the time to greet, round score,
    rounds done on time (three queries, and one for the greeting times unless given)."""
    tz = timezone.get_default_timezone()
    samples = greet_samples(scope) if samples is None else samples
    visit_rows = {
        row["day"]: row
        for row in visits_in_scope(scope)
        .annotate(day=TruncDate("arrived_at", tzinfo=tz))
        .values("day")
        .annotate(visits=Count("id"), greet_avg=Avg("greet_seconds"))
        .order_by("day")
    }
    done_rows = {
        row["day"]: row["score_avg"]
        for row in rounds_in_scope(scope)
        .filter(_rounds_done(scope))
        .annotate(day=TruncDate("submitted_at", tzinfo=tz))
        .values("day")
        .annotate(score_avg=Avg("score"))
        .order_by("day")
    }
    due_rows = {
        row["day"]: row
        for row in rounds_in_scope(scope)
        .filter(_rounds_due(scope))
        .annotate(day=TruncDate("scheduled_for", tzinfo=tz))
        .values("day")
        .annotate(due=Count("id"), on_time=Count("id", filter=Q(state=RoundState.DONE, on_time=True)))
        .order_by("day")
    }
    by_day: dict[date, list[int]] = defaultdict(list)
    for sample in samples:  # already sorted by seconds
        by_day[sample.day].append(sample.seconds)
    series: dict[str, list] = {
        "days": [],
        "visits": [],
        "greet_avg": [],
        "greet_p90": [],
        "round_score": [],
        "rounds_on_time_share": [],
    }
    for day in scope.period.days:
        visits = visit_rows.get(day, {})
        due = due_rows.get(day, {})
        series["days"].append(day.isoformat())
        series["visits"].append(visits.get("visits", 0))
        series["greet_avg"].append(_round1(visits.get("greet_avg")))
        series["greet_p90"].append(percentile(by_day.get(day, [])))
        series["round_score"].append(_round1(done_rows.get(day)))
        series["rounds_on_time_share"].append(share(due.get("on_time", 0), due.get("due", 0)))
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
    scope: FigureScope, names: dict[int, str], *, limits: Limits | None = None, samples: list | None = None
) -> list[dict]:
    """One row per attendant who greeted, refilled, answered, did a round or fixed a fault in the period.

    Five grouped queries (one per record kind; and the clocks and greeting times unless given).
    Records nobody handled (a visit not greeted, a missed round) have no row: they are in the totals.
    """
    limits = limits or store_limits(scope.store_ids)
    samples = greet_samples(scope) if samples is None else samples
    conds = conditions(scope, limits)
    rows: dict[int, dict] = {}

    def row_for(person_id):
        return rows.setdefault(person_id, dict(PERSON_COLUMNS))

    def grouped(qs, field, **aggregates):
        return qs.filter(**{f"{field}__isnull": False}).values(group=F(field)).annotate(**aggregates).order_by("group")

    for found in grouped(
        visits_in_scope(scope),
        "greeted_by_id",
        **_counts(VISIT, conds),
        greet_avg=Avg("greet_seconds"),
    ):
        row = row_for(found["group"])
        row.update(
            {key: found[f"n_{key}"] for key in ("visits", "visits_greeted_in_time", "first_visits", "introduced")}
        )
        row["greet_avg"] = _round1(found["greet_avg"])
    for found in grouped(refills_in_scope(scope), "served_by_id", **_counts(SERVING, conds)):
        row_for(found["group"]).update({key: found[f"n_{key}"] for key in ("refills", "refills_on_time")})
    for found in grouped(
        requests_in_scope(scope),
        "acknowledged_by_id",
        **_counts(REQUEST, conds),
        response_avg=Avg(RESPONSE, filter=conds["requests_answered"][1]),
    ):
        row = row_for(found["group"])
        row.update({key: found[f"n_{key}"] for key in ("requests_answered", "requests_in_time")})
        row["response_avg_minutes"] = minutes(found["response_avg"])
    for found in grouped(
        rounds_in_scope(scope),
        "submitted_by_id",
        **_counts(ROUND, conds),
        score_avg=Avg("score", filter=conds["rounds_done"][1]),
    ):
        row = row_for(found["group"])
        row.update({key: found[f"n_{key}"] for key in ("rounds_done", "rounds_due", "rounds_on_time")})
        row["score_avg"] = _round1(found["score_avg"])
    fixed = faults_in_scope(scope).filter(conds["faults_fixed"][1])
    for found in grouped(
        fixed,
        "fixed_by_id",
        n_faults_fixed=Count("id"),
        n_faults_fixed_in_time=Count("id", filter=conds["faults_fixed_in_time"][1]),
        fix_avg=Avg(TIME_TO_FIX),
    ):
        row = row_for(found["group"])
        row.update({key: found[f"n_{key}"] for key in ("faults_fixed", "faults_fixed_in_time")})
        row["fix_avg_hours"] = hours(found["fix_avg"])
    seconds_by_person: dict[int, list[int]] = defaultdict(list)
    for sample in samples:
        if sample.person_id in rows:
            seconds_by_person[sample.person_id].append(sample.seconds)
    result = []
    for person_id, row in rows.items():
        row["id"] = person_id
        row["name"] = names.get(person_id, "")
        row["greet_p90"] = percentile(seconds_by_person.get(person_id, []))
        row["refills_on_time_share"] = share(row["refills_on_time"], row["refills"])
        row["introduced_share"] = share(row["introduced"], row["first_visits"])
        row["requests_in_time_share"] = share(row["requests_in_time"], row["requests_answered"])
        row["rounds_on_time_share"] = share(row["rounds_on_time"], row["rounds_due"])
        row["faults_fixed_in_time_share"] = share(row["faults_fixed_in_time"], row["faults_fixed"])
        result.append(row)
    return sorted(result, key=lambda r: (r["name"] == "", r["name"], r["id"]))
