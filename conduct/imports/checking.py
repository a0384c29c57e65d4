"""Checking the rows of an attendance import (S1.D1a): the person, the date, the clock times, one row per day.

Shared by the file upload (the check step and the write after the user confirms), the command and the API:
a row is (row number, {field: text}); the answer is the good rows and one error entry per problem naming the
row, the column and what is wrong. Two queries whatever the number of rows (the store's people, and the
people of other stores named by a number or name the store does not have).
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import User

# A punch that did not happen, as the exports write it.
MISSING = {"", "未打卡", "缺卡", "--", "-", "—", "——", "无", "无打卡", "休息", "请假", "旷工", "n/a", "none", "missing"}
_DATE = re.compile(r"^(\d{2}|\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:$|[\sT(（星周].*$)")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME = re.compile(
    r"^(?P<next>次日|第二天|次日\s*)?\s*"
    r"(?:(?P<date>\d{2,4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)(?:\s+|T))?"
    r"(?P<h>\d{1,2})\s*[:：]\s*(?P<m>\d{2})(?:\s*[:：]\s*(?P<s>\d{2})(?:\.\d+)?)?"
    r"(?:$|[\s(（].*$)"
)
_TZ = timezone.get_default_timezone
_DAY_FRACTION = re.compile(r"^0?\.\d+$")  # a time stored as a number in a workbook: a fraction of a day


@dataclass
class GoodRow:
    row: int
    person_id: int
    date: date
    clock_in: datetime | None
    clock_out: datetime | None


@dataclass
class CheckResult:
    good: list[GoodRow] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    rows: int = 0

    @property
    def error_rows(self) -> int:
        return len({e["row"] for e in self.errors})

    @property
    def first(self) -> date | None:
        return min((g.date for g in self.good), default=None)

    @property
    def last(self) -> date | None:
        return max((g.date for g in self.good), default=None)


def parse_date(text: str) -> date | None:
    """2026-11-03 星期一, 26-11-03, 2026/11/3, 2026年11月3日, 20261103, an Excel day number; None if not a date."""
    text = text.strip()
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    try:
        if match:
            year, month, day = (int(part) for part in match.groups()[:3])
            return date(year + 2000 if year < 100 else year, month, day)
        if text.isdigit() and 30000 <= int(text) <= 80000:  # a workbook date written as its day number
            return date(1899, 12, 30) + timedelta(days=int(text))
    except ValueError:
        return None
    return None


class BadTime(ValueError):
    pass


def parse_time(text: str, day: date) -> datetime | None:
    """A punch on the day: "08:52", "08:52:13", "2026-11-03 08:52", "次日 00:10", "08:52 正常"; None when the
    export says there was none ("未打卡", "缺卡", "--", empty). BadTime for anything else."""
    text = text.strip()
    if text.lower() in MISSING:
        return None
    if _DAY_FRACTION.match(text):
        minutes = round(float(text) * 24 * 60)
        return datetime.combine(day, time(0, 0), tzinfo=_TZ()) + timedelta(minutes=minutes)
    match = _TIME.match(text)
    if not match:
        raise BadTime
    hour, minute, second = int(match["h"]), int(match["m"]), int(match["s"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise BadTime
    on = day
    if match["date"]:
        on = parse_date(match["date"])
        if on is None or not day <= on <= day + timedelta(days=1):
            raise BadTime
    if match["next"]:
        on = day + timedelta(days=1)
    return datetime.combine(on, time(hour, minute, second), tzinfo=_TZ())


@dataclass
class _People:
    by_number: dict[str, int]
    by_name: dict[str, list[int]]
    inactive_numbers: set[str]
    inactive_names: set[str]
    elsewhere_numbers: set[str]
    elsewhere_names: set[str]
    names: dict[int, str]


def _people(store_id: int, numbers: set[str], names: set[str]) -> _People:
    by_number: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    inactive_numbers, inactive_names, shown = set(), set(), {}
    for pk, number, name, active in User.objects.filter(store_id=store_id).values_list(
        "pk", "employee_no", "name", "is_active"
    ):
        if active:
            shown[pk] = name
            if number:
                by_number[number] = pk
            by_name.setdefault(name, []).append(pk)
        else:
            if number:
                inactive_numbers.add(number)
            inactive_names.add(name)
    unknown_numbers = numbers - set(by_number) - inactive_numbers
    unknown_names = names - set(by_name) - inactive_names
    elsewhere_numbers, elsewhere_names = set(), set()
    if unknown_numbers or unknown_names:
        for number, name in (
            User.objects.exclude(store_id=store_id)
            .filter(Q(employee_no__in=unknown_numbers) | Q(name__in=unknown_names), store__isnull=False)
            .values_list("employee_no", "name")
        ):
            if number in unknown_numbers:
                elsewhere_numbers.add(number)
            if name in unknown_names:
                elsewhere_names.add(name)
    return _People(by_number, by_name, inactive_numbers, inactive_names, elsewhere_numbers, elsewhere_names, shown)


def _person(values: dict, people: _People) -> tuple[int | None, str, str]:
    """The person of a row: by employee number first, else by a name unique among the store's active staff;
    (id, None) or (None, field, reason)."""
    number = values.get("employee_no", "").strip()
    name = values.get("name", "").strip()
    if number:
        if number in people.by_number:
            return people.by_number[number], "", ""
        if number in people.inactive_numbers:
            return (
                None,
                "employee_no",
                _("Employee number %(no)s belongs to someone no longer active.") % {"no": number},
            )
        if number in people.elsewhere_numbers:
            return (
                None,
                "employee_no",
                _("Employee number %(no)s belongs to a person of another store.") % {"no": number},
            )
        if not name:
            return None, "employee_no", _("No one of this store has the employee number %(no)s.") % {"no": number}
    if not name:
        return None, "name", _("Give the employee number (工号) or the name (姓名).")
    found = people.by_name.get(name, [])
    if len(found) == 1:
        return found[0], "", ""
    if len(found) > 1:
        return (
            None,
            "name",
            _("%(count)d active people of this store are called %(name)s: give the employee number (工号).")
            % {"count": len(found), "name": name},
        )
    if name in people.inactive_names:
        return None, "name", _("%(name)s is no longer active in this store.") % {"name": name}
    if name in people.elsewhere_names:
        return None, "name", _("%(name)s is a person of another store, not of this one.") % {"name": name}
    if number:
        return (
            None,
            "employee_no",
            _("No one of this store has the employee number %(no)s or the name %(name)s.")
            % {"no": number, "name": name},
        )
    return None, "name", _("No one of this store's active staff is called %(name)s.") % {"name": name}


def check_rows(store_id: int, rows: list[tuple[int, dict]]) -> CheckResult:
    """Check every row (S1.D1a): a known person of the store, a date, clock times, clock-out after clock-in, and
    one row per person and day. Errors are {"row", "field", "reason"}; a row with an error is not imported."""
    numbers = {v.get("employee_no", "").strip() for _n, v in rows} - {""}
    names = {v.get("name", "").strip() for _n, v in rows} - {""}
    people = _people(store_id, numbers, names)
    result = CheckResult(rows=len(rows))
    today = timezone.localdate()
    seen: dict[tuple[int, date], int] = {}
    for number, values in rows:
        errors: list[tuple[str, str]] = []
        person_id, key, reason = _person(values, people)
        if person_id is None:
            errors.append((key, reason))
        raw_date = values.get("date", "").strip()
        day = parse_date(raw_date)
        if day is None:
            errors.append(
                (
                    "date",
                    _("Enter the date as 2026-11-03 (or 2026/11/3), not %(value)s.") % {"value": raw_date}
                    if raw_date
                    else _("The date is empty."),
                )
            )
        elif day > today:
            errors.append(("date", _("%(date)s has not come yet.") % {"date": day.isoformat()}))
            day = None
        punches = {}
        if day is not None:
            for key in ("clock_in", "clock_out"):
                raw = values.get(key, "")
                try:
                    punches[key] = parse_time(raw, day)
                except BadTime:
                    errors.append(
                        (
                            key,
                            _('Enter a time such as 08:52 or "次日 00:10", or leave it empty; not %(value)s.')
                            % {"value": raw.strip()},
                        )
                    )
            clock_in, clock_out = punches.get("clock_in"), punches.get("clock_out")
            if clock_in and clock_out and clock_out < clock_in:
                errors.append(
                    (
                        "clock_out",
                        _("The clock-out %(out)s is before the clock-in %(in)s.")
                        % {
                            "out": timezone.localtime(clock_out).strftime("%H:%M"),
                            "in": timezone.localtime(clock_in).strftime("%H:%M"),
                        },
                    )
                )
        if person_id is not None and day is not None:
            earlier = seen.get((person_id, day))
            if earlier is not None:
                errors.append(
                    (
                        "date",
                        _("%(name)s's day %(date)s is also on row %(row)d: one row per person and day.")
                        % {"name": people.names[person_id], "date": day.isoformat(), "row": earlier},
                    )
                )
            elif not errors:
                seen[(person_id, day)] = number
        if errors:
            result.errors.extend({"row": number, "field": key, "reason": str(text)} for key, text in errors)
            continue
        result.good.append(GoodRow(number, person_id, day, punches.get("clock_in"), punches.get("clock_out")))
    return result
