"""Database triggers that mark a store's day changed (``DirtyDay``) whenever a record of that day is written.

Why triggers and not signals or service calls: the records are also written by bulk inserts (the call-record
import, a round's results, the demo and group generators, COPY), by ``QuerySet.update`` and by the admin; a
trigger sees every one of them, so a rolled-up day can never silently disagree with its records. A write
marks the day of each of the listed fields, before and after the change.

They are (re)installed after every ``migrate`` (``post_migrate``, idempotent): SQLite drops a table's
triggers when a migration rebuilds the table. ``installed()`` lets a test check they are in place.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db import connections

from ..models import DirtyDay

# (app label, model, the fields whose local date is a day the record counts on)
MARKED: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("phone", "Call", ("started_at",)),
    ("phone", "Message", ("taken_at",)),
    ("promises", "Promise", ("due_at",)),
    ("lounge", "Visit", ("arrived_at",)),
    ("lounge", "Serving", ("served_at",)),
    ("lounge", "LoungeRequest", ("created_at",)),
    ("checks", "Round", ("submitted_at", "scheduled_for")),
    ("checks", "RoundResult", ("round__submitted_at",)),  # an item counts on its round's day
)
PREFIX = "insights_mark"


@dataclass(frozen=True)
class Day:
    """Where a record's day comes from: its own column, or (``join``) a column of the record it points to."""

    column: str
    join: tuple[str, str] | None = None  # (the foreign key's column, the table it points to)


def _tables():
    for app_label, model_name, fields in MARKED:
        model = apps.get_model(app_label, model_name)
        days = []
        for name in fields:
            if "__" in name:
                fk_name, target_name = name.split("__", 1)
                fk = model._meta.get_field(fk_name)
                target = fk.related_model
                days.append(Day(target._meta.get_field(target_name).column, (fk.column, target._meta.db_table)))
            else:
                days.append(Day(model._meta.get_field(name).column))
        yield model._meta.db_table, tuple(days)


def _offsets_minutes(zone: str) -> list[int]:
    """The zone's UTC offsets over a year, in minutes (one for Asia/Shanghai)."""
    tz = ZoneInfo(zone)
    found = {int(datetime(2026, month, 1, 12, tzinfo=tz).utcoffset().total_seconds() // 60) for month in range(1, 13)}
    return sorted(found)


def _postgresql(table: str, days: tuple[Day, ...]) -> list[str]:
    dirty = DirtyDay._meta.db_table
    zone = settings.TIME_ZONE.replace("'", "")

    def select(rows: str, day: Day) -> str:
        if day.join:
            fk, target = day.join
            return (
                f"SELECT r.store_id, (t.{day.column} AT TIME ZONE '{zone}')::date AS day FROM {rows} r "
                f"JOIN {target} t ON t.id = r.{fk} WHERE t.{day.column} IS NOT NULL"
            )
        return f"SELECT store_id, ({day.column} AT TIME ZONE '{zone}')::date AS day FROM {rows} WHERE {day.column} IS NOT NULL"

    statements = []
    for event, tables in (("INSERT", ("new_rows",)), ("UPDATE", ("old_rows", "new_rows")), ("DELETE", ("old_rows",))):
        name = f"{PREFIX}_{table}_{event.lower()}"
        selects = " UNION ".join(select(rows, day) for rows in tables for day in days)
        statements.append(
            f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {dirty} (store_id, day) SELECT DISTINCT store_id, day FROM ({selects}) AS days;
  RETURN NULL;
END $$"""
        )
        statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        referencing = " ".join(f"{'OLD' if rows == 'old_rows' else 'NEW'} TABLE AS {rows}" for rows in tables)
        statements.append(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    return statements


def _sqlite(table: str, days: tuple[Day, ...]) -> list[str]:
    dirty = DirtyDay._meta.db_table

    def select(row: str, day: Day, offset: int) -> str:
        if day.join:
            fk, target = day.join
            return (
                f"SELECT {row}.store_id, date(t.{day.column}, '{offset:+d} minutes') FROM {target} t "
                f"WHERE t.id = {row}.{fk} AND t.{day.column} IS NOT NULL"
            )
        return (
            f"SELECT {row}.store_id, date({row}.{day.column}, '{offset:+d} minutes') "
            f"WHERE {row}.{day.column} IS NOT NULL"
        )

    statements = []
    for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
        name = f"{PREFIX}_{table}_{event.lower()}"
        body = "".join(
            f"INSERT INTO {dirty} (store_id, day) {select(row, day, offset)}; "
            for row in rows
            for day in days
            for offset in _offsets_minutes(settings.TIME_ZONE)
        )
        statements.append(f"DROP TRIGGER IF EXISTS {name}")
        statements.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {body}END")
    return statements


def install(using: str = "default") -> None:
    """Create or replace the triggers on every marked table (idempotent)."""
    connection = connections[using]
    build = {"postgresql": _postgresql, "sqlite": _sqlite}.get(connection.vendor)
    if build is None:
        return
    present = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table, days in _tables():
            if table not in present or DirtyDay._meta.db_table not in present:
                continue  # a partial migrate: the next full one installs them
            for statement in build(table, days):
                cursor.execute(statement)


def installed(using: str = "default") -> set[str]:
    """The names of the marking triggers present in the database."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE %s", [f"{PREFIX}%"])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{PREFIX}%"])
        return {row[0] for row in cursor.fetchall()}


def expected() -> set[str]:
    return {f"{PREFIX}_{table}_{event}" for table, _ in _tables() for event in ("insert", "update", "delete")}
