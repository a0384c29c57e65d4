"""Writes to customers and vehicles: validation, history and the personal-data log live here.

The web views, the API and the import all call these functions, so a rule holds everywhere.
"""

import json
from datetime import date
from io import BytesIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from core.audit import history_record, snapshot
from core.db import save_or_conflict
from core.markers import UNCHANGED, Unchanged, given
from core.models import HistoryAction, HistoryEntry
from core.validators import (
    field_error,
    national_digits,
    normalize_landline,
    normalize_mobile,
    normalize_plate,
    normalize_vin,
)

from ..choices import PersonalDataAction, PreferredContact
from ..models import Customer, PersonalDataLog, Vehicle

CUSTOMER_FIELDS = [
    "name",
    "mobile",
    "landline",
    "landline_ext",
    "preferred_contact",
    "consent_to_contact",
    "notes",
]
VEHICLE_FIELDS = [
    "owner",
    "plate",
    "vin",
    "brand",
    "model",
    "colour",
    "purchase_date",
    "mileage_km",
]


class DuplicateVehicle(ValidationError):
    """A plate or VIN that the store already has; carries the existing vehicle for a link."""

    def __init__(self, field: str, message: str, existing: Vehicle):
        super().__init__({field: [ValidationError(message, code="duplicate")]})
        self.existing = existing
        self.field = field

    @property
    def existing_url(self) -> str:
        return reverse("customers:customer_detail", args=[self.existing.owner_id]) + f"#vehicle-{self.existing.pk}"


def name_initials(name: str) -> str:
    """Pinyin initials of a name, lower case: 张三 → zs; Latin letters are kept."""
    letters = lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="default")
    return "".join(ch for ch in "".join(letters).lower() if ch.isalnum())[:50]


def phone_digits(mobile: str, landline: str) -> str:
    return " ".join(d for d in (national_digits(mobile), national_digits(landline)) if d)


def clean_customer_input(data: dict) -> dict:
    """Normalise customer fields; collect every field's error at once (ValidationError dict)."""
    errors: dict[str, list] = {}
    cleaned = dict(data)
    cleaned["name"] = (data.get("name") or "").strip()
    if not cleaned["name"]:
        errors["name"] = [_("Enter the customer's name.")]
    elif len(cleaned["name"]) > 50:
        errors["name"] = [_("A name has at most 50 characters.")]
    for field, normalise in (("mobile", normalize_mobile), ("landline", normalize_landline)):
        raw = (data.get(field) or "").strip()
        if not raw:
            cleaned[field] = ""
            continue
        try:
            cleaned[field] = normalise(raw)
        except ValidationError as exc:
            errors[field] = exc.error_list
    ext = (data.get("landline_ext") or "").strip()
    if ext and (not ext.isdigit() or len(ext) > 8):
        errors["landline_ext"] = [_("An extension has only digits, at most 8.")]
    elif ext and not (data.get("landline") or "").strip():
        errors["landline_ext"] = [_("An extension needs a landline number.")]
    cleaned["landline_ext"] = ext
    preferred = data.get("preferred_contact") or PreferredContact.MOBILE
    if preferred not in PreferredContact.values:
        errors["preferred_contact"] = [_("Choose one of the offered ways of contact.")]
    elif preferred == PreferredContact.LANDLINE and not (data.get("landline") or "").strip():
        errors.setdefault("landline", []).append(
            _("The preferred contact is the landline, so enter a landline number.")
        )
    elif (
        preferred in (PreferredContact.MOBILE, PreferredContact.SMS)
        and not (data.get("mobile") or "").strip()
        and "mobile" not in errors
    ):
        if (data.get("landline") or "").strip():
            preferred = PreferredContact.LANDLINE
        else:
            preferred = PreferredContact.MOBILE
    cleaned["preferred_contact"] = preferred
    cleaned["consent_to_contact"] = bool(data.get("consent_to_contact"))
    cleaned["notes"] = (data.get("notes") or "").strip()
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def customer_create(
    *,
    actor,
    store,
    name: str,
    mobile: str = "",
    landline: str = "",
    landline_ext: str = "",
    preferred_contact: str = PreferredContact.MOBILE,
    consent_to_contact: bool = False,
    notes: str = "",
) -> Customer:
    """Create a customer of the store; their history starts with the creation."""
    cleaned = clean_customer_input(
        {
            "name": name,
            "mobile": mobile,
            "landline": landline,
            "landline_ext": landline_ext,
            "preferred_contact": preferred_contact,
            "consent_to_contact": consent_to_contact,
            "notes": notes,
        }
    )
    customer = Customer(store=store, **{k: cleaned[k] for k in CUSTOMER_FIELDS})
    customer.name_initials = name_initials(customer.name)
    customer.phone_digits = phone_digits(customer.mobile, customer.landline)
    if customer.consent_to_contact:
        customer.consent_at = timezone.now()
    customer.full_clean()
    customer.save()
    history_record(actor=actor, obj=customer, action=HistoryAction.CREATE, after=snapshot(customer, CUSTOMER_FIELDS))
    return customer


@transaction.atomic
def customer_update(
    *,
    actor,
    customer: Customer,
    name: str | Unchanged = UNCHANGED,
    mobile: str | Unchanged = UNCHANGED,
    landline: str | Unchanged = UNCHANGED,
    landline_ext: str | Unchanged = UNCHANGED,
    preferred_contact: str | Unchanged = UNCHANGED,
    consent_to_contact: bool | Unchanged = UNCHANGED,
    notes: str | Unchanged = UNCHANGED,
) -> Customer:
    """Change a customer's details (an argument left UNCHANGED stays); the history keeps each field before → after."""
    changes = given(
        name=name,
        mobile=mobile,
        landline=landline,
        landline_ext=landline_ext,
        preferred_contact=preferred_contact,
        consent_to_contact=consent_to_contact,
        notes=notes,
    )
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.erased_at:
        raise ValidationError(_("This customer's data was erased on request; it cannot be changed."))
    merged = {k: getattr(customer, k) for k in CUSTOMER_FIELDS} | changes
    cleaned = clean_customer_input(merged)
    before = snapshot(customer, CUSTOMER_FIELDS)
    had_consent = customer.consent_to_contact
    for key in CUSTOMER_FIELDS:
        setattr(customer, key, cleaned[key])
    customer.name_initials = name_initials(customer.name)
    customer.phone_digits = phone_digits(customer.mobile, customer.landline)
    if customer.consent_to_contact and not had_consent:
        customer.consent_at = timezone.now()
    elif not customer.consent_to_contact:
        customer.consent_at = None
    customer.full_clean()
    customer.save()
    history_record(
        actor=actor, obj=customer, action=HistoryAction.UPDATE, before=before, after=snapshot(customer, CUSTOMER_FIELDS)
    )
    return customer


def clean_vehicle_input(data: dict) -> dict:
    """Normalise vehicle fields; a wrong VIN check digit is an error unless confirmed."""
    errors: dict[str, list] = {}
    cleaned = dict(data)
    raw_plate = (data.get("plate") or "").strip()
    raw_vin = (data.get("vin") or "").strip()
    cleaned["plate"] = ""
    cleaned["vin"] = ""
    cleaned["vin_check_warning"] = False
    if not raw_plate and not raw_vin:
        errors["plate"] = [_("Enter the plate, the VIN or both.")]
    if raw_plate:
        try:
            cleaned["plate"] = normalize_plate(raw_plate)
        except ValidationError as exc:
            errors["plate"] = exc.error_list
    if raw_vin:
        try:
            result = normalize_vin(raw_vin)
        except ValidationError as exc:
            errors["vin"] = exc.error_list
        else:
            cleaned["vin"] = result.vin
            if not result.check_digit_ok:
                cleaned["vin_check_warning"] = True
                if not data.get("vin_check_confirmed"):
                    errors["vin"] = [
                        ValidationError(
                            _(
                                "The check digit (9th character) of this VIN should be %(expected)s, "
                                "not %(actual)s (ISO 3779). Check the VIN; if it is copied correctly "
                                "from the vehicle, confirm it."
                            ),
                            code="vin_check_digit",
                            params={"expected": result.expected_check_digit, "actual": result.vin[8]},
                        )
                    ]
    for field, limit in (("brand", 50), ("model", 50), ("colour", 20)):
        cleaned[field] = (data.get(field) or "").strip()
        if len(cleaned[field]) > limit:
            errors[field] = [_("At most %(limit)d characters.") % {"limit": limit}]
    purchase = data.get("purchase_date")
    if isinstance(purchase, str):
        purchase = purchase.strip()
        if purchase:
            try:
                purchase = date.fromisoformat(purchase)
            except ValueError:
                errors["purchase_date"] = [_("Enter the date as YYYY-MM-DD.")]
                purchase = None
        else:
            purchase = None
    if purchase and purchase > timezone.localdate():
        errors["purchase_date"] = [_("The purchase date cannot be in the future.")]
    cleaned["purchase_date"] = purchase
    mileage = data.get("mileage_km")
    if mileage in ("", None):
        mileage = None
    else:
        try:
            mileage = int(str(mileage).strip())
            if mileage < 0 or mileage > 3_000_000:
                raise ValueError
        except ValueError:
            errors["mileage_km"] = [_("Enter the mileage as a whole number of kilometres (0 to 3,000,000).")]
            mileage = None
    cleaned["mileage_km"] = mileage
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_duplicates(store_id: int, plate: str, vin: str, exclude_pk=None) -> None:
    qs = Vehicle.objects.filter(store_id=store_id).select_related("owner")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if plate:
        existing = qs.filter(plate=plate).first()
        if existing:
            raise DuplicateVehicle(
                "plate",
                _("This store already has a vehicle with plate %(plate)s (owner: %(owner)s).")
                % {"plate": plate, "owner": existing.owner},
                existing,
            )
    if vin:
        existing = qs.filter(vin=vin).first()
        if existing:
            raise DuplicateVehicle(
                "vin",
                _("This store already has a vehicle with VIN %(vin)s (owner: %(owner)s).")
                % {"vin": vin, "owner": existing.owner},
                existing,
            )


def _apply_vin_confirmation(vehicle: Vehicle, cleaned: dict, actor, previous_vin: str = "") -> None:
    """Record who confirmed a VIN whose check digit is wrong, and when (once per VIN)."""
    if not cleaned["vin_check_warning"]:
        vehicle.vin_check_confirmed_by = None
        vehicle.vin_check_confirmed_at = None
    elif vehicle.vin_check_confirmed_at is None or previous_vin != vehicle.vin:
        vehicle.vin_check_confirmed_by = actor
        vehicle.vin_check_confirmed_at = timezone.now()


@transaction.atomic
def vehicle_create(
    *,
    actor,
    owner: Customer,
    plate: str = "",
    vin: str = "",
    vin_check_confirmed: bool = False,
    brand: str = "",
    model: str = "",
    colour: str = "",
    purchase_date: date | str | None = None,
    mileage_km: int | str | None = None,
) -> Vehicle:
    """Add a vehicle to a customer; duplicate plates or VINs in the store are refused."""
    if owner.erased_at:
        raise ValidationError(_("This customer's data was erased on request; it cannot be changed."))
    cleaned = clean_vehicle_input(
        {
            "plate": plate,
            "vin": vin,
            "vin_check_confirmed": vin_check_confirmed,
            "brand": brand,
            "model": model,
            "colour": colour,
            "purchase_date": purchase_date,
            "mileage_km": mileage_km,
        }
    )
    _check_duplicates(owner.store_id, cleaned["plate"], cleaned["vin"])
    vehicle = Vehicle(store_id=owner.store_id, owner=owner, **{k: cleaned[k] for k in VEHICLE_FIELDS if k != "owner"})
    _apply_vin_confirmation(vehicle, cleaned, actor)
    vehicle.full_clean(validate_constraints=False)
    # a plate or VIN saved by someone else at the same moment: the same message as when it was there before
    save_or_conflict(
        vehicle, field="plate", recheck=lambda: _check_duplicates(owner.store_id, cleaned["plate"], cleaned["vin"])
    )
    note = _("VIN check digit confirmed by the user.") if cleaned["vin_check_warning"] else ""
    history_record(
        actor=actor, obj=vehicle, action=HistoryAction.CREATE, after=snapshot(vehicle, VEHICLE_FIELDS), note=note
    )
    return vehicle


@transaction.atomic
def vehicle_update(
    *,
    actor,
    vehicle: Vehicle,
    owner: Customer | Unchanged = UNCHANGED,
    plate: str | Unchanged = UNCHANGED,
    vin: str | Unchanged = UNCHANGED,
    vin_check_confirmed: bool | Unchanged = UNCHANGED,
    brand: str | Unchanged = UNCHANGED,
    model: str | Unchanged = UNCHANGED,
    colour: str | Unchanged = UNCHANGED,
    purchase_date: date | str | None | Unchanged = UNCHANGED,
    mileage_km: int | str | None | Unchanged = UNCHANGED,
) -> Vehicle:
    """Change a vehicle (an argument left UNCHANGED stays); a new owner must be a customer of the same store."""
    changes = given(
        owner=owner,
        plate=plate,
        vin=vin,
        vin_check_confirmed=vin_check_confirmed,
        brand=brand,
        model=model,
        colour=colour,
        purchase_date=purchase_date,
        mileage_km=mileage_km,
    )
    vehicle = Vehicle.objects.select_for_update().select_related("owner").get(pk=vehicle.pk)
    merged = {k: getattr(vehicle, k) for k in VEHICLE_FIELDS}
    merged["vin_check_confirmed"] = vehicle.vin_check_confirmed_at is not None
    merged |= changes
    cleaned = clean_vehicle_input(merged)
    owner = cleaned.get("owner") or vehicle.owner
    if owner.store_id != vehicle.store_id:
        raise field_error("owner", _("The owner must be a customer of the same store."))
    if owner.erased_at:
        raise field_error("owner", _("This customer's data was erased on request; it cannot be changed."))
    _check_duplicates(vehicle.store_id, cleaned["plate"], cleaned["vin"], exclude_pk=vehicle.pk)
    before = snapshot(vehicle, VEHICLE_FIELDS)
    previous_vin = vehicle.vin
    cleaned["owner"] = owner
    for key in VEHICLE_FIELDS:
        setattr(vehicle, key, cleaned[key])
    _apply_vin_confirmation(vehicle, cleaned, actor, previous_vin)
    vehicle.full_clean(validate_constraints=False)
    save_or_conflict(
        vehicle,
        field="plate",
        recheck=lambda: _check_duplicates(vehicle.store_id, cleaned["plate"], cleaned["vin"], exclude_pk=vehicle.pk),
    )
    history_record(
        actor=actor, obj=vehicle, action=HistoryAction.UPDATE, before=before, after=snapshot(vehicle, VEHICLE_FIELDS)
    )
    return vehicle


def _log(
    *, actor, customer: Customer | None, action: str, detail: str = "", store_id: int | None = None, ref: str = ""
) -> PersonalDataLog:
    """One entry of the personal-data log; without a customer record, the store and a reference name whose data."""
    return PersonalDataLog.objects.create(
        store_id=customer.store_id if customer is not None else store_id,
        customer=customer,
        customer_ref=f"#{customer.pk}" if customer is not None else ref,
        action=action,
        detail=detail,
        actor=actor,
    )


@transaction.atomic
def customer_reveal_phone(*, actor, customer: Customer, field: str) -> str:
    """Show a masked number in full, and log who saw which customer's number when (PIPL)."""
    if field not in ("mobile", "landline"):
        raise ValidationError(_("Unknown phone field."))
    value = getattr(customer, field)
    if not value:
        raise ValidationError(_("This customer has no such number."))
    label = Customer._meta.get_field(field).verbose_name
    _log(actor=actor, customer=customer, action=PersonalDataAction.REVEAL, detail=str(label))
    return value


def phone_reveal_log(*, actor, store_id: int, customer: Customer | None, ref: str, detail: str) -> PersonalDataLog:
    """Log the reveal of a masked number kept on another record, such as a complaint's contact phone (PIPL).

    The same log as a customer's own numbers: who, when, which record (`detail`). Linked to the customer
    when there is one, so it shows among their reveals; otherwise `ref` names the record.
    """
    return _log(
        actor=actor, customer=customer, action=PersonalDataAction.REVEAL, detail=detail, store_id=store_id, ref=ref
    )


def customer_data(customer: Customer) -> dict:
    """Everything the product holds on one customer, for an export on request (PIPL)."""
    from django.contrib.contenttypes.models import ContentType

    vehicles = list(customer.vehicles.all())
    ct_customer = ContentType.objects.get_for_model(Customer)
    ct_vehicle = ContentType.objects.get_for_model(Vehicle)
    history = HistoryEntry.objects.filter(
        content_type=ct_customer, object_id=customer.pk
    ) | HistoryEntry.objects.filter(content_type=ct_vehicle, object_id__in=[v.pk for v in vehicles])
    return {
        "customer": {
            "id": customer.pk,
            "store": customer.store.code,
            "name": customer.name,
            "mobile": customer.mobile,
            "landline": customer.landline,
            "landline_ext": customer.landline_ext,
            "preferred_contact": customer.preferred_contact,
            "consent_to_contact": customer.consent_to_contact,
            "consent_at": customer.consent_at.isoformat() if customer.consent_at else None,
            "notes": customer.notes,
            "created_at": customer.created_at.isoformat(),
        },
        "vehicles": [
            {
                "id": v.pk,
                "plate": v.plate,
                "vin": v.vin,
                "brand": v.brand,
                "model": v.model,
                "colour": v.colour,
                "purchase_date": v.purchase_date.isoformat() if v.purchase_date else None,
                "mileage_km": v.mileage_km,
            }
            for v in vehicles
        ],
        "history": [
            {"at": h.at.isoformat(), "action": h.action, "record": h.object_repr, "changes": h.changes}
            for h in history.order_by("at")
        ],
    }


@transaction.atomic
def customer_export(*, actor, customer: Customer, fmt: str) -> tuple[bytes, str, str]:
    """The customer's data as JSON or Excel (content, content type, file name); logged."""
    data = customer_data(customer)
    _log(actor=actor, customer=customer, action=PersonalDataAction.EXPORT, detail=fmt)
    stem = f"customer-{customer.pk}"
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        return body, "application/json", f"{stem}.json"
    if fmt != "xlsx":
        raise ValidationError(_("Choose JSON or Excel."))
    from openpyxl import Workbook

    from core.exports import sheet_append

    wb = Workbook()
    ws = wb.active
    ws.title = str(_("Customer"))
    for key, value in data["customer"].items():
        sheet_append(ws, [key, value if value is not None else ""])
    wv = wb.create_sheet(str(_("Vehicles")))
    columns = ["id", "plate", "vin", "brand", "model", "colour", "purchase_date", "mileage_km"]
    sheet_append(wv, columns)
    for v in data["vehicles"]:
        sheet_append(wv, [v[c] if v[c] is not None else "" for c in columns])
    wh = wb.create_sheet(str(_("History")))
    sheet_append(wh, ["at", "action", "record", "changes"])
    for h in data["history"]:
        sheet_append(wh, [h["at"], h["action"], h["record"], json.dumps(h["changes"], ensure_ascii=False)])
    out = BytesIO()
    wb.save(out)
    return (
        out.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{stem}.xlsx",
    )


@transaction.atomic
def customer_erase(*, actor, customer: Customer, reason: str) -> Customer:
    """Erase a customer's personal data on request (PIPL): the record stays, anonymous.

    Vehicles are deleted, name, numbers and notes cleared, the values in the history scrubbed;
    the erasure itself is logged (who, when, which customer, why).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": [_("Give the reason for the erasure (for example the customer's request and its date).")]}
        )
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.erased_at:
        raise ValidationError(_("This customer's data was already erased."))
    from django.contrib.contenttypes.models import ContentType

    vehicle_ids = list(customer.vehicles.values_list("id", flat=True))
    HistoryEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Vehicle), object_id__in=vehicle_ids
    ).delete()
    customer.vehicles.all().delete()
    ct = ContentType.objects.get_for_model(Customer)
    HistoryEntry.objects.filter(content_type=ct, object_id=customer.pk).update(
        changes={}, object_repr=f"#{customer.pk}"
    )
    customer.name = ""
    customer.name_initials = ""
    customer.mobile = ""
    customer.landline = ""
    customer.landline_ext = ""
    customer.phone_digits = ""
    customer.notes = ""
    customer.consent_to_contact = False
    customer.consent_at = None
    customer.erased_at = timezone.now()
    customer.save()
    history_record(actor=actor, obj=customer, action=HistoryAction.ERASE, note=reason)
    _log(actor=actor, customer=customer, action=PersonalDataAction.ERASE, detail=reason[:200])
    return customer
