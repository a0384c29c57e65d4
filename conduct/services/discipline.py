"""Discipline records (S1.D1a–c, S1.D3, S1.D4): recorded, acknowledged or contested, decided — never deleted."""

from datetime import datetime

from django.db import IntegrityError, transaction

from core.audit import history_record, snapshot
from core.models import HistoryAction

from ..choices import DISCIPLINE_RULES, DisciplineSource, DisciplineState
from ..models import AttendanceDay, DisciplineRecord

RECORD_FIELDS = ["kind", "rule_id", "state", "occurred_at", "minutes", "description"]


def discipline_draft(
    *, attendance_day: AttendanceDay, kind: str, occurred_at: datetime, minutes: int | None, description: str
) -> DisciplineRecord | None:
    """A draft record computed from attendance, for the supervisor to confirm or dismiss (never automatic
    punishment). None if the day already has a record of that kind (the same file imported again)."""
    try:
        with transaction.atomic():
            record = DisciplineRecord(
                store_id=attendance_day.store_id,
                person_id=attendance_day.person_id,
                kind=kind,
                rule_id=DISCIPLINE_RULES[kind],
                source=DisciplineSource.ATTENDANCE,
                state=DisciplineState.DRAFT,
                occurred_at=occurred_at,
                minutes=minutes,
                description=description[:500],
                attendance_day=attendance_day,
            )
            if AttendanceDay.person.is_cached(attendance_day):
                record.person = attendance_day.person  # the history names the person without a query per draft
            record.save(force_insert=True)
            history_record(actor=None, obj=record, action=HistoryAction.CREATE, after=snapshot(record, RECORD_FIELDS))
    except IntegrityError:
        return None
    return record
