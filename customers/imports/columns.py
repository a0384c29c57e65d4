"""The import's columns: our fields, the names other dealer systems give them, the guessed and the chosen mapping."""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


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


def mapped_columns(headers: list[str], mapping: dict, keys, label) -> tuple[dict[str, int], dict[str, list]]:
    """The columns a person chose for `keys` (field → column index), each one of the file's columns and chosen
    once; with the errors by field, `label(key)` naming the field a column is already taken by. Shared by the
    customer and attendance imports; each then says which fields it requires."""
    errors: dict[str, list] = {}
    cleaned: dict[str, int] = {}
    taken: dict[int, str] = {}
    for key in keys:
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
                % {"column": column_letter(index), "field": label(taken[index])}
            ]
            continue
        taken[index] = key
        cleaned[key] = index
    return cleaned, errors


def clean_mapping(headers: list[str], mapping: dict) -> dict[str, int]:
    """Check a column mapping: name required, a phone column, one field per column."""
    cleaned, errors = mapped_columns(headers, mapping, FIELD_KEYS, field_label)
    if "name" not in cleaned and "name" not in errors:
        errors["name"] = [_("Choose the column that holds the customer's name.")]
    if "mobile" not in cleaned and "landline" not in cleaned and "mobile" not in errors:
        errors["mobile"] = [_("Choose the column of the mobile number, of the landline number, or both.")]
    if errors:
        raise ValidationError(errors)
    return cleaned
