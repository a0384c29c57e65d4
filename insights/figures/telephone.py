"""Telephone figures (S2, S1.4) computed from calls, messages and promises; nobody types a KPI.

Every figure is a count of records matched by one named condition (``CALL_FIGURES``,
``MESSAGE_FIGURES``, ``PROMISE_FIGURES``); the records view lists exactly the records the figure
counts, so a figure and its drill-down always agree. Each reader runs a fixed number of aggregate
queries, whatever the data size.

The shared pieces (periods, FigureScope, Figure, share) are in insights.figures.base.
"""

from datetime import datetime

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phone.choices import Direction
from phone.models import Call, Message
from promises.choices import PromiseKind, PromiseState
from promises.models import Promise
from promises.selectors import promise_kind_label

from ..rollups import base as rollups
from .base import FigureScope, share

MISSED_CALLBACK = PromiseKind.MISSED_CALLBACK  # S2.10: call back a missed or cut-off call
MESSAGE_CALLBACK = PromiseKind.MESSAGE_CALLBACK  # S2.3: call back the customer who left a message


# --- the conditions behind each figure -------------------------------------------------------

CALL_FIGURES: dict[str, Q] = {
    "calls": Q(direction__in=[Direction.INBOUND, Direction.OUTBOUND]),
    "calls_in": Q(direction=Direction.INBOUND),
    "calls_out": Q(direction=Direction.OUTBOUND),
    # S2.1: answered incoming calls whose ring time was measured (the flag is set from ring data).
    "answered": Q(direction=Direction.INBOUND, missed=False, answered_in_time__isnull=False),
    "answered_in_time": Q(direction=Direction.INBOUND, missed=False, answered_in_time=True),
    "missed": Q(missed=True),
    "scored": Q(script_score__isnull=False),
}

MESSAGE_FIGURES: dict[str, Q] = {
    "messages_callback": Q(callback_wanted=True),
}


PROMISE_CLOSED = Q(state__in=[PromiseState.KEPT, PromiseState.LATE, PromiseState.BROKEN])


def promise_overdue_now(now: datetime) -> Q:
    """Open, not paused and past its due time: due now although not closed (read from the records, never rolled up)."""
    return Q(state=PromiseState.OPEN, paused_at__isnull=True, due_at__lt=now)


def _promise_due(now: datetime) -> Q:
    """Closed (kept, late, broken) or open and past its due time; cancelled and paused ones do not count."""
    return PROMISE_CLOSED | promise_overdue_now(now)


def _promise_figures(now: datetime) -> dict[str, tuple[str | None, Q]]:
    due = _promise_due(now)
    kept = Q(state=PromiseState.KEPT)
    return {
        "missed_callback_due": (MISSED_CALLBACK, due),
        "missed_callback_kept": (MISSED_CALLBACK, kept),
        "message_callback_due": (MESSAGE_CALLBACK, due),
        "message_callback_kept": (MESSAGE_CALLBACK, kept),
        "promises_due": (None, due),
        "promises_kept": (None, kept),
    }


PROMISE_FIGURE_KEYS = (
    "missed_callback_due",
    "missed_callback_kept",
    "message_callback_due",
    "message_callback_kept",
    "promises_due",
    "promises_kept",
)
RECORD_KINDS = {
    **dict.fromkeys(CALL_FIGURES, "call"),
    **dict.fromkeys(MESSAGE_FIGURES, "message"),
    **dict.fromkeys(PROMISE_FIGURE_KEYS, "promise"),
}


# --- scoped base querysets ----------------------------------------------------------------------


def calls_in_scope(scope: FigureScope) -> QuerySet:
    """Calls of the stores that started in the period; a person is the one who answered or made the call."""
    qs = Call.objects.filter(
        store_id__in=scope.store_ids, started_at__gte=scope.period.start, started_at__lt=scope.period.end
    )
    if scope.department_id:
        qs = qs.filter(department_id=scope.department_id)
    if scope.person_id:
        qs = qs.filter(answered_by_id=scope.person_id)
    return qs


def messages_in_scope(scope: FigureScope) -> QuerySet:
    """Messages taken in the period, for the department (or one of its people) or for the person."""
    qs = Message.objects.filter(
        store_id__in=scope.store_ids, taken_at__gte=scope.period.start, taken_at__lt=scope.period.end
    )
    if scope.department_id:
        qs = qs.filter(Q(for_department_id=scope.department_id) | Q(for_user__department_id=scope.department_id))
    if scope.person_id:
        qs = qs.filter(for_user_id=scope.person_id)
    return qs


def promises_in_scope(scope: FigureScope) -> QuerySet:
    """Promises due in the period, owned by the department (or one of its people) or by the person."""
    qs = Promise.objects.filter(
        store_id__in=scope.store_ids, due_at__gte=scope.period.start, due_at__lt=scope.period.end
    )
    if scope.department_id:
        qs = qs.filter(Q(owner_department_id=scope.department_id) | Q(owner__department_id=scope.department_id))
    if scope.person_id:
        qs = qs.filter(owner_id=scope.person_id)
    return qs


def records(scope: FigureScope, key: str, kind: str | None = None) -> QuerySet:
    """The records one figure counts (raises KeyError for an unknown figure)."""
    record_kind = RECORD_KINDS[key]
    if record_kind == "call":
        return (
            calls_in_scope(scope)
            .filter(CALL_FIGURES[key])
            .select_related("store", "answered_by", "department")
            .order_by("-started_at", "-id")
        )
    if record_kind == "message":
        return (
            messages_in_scope(scope)
            .filter(MESSAGE_FIGURES[key])
            .select_related("store", "for_user", "for_department", "promise")
            .order_by("-taken_at", "-id")
        )
    promise_kind, condition = _promise_figures(scope.now)[key]
    qs = promises_in_scope(scope).filter(condition)
    if promise_kind or kind:
        qs = qs.filter(kind=promise_kind or kind)
    return qs.select_related("store", "owner", "owner_department").order_by("due_at", "id")


# --- figures ----------------------------------------------------------------------------------------
#
# Each reader adds up the rolled-up days of its scope (insights.rollups.telephone, DailyFigure) and the
# records of the other days (never rolled up, today, changed since): two queries per kind of record, one
# more for which days are rolled up. Averages are sums over counts, the same from either source.


def _rollup_filter(scope: FigureScope, *, department_or_person: bool) -> Q:
    """The scope's department and person on DailyFigure: a call's own department, or (messages, promises)
    the department or one of its people, as ``messages_in_scope`` and ``promises_in_scope`` select them."""
    condition = Q()
    if scope.department_id:
        condition &= (
            Q(department_id=scope.department_id) | Q(person__department_id=scope.department_id)
            if department_or_person
            else Q(department_id=scope.department_id)
        )
    if scope.person_id:
        condition &= Q(person_id=scope.person_id)
    return condition


def _calls(scope: FigureScope, split, group=None, rolled_group=None) -> dict:
    from ..rollups.telephone import CALLS

    found = rollups.read(
        CALLS,
        split,
        records=calls_in_scope(scope),
        rollups=_rollup_filter(scope, department_or_person=False),
        group=group,
        rolled_group=rolled_group,
    )
    return {group_: _call_row(sums) for group_, sums in rollups.by_group(found).items()}


def _call_row(sums) -> dict:
    """The calls' counts named ``n_<figure>`` and ``n_script_avg``, as the figures read them."""
    return {f"n_{key}": sums.get(key, 0) for key in CALL_FIGURES} | {"n_script_avg": sums.average("scored")}


def _promises(scope: FigureScope, split, group=None, rolled_group=None, kind: str | None = None) -> dict:
    """{(group, kind): {"due": …, "kept": …}} of the promises due in the period."""
    from ..rollups.telephone import PROMISES

    records = promises_in_scope(scope)
    condition = _rollup_filter(scope, department_or_person=True)
    if kind:
        records = records.filter(kind=kind)
        condition &= Q(kind=kind)
    found = rollups.read(
        PROMISES,
        split,
        records=records,
        rollups=condition,
        group=group,
        rolled_group=rolled_group,
        live=promise_overdue_now(scope.now),
    )
    return {
        key: {"due": sums.get("due_closed", 0) + sums.get("live", 0), "kept": sums.get("kept", 0)}
        for key, sums in found.items()
    }


def _split(scope: FigureScope):
    return rollups.split(scope, "telephone")


def telephone_figures(scope: FigureScope) -> dict:
    """All telephone figures of the scope: calls, messages and promises by kind, each from rollups and records."""
    from ..rollups.telephone import MESSAGES

    split = _split(scope)
    calls = _calls(scope, split).get(None) or _call_row(rollups.Sums())
    message_sums = rollups.by_group(
        rollups.read(
            MESSAGES,
            split,
            records=messages_in_scope(scope),
            rollups=_rollup_filter(scope, department_or_person=True),
        )
    ).get(None, {})
    messages = {key: message_sums.get(key, 0) for key in MESSAGE_FIGURES}
    by_kind = {kind: row for (_group, kind), row in sorted(_promises(scope, split).items())}

    def kind_counts(kind):
        row = by_kind.get(kind, {})
        return row.get("kept", 0), row.get("due", 0)

    missed_kept, missed_due = kind_counts(MISSED_CALLBACK)
    message_kept, message_due = kind_counts(MESSAGE_CALLBACK)
    all_kept = sum(row["kept"] for row in by_kind.values())
    all_due = sum(row["due"] for row in by_kind.values())
    script_avg = calls["n_script_avg"]
    return {
        **{key: calls[f"n_{key}"] for key in CALL_FIGURES},
        "answered_in_time_share": share(calls["n_answered_in_time"], calls["n_answered"]),
        "script_avg": round(script_avg, 1) if script_avg is not None else None,
        **messages,
        "missed_callback_kept": missed_kept,
        "missed_callback_due": missed_due,
        "missed_callback_share": share(missed_kept, missed_due),
        "message_callback_kept": message_kept,
        "message_callback_due": message_due,
        "message_callback_share": share(message_kept, message_due),
        "promises_kept": all_kept,
        "promises_due": all_due,
        "promises_share": share(all_kept, all_due),
        "promises_by_kind": [
            {
                "kind": kind,
                "label": promise_kind_label(kind),
                "kept": row["kept"],
                "due": row["due"],
                "share": share(row["kept"], row["due"]),
            }
            for kind, row in sorted(by_kind.items())
            if row["due"]
        ],
    }


def daily_series(scope: FigureScope) -> dict:
    """Per day of the period: calls in and out, missed, answered-in-time share, missed call-backs on time."""
    tz = timezone.get_default_timezone()
    split = _split(scope)
    call_rows = _calls(scope, split, TruncDate("started_at", tzinfo=tz), F("day"))
    promise_rows = {
        day: row
        for (day, _kind), row in _promises(
            scope, split, TruncDate("due_at", tzinfo=tz), F("day"), kind=MISSED_CALLBACK
        ).items()
    }
    series = {
        "days": [],
        "calls_in": [],
        "calls_out": [],
        "missed": [],
        "answered_in_time_share": [],
        "missed_callback_share": [],
    }
    for day in scope.period.days:
        calls = call_rows.get(day, {})
        promises = promise_rows.get(day, {})
        series["days"].append(day.isoformat())
        series["calls_in"].append(calls.get("n_calls_in", 0))
        series["calls_out"].append(calls.get("n_calls_out", 0))
        series["missed"].append(calls.get("n_missed", 0))
        series["answered_in_time_share"].append(share(calls.get("n_answered_in_time", 0), calls.get("n_answered", 0)))
        series["missed_callback_share"].append(share(promises.get("kept", 0), promises.get("due", 0)))
    return series


def _breakdown(scope: FigureScope, call_group, promise_group, rolled_call_group, rolled_promise_group) -> dict:
    """Figures per group (a person or a department): calls and promises, each from rollups and records."""
    split = _split(scope)
    call_rows = _calls(scope, split, call_group, rolled_call_group)
    promise_rows = _promises(scope, split, promise_group, rolled_promise_group)
    rows: dict = {}

    def row_for(group):
        return rows.setdefault(
            group,
            {key: 0 for key in CALL_FIGURES} | {"script_avg": None} | {key: 0 for key in PROMISE_FIGURE_KEYS},
        )

    for group, found in sorted(call_rows.items(), key=lambda item: (item[0] is None, item[0] or 0)):
        row = row_for(group)
        row.update({key: found[f"n_{key}"] for key in CALL_FIGURES})
        average = found["n_script_avg"]
        row["script_avg"] = round(average, 1) if average is not None else None
    for (group, kind), found in sorted(promise_rows.items(), key=lambda item: (item[0][0] is None, item[0][0] or 0)):
        row = row_for(group)
        for counted in (MISSED_CALLBACK, MESSAGE_CALLBACK):
            if kind == counted:
                row[f"{counted}_due"] += found["due"]
                row[f"{counted}_kept"] += found["kept"]
        row["promises_due"] += found["due"]
        row["promises_kept"] += found["kept"]
    for row in rows.values():
        row["answered_in_time_share"] = share(row["answered_in_time"], row["answered"])
        row["missed_callback_share"] = share(row["missed_callback_kept"], row["missed_callback_due"])
        row["message_callback_share"] = share(row["message_callback_kept"], row["message_callback_due"])
        row["promises_share"] = share(row["promises_kept"], row["promises_due"])
    return rows


def per_person(scope: FigureScope, names: dict[int, str]) -> list[dict]:
    """One row per person who handled calls or owned promises; `names` maps user ids to names."""
    rows = _breakdown(scope, F("answered_by_id"), F("owner_id"), F("person_id"), F("person_id"))
    result = []
    for person_id, row in rows.items():
        row["id"] = person_id
        row["name"] = names.get(person_id, "") if person_id else ""
        result.append(row)
    return sorted(result, key=lambda r: (r["id"] is None, r["name"], r["id"] or 0))


def per_department(scope: FigureScope, names: dict[int, str]) -> list[dict]:
    """One row per department; a person's promise counts for the person's department."""
    rows = _breakdown(
        scope,
        F("department_id"),
        Coalesce("owner_department_id", "owner__department_id"),
        F("department_id"),
        Coalesce("department_id", "person__department_id"),
    )
    result = []
    for department_id, row in rows.items():
        row["id"] = department_id
        row["name"] = names.get(department_id, "") if department_id else ""
        result.append(row)
    return sorted(result, key=lambda r: (r["id"] is None, r["name"], r["id"] or 0))


FIGURE_LABELS = {
    "calls": _("Calls"),
    "calls_in": _("Incoming calls"),
    "calls_out": _("Outgoing calls"),
    "answered": _("Answered calls with ring time"),
    "answered_in_time": _("Answered within 3 rings"),
    "missed": _("Missed calls"),
    "scored": _("Calls with a script check"),
    "messages_callback": _("Messages asking for a call-back"),
    "missed_callback_due": _("Missed-call call-backs due"),
    "missed_callback_kept": _("Missed calls called back on time"),
    "message_callback_due": _("Message call-backs due"),
    "message_callback_kept": _("Messages called back on time"),
    "promises_due": _("Promises due"),
    "promises_kept": _("Promises kept on time"),
}

SERIES_LABELS = {
    "calls_in": _("Incoming calls"),
    "calls_out": _("Outgoing calls"),
    "missed": _("Missed calls"),
    "answered_in_time_share": _("Answered within 3 rings (%)"),
    "missed_callback_share": _("Missed calls called back on time (%)"),
    "calls_title": _("Calls per day"),
    "shares_title": _("Shares per day (%)"),
}
