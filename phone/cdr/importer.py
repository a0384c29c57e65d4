"""Import of phone-system call records (CDR) into calls: services shared by the page, command and API.

    cdr_import_file     read a whole file in one go (management command, API, benchmark)
    cdr_import_records  import a list of records sent as JSON (API)
    cdr_import_stopped  a running import whose process is gone is marked so (page, worker)

The upload page stores its file and imports it a step at a time (phone.cdr.upload: cdr_upload,
cdr_import_step), through the same writing path.

The path is the same everywhere: phone.cdr.parse.parse → merge_legs (the store's staff extensions) → one
Call per call (source "cdr", source_key = linkedid) with the answering person, their department and
the customer whose number it is → bulk_create in batches. The unique (store, source_key) makes a
re-import add nothing twice: each batch asks which keys exist first, so the counts are exact.

Ring time and rings (S2.1) use the store's telephone settings: answered in time when the ring time is
under max_rings × ring_cycle_seconds. A missed incoming call from a known number becomes the desk's
call-back promise (S2.10), but only when it started within ``promise_window`` (2 days by default,
setting ``CDR_PROMISE_WINDOW_HOURS``) before the import: importing last month's file must not hand
people hundreds of call-backs for calls that are long over.
"""

import csv
import io
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.validators import national_digits, normalize_any_phone
from customers.models import Customer
from org.models import User

from ..choices import Direction, Outcome, Source
from ..models import Call, CdrImport, phone_settings
from ..selectors import waiting_callbacks
from ..services.calls import callbacks_keep, missed_call_promise, rings_for_seconds
from . import parse
from .decode import decode_stream
from .legs import NUMBERISH, CdrError, CdrRow
from .merge import CallRecord, merge_legs
from .parse import detect_format

logger = logging.getLogger(__name__)

BATCH_SIZE = 5000
MAX_ERRORS_KEPT = 1000
State = CdrImport.State

SOURCE = Source.PHONE_SYSTEM.value
INBOUND = Direction.INBOUND.value
# The columns written, in the order of ImportContext.values(); the other Call columns keep their defaults.
COLUMNS = (
    "store_id",
    "direction",
    "number",
    "number_digits",
    "customer_id",
    "started_at",
    "answered_at",
    "ended_at",
    "ring_seconds",
    "rings",
    "answered_in_time",
    "missed",
    "outcome",
    "answered_by_id",
    "department_id",
    "extension",
    "source",
    "source_key",
    "disposition",
    "duration_seconds",
    "talk_seconds",
    "logged_by_id",
    "logged_at",
    "caller_name",
)
KEY = COLUMNS.index("source_key")
CALLER_NAME_LENGTH = 50

_MOBILE = re.compile(r"(?:\+?86|0086)?0?(1[3-9]\d{9})")
_DIGITS = re.compile(r"\D")


def promise_window() -> timedelta:
    """How recent a missed call must be to become a call-back promise (setting CDR_PROMISE_WINDOW_HOURS)."""
    return timedelta(hours=getattr(settings, "CDR_PROMISE_WINDOW_HOURS", 48))


@lru_cache(maxsize=100_000)
def clean_cdr_number(raw: str) -> tuple[str, str]:
    """(stored number, national digits): E.164 where the number parses, else the bare digits."""
    text = (raw or "").strip()
    if not text:
        return "", ""
    match = _MOBILE.fullmatch(text)
    if match:  # the common case, without phonenumbers
        return "+86" + match[1], match[1]
    try:
        e164 = normalize_any_phone(text)
    except (ValidationError, ValueError):
        digits = _DIGITS.sub("", text)[:32]
        return digits or text[:32], digits
    return e164, national_digits(e164)[:32]


class ImportContext:
    """What one import needs to know about the store, loaded once."""

    def __init__(self, store, actor, now: datetime, window: timedelta | None):
        self.store = store
        self.actor_id = getattr(actor, "pk", None)
        self.now = now
        self.promise_after = now - (promise_window() if window is None else window)
        found = phone_settings(store)
        self.cycle = found.ring_cycle_seconds or 5.0
        self.in_time_below = found.max_rings * self.cycle
        self.staff = {
            ext: (pk, department)
            for ext, pk, department in User.objects.filter(store=store, is_active=True)
            .exclude(extension="")
            .values_list("extension", "pk", "department_id")
        }
        self._people: dict[str, object] = {}
        self.customers: dict[str, int] = {}
        rows = Customer.objects.filter(store=store, erased_at__isnull=True).order_by("id")
        for pk, digits in rows.values_list("id", "phone_digits").iterator(chunk_size=10_000):
            for part in (digits or "").split():
                self.customers.setdefault(part, pk)

    def values(self, record: CallRecord) -> tuple:
        """The Call columns (COLUMNS, in order) for one call record."""
        number, digits = clean_cdr_number(record.external_number) if record.external_number else ("", "")
        answered_by = self.staff.get(record.answered_by) if record.answered_by else None
        person = answered_by or self.staff.get(record.extension)
        inbound = record.direction == parse.INBOUND
        rings = in_time = ring_seconds = None
        if inbound:
            ring_seconds = float(record.ring_seconds)
            rings = min(rings_for_seconds(ring_seconds, self.cycle), 32767)
            in_time = record.answered and ring_seconds < self.in_time_below
        outcome = ""
        if record.missed:
            outcome = Outcome.MISSED.value if inbound else Outcome.NO_ANSWER.value
        return (
            self.store.pk,
            record.direction,
            number,
            digits,
            self.customers.get(digits) if digits else None,
            record.start,
            record.answer,
            record.end,
            ring_seconds,
            rings,
            in_time,
            record.missed,
            outcome,
            answered_by[0] if answered_by else None,
            person[1] if person else None,
            (record.answered_by or record.extension)[:10],
            SOURCE,
            record.source_key[:64],
            record.disposition,
            max(0, int((record.end - record.start).total_seconds())),
            max(0, record.talk_seconds),
            self.actor_id,
            self.now,
            caller_name(record) if inbound else "",
        )

    def person_at(self, call: Call):
        """The staff member at the call's extension (who placed an outgoing call), or None."""
        extension = call.extension
        if extension not in self._people:
            found = self.staff.get(extension)
            self._people[extension] = User.objects.filter(pk=found[0]).first() if found else None
        return self._people[extension]

    def wants_promise(self, row: tuple) -> bool:
        """A missed incoming call from a known number, recent enough for a call-back (see the module)."""
        return bool(row[11] and row[1] == INBOUND and row[3] and row[5] >= self.promise_after)


def caller_name(record: CallRecord) -> str:
    """The caller-ID name the phone system showed ("张三" of '"张三" <138…>'), not a number repeated."""
    name = " ".join((record.clid_name or "").split())
    if not name or NUMBERISH.fullmatch(name.replace(" ", "").replace("-", "")):
        return ""
    return name[:CALLER_NAME_LENGTH]


def _fresh(rows: list[tuple]) -> list[tuple]:
    """The rows without repeats of a source_key within the batch (the first one wins)."""
    seen = set()
    fresh = []
    for row in rows:
        key = row[KEY]
        if not key or key not in seen:
            seen.add(key)
            fresh.append(row)
    return fresh


def _insert_orm(ctx: ImportContext, rows: list[tuple]) -> list[tuple]:
    """bulk_create the rows whose key is not yet stored; returns those inserted."""
    existing = set(
        Call.objects.filter(store_id=ctx.store.pk, source_key__in=[row[KEY] for row in rows])
        .exclude(source_key="")
        .values_list("source_key", flat=True)
    )
    new = [row for row in rows if row[KEY] not in existing]
    Call.objects.bulk_create(
        [Call(**dict(zip(COLUMNS, row, strict=True))) for row in new], batch_size=BATCH_SIZE, ignore_conflicts=True
    )
    return new


_DEFAULTS = {
    "purpose": "''",
    "notes": "''",
    "hung_up_first": "''",
    "transcript": "''",
}


def _insert_copy(ctx: ImportContext, rows: list[tuple]) -> list[tuple]:
    """PostgreSQL: COPY into a temporary table, then INSERT … ON CONFLICT DO NOTHING RETURNING the keys."""
    table = Call._meta.db_table
    names = ", ".join(COLUMNS)
    defaults = ", ".join(_DEFAULTS)
    default_values = ", ".join(_DEFAULTS.values())
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS cdr_import_rows ON COMMIT DROP AS SELECT {names} FROM {table} "
            "WITH NO DATA"
        )
        raw.execute("TRUNCATE cdr_import_rows")
        with raw.copy(f"COPY cdr_import_rows ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.execute(
            f"INSERT INTO {table} ({names}, {defaults}) SELECT {names}, {default_values} FROM cdr_import_rows "
            "ON CONFLICT (store_id, source_key) WHERE source_key <> '' DO NOTHING RETURNING source_key"
        )
        inserted = {key for (key,) in raw.fetchall()}
    return [row for row in rows if row[KEY] in inserted or not row[KEY]]


def _write(ctx: ImportContext, rows: list[tuple]) -> tuple[int, int, int]:
    """Insert the calls not yet present; (added, already present, promises made)."""
    if not rows:
        return 0, 0, 0
    fresh = _fresh(rows)
    promises = 0
    with transaction.atomic():
        insert = _insert_copy if connection.vendor == "postgresql" else _insert_orm
        new = insert(ctx, fresh)
        wanted = [row[KEY] for row in new if ctx.wants_promise(row)]
        if wanted:
            for call in Call.objects.filter(store_id=ctx.store.pk, source_key__in=wanted).select_related(
                "store", "customer", "answered_by__department", "department"
            ):
                if missed_call_promise(call) is not None:
                    promises += 1
        _keep_callbacks(ctx, new, promised=wanted)
    return len(new), len(rows) - len(new), promises


OUTBOUND = Direction.OUTBOUND.value
NO_ANSWER = Outcome.NO_ANSWER.value
DIRECTION, NUMBER, DIGITS, OUTCOME = (
    COLUMNS.index(name) for name in ("direction", "number", "number_digits", "outcome")
)


def _keep_callbacks(ctx: ImportContext, new: list[tuple], promised: list[str]) -> int:
    """Outgoing calls in the records keep the call-backs their numbers wait for, as at the console (S2.3, S2.10).

    phone.services.calls.callbacks_keep decides, in the order the calls started: so a missed call
    and its call-back in one file (in either order, in one batch or two) end with the promise kept,
    and a call made before the missed call keeps nothing. The open promises are looked up once per
    batch, for the batch's numbers; the stored calls are read only for numbers that wait.
    """
    outgoing = [row for row in new if row[DIRECTION] == OUTBOUND and row[DIGITS] and row[OUTCOME] != NO_ANSWER]
    digits = {row[DIGITS] for row in outgoing}
    if promised:  # missed calls made promises in this batch: their call-backs may be stored already
        promised_keys = set(promised)
        digits.update(row[DIGITS] for row in new if row[KEY] in promised_keys)
    if not digits:
        return 0
    waiting = waiting_callbacks(ctx.store, digits=digits, numbers={row[NUMBER] for row in outgoing})
    if not waiting:
        return 0
    waiting_digits = set(waiting.missed)
    waiting_digits.update(national_digits_of(number) for number in waiting.messages)
    calls = list(
        Call.objects.filter(
            store_id=ctx.store.pk,
            direction=OUTBOUND,
            number_digits__in=waiting_digits,
            started_at__gte=waiting.earliest(),
        )
        .exclude(outcome=NO_ANSWER)
        .select_related("store")
    )
    return callbacks_keep(calls, actor_of=ctx.person_at, waiting=waiting)


def national_digits_of(number: str) -> str:
    """The digits a stored number is matched by (the national digits of an E.164 number)."""
    return clean_cdr_number(number)[1]


class BadLines:
    """Counts every bad line, keeps the first MAX_ERRORS_KEPT (line, reason) on the import."""

    def __init__(self, imp: CdrImport, last_line: int = 0):
        self.imp = imp
        self.last_line = last_line  # the last line with text

    def rows(self, items: Iterable) -> Iterator[CdrRow]:
        imp = self.imp
        for item in items:
            line = item.line
            if line > self.last_line:
                self.last_line = line
            if item.__class__ is CdrError:
                imp.bad_rows += 1
                if len(imp.errors) < MAX_ERRORS_KEPT:
                    imp.errors.append({"line": line, "reason": item.reason})
                continue
            yield item


def sniff(binary_file: BinaryIO) -> tuple[str, str]:
    """(format, encoding) from the start of a seekable file, which is rewound."""
    head = binary_file.read(1 << 20)
    binary_file.seek(0)
    if isinstance(head, str):
        head = head.encode("utf-8")
    decoded = decode_stream(io.BytesIO(head))
    first = next((line for line in decoded if line.strip()), "")
    for _line in decoded:
        pass
    return detect_format(first), decoded.encoding


def _records(ctx: ImportContext, binary_file: BinaryIO, errors: BadLines) -> Iterator[CallRecord]:
    return merge_legs(errors.rows(parse.parse(binary_file)), frozenset(ctx.staff))


def records_run(imp: CdrImport, ctx: ImportContext, records: Iterator) -> None:
    """Write the records, a batch at a time."""
    batch: list[tuple] = []
    taken = 0
    for record in records:
        batch.append(ctx.values(record))
        taken += 1
        if len(batch) >= BATCH_SIZE:
            _add_counts(imp, _write(ctx, batch))
            _beat(imp)
            batch = []
    _add_counts(imp, _write(ctx, batch))
    imp.records_done += taken
    _beat(imp)


def _beat(imp: CdrImport) -> None:
    """A sign of life after each batch, with the counts so far: a killed import shows how far it got."""
    imp.heartbeat_at = timezone.now()
    CdrImport.objects.filter(pk=imp.pk).update(
        heartbeat_at=imp.heartbeat_at,
        calls_created=imp.calls_created,
        calls_existing=imp.calls_existing,
        promises_made=imp.promises_made,
    )


def _add_counts(imp: CdrImport, counts: tuple[int, int, int]) -> None:
    imp.calls_created += counts[0]
    imp.calls_existing += counts[1]
    imp.promises_made += counts[2]


def import_finish(imp: CdrImport, state: str, message: str = "") -> None:
    imp.state = state
    imp.finished_at = timezone.now()
    if message:
        imp.message = message[:300]
    imp.errors.sort(key=lambda e: e["line"])
    imp.save()


def import_failed(imp: CdrImport, exc: BaseException) -> CdrImport:
    logger.exception("call-record import %s failed", imp.pk, exc_info=exc)
    import_finish(
        imp,
        State.FAILED,
        _(
            "The import stopped because of an unexpected problem (%(problem)s). The calls written before "
            "it stay imported; import the file again to add the rest."
        )
        % {"problem": type(exc).__name__},
    )
    return imp


def cdr_import_file(
    *,
    store,
    actor,
    binary_file: BinaryIO,
    filename: str,
    window: timedelta | None = None,
    now: datetime | None = None,
) -> CdrImport:
    """Import a whole Asterisk Master.csv or FreePBX/Issabel export (UTF-8 or GBK), streaming.

    Bad lines are counted and the first 1,000 kept (line, reason); the rest is imported. Calls
    already present (same store and phone-system call id) are counted, not added again. ``window``
    (default promise_window()) limits call-back promises to missed calls that recent.
    """
    now = now or timezone.now()
    fmt, encoding = sniff(binary_file)
    imp = CdrImport.objects.create(
        store=store,
        created_by=actor if getattr(actor, "pk", None) else None,
        filename=Path(filename or "").name[:255],
        format=fmt,
        encoding=encoding,
        started_at=now,
    )
    ctx = ImportContext(store, actor, now, window)
    errors = BadLines(imp)
    try:
        records_run(imp, ctx, _records(ctx, binary_file, errors))
    except Exception as exc:
        imp.rows_read = errors.last_line
        return import_failed(imp, exc)
    imp.rows_read = imp.lines_total = errors.last_line
    import_finish(imp, State.DONE)
    return imp


def cdr_import_records(*, store, actor, records: list[dict], window: timedelta | None = None) -> CdrImport:
    """Import records sent as JSON objects with the FreePBX column names (calldate, src, dst, …)."""
    required = ("calldate", "src", "dst", "duration", "billsec", "disposition")  # a missing one: empty
    header = list(dict.fromkeys([*required, *(str(key).lower() for record in records for key in record)]))
    records = [{str(key).lower(): value for key, value in record.items()} for record in records]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    for record in records:
        writer.writerow(["" if record.get(key) is None else str(record.get(key)) for key in header])
    imp = cdr_import_file(
        store=store,
        actor=actor,
        binary_file=io.BytesIO(text.getvalue().encode("utf-8")),
        filename="api.json",
        window=window,
    )
    imp.format = CdrImport.Format.JSON
    imp.save(update_fields=["format"])
    for error in imp.errors:  # line 1 is the header written above: record n is line n + 1
        error["record"] = error["line"] - 1
    return imp


# --- Imports whose worker is gone -----------------------------------------------------------------


def cdr_import_stopped(imp: CdrImport) -> CdrImport:
    """A running import not heard of for IMPORT_STALE_SECONDS whose process is gone.

    One from the upload page (its file is stored, each step saved) simply waits to be continued:
    its page says so and offers to continue. One read at once by the command or the API cannot go
    on (the file was never stored): it is marked failed, saying how far it got and that importing
    the file again adds only the rest (a call already present is never added twice).
    """
    if not imp.stalled or imp.resumable:
        return imp
    with transaction.atomic():
        imp = CdrImport.objects.select_for_update().get(pk=imp.pk)
        if not imp.stalled or imp.resumable:
            return imp
        import_finish(
            imp,
            State.FAILED,
            _(
                "The import stopped before the end of the file (the program importing it was stopped); "
                "%(added)d calls were added. Import the file again to add the rest: a call already present "
                "is not added twice."
            )
            % {"added": imp.calls_created},
        )
    return imp


def cdr_imports_stopped(*, now: datetime | None = None) -> int:
    """The worker's job: mark the call-record imports whose process is gone (see cdr_import_stopped)."""
    limit = (now or timezone.now()) - timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    candidates = CdrImport.objects.filter(state=State.RUNNING, file_path="").filter(
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at=None, started_at__lt=limit)
    )
    return sum(cdr_import_stopped(imp).state == State.FAILED for imp in candidates.defer("errors", "resume_state"))
