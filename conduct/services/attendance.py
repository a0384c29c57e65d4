"""Attendance import (S1.D1a late arrival, early leave, missing punches) — computed, never automatic punishment.

    attendance_upload       store the DingTalk / WeCom export, find its header, guess the columns, check every row
    attendance_set_mapping  the user's choice of columns: check every row again
    attendance_confirm      "import the N good rows": write the days and the drafts (the file is read again)
    attendance_refuse       "import nothing": the batch ends refused, nothing written
    attendance_import_rows  rows given directly (the API: all or nothing; the command)

Each person-day becomes one AttendanceDay (an upsert on person and date: importing the same file again writes
nothing and makes no duplicates) held against the person's shift (org.selectors.work_days: the roster, else
the store's business hours; rest, leave and closed days are never late). A late arrival, an early leave and a
missing punch each become a draft discipline record for the supervisor to confirm or dismiss; once the
transaction has committed, each supervisor of the people's departments is told once per batch.
"""

import math
from collections import defaultdict
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.audit import history_record, snapshot
from core.models import HistoryAction
from core.validators import field_error
from customers.imports.reading import files_remove, media_path, upload_keep
from org.access import deny_unless
from org.models import Store, User
from org.selectors import department_supervisors, store_managers, work_days
from promises.choices import NotificationKind
from promises.services import notification_send

from ..choices import AttendanceSource, BatchState, DisciplineKind
from ..imports.checking import CheckResult, GoodRow, check_rows
from ..imports.columns import FIELD_KEYS, clean_mapping, guess_mapping
from ..imports.reading import read_table
from ..models import AttendanceBatch, AttendanceDay, DisciplineRecord, conduct_settings
from ..selectors.attendance import may_import_attendance
from .discipline import discipline_draft

UPLOAD_DIR = "attendance"
WRITE_CHUNK = 2000  # days per bulk upsert and per query of existing days
BATCH_FIELDS = ["state", "source", "file_name", "rows", "days_written", "drafts_made"]
DAY_FIELDS = [
    "store_id",
    "clock_in",
    "clock_out",
    "shift_start",
    "shift_end",
    "late_minutes",
    "early_minutes",
    "missing_punch",
]


def _source(source: str) -> str:
    if source not in AttendanceSource.values:
        raise field_error(
            "source",
            _("Choose the source: %(choices)s.") % {"choices": ", ".join(AttendanceSource.values)},
        )
    return source


# --- Reading and checking a file ----------------------------------------------------------------------------


def _file_rows(batch: AttendanceBatch) -> list[tuple[int, dict]]:
    """The data rows of the batch's stored file as (row number, {field: text}) under its mapping."""
    path = media_path(batch.file_path)
    if not batch.file_path or not path.exists():
        raise field_error("file", _("The uploaded file is no longer stored: upload it again."))
    table = read_table(path, batch.file_kind)
    mapping = batch.mapping
    rows = []
    for number, cells in table.rows:
        if not any(cells):
            continue
        rows.append((number, {key: (cells[index] if index < len(cells) else "") for key, index in mapping.items()}))
    return rows


def _apply_check(batch: AttendanceBatch, result: CheckResult) -> None:
    batch.rows = result.rows
    batch.valid_rows = len(result.good)
    batch.errors = result.errors
    batch.first_date = result.first
    batch.last_date = result.last


def attendance_upload(*, actor: User, store: Store, uploaded, source: str = AttendanceSource.OTHER) -> AttendanceBatch:
    """Store the export and check every row under the guessed columns (S1.D1a); nothing is written to attendance.

    Only store managers and supervisors of the store (and the group's administrators) import attendance. A file
    that cannot be read, has no header or no data row is refused with a message on the field "file" and no
    batch is kept. The file is read outside a transaction; the batch is one INSERT.
    """
    deny_unless(may_import_attendance(actor, store.pk))
    source = _source(source)
    name, relative, kind = upload_keep(uploaded, UPLOAD_DIR)
    try:
        table = read_table(media_path(relative), kind)
        batch = AttendanceBatch(
            store=store,
            source=source,
            file_name=name[:200],
            uploaded_by=actor,
            file_path=relative,
            file_kind=kind,
            headers=table.headers,
            header_row=table.header_row,
            mapping=guess_mapping(table.headers),
            state=BatchState.CHECKED,
        )
        rows = _file_rows(batch)
        if not rows:
            raise field_error("file", _("The file has a header row but no data rows below it."))
        _apply_check(batch, check_rows(store.pk, rows))
        batch.full_clean()
        with transaction.atomic():
            batch.save()
            history_record(actor=actor, obj=batch, action=HistoryAction.CREATE, after=snapshot(batch, BATCH_FIELDS))
    except BaseException:
        files_remove(relative)
        raise
    return batch


def _lock_checked(batch: AttendanceBatch) -> AttendanceBatch:
    batch = AttendanceBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.state != BatchState.CHECKED:
        raise ValidationError(_("This import is no longer waiting for a choice; reload the page."))
    return batch


def attendance_set_mapping(*, actor: User, batch: AttendanceBatch, mapping: dict) -> AttendanceBatch:
    """The user's choice of columns: every row is checked again under it (nothing written to attendance)."""
    deny_unless(may_import_attendance(actor, batch.store_id))
    cleaned = clean_mapping(batch.headers, mapping)
    batch.mapping = cleaned
    result = check_rows(batch.store_id, _file_rows(batch))
    with transaction.atomic():
        locked = _lock_checked(batch)
        locked.mapping = cleaned
        _apply_check(locked, result)
        locked.save(update_fields=["mapping", "rows", "valid_rows", "errors", "first_date", "last_date"])
    return locked


def attendance_refuse(*, actor: User, batch: AttendanceBatch) -> AttendanceBatch:
    """ "Import nothing": the batch ends refused; no day and no draft is written, the stored file is removed."""
    deny_unless(may_import_attendance(actor, batch.store_id))
    with transaction.atomic():
        locked = _lock_checked(batch)
        before = snapshot(locked, BATCH_FIELDS)
        stored, locked.file_path = locked.file_path, ""
        locked.state = BatchState.FAILED
        locked.save(update_fields=["state", "file_path"])
        history_record(
            actor=actor, obj=locked, action=HistoryAction.UPDATE, before=before, after=snapshot(locked, BATCH_FIELDS)
        )
    files_remove(stored)
    return locked


def attendance_confirm(*, actor: User, batch: AttendanceBatch) -> AttendanceBatch:
    """ "Import the good rows": the file is read and checked again (a person made inactive since is caught),
    then the good rows are written in one transaction; the rows with errors stay listed, not imported."""
    deny_unless(may_import_attendance(actor, batch.store_id))
    mapping_errors = None
    try:
        clean_mapping(batch.headers, batch.mapping)
    except ValidationError as exc:
        mapping_errors = exc
    if mapping_errors is not None:
        raise ValidationError(
            _("Choose the columns first: %(problems)s") % {"problems": " ".join(mapping_errors.messages)}
        )
    result = check_rows(batch.store_id, _file_rows(batch))
    if not result.good:
        raise ValidationError(
            _("No row is valid, so there is nothing to import. Correct the file and upload it again.")
        )
    with transaction.atomic():
        locked = _lock_checked(batch)
        stored, locked.file_path = locked.file_path, ""  # the file is not kept once its rows are imported
        _apply_check(locked, result)
        _write(locked, result.good, actor)
    files_remove(stored)
    return locked


# --- Rows given directly: the API and the command --------------------------------------------------------------


def _import_checked(
    *,
    actor: User | None,
    store: Store,
    result: CheckResult,
    source: str,
    file_name: str,
    headers: list[str],
    mapping: dict,
) -> AttendanceBatch:
    """A batch for rows checked outside a stored upload (the API, the command): its good rows written at once."""
    batch = AttendanceBatch(
        store=store,
        source=source,
        file_name=file_name[:200],
        uploaded_by=actor,
        state=BatchState.CHECKED,
        mapping=mapping,
        headers=headers,
    )
    _apply_check(batch, result)
    with transaction.atomic():
        batch.full_clean()
        batch.save()
        history_record(actor=actor, obj=batch, action=HistoryAction.CREATE, after=snapshot(batch, BATCH_FIELDS))
        if result.good:
            _write(batch, result.good, actor)
        else:
            batch.state = BatchState.FAILED
            batch.save(update_fields=["state"])
    return batch


def attendance_import_rows(
    *,
    actor: User | None,
    store: Store,
    rows: list[dict],
    source: str = AttendanceSource.OTHER,
    file_name: str = "",
) -> AttendanceBatch:
    """The API's import (S1.D1a): rows given as {employee_no|name, date, clock_in, clock_out}, all or nothing —
    any bad row and a ValidationError lists every problem as "rows[i].field" (i from 0), nothing written."""
    deny_unless(actor is None or may_import_attendance(actor, store.pk))
    source = _source(source)
    if not rows:
        raise field_error("rows", _("Give at least one row."), code="required")
    numbered = [(index, {key: str(row.get(key) or "") for key in FIELD_KEYS}) for index, row in enumerate(rows, 1)]
    result = check_rows(store.pk, numbered)
    if result.errors:
        raise ValidationError(
            {
                f"rows[{e['row'] - 1}].{e['field']}": [ValidationError(e["reason"], code="invalid")]
                for e in result.errors
            }
        )
    return _import_checked(
        actor=actor,
        store=store,
        result=result,
        source=source,
        file_name=file_name,
        headers=list(FIELD_KEYS),
        mapping={key: index for index, key in enumerate(FIELD_KEYS)},
    )


def attendance_import_file(
    *,
    actor: User | None,
    store: Store,
    path,
    source: str = AttendanceSource.OTHER,
    all_or_nothing: bool = False,
    dry_run: bool = False,
) -> tuple[AttendanceBatch | None, CheckResult, dict]:
    """The command's import of a file on disk, every step at once: (batch, check, mapping). The good rows are
    imported and the others listed; with `all_or_nothing` a bad row means nothing is written, and a dry run
    only checks (no batch either way: None). An unreadable file is a ValidationError on "file"."""
    deny_unless(actor is None or may_import_attendance(actor, store.pk))
    source = _source(source)
    path = Path(path)
    with path.open("rb") as handle:
        kind = "xlsx" if handle.read(4) == b"PK\x03\x04" else "csv"
    table = read_table(path, kind)
    mapping = clean_mapping(table.headers, guess_mapping(table.headers))
    rows = [
        (number, {key: (cells[index] if index < len(cells) else "") for key, index in mapping.items()})
        for number, cells in table.rows
        if any(cells)
    ]
    if not rows:
        raise field_error("file", _("The file has a header row but no data rows below it."))
    result = check_rows(store.pk, rows)
    if dry_run or not result.good or (all_or_nothing and result.errors):
        return None, result, mapping
    batch = _import_checked(
        actor=actor,
        store=store,
        result=result,
        source=source,
        file_name=path.name,
        headers=table.headers,
        mapping=mapping,
    )
    return batch, result, mapping


# --- Writing the days and the drafts -------------------------------------------------------------------------


def _minutes(later, earlier) -> int:
    return max(0, math.floor((later - earlier).total_seconds() / 60))


def _day(store: Store, good: GoodRow, work, grace: tuple[int, int], batch: AttendanceBatch) -> AttendanceDay:
    """One person-day against the shift (S1.D1a): minutes late past the grace, minutes left early, a punch missing."""
    day = AttendanceDay(
        store=store,
        person_id=good.person_id,
        date=good.date,
        clock_in=good.clock_in,
        clock_out=good.clock_out,
        batch=batch,
    )
    if work is not None and work.working:
        day.shift_start, day.shift_end = work.start, work.end
        if good.clock_in is not None:
            late = _minutes(good.clock_in, work.start)
            day.late_minutes = late if late > grace[0] else 0
        if good.clock_out is not None:
            early = _minutes(work.end, good.clock_out)
            day.early_minutes = early if early > grace[1] else 0
        day.missing_punch = good.clock_in is None or good.clock_out is None
    return day


def _same(existing: dict, day: AttendanceDay) -> bool:
    return all(existing[name] == getattr(day, name) for name in DAY_FIELDS)


def _incidents(day: AttendanceDay) -> list[tuple[str, object, int | None, str]]:
    """The drafts a day calls for: (kind, when, minutes, what was seen)."""
    found = []
    local = timezone.localtime
    if day.late_minutes:
        found.append(
            (
                DisciplineKind.LATE,
                day.clock_in,
                day.late_minutes,
                _("Clocked in at %(at)s, %(minutes)d minutes after the shift started at %(start)s.")
                % {
                    "at": f"{local(day.clock_in):%H:%M}",
                    "minutes": day.late_minutes,
                    "start": f"{local(day.shift_start):%H:%M}",
                },
            )
        )
    if day.early_minutes:
        found.append(
            (
                DisciplineKind.EARLY_LEAVE,
                day.clock_out,
                day.early_minutes,
                _("Clocked out at %(at)s, %(minutes)d minutes before the shift ended at %(end)s.")
                % {
                    "at": f"{local(day.clock_out):%H:%M}",
                    "minutes": day.early_minutes,
                    "end": f"{local(day.shift_end):%H:%M}",
                },
            )
        )
    if day.missing_punch:
        if day.clock_in is None and day.clock_out is None:
            seen = _("No clock-in and no clock-out on a working day.")
        elif day.clock_in is None:
            seen = _("No clock-in (clock-out at %(at)s).") % {"at": f"{local(day.clock_out):%H:%M}"}
        else:
            seen = _("No clock-out (clock-in at %(at)s).") % {"at": f"{local(day.clock_in):%H:%M}"}
        found.append((DisciplineKind.MISSING_PUNCH, day.clock_in or day.clock_out or day.shift_start, None, seen))
    return found


def _write(batch: AttendanceBatch, good: list[GoodRow], actor) -> None:
    """Upsert the days, make the drafts and finish the batch (inside the caller's transaction); the supervisors
    are told after the commit. A constant number of queries per chunk of days, plus one draft per incident."""
    store = batch.store
    settings = conduct_settings(store)
    grace = (settings.late_grace_minutes, settings.early_grace_minutes)
    people = sorted({g.person_id for g in good})
    first, last = min(g.date for g in good), max(g.date for g in good)
    shifts = work_days(store, people, first, last)
    days = [_day(store, g, shifts.get((g.person_id, g.date)), grace, batch) for g in good]

    written = 0
    saved: dict[tuple[int, date], int] = {}
    for start in range(0, len(days), WRITE_CHUNK):
        chunk = days[start : start + WRITE_CHUNK]
        chunk_people = {d.person_id for d in chunk}
        chunk_dates = [d.date for d in chunk]
        existing = {
            (row["person_id"], row["date"]): row
            for row in AttendanceDay.objects.filter(
                person_id__in=chunk_people, date__gte=min(chunk_dates), date__lte=max(chunk_dates)
            ).values("id", "person_id", "date", *DAY_FIELDS)
        }
        changed = []
        for d in chunk:
            found = existing.get((d.person_id, d.date))
            if found is not None and _same(found, d):
                saved[(d.person_id, d.date)] = found["id"]
            else:
                changed.append(d)
        if changed:
            AttendanceDay.objects.bulk_create(
                changed,
                update_conflicts=True,
                unique_fields=["person", "date"],
                update_fields=[name.removesuffix("_id") for name in DAY_FIELDS] + ["batch"],
            )
            written += len(changed)
            for pk, person_id, on in AttendanceDay.objects.filter(
                person_id__in={d.person_id for d in changed},
                date__gte=min(d.date for d in changed),
                date__lte=max(d.date for d in changed),
            ).values_list("id", "person_id", "date"):
                saved[(person_id, on)] = pk

    # The drafts: one per day and kind, made once (a day imported again already has its own).
    wanted = []
    for d in days:
        d.pk = saved[(d.person_id, d.date)]
        for incident in _incidents(d):
            wanted.append((d, *incident))
    have = set()
    day_ids = sorted({d.pk for d, *_rest in wanted})
    for start in range(0, len(day_ids), WRITE_CHUNK):
        have |= set(
            DisciplineRecord.objects.filter(attendance_day_id__in=day_ids[start : start + WRITE_CHUNK]).values_list(
                "attendance_day_id", "kind"
            )
        )
    drafts_per_person: dict[int, int] = defaultdict(int)
    made = 0
    people_named = User.objects.only("pk", "name", "username").in_bulk({d.person_id for d, *_rest in wanted})
    for d, kind, when, minutes, seen in wanted:
        if (d.pk, kind) in have:
            continue
        d.person = people_named[d.person_id]
        if discipline_draft(attendance_day=d, kind=kind, occurred_at=when, minutes=minutes, description=seen):
            made += 1
            drafts_per_person[d.person_id] += 1

    before = snapshot(batch, BATCH_FIELDS)
    batch.state = BatchState.IMPORTED
    batch.imported_at = timezone.now()
    batch.days_written = written
    batch.drafts_made = made
    batch.save()
    history_record(
        actor=actor,
        obj=batch,
        action=HistoryAction.IMPORT,
        before=before,
        after=snapshot(batch, BATCH_FIELDS),
        note=_("%(days)d days written, %(drafts)d draft records made.") % {"days": written, "drafts": made},
    )
    if made:
        batch_pk, counts = batch.pk, dict(drafts_per_person)
        transaction.on_commit(lambda: attendance_drafts_notify(batch_pk=batch_pk, drafts_per_person=counts))


def attendance_drafts_notify(*, batch_pk: int, drafts_per_person: dict[int, int]) -> int:
    """Tell each supervisor of the people's departments once per batch how many drafts await them (S1.D1a);
    people of no department, or of one without a supervisor, go to the store managers. Runs after the import's
    commit: notification_send only queues the WeCom post (the worker sends it), no network call here."""
    batch = AttendanceBatch.objects.select_related("store").get(pk=batch_pk)
    departments = dict(User.objects.filter(pk__in=drafts_per_person).values_list("pk", "department_id"))
    by_department: dict[int | None, int] = defaultdict(int)
    for person_id, count in drafts_per_person.items():
        by_department[departments.get(person_id)] += count
    per_recipient: dict[int, int] = defaultdict(int)
    recipients: dict[int, User] = {}
    for department_id, count in by_department.items():
        people = list(department_supervisors([department_id])) if department_id else []
        people = people or list(store_managers(batch.store_id))
        for person in people:
            recipients[person.pk] = person
            per_recipient[person.pk] += count
    url = reverse("conduct:attendance_batch", kwargs={"batch_pk": batch.pk})
    sent = 0
    for pk, count in per_recipient.items():
        title = ngettext(
            "Attendance import: %(count)d draft record to confirm",
            "Attendance import: %(count)d draft records to confirm",
            count,
        ) % {"count": count}
        sent += notification_send(
            recipients=[recipients[pk]], store=batch.store, title=title, kind=NotificationKind.INFO, url=url
        )
    return sent
