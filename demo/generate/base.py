"""The group generator's machinery: the row sink (COPY on PostgreSQL, executemany on SQLite), primary keys
reserved ahead, a store's business clock on precomputed open intervals, and the promise writer every
module uses (made, reminded, escalated, kept or closed, with the events the worker and the services write).
"""

import json
import random
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from core.models import HistoryEntry
from org.business_time import StoreCalendar
from promises.choices import PromiseState
from promises.models import Notification, Promise, PromiseEvent
from promises.selectors import rule_for

BATCH = 20_000


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


class Sink:
    """Rows per table, written in big batches: COPY … FROM STDIN on PostgreSQL, executemany on SQLite.

    `register(Model, columns)` names the columns a caller gives per row (attnames, id first); every
    other column gets its model default, fixed once (auto_now fields: the generator's `now`).
    """

    def __init__(self, now: datetime, batch: int = BATCH):
        self.postgres = connection.vendor == "postgresql"
        self.now = now
        self.batch = batch
        self.tables: dict = {}
        self.counts: Counter = Counter()

    def register(self, model, columns: tuple[str, ...]) -> None:
        rest, defaults = [], []
        for f in model._meta.local_concrete_fields:
            if f.attname in columns:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = self.now
            else:
                value = f.get_default()
            if isinstance(f, models.JSONField) and value is not None:
                value = dumps(value)
            if value is None and not f.null:
                raise ValueError(f"{model.__name__}.{f.attname} needs a value")
            rest.append(f.column)
            defaults.append(value)
        names = [model._meta.get_field(c).column if c != "id" else "id" for c in columns]
        self.tables[model] = {
            "table": model._meta.db_table,
            "columns": names + rest,
            "defaults": tuple(defaults),
            "rows": [],
        }

    def add(self, model, row: tuple) -> None:
        entry = self.tables[model]
        rows = entry["rows"]
        rows.append(row)
        if len(rows) >= self.batch:
            self._write(model, entry)

    def flush(self) -> None:
        for model, entry in self.tables.items():
            if entry["rows"]:
                self._write(model, entry)

    def _write(self, model, entry) -> None:
        rows, defaults = entry["rows"], entry["defaults"]
        entry["rows"] = []
        self.counts[model] += len(rows)
        columns = ", ".join(connection.ops.quote_name(c) for c in entry["columns"])
        table = connection.ops.quote_name(entry["table"])
        with connection.cursor() as cursor:
            if self.postgres:
                raw = cursor.cursor
                with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    write = copy.write_row
                    if defaults:
                        for row in rows:
                            write(row + defaults)
                    else:
                        for row in rows:
                            write(row)
            else:
                marks = ", ".join(["%s"] * len(entry["columns"]))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                    [tuple(_sqlite(v) for v in row + defaults) for row in rows],
                )


def _sqlite(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class Ids:
    """Primary keys reserved by the generator, per store: each store writes its rows with ids from its own
    block of each table (so stores can be generated side by side), in the order it makes them."""

    def __init__(self, starts: dict, limits: dict | None = None):
        self.next = dict(starts)
        self.limits = limits or {}

    def take(self, model, count: int = 1) -> int:
        first = self.next[model]
        self.next[model] = first + count
        return first

    def check(self) -> None:
        for model, following in self.next.items():
            limit = self.limits.get(model)
            if limit is not None and following > limit:
                raise RuntimeError(f"{model.__name__}: the store's id block overflowed ({following} > {limit})")


def table_starts(models_: list) -> dict:
    """The first free id of each table."""
    return {m: (m.objects.aggregate(top=models.Max("id"))["top"] or 0) + 1 for m in models_}


def sync_sequences(models_: list) -> None:
    """PostgreSQL: move each table's id sequence past its highest id (SQLite keeps its own)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)",
                [table],
            )


class Clock:
    """A store's business time on its open intervals from `first` to `last` (UTC datetimes), fast.

    Gives what org.business_time.StoreCalendar gives (the same hours, closures and statutory holidays);
    beyond the last interval the wall clock runs on.
    """

    def __init__(self, calendar: StoreCalendar, first: date, last: date):
        self.days: dict = {}
        self.opens: list = []
        self.closes: list = []
        day = first
        while day <= last:
            span = calendar.interval(day)
            if span is not None:
                opens, closes = span[0].astimezone(UTC), span[1].astimezone(UTC)
                self.days[day] = (opens, closes)
                self.opens.append(opens)
                self.closes.append(closes)
            day += timedelta(days=1)

    def interval(self, day: date):
        return self.days.get(day)

    def add(self, start: datetime, seconds: float) -> datetime:
        index = bisect_right(self.closes, start)
        remaining = seconds
        while index < len(self.closes):
            begin = max(start, self.opens[index])
            available = (self.closes[index] - begin).total_seconds()
            if remaining <= available:
                return begin + timedelta(seconds=remaining)
            remaining -= available
            index += 1
        return start + timedelta(seconds=remaining)

    def elapsed(self, start: datetime, end: datetime) -> float:
        if end <= start:
            return 0.0
        total = 0.0
        index = bisect_right(self.closes, start)
        while index < len(self.closes) and self.opens[index] < end:
            begin, finish = max(start, self.opens[index]), min(end, self.closes[index])
            if finish > begin:
                total += (finish - begin).total_seconds()
            index += 1
        return total


@dataclass
class Rules:
    remind_percent: int
    supervisor_minutes: int
    manager_minutes: int


@dataclass
class Gen:
    """What every module's generator shares: the random generator, the sink, the ids, the period."""

    rng: random.Random
    sink: Sink
    ids: Ids
    first_day: date
    last_day: date  # the last day with records (the day before --end)
    now: datetime  # the moment the data set stops: --end's midnight, local time
    content_types: dict = field(default_factory=dict)
    rules: dict = field(default_factory=dict)
    bell: "Bell | None" = None

    def ct(self, model) -> int:
        if model not in self.content_types:
            self.content_types[model] = ContentType.objects.get_for_model(model).pk
        return self.content_types[model]

    def rule(self, store_id: int, kind: str) -> Rules:
        key = (store_id, kind)
        if key not in self.rules:
            found = rule_for(store_id, kind)
            self.rules[key] = Rules(
                found.remind_at_percent, found.escalate_supervisor_after_minutes, found.escalate_manager_after_minutes
            )
        return self.rules[key]

    # -----------------------------------------------------------------------------------------
    # History (core.audit.history_record)

    def history(self, *, store_id, model, object_id, repr_, action, actor_id, at, changes: dict, note=""):
        self.sink.add(
            HistoryEntry,
            (
                self.ids.take(HistoryEntry),
                store_id,
                self.ct(model),
                object_id,
                repr_[:200],
                action,
                actor_id,
                at,
                dumps(changes),
                note[:200],
            ),
        )

    # -----------------------------------------------------------------------------------------
    # Promises (promises.services: promise_make, _schedule, promise_keep/break/cancel, the worker)

    def promise(
        self,
        *,
        store_id: int,
        clock: Clock | None,
        kind: str,
        rule_id: str,
        title: str,
        subject_model,
        subject_id: int,
        url: str,
        made_at: datetime,
        due_at: datetime,
        owner_id=None,
        department_id=None,
        made_by=None,
        end: tuple | None = None,
        worker: bool = True,
        events: bool = True,
    ) -> int:
        """Write one promise with its life: made at `made_at`, due at `due_at` (business time when
        `clock` is given), and `end` = (moment, "kept" | "broken" | "cancelled", by whom, reason) or None
        (still open now). With `worker`, the reminder and escalations the worker would have sent before
        the end (or now) are recorded; with `events`, the promise events."""
        pk = self.ids.take(Promise)
        rules = self.rule(store_id, kind)
        if clock is not None:
            total = clock.elapsed(made_at, due_at)
            remind_at = clock.add(made_at, total * rules.remind_percent / 100) if total else None
        else:
            span = (due_at - made_at).total_seconds()
            remind_at = made_at + timedelta(seconds=span * rules.remind_percent / 100) if span > 0 else None
        level = 0
        next_escalation = due_at + timedelta(minutes=rules.supervisor_minutes)
        stop = end[0] if end is not None else self.now
        event_rows = [(made_at, made_by, "made", "")] if events else []
        reminded_at = None
        if worker:
            if remind_at is not None and remind_at + timedelta(seconds=30) < stop:
                reminded_at = remind_at + timedelta(seconds=30)
                event_rows.append((reminded_at, None, "reminded", ""))
            if next_escalation + timedelta(seconds=30) < stop:
                level = 1
                event_rows.append((next_escalation + timedelta(seconds=30), None, "escalated_1", ""))
                next_escalation = due_at + timedelta(minutes=rules.manager_minutes)
                if next_escalation + timedelta(seconds=30) < stop:
                    level = 2
                    event_rows.append((next_escalation + timedelta(seconds=30), None, "escalated_2", ""))
                    next_escalation = None
        state, kept_at, closed_by, reason = PromiseState.OPEN, None, None, ""
        if end is not None:
            at, how, closed_by, reason = end
            if how == "kept":
                state = PromiseState.KEPT if at <= due_at else PromiseState.LATE
                kept_at = at
                reason = ""
                event_rows.append((at, closed_by, "kept", ""))
            elif how == "broken":
                state = PromiseState.BROKEN
                event_rows.append((at, closed_by, "broken", reason))
            else:
                state = PromiseState.CANCELLED
                event_rows.append((at, closed_by, "cancelled", reason))
        self.sink.add(
            Promise,
            (
                pk,
                store_id,
                kind,
                rule_id,
                title[:200],
                owner_id,
                department_id,
                self.ct(subject_model),
                subject_id,
                url,
                made_at,
                made_by,
                clock is not None,
                due_at,
                state,
                kept_at,
                closed_by,
                reason[:200],
                remind_at,
                reminded_at,
                level,
                next_escalation,
            ),
        )
        if events:
            add, take = self.sink.add, self.ids.take
            for at, actor, action, note in event_rows:
                add(PromiseEvent, (take(PromiseEvent), pk, at, actor, action, note[:200]))
        if worker and self.bell is not None:
            for at, _actor, action, _note in event_rows:
                if at >= self.bell.since and action in ("reminded", "escalated_1", "escalated_2"):
                    self.bell.send(self, pk, store_id, action, at, title, url, due_at, owner_id, department_id)
        return pk


@dataclass
class Bell:
    """The worker's reminders and escalations in the bells (promises.services: owners_of, supervisors_of,
    store_managers), for the last days of the data set only: older ones would long have been read."""

    since: datetime
    members: dict  # department id -> user ids
    supervisors: dict  # department id -> user ids of its supervisors
    managers: list
    names: dict  # user or department id (tagged) -> name
    user_department: dict
    texts: dict

    def send(self, gen, promise_id, store_id, action, at, title, url, due_at, owner_id, department_id) -> None:
        due = due_at.astimezone(gen.now.tzinfo).strftime("%m-%d %H:%M")
        if action == "reminded":
            recipients = [owner_id] if owner_id else self.members.get(department_id, [])
            text, kind = self.texts["reminder"] % {"title": title, "due": due}, "reminder"
        else:
            departments = {department_id, self.user_department.get(owner_id)} - {None}
            people = {p for dept in departments for p in self.supervisors.get(dept, [])} - {owner_id}
            recipients = sorted(people) or self.managers
            if action == "escalated_2":
                recipients = self.managers
            owner = self.names.get(("user", owner_id)) if owner_id else self.names.get(("dept", department_id), "")
            text = self.texts["escalation"] % {"due": due, "title": title, "owner": owner}
            kind = "escalation"
        read = at + timedelta(minutes=7) if at < gen.now - timedelta(days=1) else None
        for person in recipients:
            gen.sink.add(
                Notification,
                (gen.ids.take(Notification), person, store_id, promise_id, kind, text[:200], url, at, read),
            )


NOTIFICATION_COLUMNS = ("id", "recipient_id", "store_id", "promise_id", "kind", "title", "url", "created_at", "read_at")

PROMISE_COLUMNS = (
    "id",
    "store_id",
    "kind",
    "rule_id",
    "title",
    "owner_id",
    "owner_department_id",
    "subject_type_id",
    "subject_id",
    "url",
    "created_at",
    "created_by_id",
    "business_time",
    "due_at",
    "state",
    "kept_at",
    "closed_by_id",
    "close_reason",
    "remind_at",
    "reminded_at",
    "escalation_level",
    "next_escalation_at",
)
EVENT_COLUMNS = ("id", "promise_id", "at", "actor_id", "action", "note")
HISTORY_COLUMNS = (
    "id",
    "store_id",
    "content_type_id",
    "object_id",
    "object_repr",
    "action",
    "actor_id",
    "at",
    "changes",
    "note",
)


def register_common(sink: Sink) -> None:
    sink.register(Promise, PROMISE_COLUMNS)
    sink.register(PromiseEvent, EVENT_COLUMNS)
    sink.register(HistoryEntry, HISTORY_COLUMNS)
    sink.register(Notification, NOTIFICATION_COLUMNS)


def local_midnight(day: date, tz) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def url_template(url: str, pk_marker: str = "999999999") -> str:
    """A URL reversed with a marker id, as a format string with {} where the id goes."""
    return url.replace(pk_marker, "{}")
