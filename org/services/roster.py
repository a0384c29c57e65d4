"""Writes to the roster (S1.D1a: who works which shift on which day; S6 reads it for who is on duty).

    shift_create / shift_update   a store's shifts (早班 08:00–17:00); a shift is retired, never deleted
    roster_set                    one person's day: a shift, rest (休), leave (假), or the default (business hours)
    roster_set_many               a batch of days, all or nothing (the API's PUT, the import)
    roster_import                 a month from an Excel or CSV file: rows per person, columns per day

A day without an entry is the store's business hours (org.selectors.work_days); setting the default removes
the entry. Who may set a person's days: org.selectors.roster_may_edit (managers, the department's supervisor).
"""

import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import history_record, snapshot
from core.db import save_or_conflict
from core.models import HistoryAction
from core.spreadsheets import file_error, read_table
from core.validators import field_error

from ..access import Right, deny_unless, has_right
from ..choices import RosterKind
from ..models import Department, RosterDay, Shift, Store, User
from ..selectors import roster_may_edit, roster_may_edit_some

SHIFT_FIELDS = ["name", "starts", "ends", "active"]
ROSTER_FIELDS = ["kind", "shift"]
DEFAULT = "default"  # a day set back to the store's business hours: no roster entry
ROSTER_CHOICES = (DEFAULT, *RosterKind.values)
IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_ROWS = 500


def month_days(month: date) -> list[date]:
    """Every day of the month of ``month``."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return [first + timedelta(days=n) for n in range((following - first).days)]


def parse_month(text: str) -> date | None:
    """The first day of a month written YYYY-MM, or None."""
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


# --- Shifts ------------------------------------------------------------------------------------------


def _clean_shift(*, store: Store, name: str, starts, ends, exclude_pk: int | None = None) -> str:
    errors: dict[str, list] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Enter the shift's name, for example 早班.")]
    elif len(name) > Shift._meta.get_field("name").max_length:
        errors["name"] = [_("A shift's name has at most 30 characters.")]
    elif Shift.objects.filter(store=store, name__iexact=name).exclude(pk=exclude_pk).exists():
        errors["name"] = [
            _("The store %(store)s already has a shift named %(name)s.") % {"store": store.code, "name": name}
        ]
    if not isinstance(starts, time) or starts.tzinfo is not None:
        errors["starts"] = [_("Enter the time the shift starts, for example 08:00.")]
    if not isinstance(ends, time) or ends.tzinfo is not None:
        errors["ends"] = [_("Enter the time the shift ends, for example 17:00.")]
    elif "starts" not in errors and ends == starts:
        errors["ends"] = [
            _("A shift cannot end when it starts. A shift that ends after midnight ends before its start time.")
        ]
    if errors:
        raise ValidationError(errors)
    return name


@transaction.atomic
def shift_create(*, actor, store: Store, name: str, starts: time, ends: time) -> Shift:
    """Add a shift to a store (S1.D1a); its name is unique in the store; an end before the start is past midnight."""
    deny_unless(has_right(actor, Right.MANAGE_STORE, store.pk))
    name = _clean_shift(store=store, name=name, starts=starts, ends=ends)
    shift = Shift(store=store, name=name, starts=starts, ends=ends)
    shift.full_clean(validate_constraints=False)
    save_or_conflict(
        shift, field="name", recheck=lambda: _clean_shift(store=store, name=name, starts=starts, ends=ends)
    )
    history_record(actor=actor, obj=shift, action=HistoryAction.CREATE, after=snapshot(shift, SHIFT_FIELDS))
    return shift


@transaction.atomic
def shift_update(*, actor, shift: Shift, name: str, starts: time, ends: time, active: bool) -> Shift:
    """Rename, retime, retire or bring back a shift (S1.D1a). Days already rostered on it keep it."""
    deny_unless(has_right(actor, Right.MANAGE_STORE, shift.store_id))
    shift = Shift.objects.select_for_update().select_related("store").get(pk=shift.pk)
    store = shift.store
    name = _clean_shift(store=store, name=name, starts=starts, ends=ends, exclude_pk=shift.pk)
    before = snapshot(shift, SHIFT_FIELDS)
    shift.name, shift.starts, shift.ends, shift.active = name, starts, ends, bool(active)
    shift.full_clean(validate_constraints=False)
    save_or_conflict(
        shift,
        field="name",
        recheck=lambda: _clean_shift(store=store, name=name, starts=starts, ends=ends, exclude_pk=shift.pk),
    )
    history_record(
        actor=actor, obj=shift, action=HistoryAction.UPDATE, before=before, after=snapshot(shift, SHIFT_FIELDS)
    )
    return shift


# --- Roster days ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterEntry:
    """One day to set: ``kind`` is a RosterKind or DEFAULT; ``shift`` only on a working day."""

    person: User
    day: date
    kind: str
    shift: Shift | None = None


def _entry_errors(actor, store: Store, entry: RosterEntry) -> dict[str, str]:
    """What is wrong with one day to set, by field (empty when it may be set)."""
    errors: dict[str, str] = {}
    person = entry.person
    if person is None or person.store_id != store.pk:
        errors["person"] = _("This person is not on the staff of %(store)s.") % {"store": store.code}
    elif not person.is_active:
        errors["person"] = _("%(name)s's account is no longer active.") % {"name": person}
    elif not roster_may_edit(actor, store_id=store.pk, department_id=person.department_id):
        errors["person"] = _(
            "You may not set the roster of %(name)s: only the department's supervisor or the store's managers may."
        ) % {"name": person}
    if not isinstance(entry.day, date):
        errors["date"] = _("Enter a valid date.")
    if entry.kind not in ROSTER_CHOICES:
        errors["kind"] = _("Choose work, rest, leave or default.")
    elif entry.shift is not None:
        if entry.kind != RosterKind.WORK:
            errors["shift"] = _("Only a working day has a shift; a rest day or leave has none.")
        elif entry.shift.store_id != store.pk:
            errors["shift"] = _("This shift is not one of %(store)s's shifts.") % {"store": store.code}
        elif not entry.shift.active:
            errors["shift"] = _("The shift %(name)s is no longer in use.") % {"name": entry.shift.name}
    return errors


def _apply(actor, store: Store, entries: list[RosterEntry], *, action: str) -> list[RosterDay | None]:
    """Write checked days: an entry made, changed or removed (the default), each change in the history."""
    people = {entry.person.pk for entry in entries}
    days = {entry.day for entry in entries}
    existing = {
        (row.person_id, row.date): row
        for row in RosterDay.objects.select_for_update(of=("self",))
        .filter(person_id__in=people, date__in=days)
        .select_related("shift", "person")
    }
    results: list[RosterDay | None] = []
    for entry in entries:
        row = existing.get((entry.person.pk, entry.day))
        default = entry.kind == DEFAULT or (entry.kind == RosterKind.WORK and entry.shift is None)
        if default:
            if row is not None:
                history_record(actor=actor, obj=row, action=HistoryAction.DELETE, before=snapshot(row, ROSTER_FIELDS))
                row.delete()
                existing.pop((entry.person.pk, entry.day))
            results.append(None)
            continue
        before = snapshot(row, ROSTER_FIELDS) if row is not None else None
        if row is None:
            row = RosterDay(store=store, person=entry.person, date=entry.day)
        elif row.store_id != store.pk:
            row.store = store  # the person moved stores: the day is the new store's now
        row.kind, row.shift, row.updated_by = entry.kind, entry.shift, actor if getattr(actor, "pk", None) else None
        if before is not None and before == snapshot(row, ROSTER_FIELDS):
            results.append(row)
            continue
        row.full_clean(validate_constraints=False)
        save_or_conflict(row, field="date")
        existing[(entry.person.pk, entry.day)] = row
        history_record(
            actor=actor,
            obj=row,
            action=action if before is None or action == HistoryAction.IMPORT else HistoryAction.UPDATE,
            before=before,
            after=snapshot(row, ROSTER_FIELDS),
        )
        results.append(row)
    return results


@transaction.atomic
def roster_set(
    *, actor, store: Store, person: User, day: date, kind: str, shift: Shift | None = None
) -> RosterDay | None:
    """Set one person's day (S1.D1a): a shift, rest, leave, or DEFAULT (the store's business hours, no entry).

    Refused (403) unless the actor may roster the person's department (roster_may_edit); bad input is a
    ValidationError naming the field (person, date, kind, shift). Returns the entry, or None for the default.
    """
    entry = RosterEntry(person=person, day=day, kind=kind, shift=shift)
    errors = _entry_errors(actor, store, entry)
    if "person" in errors and person is not None and person.store_id == store.pk and person.is_active:
        deny_unless(False)  # a person of the store whom the actor may not roster: refused, not bad input
    if errors:
        raise ValidationError({key: [ValidationError(message)] for key, message in errors.items()})
    return _apply(actor, store, [entry], action=HistoryAction.CREATE)[0]


@transaction.atomic
def roster_set_many(*, actor, store: Store, entries: list[RosterEntry]) -> list[RosterDay | None]:
    """Set a batch of days, all or nothing (S1.D1a): every bad entry is named ``entries.<n>.<field>`` (from 0).
    Someone who may roster nobody in the store (staff, auditors) is refused (403)."""
    deny_unless(roster_may_edit_some(actor, store_id=store.pk))
    errors: dict[str, list] = {}
    seen: dict[tuple[int, date], int] = {}
    for number, entry in enumerate(entries):
        for key, message in _entry_errors(actor, store, entry).items():
            errors[f"entries.{number}.{key}"] = [ValidationError(message)]
        if entry.person is not None and isinstance(entry.day, date):
            twice = seen.setdefault((entry.person.pk, entry.day), number)
            if twice != number:
                errors[f"entries.{number}.date"] = [
                    ValidationError(
                        _("The same person and day are already given in entry %(number)d.") % {"number": twice}
                    )
                ]
    if errors:
        raise ValidationError(errors)
    return _apply(actor, store, entries, action=HistoryAction.CREATE)


FILL_MAX_DAYS = 62


@transaction.atomic
def roster_fill(
    *,
    actor,
    store: Store,
    people: list[User],
    first: date,
    last: date,
    weekdays: set[int],
    kind: str,
    shift: Shift | None = None,
) -> int:
    """Fill a stretch of days of one person or several from one pattern (S1.D1a): the chosen weekdays (0 is
    Monday) from ``first`` to ``last`` become the shift, rest, leave or the default; the other days stay as
    they are. All or nothing; returns the number of days set."""
    deny_unless(roster_may_edit_some(actor, store_id=store.pk))
    errors: dict[str, list] = {}
    if not people:
        errors["people"] = [ValidationError(_("Choose at least one person."))]
    if not isinstance(first, date) or not isinstance(last, date):
        errors["last"] = [ValidationError(_("Enter the first and the last day."))]
    elif last < first:
        errors["last"] = [ValidationError(_("The last day cannot be before the first."))]
    elif (last - first).days >= FILL_MAX_DAYS:
        errors["last"] = [ValidationError(_("Fill at most 62 days at once."))]
    if not weekdays or not set(weekdays) <= set(range(7)):
        errors["weekdays"] = [ValidationError(_("Choose at least one weekday."))]
    if kind not in ROSTER_CHOICES:
        errors["kind"] = [ValidationError(_("Choose work, rest, leave or default."))]
    for person in people:
        for key, message in _entry_errors(actor, store, RosterEntry(person, first, kind, shift)).items():
            if key == "person":
                errors.setdefault("people", []).append(ValidationError(message))
            elif key not in errors:
                errors[key] = [ValidationError(message)]
    if errors:
        raise ValidationError(errors)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    entries = [
        RosterEntry(person=person, day=day, kind=kind, shift=shift)
        for person in people
        for day in days
        if day.weekday() in weekdays
    ]
    _apply(actor, store, entries, action=HistoryAction.CREATE)
    return len(entries)


# --- Import from Excel or CSV -------------------------------------------------------------------------

NAME_HEADERS = {"姓名", "名字", "员工", "员工姓名", "人员", "name"}
NUMBER_HEADERS = {"工号", "员工编号", "员工号", "编号", "employee no", "employee number", "employee_no", "no"}
REST_VALUES = {"休", "休息", "rest", "off"}
LEAVE_VALUES = {"假", "请假", "休假", "leave"}
_FULL_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+00:00(?::00)?)?")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_DAY = re.compile(r"(\d{1,2})\s*[日号]?")


@dataclass
class RosterImport:
    """What an import found: the rows read, the days set (0 when there are errors), and the errors by row."""

    rows: int = 0
    days: int = 0
    errors: list[dict] = field(default_factory=list)

    def add(self, row: int, column: str, message: str) -> None:
        self.errors.append({"row": row, "column": column, "message": message})


def column_letter(index: int) -> str:
    """A column's letter as Excel shows it: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _header_day(header: str, month: date) -> date | None | str:
    """The day a header names: a date, None for a column that is no day, or "bad" for a day that is wrong."""
    text = header.strip()
    if not text or not text[0].isdigit():
        return None
    try:
        if match := _FULL_DATE.fullmatch(text):
            day = date(int(match[1]), int(match[2]), int(match[3]))
        elif match := _MONTH_DAY.fullmatch(text):
            day = date(month.year, int(match[1]), int(match[2]))
        elif match := _DAY.fullmatch(text):
            day = month.replace(day=int(match[1]))
        else:
            return "bad"
    except ValueError:
        return "bad"
    return day if (day.year, day.month) == (month.year, month.month) else "bad"


def _read_header(headers: list[str], month: date, found: RosterImport, row: int) -> tuple[int | None, int | None, dict]:
    name_col = number_col = None
    day_cols: dict[int, date] = {}
    taken: dict[date, str] = {}
    for index, header in enumerate(headers):
        key = header.strip().lower()
        column = f"{column_letter(index)} {header}".strip()
        if key in NAME_HEADERS and name_col is None:
            name_col = index
            continue
        if key in NUMBER_HEADERS and number_col is None:
            number_col = index
            continue
        day = _header_day(header, month)
        if day == "bad":
            found.add(
                row,
                column,
                _("The column is not a day of %(month)s: write 1 to 31, or a date such as %(example)s.")
                % {"month": f"{month:%Y-%m}", "example": f"{month:%Y-%m}-01"},
            )
        elif day is not None:
            if day in taken:
                found.add(row, column, _("The day is already given in column %(column)s.") % {"column": taken[day]})
            else:
                taken[day] = column
                day_cols[index] = day
    if name_col is None and number_col is None:
        found.add(row, "", _("The first row must name a column 姓名 (name) or 工号 (employee number)."))
    elif not day_cols and not found.errors:
        found.add(row, "", _("The first row names no day: write the days as 1 to 31 or as dates."))
    return name_col, number_col, day_cols


HEADER_SEARCH_ROWS = 10  # a title such as "2026年12月排班表" may stand above the header
_WEEKDAY = re.compile(r"(?:周|星期|礼拜)?[一二三四五六日天]|(?:mon|tue|wed|thu|fri|sat|sun)\w*", re.IGNORECASE)


def _find_header(rows) -> tuple[int, list[str]]:
    """The header row: the first of the first rows that names 姓名 or 工号 (a title may stand above it), else the
    first non-empty row (whose columns are then refused)."""
    first = None
    for _index, (number, cells) in zip(range(HEADER_SEARCH_ROWS), ((n, c) for n, c in rows if any(c)), strict=False):
        first = first or (number, cells)
        if any(cell.strip().lower() in NAME_HEADERS | NUMBER_HEADERS for cell in cells):
            return number, cells
    if first is None:
        raise file_error(_("The file is empty: it has no rows."))
    return first


def _is_weekday_row(values: list[str]) -> bool:
    filled = [v for v in values if v]
    return bool(filled) and all(_WEEKDAY.fullmatch(v) for v in filled)


def _people_of(store: Store) -> tuple[dict[str, User], dict[str, list[User]]]:
    people = list(User.objects.filter(store=store, is_active=True).select_related("department"))
    by_number = {p.employee_no.strip().upper(): p for p in people if p.employee_no}
    by_name: dict[str, list[User]] = {}
    for person in people:
        by_name.setdefault(person.name.strip(), []).append(person)
    return by_number, by_name


def _find_person(store, number, name, by_number, by_name) -> tuple[User | None, str]:
    if number:
        person = by_number.get(number.upper())
        if person is None:
            elsewhere = User.objects.filter(employee_no__iexact=number).exclude(store=store).exists()
            if elsewhere:
                return None, _("The employee number %(number)s belongs to someone of another store.") % {
                    "number": number
                }
            return None, _("No active person of %(store)s has the employee number %(number)s.") % {
                "store": store.code,
                "number": number,
            }
        if name and person.name.strip() != name:
            return None, _("The employee number %(number)s is %(person)s's, not %(name)s's.") % {
                "number": number,
                "person": person.name,
                "name": name,
            }
        return person, ""
    if not name:
        return None, _("The row gives neither a name nor an employee number.")
    matches = by_name.get(name, [])
    if not matches:
        return None, _("No active person of %(store)s is named %(name)s.") % {"store": store.code, "name": name}
    if len(matches) > 1:
        return None, _("Several people of %(store)s are named %(name)s: give their employee numbers (工号).") % {
            "store": store.code,
            "name": name,
        }
    return matches[0], ""


def _cell_value(text: str, shifts: dict[str, Shift]) -> tuple[str, Shift | None] | str:
    """(kind, shift) of a cell, or the message of a cell that is none of them."""
    value = text.strip()
    key = value.lower()
    if not value:
        return DEFAULT, None
    if key in REST_VALUES:
        return RosterKind.REST, None
    if key in LEAVE_VALUES:
        return RosterKind.LEAVE, None
    shift = shifts.get(key)
    if shift is None:
        return _("%(value)s is not a shift of the store, nor 休 (rest) or 假 (leave).") % {"value": value}
    if not shift.active:
        return _("The shift %(name)s is no longer in use.") % {"name": shift.name}
    return RosterKind.WORK, shift


def roster_import(
    *, actor, store: Store, month: date, data: bytes, file_name: str, department: Department | None = None
) -> RosterImport:
    """Set a month of the roster from a file (S1.D1a): rows per person (姓名 and/or 工号), columns per day
    (1..31, 2026-12-01, 12-01 or 12月1日), cells a shift's name, 休, 假 or empty (the default).

    Every row is checked first; with any error (unknown person or shift, a bad day column, a person of
    another store or department, one the actor may not roster) nothing is saved and the errors name the
    row and the column. The file is read before the transaction opens.
    """
    deny_unless(roster_may_edit_some(actor, store_id=store.pk))
    if department is not None and department.store_id != store.pk:
        raise field_error("department", _("Choose a department of %(store)s.") % {"store": store.code})
    if len(data) > IMPORT_MAX_BYTES:
        raise file_error(_("A roster file has at most 2 MB. Split it by department."))
    found = RosterImport()
    rows = read_table(data, file_name)
    header_row = _find_header(rows)
    name_col, number_col, day_cols = _read_header(header_row[1], month, found, header_row[0])
    if found.errors:
        return found
    shifts = {s.name.strip().lower(): s for s in Shift.objects.filter(store=store)}
    by_number, by_name = _people_of(store)
    entries: list[RosterEntry] = []
    seen: dict[int, int] = {}
    for number, cells in rows:
        if not any(cells):
            continue
        found.rows += 1
        if found.rows > IMPORT_MAX_ROWS:
            raise file_error(_("A roster file has at most 500 people. Split it by department."))

        def cell(index, cells=cells):
            return cells[index].strip() if index is not None and index < len(cells) else ""

        if not cell(number_col) and not cell(name_col) and _is_weekday_row([cell(i) for i in day_cols]):
            found.rows -= 1  # a second header row: the weekdays under the days
            continue
        person, problem = _find_person(store, cell(number_col), cell(name_col), by_number, by_name)
        column = column_letter(number_col if number_col is not None and cell(number_col) else name_col or 0)
        if person is None:
            found.add(number, column, problem)
            continue
        if department is not None and person.department_id != department.pk:
            found.add(
                number,
                column,
                _("%(name)s is not of the department %(department)s.") % {"name": person, "department": department},
            )
            continue
        if not roster_may_edit(actor, store_id=store.pk, department_id=person.department_id):
            found.add(
                number,
                column,
                _(
                    "You may not set the roster of %(name)s: only the department's supervisor or the store's managers may."
                )
                % {"name": person},
            )
            continue
        if person.pk in seen:
            found.add(
                number, column, _("%(name)s is already in row %(row)d.") % {"name": person, "row": seen[person.pk]}
            )
            continue
        seen[person.pk] = number
        for index, day in day_cols.items():
            value = _cell_value(cell(index), shifts)
            if isinstance(value, str):
                found.add(number, f"{column_letter(index)} {header_row[1][index]}", value)
            else:
                entries.append(RosterEntry(person=person, day=day, kind=value[0], shift=value[1]))
    if not found.rows:
        raise file_error(_("The file has a header row but no data rows below it."))
    if found.errors:
        return found
    with transaction.atomic():
        _apply(actor, store, entries, action=HistoryAction.IMPORT)
    found.days = len(entries)
    return found
