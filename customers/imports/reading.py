"""Reading an uploaded export once: .xlsx, or CSV in UTF-8, UTF-16 or GBK with comma, semicolon or tab.

The data rows are kept beside the upload as JSON lines [row number as in Excel, cells], which every
later step reads in chunks (read_rows).
"""

import csv
import io
import json
import re
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.validators import PLATE_PATTERNS, field_error, plate_clean

from ..models import ImportJob
from .columns import guess_mapping


def file_error(message) -> ValidationError:
    return field_error("file", message)


def _cell_text(value) -> str:
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


def _read_csv(data: bytes) -> tuple[str, Iterator[tuple[int, list[str]]]]:
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


def _read_xlsx(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.active if hasattr(workbook.active, "iter_rows") else workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read every row there is
    except Exception:  # openpyxl raises many kinds of error on a damaged or foreign file
        raise file_error(
            _("The file cannot be read as an Excel workbook (.xlsx). Open it in Excel and save it again as .xlsx.")
        ) from None
    try:
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value) for value in row]
    except Exception:
        raise file_error(
            _("The file cannot be read as an Excel workbook (.xlsx). Open it in Excel and save it again as .xlsx.")
        ) from None
    finally:
        workbook.close()


_DATA_LIKE = re.compile(r"^[\d\s+\-./:()]+$")


def _looks_like_data(text: str) -> bool:
    """A header cell that is really a value: a number, phone number, date, plate or VIN."""
    if _DATA_LIKE.match(text):
        return True
    cleaned = plate_clean(text)
    if any(p.match(cleaned) for p in PLATE_PATTERNS):
        return True
    return bool(re.fullmatch(r"[A-HJ-NPR-Z0-9]{17}", cleaned))


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def rows_path(job: ImportJob) -> Path:
    return media_path(job.file_path + ".rows.jsonl")


def files_remove(relative: str) -> None:
    for path in (media_path(relative), media_path(relative + ".rows.jsonl")):
        path.unlink(missing_ok=True)


def upload_keep(uploaded, directory: str) -> tuple[str, str, str]:
    """Check an uploaded export (an .xlsx or .csv of at most IMPORT_MAX_BYTES, not an old .xls) and store it
    under MEDIA_ROOT/<directory>/: (its name, the stored file's relative path, "xlsx" or "csv").

    `uploaded` is a Django UploadedFile or File (name, size, chunks()). The content decides the kind, not the
    name: a workbook saved as .csv is still read as a workbook. Shared by the customer and attendance imports.
    """
    name = Path(uploaded.name or "").name[:255]
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        raise file_error(_("Old Excel files (.xls) cannot be read. Open the file in Excel and save it as .xlsx."))
    if suffix not in (".csv", ".xlsx"):
        raise file_error(
            _("Choose an Excel workbook (.xlsx) or a CSV file (.csv); %(name)s is neither.") % {"name": name or "?"}
        )
    size = uploaded.size or 0
    if size == 0:
        raise file_error(_("The file is empty: it has no rows."))
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise file_error(
            _("The file has %(size)d MB; at most %(limit)d MB can be imported at once. Split it into smaller files.")
            % {"size": -(-size // (1024 * 1024)), "limit": limit // (1024 * 1024)}
        )
    media_path(directory).mkdir(parents=True, exist_ok=True)
    relative = f"{directory}/{timezone.localdate():%Y%m%d}-{uuid.uuid4().hex}{suffix}"
    stored = media_path(relative)
    with stored.open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    with stored.open("rb") as check:
        magic = check.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        files_remove(relative)
        raise file_error(_("Old Excel files (.xls) cannot be read. Open the file in Excel and save it as .xlsx."))
    return name, relative, "xlsx" if magic.startswith(b"PK\x03\x04") else "csv"


def table_rows(stored: Path, kind: str) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    """The encoding ("" for a workbook) and the rows of a stored file: (row number as in Excel, cell texts)."""
    if kind == "xlsx":
        return "", _read_xlsx(stored)
    return _read_csv(stored.read_bytes())


def parse_to_rows(stored: Path, kind: str, rows_file: Path) -> tuple[str, list[str], int]:
    """Read the stored file once; write its data rows as JSON lines [row number, cells]."""
    encoding, rows = table_rows(stored, kind)
    headers: list[str] | None = None
    count = 0
    with rows_file.open("w", encoding="utf-8") as out:
        for number, cells in rows:
            if not any(cells):
                continue
            if headers is None:
                while cells and not cells[-1]:
                    cells.pop()
                headers = cells
                filled = [h for h in headers if h]
                looks_like_data = sum(1 for h in filled if _looks_like_data(h))
                if looks_like_data * 2 >= len(filled) and not guess_mapping(headers):
                    raise file_error(
                        _(
                            "The first row should name the columns (for example 姓名, 手机, 车牌), "
                            "but it holds values such as %(values)s. Add a header row and upload again."
                        )
                        % {"values": ", ".join(filled[:3])}
                    )
                continue
            cells = cells[: len(headers)]
            cells += [""] * (len(headers) - len(cells))
            if not any(cells):
                continue
            out.write(json.dumps([number, cells], ensure_ascii=False))
            out.write("\n")
            count += 1
    if headers is None:
        raise file_error(_("The file is empty: it has no rows."))
    if not count:
        raise file_error(_("The file has a header row but no data rows below it."))
    return encoding, headers, count


def read_rows(job: ImportJob, start: int = 0, count: int | None = None) -> list[tuple[int, list[str]]]:
    """Data rows of the job's file: (row number as in Excel, cells), from the start-th data row."""
    if not job.file_path or not rows_path(job).exists():
        return []  # the files were purged after the retention period
    with rows_path(job).open(encoding="utf-8") as lines:
        stop = None if count is None else start + count
        return [tuple(json.loads(line)) for line in islice(lines, start, stop)]
