"""Reading an attendance export (S1.D1a): DingTalk's or WeCom's clock-in report, .xlsx or CSV (UTF-8 or GBK).

The file is read with the customer import's reader (customers.imports.reading); what is particular here is
the header: real exports have title rows above it ("月度汇总 统计日期：…"), and a header of two rows where a
merged cell ("上班1") spans its sub-columns ("打卡时间", "打卡结果").
"""

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path

from django.utils.translation import gettext as _

from core.spreadsheets import file_error
from customers.imports.reading import table_rows

from .columns import guess_mapping, mapping_fits, norm_header

HEADER_SEARCH_ROWS = 30  # the header is among the first rows; below them every row is data

# The sub-header row under merged cells of DingTalk's and WeCom's exports.
_SUB_HEADERS = {"打卡时间", "打卡结果", "打卡地点", "打卡备注", "时间", "结果", "状态", "checktime", "result"}


@dataclass
class AttendanceTable:
    encoding: str
    headers: list[str]
    header_row: int  # the row number, as in Excel, of the (last) header row
    rows: Iterator[tuple[int, list[str]]]  # data rows below it: (row number as in Excel, cells)


def _is_sub_header(cells: list[str]) -> bool:
    filled = [norm_header(c) for c in cells if c]
    return bool(filled) and all(c in _SUB_HEADERS for c in filled)


def _merge_headers(top: list[str], sub: list[str]) -> list[str]:
    """A header of two rows as one: the merged top cell carried to the right over its sub-columns."""
    width = max(len(top), len(sub))
    top = top + [""] * (width - len(top))
    sub = sub + [""] * (width - len(sub))
    merged, carried = [], ""
    for upper, lower in zip(top, sub, strict=True):
        if upper:
            carried = upper
        if lower:
            merged.append(f"{upper or carried}{lower}")
        else:
            merged.append(upper)
            carried = upper if upper else ""
    return merged


def _trim(cells: list[str]) -> list[str]:
    cells = list(cells)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def read_table(stored: Path, kind: str) -> AttendanceTable:
    """Find the header among the first rows (the first whose names give a person, a date and a clock time),
    and return the rows below it. A file without such a row is refused, naming the columns looked for."""
    encoding, rows = table_rows(stored, kind)
    rows = iter(rows)
    seen: list[tuple[int, list[str]]] = []
    for number, cells in islice(rows, HEADER_SEARCH_ROWS):
        seen.append((number, cells))
    for position, (number, cells) in enumerate(seen):
        headers = _trim(cells)
        if not any(headers):
            continue
        following = seen[position + 1] if position + 1 < len(seen) else None
        header_row = number
        if following is not None and _is_sub_header(following[1]):
            headers = _merge_headers(headers, _trim(following[1]))
            header_row = following[0]
        if mapping_fits(guess_mapping(headers)):
            rest = [(n, c) for n, c in seen if n > header_row]
            return AttendanceTable(encoding, headers, header_row, chain(rest, rows))
    if not any(any(cells) for _number, cells in seen):
        raise file_error(_("The file is empty: it has no rows."))
    raise file_error(
        _(
            "No row of the file names the columns of an attendance export: a person (工号 or 姓名), the date "
            "(日期) and the clock times (上班打卡, 下班打卡). Export the daily clock-in report from DingTalk or "
            "WeCom and upload it as it is."
        )
    )
