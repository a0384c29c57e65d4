"""Checking the rows of an import, shared by the check and the write (so a race between them is caught).

Rows are checked with clean_customer_input and clean_vehicle_input, so an imported row meets the
same rules as one typed in; then against the rows before them and the store's customers and vehicles.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from core.validators import normalize_landline

from ..models import Customer, ImportJob, Vehicle
from ..services.customers import clean_customer_input, clean_vehicle_input
from .columns import VEHICLE_KEYS

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


def empty_seen() -> dict:
    return {"plates": {}, "vins": {}, "groups": {}, "new_customers": 0, "vehicles": 0}


def check_chunk(job: ImportJob, rows: list, seen: dict) -> list[CheckedRow]:
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

    # A plate or VIN already on an earlier row of the file, or already the store's: (field, seen key, store's, messages)
    unique_fields = (
        (
            "plate",
            "plates",
            existing_plates,
            _("Plate %(plate)s is also on row %(row)d of this file."),
            _("This store already has a vehicle with plate %(plate)s (owner: %(owner)s)."),
        ),
        (
            "vin",
            "vins",
            existing_vins,
            _("VIN %(vin)s is also on row %(row)d of this file."),
            _("This store already has a vehicle with VIN %(vin)s (owner: %(owner)s)."),
        ),
    )
    for r in checked:
        v = r.vehicle
        for key, seen_key, existing, in_file, in_store in unique_fields:
            value = v[key] if v else ""
            if not value:
                continue
            if value in seen[seen_key]:
                r.errors.append((key, in_file % {key: value, "row": seen[seen_key][value]}))
            elif value in existing:
                r.errors.append((key, in_store % {key: value, "owner": existing[value]}))
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


def error_entries(checked: list[CheckedRow]) -> list[dict]:
    return [{"row": r.row, "field": key, "reason": reason} for r in checked for key, reason in r.errors]
