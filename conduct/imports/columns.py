"""The columns of an attendance export (S1.D1a): our fields, the names DingTalk and WeCom give them, the guessed
and the chosen mapping."""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.imports.columns import column_letter, mapped_columns


@dataclass(frozen=True)
class AttendanceField:
    key: str
    label: Promise
    synonyms: tuple[str, ...]


# The order is the order of the mapping form.
ATTENDANCE_FIELDS = (
    AttendanceField(
        "employee_no",
        gettext_lazy("Employee number"),
        (
            "工号",
            "员工工号",
            "员工编号",
            "员工号",
            "考勤号",
            "考勤号码",
            "员工userid",
            "userid",
            "employee no",
            "employee number",
        ),
    ),
    AttendanceField("name", gettext_lazy("Name"), ("姓名", "员工姓名", "员工", "名字", "name", "employee")),
    AttendanceField(
        "date", gettext_lazy("Date"), ("日期", "考勤日期", "打卡日期", "工作日", "date", "work date", "day")
    ),
    AttendanceField(
        "clock_in",
        gettext_lazy("Clock-in"),
        (
            "上班打卡",
            "上班打卡时间",
            "上班1打卡时间",
            "上班1",
            "上班时间",
            "签到时间",
            "签到",
            "首次打卡",
            "clock in",
            "clock-in",
            "check in",
        ),
    ),
    AttendanceField(
        "clock_out",
        gettext_lazy("Clock-out"),
        (
            "下班打卡",
            "下班打卡时间",
            "下班1打卡时间",
            "下班1",
            "下班时间",
            "签退时间",
            "签退",
            "末次打卡",
            "clock out",
            "clock-out",
            "check out",
        ),
    ),
)
FIELD_KEYS = tuple(f.key for f in ATTENDANCE_FIELDS)
# A header with one of these words is the result or place of a punch, not its time ("上班1打卡结果").
_NOT_A_TIME = ("结果", "状态", "地点", "备注", "设备", "result", "status", "location")
# Words too general to be recognised inside a longer header ("员工UserID" is a number, not a name).
_EXACT_ONLY = {"员工", "签到", "签退", "day", "employee", "name", "date", "userid"}


def field_label(key: str) -> str:
    for f in ATTENDANCE_FIELDS:
        if f.key == key:
            return str(f.label)
    return key


def column_name(headers: list[str], index: int) -> str:
    """A column as the user sees it: its letter and its header, "D · 日期"."""
    header = headers[index] if index < len(headers) else ""
    return f"{column_letter(index)} · {header}" if header else column_letter(index)


def norm_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).lower()
    return re.sub(r"[\s_\-:：/（）()]+", "", text)


_SYNONYMS = {f.key: tuple(norm_header(s) for s in f.synonyms) for f in ATTENDANCE_FIELDS}


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Our field → column, from the header names; exact names first, then a name inside a longer header."""
    normed = [norm_header(h) for h in headers]
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for index, header in enumerate(normed):
        for key, synonyms in _SYNONYMS.items():
            if key not in mapping and header and header in synonyms:
                mapping[key] = index
                used.add(index)
                break
    for index, header in enumerate(normed):
        if index in used or not header:
            continue
        best = None
        for key, synonyms in _SYNONYMS.items():
            if key in mapping:
                continue
            if key in ("clock_in", "clock_out") and any(word in header for word in _NOT_A_TIME):
                continue
            for synonym in synonyms:
                if synonym in _EXACT_ONLY or synonym not in header:
                    continue
                if best is None or len(synonym) > best[0]:
                    best = (len(synonym), key)
        if best:
            mapping[best[1]] = index
            used.add(index)
    return {key: mapping[key] for key in FIELD_KEYS if key in mapping}


def mapping_fits(mapping: dict) -> bool:
    """Enough columns to read a row: a person (number or name), the date and a clock time."""
    return (
        ("employee_no" in mapping or "name" in mapping)
        and "date" in mapping
        and ("clock_in" in mapping or "clock_out" in mapping)
    )


def clean_mapping(headers: list[str], mapping: dict) -> dict[str, int]:
    """Check a chosen mapping: the person (number or name), the date, the clock-in and clock-out; a column once."""
    cleaned, errors = mapped_columns(headers, mapping, FIELD_KEYS, field_label)
    if "employee_no" not in cleaned and "name" not in cleaned and "employee_no" not in errors and "name" not in errors:
        errors["employee_no"] = [_("Choose the column of the employee number (工号), of the name (姓名), or both.")]
    for key, message in (
        ("date", _("Choose the column that holds the date (日期).")),
        ("clock_in", _("Choose the column of the clock-in time (上班打卡).")),
        ("clock_out", _("Choose the column of the clock-out time (下班打卡).")),
    ):
        if key not in cleaned and key not in errors:
            errors[key] = [message]
    if errors:
        raise ValidationError(errors)
    return cleaned
