"""Reading an uploaded export once: .xlsx, or CSV in UTF-8, UTF-16 or GBK (core.spreadsheets reads the cells).

The data rows are kept beside the upload as JSON lines [row number as in Excel, cells], which every
later step reads in chunks (read_rows).
"""

import json
import re
import uuid
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import check_file_name, file_error, file_kind, read_csv, read_xlsx
from core.validators import PLATE_PATTERNS, plate_clean

from ..models import ImportJob
from .columns import guess_mapping

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
    name (core.spreadsheets.file_kind). Shared by the customer and attendance imports.
    """
    name = Path(uploaded.name or "").name[:255]
    suffix = check_file_name(name)
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
    try:
        kind = file_kind(magic)
    except BaseException:
        files_remove(relative)
        raise
    return name, relative, kind


def table_rows(stored: Path, kind: str) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    """The encoding ("" for a workbook) and the rows of a stored file: (row number as in Excel, cell texts)."""
    if kind == "xlsx":
        return "", read_xlsx(stored)
    return read_csv(stored.read_bytes())


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
