"""Reading a spreadsheet someone uploads: .xlsx, or CSV in UTF-8, UTF-16 or GBK with comma, semicolon or tab.

Shared by every import (customers' export from another dealer system, the roster): the file's kind is
decided by its content, not its name; cells come back as the text the user sees in Excel.
"""

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.validators import field_error


def file_error(message) -> ValidationError:
    return field_error("file", message)


def check_file_name(name: str) -> str:
    """The lower-case suffix of an upload's name, .csv or .xlsx; any other is refused (an old .xls explained)."""
    suffix = Path(name or "").suffix.lower()
    if suffix == ".xls":
        raise file_error(_("Old Excel files (.xls) cannot be read. Open the file in Excel and save it as .xlsx."))
    if suffix not in (".csv", ".xlsx"):
        raise file_error(
            _("Choose an Excel workbook (.xlsx) or a CSV file (.csv); %(name)s is neither.") % {"name": name or "?"}
        )
    return suffix


def file_kind(head: bytes) -> str:
    """ "xlsx" or "csv" from the file's first bytes: a workbook saved as .csv is still read as a workbook."""
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_error(_("Old Excel files (.xls) cannot be read. Open the file in Excel and save it as .xlsx."))
    return "xlsx" if head.startswith(b"PK\x03\x04") else "csv"


def cell_text(value) -> str:
    """One cell as text, the way the user sees it in Excel."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value).strip()


def _csv_cell(text: str) -> str:
    """Undo the tricks exports use to keep numbers as text in Excel: ="0101234567", '138…, a tab."""
    text = text.strip()
    if len(text) >= 3 and text.startswith('="') and text.endswith('"'):
        return text[2:-1].strip()
    if text.startswith("'"):
        return text[1:].strip()
    return text


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312, the usual encodings of Chinese Excel CSV files.
        return data.decode("gb18030"), "GBK"
    except UnicodeDecodeError:
        raise file_error(
            _('The file is neither UTF-8 nor GBK text. Save it from Excel as "CSV UTF-8" or as .xlsx.')
        ) from None


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first row into the most columns: comma, tab or semicolon."""
    sample = text[:65536]
    best, best_width = ",", 0
    for delimiter in (",", "\t", ";"):
        try:
            for row in csv.reader(io.StringIO(sample), delimiter=delimiter):
                if any(cell.strip() for cell in row):
                    if len(row) > best_width:
                        best, best_width = delimiter, len(row)
                    break
        except csv.Error:
            continue
    return best


def read_csv(data: bytes) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    """The encoding found, and the rows (row number from 1, cells as text) of a CSV file's bytes."""
    text, encoding = _decode(data)
    if "\x00" in text:
        raise file_error(_("The file is not a text file. Choose a .csv file saved as text, or an .xlsx workbook."))
    delimiter = _sniff_delimiter(text)

    def rows():
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        number = 0
        try:
            for number, row in enumerate(reader, start=1):
                yield number, [_csv_cell(cell) for cell in row]
        except csv.Error:
            raise file_error(
                _("Row %(row)d of the file cannot be read as CSV: check its quotes and separators.")
                % {"row": number + 1}
            ) from None

    return encoding, rows()


def read_xlsx(source: Path | BinaryIO) -> Iterator[tuple[int, list[str]]]:
    """The rows (row number from 1, cells as text) of a workbook's first sheet, from a path or an open file."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
        sheet = workbook.active if hasattr(workbook.active, "iter_rows") else workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read every row there is
    except Exception:  # openpyxl raises many kinds of error on a damaged or foreign file
        raise file_error(
            _("The file cannot be read as an Excel workbook (.xlsx). Open it in Excel and save it again as .xlsx.")
        ) from None
    try:
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(value) for value in row]
    except Exception:
        raise file_error(
            _("The file cannot be read as an Excel workbook (.xlsx). Open it in Excel and save it again as .xlsx.")
        ) from None
    finally:
        workbook.close()


def read_table(data: bytes, name: str) -> Iterator[tuple[int, list[str]]]:
    """The rows of a small upload held in memory (a roster, not a dealer system's export): (row number, cells)."""
    check_file_name(name)
    if not data:
        raise file_error(_("The file is empty: it has no rows."))
    if file_kind(data[:8]) == "xlsx":
        return read_xlsx(io.BytesIO(data))
    return read_csv(data)[1]
