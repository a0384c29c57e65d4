"""Import of customers and vehicles from another dealer system's export (.xlsx or .csv).

The steps are services, each a short unit of work that the progress page (htmx polling), the
management command and the benchmark drive alike; no background thread is involved:

    import_upload         read the file once (UTF-8 or GBK CSV, or .xlsx), guess the column mapping
    import_set_mapping    the user's choice of columns; starts the check
    import_validate_step  checks the next chunk of rows; nothing is written to customers yet
    import_confirm        "import the valid rows and list the others"
    import_commit_step    writes the next chunk of valid rows, each chunk in one transaction
    import_cancel         "import nothing"

Rows are checked with clean_customer_input and clean_vehicle_input, so an imported row meets the
same rules as one typed in. Rows with the same mobile number become one customer with several
vehicles; a customer of the store with that mobile number (and the same name) gets the vehicles.
"""

import csv
import io
import json
import logging
import re
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import snapshot
from core.models import HistoryAction, HistoryEntry
from core.validators import PLATE_PATTERNS, normalize_landline, plate_clean

from .models import Customer, ImportJob, Vehicle
from .services import (
    CUSTOMER_FIELDS,
    VEHICLE_FIELDS,
    _phone_digits,
    clean_customer_input,
    clean_vehicle_input,
    name_initials,
)

logger = logging.getLogger(__name__)

CHUNK_ROWS = 2000  # rows per step: a step takes well under a second on a small server
PREVIEW_ROWS = 10
IMPORT_DIR = "imports"
State = ImportJob.State


# ---------------------------------------------------------------------------------------------
# Our fields and the column names other systems use for them


@dataclass(frozen=True)
class ImportField:
    key: str
    label: Promise
    synonyms: tuple[str, ...]
    vehicle: bool = False


# The order is the order of the mapping form; ties in guessing go to the earlier field.
IMPORT_FIELDS = (
    ImportField(
        "name",
        gettext_lazy("Name"),
        (
            "姓名",
            "客户姓名",
            "客户名称",
            "客户名",
            "车主",
            "车主姓名",
            "联系人",
            "客户",
            "name",
            "customer name",
            "customer",
            "full name",
            "owner",
        ),
    ),
    ImportField(
        "mobile",
        gettext_lazy("Mobile"),
        (
            "手机",
            "手机号",
            "手机号码",
            "移动电话",
            "联系手机",
            "联系电话",
            "客户手机",
            "mobile",
            "mobile phone",
            "mobile number",
            "cell",
            "cellphone",
            "cell phone",
            "phone",
        ),
    ),
    ImportField(
        "landline",
        gettext_lazy("Landline"),
        (
            "电话",
            "固话",
            "座机",
            "固定电话",
            "办公电话",
            "家庭电话",
            "电话号码",
            "landline",
            "tel",
            "telephone",
            "home phone",
            "office phone",
            "fixed line",
        ),
    ),
    ImportField("landline_ext", gettext_lazy("Extension"), ("分机", "分机号", "ext", "extension")),
    ImportField(
        "plate",
        gettext_lazy("Plate"),
        (
            "车牌",
            "车牌号",
            "车牌号码",
            "号牌号码",
            "号牌",
            "plate",
            "plate no",
            "plate number",
            "licence plate",
            "license plate",
            "registration",
        ),
        vehicle=True,
    ),
    ImportField(
        "vin",
        gettext_lazy("VIN"),
        ("vin", "vin码", "车架号", "车辆识别代号", "车辆识别号", "车辆识别码", "底盘号", "chassis no", "frame no"),
        vehicle=True,
    ),
    ImportField("brand", gettext_lazy("Brand"), ("品牌", "厂牌", "车辆品牌", "brand", "make"), vehicle=True),
    ImportField("model", gettext_lazy("Model"), ("车型", "车系", "型号", "model", "car model"), vehicle=True),
    ImportField("colour", gettext_lazy("Colour"), ("颜色", "车身颜色", "colour", "color"), vehicle=True),
    ImportField(
        "purchase_date",
        gettext_lazy("Purchase date"),
        (
            "购车日期",
            "购买日期",
            "购车时间",
            "开票日期",
            "销售日期",
            "purchase date",
            "date of purchase",
            "sale date",
            "sold date",
            "delivery date",
        ),
        vehicle=True,
    ),
    ImportField(
        "mileage_km",
        gettext_lazy("Mileage (km)"),
        ("里程", "行驶里程", "公里数", "表显里程", "mileage", "odometer", "km"),
        vehicle=True,
    ),
    ImportField("notes", gettext_lazy("Notes"), ("备注", "说明", "notes", "note", "remarks", "remark", "comment")),
    ImportField(
        "consent_to_contact",
        gettext_lazy("Consents to be contacted"),
        ("同意联系", "是否同意联系", "同意回访", "接受回访", "consent", "consent to contact", "may contact"),
    ),
)
FIELD_KEYS = tuple(f.key for f in IMPORT_FIELDS)
VEHICLE_KEYS = tuple(f.key for f in IMPORT_FIELDS if f.vehicle)
# Ties between synonyms of equal length go to the field first in this list when guessing by a part
# of a header: "车主手机" is a mobile number, "客户电话" a landline, "电话分机" an extension.
# Words too general to be recognised inside a longer header ("客户等级" is not a name).
_EXACT_ONLY = {"客户", "customer", "owner", "联系人", "km", "cell", "make", "phone", "tel", "ext"}
_GUESS_PRIORITY = (
    "landline_ext",
    "mobile",
    "landline",
    "vin",
    "plate",
    "purchase_date",
    "mileage_km",
    "consent_to_contact",
    "brand",
    "model",
    "colour",
    "notes",
    "name",
)


def field_label(key: str) -> str:
    for f in IMPORT_FIELDS:
        if f.key == key:
            return str(f.label)
    return key


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _norm_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).lower()
    return re.sub(r"[^\w]+|_", " ", text).strip()


def _is_ascii(text: str) -> bool:
    return text.isascii()


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Our field → column, from the header names (Chinese and English); unsure columns stay unmapped."""
    normed = [_norm_header(h) for h in headers]
    mapping: dict[str, int] = {}
    used: set[int] = set()
    # 1. exact names
    for index, header in enumerate(normed):
        compact = header.replace(" ", "")
        if not compact:
            continue
        for f in IMPORT_FIELDS:
            if any(compact == _norm_header(s).replace(" ", "") for s in f.synonyms):
                # A second column of the same name is left for the user to choose.
                mapping.setdefault(f.key, index)
                used.add(index)
                break
    # 2. a synonym inside a longer name: the longest synonym wins
    for index, header in enumerate(normed):
        if index in used or not header:
            continue
        compact = header.replace(" ", "")
        best = None
        for rank, key in enumerate(_GUESS_PRIORITY):
            if key in mapping:
                continue
            f = next(x for x in IMPORT_FIELDS if x.key == key)
            for synonym in f.synonyms:
                if synonym in _EXACT_ONLY:
                    continue
                syn = _norm_header(synonym)
                if _is_ascii(syn):
                    hit = re.search(rf"\b{re.escape(syn)}\b", header) is not None
                else:
                    hit = syn.replace(" ", "") in compact
                if hit and (best is None or (len(syn), -rank) > (best[0], -best[1])):
                    best = (len(syn), rank, key)
        if best:
            mapping[best[2]] = index
            used.add(index)
    return {f.key: mapping[f.key] for f in IMPORT_FIELDS if f.key in mapping}


# ---------------------------------------------------------------------------------------------
# Reading the file: .xlsx, or CSV in UTF-8, UTF-16 or GBK with comma, semicolon or tab


def _file_error(message) -> ValidationError:
    return ValidationError({"file": [message]})


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
        raise _file_error(
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
        raise _file_error(_("The file is not a text file. Choose a .csv file saved as text, or an .xlsx workbook."))
    delimiter = _sniff_delimiter(text)

    def rows():
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        number = 0
        try:
            for number, row in enumerate(reader, start=1):
                yield number, [_csv_cell(cell) for cell in row]
        except csv.Error:
            raise _file_error(
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
        raise _file_error(
            _("The file cannot be read as an Excel workbook (.xlsx). Open it in Excel and save it again as .xlsx.")
        ) from None
    try:
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value) for value in row]
    except Exception:
        raise _file_error(
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


def _media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def _rows_path(job: ImportJob) -> Path:
    return _media_path(job.file_path + ".rows.jsonl")


def _remove_files(relative: str) -> None:
    for path in (_media_path(relative), _media_path(relative + ".rows.jsonl")):
        path.unlink(missing_ok=True)


def _parse_to_rows(stored: Path, kind: str, rows_file: Path) -> tuple[str, list[str], int]:
    """Read the stored file once; write its data rows as JSON lines [row number, cells]."""
    if kind == "xlsx":
        encoding, rows = "", _read_xlsx(stored)
    else:
        encoding, rows = _read_csv(stored.read_bytes())
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
                    raise _file_error(
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
        raise _file_error(_("The file is empty: it has no rows."))
    if not count:
        raise _file_error(_("The file has a header row but no data rows below it."))
    return encoding, headers, count


def read_rows(job: ImportJob, start: int = 0, count: int | None = None) -> list[tuple[int, list[str]]]:
    """Data rows of the job's file: (row number as in Excel, cells), from the start-th data row."""
    if not job.file_path or not _rows_path(job).exists():
        return []  # the files were purged after the retention period
    with _rows_path(job).open(encoding="utf-8") as lines:
        stop = None if count is None else start + count
        return [tuple(json.loads(line)) for line in islice(lines, start, stop)]


# ---------------------------------------------------------------------------------------------
# Services: upload and mapping


def import_upload(*, actor, store, uploaded) -> ImportJob:
    """Store the uploaded export, read its header and rows, and guess the column mapping.

    `uploaded` is a Django UploadedFile or File (name, size, chunks()). The file is read outside
    a transaction (reading a large workbook takes a moment); the job is one INSERT.
    """
    name = Path(uploaded.name or "").name[:255]
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        raise _file_error(_("Old Excel files (.xls) cannot be read. Open the file in Excel and save it as .xlsx."))
    if suffix not in (".csv", ".xlsx"):
        raise _file_error(
            _("Choose an Excel workbook (.xlsx) or a CSV file (.csv); %(name)s is neither.") % {"name": name or "?"}
        )
    size = uploaded.size or 0
    if size == 0:
        raise _file_error(_("The file is empty: it has no rows."))
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise _file_error(
            _("The file has %(size)d MB; at most %(limit)d MB can be imported at once. Split it into smaller files.")
            % {"size": -(-size // (1024 * 1024)), "limit": limit // (1024 * 1024)}
        )
    directory = _media_path(IMPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    relative = f"{IMPORT_DIR}/{timezone.localdate():%Y%m%d}-{uuid.uuid4().hex}{suffix}"
    stored = _media_path(relative)
    with stored.open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    try:
        with stored.open("rb") as check:
            magic = check.read(8)
        if magic.startswith(b"\xd0\xcf\x11\xe0"):
            raise _file_error(_("Old Excel files (.xls) cannot be read. Open the file in Excel and save it as .xlsx."))
        # The content decides, not the name: a workbook saved as .csv is still read as a workbook.
        kind = "xlsx" if magic.startswith(b"PK\x03\x04") else "csv"
        encoding, headers, count = _parse_to_rows(stored, kind, _media_path(relative + ".rows.jsonl"))
        job = ImportJob(
            store=store,
            created_by=actor,
            original_name=name,
            file_path=relative,
            file_type=kind,
            encoding=encoding,
            headers=headers,
            mapping=guess_mapping(headers),
            total_rows=count,
        )
        job.full_clean()
        job.save()
    except BaseException:
        _remove_files(relative)
        raise
    return job


MAPPABLE_STATES = (State.UPLOADED, State.VALIDATED, State.FAILED)


def clean_mapping(headers: list[str], mapping: dict) -> dict[str, int]:
    """Check a column mapping: name required, a phone column, one field per column."""
    errors: dict[str, list] = {}
    cleaned: dict[str, int] = {}
    taken: dict[int, str] = {}
    for key in FIELD_KEYS:
        value = mapping.get(key)
        if value in (None, ""):
            continue
        try:
            index = int(value)
            if not 0 <= index < len(headers):
                raise ValueError
        except (TypeError, ValueError):
            errors[key] = [_("Choose one of the file's columns.")]
            continue
        if index in taken:
            errors[key] = [
                _("Column %(column)s is already chosen for %(field)s; choose each column once.")
                % {"column": column_letter(index), "field": field_label(taken[index])}
            ]
            continue
        taken[index] = key
        cleaned[key] = index
    if "name" not in cleaned and "name" not in errors:
        errors["name"] = [_("Choose the column that holds the customer's name.")]
    if "mobile" not in cleaned and "landline" not in cleaned and "mobile" not in errors:
        errors["mobile"] = [_("Choose the column of the mobile number, of the landline number, or both.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def import_set_mapping(*, job: ImportJob, actor, mapping: dict, confirm_vin_check: bool = False) -> ImportJob:
    """Save the chosen columns and start checking the rows from the first one."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.state not in MAPPABLE_STATES:
        raise ValidationError(_("The columns of this import can no longer be changed."))
    job.mapping = clean_mapping(job.headers, mapping)
    job.confirm_vin_check = bool(confirm_vin_check)
    job.state = State.VALIDATING
    job.processed_rows = 0
    job.valid_rows = 0
    job.errors = []
    job.work = {}
    job.message = ""
    job.finished_at = None
    job.heartbeat_at = timezone.now()
    job.save(
        update_fields=[
            "heartbeat_at",
            "mapping",
            "confirm_vin_check",
            "state",
            "processed_rows",
            "valid_rows",
            "errors",
            "work",
            "message",
            "finished_at",
        ]
    )
    return job


# ---------------------------------------------------------------------------------------------
# Checking rows (shared by the check and the write, so a race between them is caught)

_TRUE = {"1", "y", "yes", "true", "t", "是", "同意", "愿意", "接受", "对", "√", "✓", "✔"}
_FALSE = {"0", "n", "no", "false", "f", "否", "不同意", "不愿意", "拒绝", "不接受", "×", "✗", "-", ""}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _date_text(text: str) -> str:
    """2021/3/5, 2021.03.05, 2021年3月5日 and 20210305 as ISO dates; anything else unchanged."""
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match:
        try:
            return date(*(int(part) for part in match.groups())).isoformat()
        except ValueError:
            return text
    return text


def _mileage_text(text: str) -> str:
    """12,345 and 12345.0 as 12345; anything else unchanged for the rule to judge."""
    compact = re.sub(r"[\s,，]", "", text)
    compact = re.sub(r"(?i)(km|公里)$", "", compact)
    if re.fullmatch(r"\d+\.0*", compact):
        compact = compact.split(".")[0]
    return compact


def _messages(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(key, str(message)) for key, messages in exc.message_dict.items() for message in messages]
    return [("", str(message)) for message in exc.messages]


def _is_landline_in_mobile_column(text: str) -> bool:
    text = text.strip()
    digits = re.sub(r"\D", "", text)
    if not digits or text.startswith("+") or (len(digits) == 11 and digits.startswith("1")):
        return False  # the common case, a mobile number (or an error for its rule), costs nothing here
    try:
        normalize_landline(text)
    except ValidationError:
        return False
    return True


@dataclass
class CheckedRow:
    row: int
    customer: dict | None = None
    vehicle: dict | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    group: str = ""
    owner: tuple[int, str] | None = None  # an existing customer (id, name) who gets the vehicle


def _check_row(number: int, values: dict[str, str], confirm_vin_check: bool) -> CheckedRow:
    result = CheckedRow(row=number)
    consent_text = values.get("consent_to_contact", "").strip().lower()
    if consent_text in _TRUE:
        consent = True
    elif consent_text in _FALSE:
        consent = False
    else:
        consent = False
        result.errors.append(
            (
                "consent_to_contact",
                _("Enter yes or no (是 or 否), not %(value)s.") % {"value": values["consent_to_contact"]},
            )
        )
    customer_data = {
        "name": values.get("name", ""),
        "mobile": values.get("mobile", ""),
        "landline": values.get("landline", ""),
        "landline_ext": values.get("landline_ext", ""),
        "notes": values.get("notes", ""),
        "consent_to_contact": consent,
    }
    if _is_landline_in_mobile_column(customer_data["mobile"]) and not customer_data["landline"].strip():
        # Exports often have one "联系电话" column holding both kinds of number.
        customer_data["landline"], customer_data["mobile"] = customer_data["mobile"], ""
    try:
        result.customer = clean_customer_input(customer_data)
    except ValidationError as exc:
        result.errors.extend(_messages(exc))
    else:
        if not result.customer["mobile"] and not result.customer["landline"]:
            result.errors.append(
                ("mobile", _("Enter a mobile or a landline number: an imported customer must be reachable."))
            )
    if any(values.get(key, "").strip() for key in VEHICLE_KEYS):
        vehicle_data = {key: values.get(key, "") for key in VEHICLE_KEYS}
        vehicle_data["purchase_date"] = _date_text(vehicle_data["purchase_date"].strip())
        vehicle_data["mileage_km"] = _mileage_text(vehicle_data["mileage_km"])
        vehicle_data["vin_check_confirmed"] = confirm_vin_check
        try:
            result.vehicle = clean_vehicle_input(vehicle_data)
        except ValidationError as exc:
            result.errors.extend(_messages(exc))
    if result.customer:
        c = result.customer
        result.group = f"m:{c['mobile']}" if c["mobile"] else f"l:{c['landline']}|{c['landline_ext']}|{c['name']}"
    return result


def _empty_seen() -> dict:
    return {"plates": {}, "vins": {}, "groups": {}, "new_customers": 0, "vehicles": 0}


def _check_chunk(job: ImportJob, rows: list, seen: dict) -> list[CheckedRow]:
    """Check a chunk of rows against the rules, the rows before them (`seen`) and the store's data.

    `seen` is updated with the plates, VINs and customers of the valid rows.
    """
    mapping = job.mapping
    checked = []
    for number, cells in rows:
        values = {key: (cells[index] if index < len(cells) else "") for key, index in mapping.items()}
        checked.append(_check_row(number, values, job.confirm_vin_check))

    plates = {r.vehicle["plate"] for r in checked if r.vehicle and r.vehicle["plate"]}
    vins = {r.vehicle["vin"] for r in checked if r.vehicle and r.vehicle["vin"]}
    mobiles = {r.customer["mobile"] for r in checked if r.customer and r.customer["mobile"]}
    landlines = {
        r.customer["landline"] for r in checked if r.customer and not r.customer["mobile"] and r.customer["landline"]
    }
    existing_plates, existing_vins = {}, {}
    if plates or vins:
        for plate, vin, owner in (
            Vehicle.objects.filter(store_id=job.store_id)
            .filter(Q(plate__in=plates) | Q(vin__in=vins))
            .values_list("plate", "vin", "owner__name")
        ):
            if plate in plates:
                existing_plates[plate] = owner
            if vin in vins:
                existing_vins[vin] = owner
    by_mobile: dict[str, list[tuple[int, str]]] = {}
    by_landline: dict[str, tuple[int, str]] = {}
    live = Customer.objects.filter(store_id=job.store_id, erased_at__isnull=True).order_by("id")
    if mobiles:
        for pk, name, mobile in live.filter(mobile__in=mobiles).values_list("id", "name", "mobile"):
            by_mobile.setdefault(mobile, []).append((pk, name))
    if landlines:
        for pk, name, landline, ext in live.filter(landline__in=landlines, mobile="").values_list(
            "id", "name", "landline", "landline_ext"
        ):
            by_landline.setdefault(f"l:{landline}|{ext}|{name}", (pk, name))

    for r in checked:
        v = r.vehicle
        if v and v["plate"]:
            if v["plate"] in seen["plates"]:
                r.errors.append(
                    (
                        "plate",
                        _("Plate %(plate)s is also on row %(row)d of this file.")
                        % {"plate": v["plate"], "row": seen["plates"][v["plate"]]},
                    )
                )
            elif v["plate"] in existing_plates:
                r.errors.append(
                    (
                        "plate",
                        _("This store already has a vehicle with plate %(plate)s (owner: %(owner)s).")
                        % {"plate": v["plate"], "owner": existing_plates[v["plate"]]},
                    )
                )
        if v and v["vin"]:
            if v["vin"] in seen["vins"]:
                r.errors.append(
                    (
                        "vin",
                        _("VIN %(vin)s is also on row %(row)d of this file.")
                        % {"vin": v["vin"], "row": seen["vins"][v["vin"]]},
                    )
                )
            elif v["vin"] in existing_vins:
                r.errors.append(
                    (
                        "vin",
                        _("This store already has a vehicle with VIN %(vin)s (owner: %(owner)s).")
                        % {"vin": v["vin"], "owner": existing_vins[v["vin"]]},
                    )
                )
        c = r.customer
        if c:
            earlier = seen["groups"].get(r.group)
            if earlier:
                if earlier[1] != c["name"]:
                    r.errors.append(
                        (
                            "name",
                            _(
                                "Row %(row)d has the same mobile number with the name %(name)s: one mobile number "
                                "is one customer. Correct the name or the number."
                            )
                            % {"row": earlier[0], "name": earlier[1]},
                        )
                    )
                elif earlier[2]:
                    r.owner = tuple(earlier[2])
            elif c["mobile"] and c["mobile"] in by_mobile:
                same = [p for p in by_mobile[c["mobile"]] if p[1] == c["name"]]
                if same:
                    r.owner = same[0]
                else:
                    r.errors.append(
                        (
                            "name",
                            _(
                                "This store already has the customer %(name)s with this mobile number: one mobile "
                                "number is one customer. Correct the name or the number."
                            )
                            % {"name": by_mobile[c["mobile"]][0][1]},
                        )
                    )
            elif r.group in by_landline:
                r.owner = by_landline[r.group]
        if r.errors:
            continue
        if v and v["plate"]:
            seen["plates"][v["plate"]] = r.row
        if v and v["vin"]:
            seen["vins"][v["vin"]] = r.row
        if r.group not in seen["groups"]:
            seen["groups"][r.group] = [r.row, c["name"], list(r.owner) if r.owner else None]
            if not r.owner:
                seen["new_customers"] += 1
        if v:
            seen["vehicles"] += 1
    return checked


def _error_entries(checked: list[CheckedRow]) -> list[dict]:
    return [{"row": r.row, "field": key, "reason": reason} for r in checked for key, reason in r.errors]


def _finish(job: ImportJob, state: str, message: str = "") -> None:
    job.state = state
    job.finished_at = timezone.now()
    if message:
        job.message = message[:300]
    job.errors.sort(key=lambda e: e["row"])


def _fail(job_pk: int, exc: BaseException) -> ImportJob:
    """An unexpected problem: the chunk was rolled back; the job says so instead of a server error."""
    logger.exception("import %s failed", job_pk, exc_info=exc)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_pk)
        _finish(
            job,
            State.FAILED,
            _(
                "The import stopped because of an unexpected problem (%(problem)s). The rows written before "
                "it stay imported; the rest were not written."
            )
            % {"problem": type(exc).__name__},
        )
        job.save(update_fields=["state", "finished_at", "message", "errors"])
    return job


def import_validate_step(*, job: ImportJob, actor=None) -> ImportJob:
    """Check the next chunk of rows; after the last one the job waits for the user's choice."""
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job.pk)
            if job.state != State.VALIDATING:
                return job
            rows = read_rows(job, job.processed_rows, CHUNK_ROWS)
            seen = job.work if job.work.get("plates") is not None else _empty_seen()
            checked = _check_chunk(job, rows, seen)
            job.errors.extend(_error_entries(checked))
            job.valid_rows += sum(1 for r in checked if not r.errors)
            job.processed_rows += len(rows)
            if not rows or job.processed_rows >= job.total_rows:
                job.state = State.VALIDATED
                # Only the counts are needed from here on; the plates and VINs seen are not kept.
                job.work = {"new_customers": seen["new_customers"], "vehicles": seen["vehicles"]}
            else:
                job.work = seen
            job.heartbeat_at = timezone.now()
            job.save(update_fields=["state", "processed_rows", "valid_rows", "errors", "work", "heartbeat_at"])
            return job
    except Exception as exc:
        return _fail(job.pk, exc)


# ---------------------------------------------------------------------------------------------
# The user's choice, and writing


@transaction.atomic
def import_confirm(*, job: ImportJob, actor) -> ImportJob:
    """ "Import the valid rows and list the others": start writing."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.state != State.VALIDATED:
        raise ValidationError(_("This import is not waiting for a choice; reload the page."))
    if not job.valid_rows:
        raise ValidationError(
            _("No row is valid, so there is nothing to import. Correct the file and upload it again.")
        )
    job.state = State.IMPORTING
    job.processed_rows = 0
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["state", "processed_rows", "heartbeat_at"])
    return job


@transaction.atomic
def import_cancel(*, job: ImportJob, actor) -> ImportJob:
    """ "Import nothing": the job ends without writing a customer or a vehicle."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.state in (State.IMPORTING, State.DONE) or job.imported_customers or job.imported_vehicles:
        raise ValidationError(_("Rows of this import are already written; it can no longer be cancelled."))
    if job.state == State.CANCELLED:
        return job
    _finish(job, State.CANCELLED)
    job.work = {}
    job.save(update_fields=["state", "finished_at", "errors", "work"])
    return job


def _history(*, obj, fields, actor, store_id, ct, note) -> HistoryEntry:
    after = snapshot(obj, fields)
    return HistoryEntry(
        store_id=store_id,
        content_type=ct,
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        action=HistoryAction.IMPORT,
        actor=actor if getattr(actor, "pk", None) else None,
        changes={key: ["", value] for key, value in sorted(after.items()) if value != ""},
        note=note[:200],
    )


def _write_chunk(job: ImportJob, rows: list, actor) -> tuple[int, int, list[dict]]:
    """Write the valid rows of one chunk (inside the caller's transaction)."""
    error_rows = {e["row"] for e in job.errors}
    rows = [(number, cells) for number, cells in rows if number not in error_rows]
    # Rechecked against the store's data as it is now: a plate added since the check is refused here.
    checked = _check_chunk(job, rows, _empty_seen())
    now = timezone.now()
    new_customers: dict[str, Customer] = {}
    vehicles: list[Vehicle] = []
    for r in checked:
        if r.errors:
            continue
        c = r.customer
        if r.owner:
            owner = Customer(pk=r.owner[0], name=r.owner[1], store_id=job.store_id)
        elif r.group in new_customers:
            owner = new_customers[r.group]
        else:
            owner = Customer(store_id=job.store_id, **{key: c[key] for key in CUSTOMER_FIELDS})
            owner.name_initials = name_initials(owner.name)
            owner.phone_digits = _phone_digits(owner.mobile, owner.landline)
            owner.consent_at = now if owner.consent_to_contact else None
            # The store is the job's: no query per row to check that it exists.
            owner.full_clean(exclude=["store"], validate_unique=False, validate_constraints=False)
            new_customers[r.group] = owner
        if r.vehicle:
            v = r.vehicle
            vehicle = Vehicle(
                store_id=job.store_id, owner=owner, **{key: v[key] for key in VEHICLE_FIELDS if key != "owner"}
            )
            if v["vin_check_warning"]:
                vehicle.vin_check_confirmed_by = actor
                vehicle.vin_check_confirmed_at = now
            vehicles.append(vehicle)
    Customer.objects.bulk_create(new_customers.values())
    for vehicle in vehicles:
        vehicle.owner = vehicle.owner  # the saved customer's id, keeping the object for the history
        vehicle.full_clean(
            exclude=["store", "owner", "vin_check_confirmed_by"], validate_unique=False, validate_constraints=False
        )
    Vehicle.objects.bulk_create(vehicles)
    note = _("Imported from %(file)s (import #%(job)d).") % {"file": job.original_name, "job": job.pk}
    ct_customer = ContentType.objects.get_for_model(Customer)
    ct_vehicle = ContentType.objects.get_for_model(Vehicle)
    history = [
        _history(obj=c, fields=CUSTOMER_FIELDS, actor=actor, store_id=job.store_id, ct=ct_customer, note=note)
        for c in new_customers.values()
    ]
    history += [
        _history(obj=v, fields=VEHICLE_FIELDS, actor=actor, store_id=job.store_id, ct=ct_vehicle, note=note)
        for v in vehicles
    ]
    HistoryEntry.objects.bulk_create(history)
    return len(new_customers), len(vehicles), _error_entries(checked)


def import_commit_step(*, job: ImportJob, actor) -> ImportJob:
    """Write the next chunk of valid rows in one transaction; a row refused now joins the error list."""
    try:
        for attempt in range(3):
            try:
                with transaction.atomic():
                    job = ImportJob.objects.select_for_update().get(pk=job.pk)
                    if job.state != State.IMPORTING:
                        return job
                    rows = read_rows(job, job.processed_rows, CHUNK_ROWS)
                    customers, vehicles, errors = _write_chunk(job, rows, actor)
                    job.imported_customers += customers
                    job.imported_vehicles += vehicles
                    job.errors.extend(errors)
                    job.valid_rows -= len({e["row"] for e in errors})
                    job.processed_rows += len(rows)
                    if not rows or job.processed_rows >= job.total_rows:
                        _finish(job, State.DONE)
                        job.work = {}
                    job.heartbeat_at = timezone.now()
                    job.save(
                        update_fields=[
                            "heartbeat_at",
                            "state",
                            "processed_rows",
                            "valid_rows",
                            "imported_customers",
                            "imported_vehicles",
                            "errors",
                            "work",
                            "finished_at",
                        ]
                    )
                    return job
            except IntegrityError:
                # Someone saved the same plate or VIN between our check and our write: check again.
                if attempt == 2:
                    raise
    except Exception as exc:
        return _fail(job.pk, exc)
    return job


class _RollBack(Exception):
    def __init__(self, message: str, errors: list):
        super().__init__(message)
        self.message = message
        self.errors = errors


def import_run(*, job: ImportJob, actor, valid_only: bool) -> ImportJob:
    """Every step at once (the command and the benchmark): check all rows, then write or not.

    With valid_only false, any invalid row means nothing is written (all or nothing), and the
    writing runs in one transaction so that a row refused at write time undoes the whole import.
    """
    while job.state == State.VALIDATING:
        job = import_validate_step(job=job, actor=actor)
    if job.state != State.VALIDATED:
        return job
    if job.errors and not valid_only:
        return import_cancel(job=job, actor=actor)
    if not job.valid_rows:
        return import_cancel(job=job, actor=actor)
    job = import_confirm(job=job, actor=actor)
    if valid_only:
        while job.state == State.IMPORTING:
            job = import_commit_step(job=job, actor=actor)
        return job
    try:
        with transaction.atomic():
            while job.state == State.IMPORTING:
                job = import_commit_step(job=job, actor=actor)
            if job.state != State.DONE or job.errors:
                raise _RollBack(job.message, job.errors)
    except _RollBack as stop:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job.pk)
            job.errors = stop.errors
            _finish(
                job,
                State.CANCELLED,
                stop.message or _("A row was refused while writing, so nothing was imported (all or nothing)."),
            )
            job.save(update_fields=["state", "finished_at", "message", "errors"])
    return job


# ---------------------------------------------------------------------------------------------
# The error report


def import_error_report(job: ImportJob) -> bytes:
    """The errors as an Excel workbook: row, field, reason, then the row's values as in the file."""
    from openpyxl import Workbook

    from core.exports import sheet_append

    by_row: dict[int, list[dict]] = {}
    for error in job.errors:
        by_row.setdefault(error["row"], []).append(error)
    values = {number: cells for number, cells in read_rows(job) if number in by_row} if by_row else {}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Errors")))
    sheet_append(sheet, [str(_("Row")), str(_("Field")), str(_("Reason")), *job.headers])
    for number in sorted(by_row):
        for error in by_row[number]:
            sheet_append(sheet, [number, field_label(error["field"]), error["reason"], *values.get(number, [])])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def import_files_purge(*, older_than_days: int) -> int:
    """Delete the stored upload and row files of imports that ended over N days ago (PIPL).

    The job, its counts and its error list stay; the error report then lists rows without values.
    """
    cutoff = timezone.now() - timedelta(days=older_than_days)
    jobs = ImportJob.objects.filter(finished_at__lt=cutoff).exclude(file_path="")
    purged = 0
    for job in jobs.iterator():
        _remove_files(job.file_path)
        ImportJob.objects.filter(pk=job.pk).update(file_path="")
        purged += 1
    return purged
