"""API: customers and vehicles — paged lists with search, detail, create and change.

Thin endpoints: parse the input, ask the store wall (org.access), call the same services as the
web views. Errors come back as JSON through the handlers registered in aftersales/api.py.
"""

from datetime import date, datetime
from typing import Literal

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from core.api_schemas import ERRORS_TEXT as CORE_ERRORS_TEXT
from core.api_schemas import (
    REVEAL_TEXT,
    ErrorOut,
    Id,
    PageOut,
    RevealedPhoneOut,
    StoreKey,
    StoreRef,
    form_limit,
    page_of,
    patch_data,
    revealed_phone,
    store_ref,
)
from core.api_schemas import PageQuery as CorePageQuery
from core.api_schemas import ValidationErrorOut as CoreValidationErrorOut
from core.validators import field_error
from org.access import Right, require, store_from_ref

from . import selectors
from .choices import PreferredContact
from .forms.customers import CustomerForm, VehicleForm
from .models import Customer, Vehicle
from .services import customers as services

router = Router()

ERRORS_TEXT = (
    CORE_ERRORS_TEXT
    + """ A duplicate plate or VIN also carries
`"existing": {"id": …, "owner_id": …, "url": …, "web_url": …}`, the vehicle the store already has."""
)


class ExistingOut(Schema):
    id: int
    owner_id: int
    url: str = Field(description="The existing vehicle in this API.")
    web_url: str = Field(description="The existing vehicle's owner page on the web.")


class ValidationErrorOut(CoreValidationErrorOut):
    existing: ExistingOut | None = None


class PageQuery(CorePageQuery):
    q: str = Field(
        "",
        max_length=100,
        description="Search as in the web's search box: part of a plate, 4 or more digits of a phone number, "
        "part of a name, pinyin initials (zs finds 张三), part of a VIN. At most 500 matches.",
    )


# --- Customers -----------------------------------------------------------------------------------


class CustomerItemOut(Schema):
    id: int
    url: str
    store: StoreRef
    name: str
    mobile_masked: str = Field(description="The mobile number masked, 138****5678 (PIPL).")
    landline_masked: str = Field(description="The landline masked, area code and last four digits.")
    landline_ext: str
    preferred_contact: PreferredContact
    consent_to_contact: bool
    created_at: datetime
    updated_at: datetime


class VehicleBriefOut(Schema):
    id: int
    url: str
    plate: str
    vin: str
    brand: str
    model: str
    colour: str


class CustomerOut(CustomerItemOut):
    notes: str
    consent_at: datetime | None
    erased_at: datetime | None = Field(description="Set when the customer's data was erased on request (PIPL).")
    vehicles: list[VehicleBriefOut]


class CustomerPageOut(PageOut):
    items: list[CustomerItemOut]


class CustomerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    store: StoreKey | None = Field(
        None, description="The store's code (S001) or id; needed only when the caller works for several stores."
    )
    name: str = Field(max_length=form_limit(CustomerForm, "name"))
    mobile: str = Field(
        "",
        max_length=form_limit(CustomerForm, "mobile"),
        description="A mainland mobile number in any usual form: 138 1234 5678, +86…",
    )
    landline: str = Field(
        "",
        max_length=form_limit(CustomerForm, "landline"),
        description="A landline with its area code (010 1234 5678), or a 400/800 number.",
    )
    landline_ext: str = Field("", max_length=form_limit(CustomerForm, "landline_ext"))
    preferred_contact: PreferredContact = PreferredContact.MOBILE
    consent_to_contact: bool = False
    notes: str = Field("", max_length=form_limit(CustomerForm, "notes"))


class CustomerPatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=form_limit(CustomerForm, "name"))
    mobile: str | None = Field(None, max_length=form_limit(CustomerForm, "mobile"))
    landline: str | None = Field(None, max_length=form_limit(CustomerForm, "landline"))
    landline_ext: str | None = Field(None, max_length=form_limit(CustomerForm, "landline_ext"))
    preferred_contact: PreferredContact | None = None
    consent_to_contact: bool | None = None
    notes: str | None = Field(None, max_length=form_limit(CustomerForm, "notes"))


CUSTOMER_TEXT = {"name", "mobile", "landline", "landline_ext", "notes"}


def _customer_url(pk: int) -> str:
    return reverse("api:customer_detail", kwargs={"customer_id": pk})


def _vehicle_url(pk: int) -> str:
    return reverse("api:vehicle_detail", kwargs={"vehicle_id": pk})


def _customer_item(customer: Customer) -> dict:
    return {
        "id": customer.pk,
        "url": _customer_url(customer.pk),
        "store": store_ref(customer.store),
        "name": customer.name,
        "mobile_masked": customer.mobile_masked,
        "landline_masked": customer.landline_masked,
        "landline_ext": customer.landline_ext,
        "preferred_contact": customer.preferred_contact,
        "consent_to_contact": customer.consent_to_contact,
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
    }


def _customer_out(customer: Customer) -> dict:
    """The customer's detail, the numbers masked (PIPL: POST …/reveal-phone/{field} for one in full)."""
    return {
        **_customer_item(customer),
        "notes": customer.notes,
        "consent_at": customer.consent_at,
        "erased_at": customer.erased_at,
        "vehicles": [
            {
                "id": v.pk,
                "url": _vehicle_url(v.pk),
                "plate": v.plate,
                "vin": v.vin,
                "brand": v.brand,
                "model": v.model,
                "colour": v.colour,
            }
            for v in customer.vehicles.all()
        ],
    }


@router.get(
    "/customers",
    response=CustomerPageOut,
    tags=["customers"],
    summary="List customers",
    url_name="customer_list",
    description="Customers of the caller's stores, newest first, paged (`page`, `page_size` ≤ 100), optionally "
    "searched (`q`) and limited to one store (`store`). Erased customers are left out. Phone numbers are "
    "always masked in lists (PIPL); read a customer's detail for the full numbers." + ERRORS_TEXT,
)
def customer_list(request, query: Query[PageQuery]):
    user = request.user
    require(user, Right.VIEW)
    qs = selectors.customer_list(user, query.q, store_code=query.store)
    return page_of(qs, query, _customer_item)


@router.get(
    "/customers/{customer_id}",
    response={200: CustomerOut, 404: ErrorOut},
    tags=["customers"],
    summary="Read a customer",
    url_name="customer_detail",
    description="One customer with their vehicles, the numbers masked." + REVEAL_TEXT + ERRORS_TEXT,
)
def customer_detail(request, customer_id: Id):
    user = request.user
    customer = selectors.customer_get_for_user(user, customer_id)
    return _customer_out(customer)


@router.post(
    "/customers/{customer_id}/reveal-phone/{field}",
    response={200: RevealedPhoneOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    tags=["customers"],
    summary="Show a customer's number in full",
    url_name="customer_reveal_phone",
    description="The customer's `mobile` or `landline` in full; one *phone number revealed* entry in the "
    "customer's personal-data log per request." + REVEAL_TEXT + ERRORS_TEXT,
)
def customer_reveal_phone(request, customer_id: Id, field: Literal["mobile", "landline"]):
    user = request.user
    customer = selectors.customer_get_for_user(user, customer_id, right=Right.REVEAL_PHONE)
    return revealed_phone(field, services.customer_reveal_phone(actor=user, customer=customer, field=field))


@router.post(
    "/customers",
    response={201: CustomerOut, 403: ErrorOut, 422: ValidationErrorOut},
    tags=["customers"],
    summary="Add a customer",
    url_name="customer_create",
    description="Adds a customer to one of the caller's stores (`store`: code or id, needed when the caller "
    "works for several). Numbers are checked and stored in E.164 form; the creation starts the customer's "
    "history. The answer shows the numbers masked." + ERRORS_TEXT,
)
def customer_create(request, payload: CustomerIn):
    user = request.user
    require(user, Right.EDIT)
    store = store_from_ref(user, payload.store, right=Right.EDIT, default_own=False)
    require(user, Right.EDIT, store.pk)
    customer = services.customer_create(actor=user, store=store, **payload.dict(exclude={"store"}))
    return Status(201, _customer_out(customer))


@router.patch(
    "/customers/{customer_id}",
    response={200: CustomerOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    tags=["customers"],
    summary="Change a customer",
    url_name="customer_update",
    description="Changes the fields sent; the others stay. `null` clears a text field. Each change is kept in "
    "the customer's history (before → after). The answer shows the numbers masked." + ERRORS_TEXT,
)
def customer_update(request, customer_id: Id, payload: CustomerPatchIn | None = None):
    user = request.user
    customer = selectors.customer_get_for_user(user, customer_id, right=Right.EDIT)
    data = patch_data(payload or CustomerPatchIn(), text=CUSTOMER_TEXT)
    customer = services.customer_update(actor=user, customer=customer, **data)
    return _customer_out(customer)


# --- Vehicles ------------------------------------------------------------------------------------


class OwnerRef(Schema):
    id: int
    name: str


class VehicleOut(Schema):
    id: int
    url: str
    store: StoreRef
    owner: OwnerRef
    plate: str
    vin: str
    vin_check_confirmed: bool = Field(
        description="The VIN's check digit is wrong and a person confirmed the VIN as copied from the vehicle."
    )
    vin_check_confirmed_at: datetime | None
    brand: str
    model: str
    colour: str
    purchase_date: date | None
    mileage_km: int | None
    created_at: datetime
    updated_at: datetime


class VehiclePageOut(PageOut):
    items: list[VehicleOut]


class VehiclePageQuery(PageQuery):
    owner: Id | None = Field(None, description="Only this customer's vehicles, by the customer's id.")


class VehicleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    owner: Id = Field(description="The owner's customer id; the vehicle belongs to the owner's store.")
    plate: str = Field(
        "",
        max_length=form_limit(VehicleForm, "plate"),
        description="Mainland plate, for example 京A12345; give the plate, the VIN or both.",
    )
    vin: str = Field(
        "",
        max_length=form_limit(VehicleForm, "vin"),
        description="17 characters, never I, O or Q; the check digit (9th) is verified.",
    )
    vin_check_confirmed: bool = Field(
        False, description="Keep a VIN whose check digit is wrong, after checking it on the vehicle (ISO 3779)."
    )
    brand: str = Field("", max_length=form_limit(VehicleForm, "brand"))
    model: str = Field("", max_length=form_limit(VehicleForm, "model"))
    colour: str = Field("", max_length=form_limit(VehicleForm, "colour"))
    purchase_date: date | None = None
    mileage_km: int | None = None


class VehiclePatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    owner: Id | None = Field(None, description="A new owner: a customer of the same store.")
    plate: str | None = Field(None, max_length=form_limit(VehicleForm, "plate"))
    vin: str | None = Field(None, max_length=form_limit(VehicleForm, "vin"))
    vin_check_confirmed: bool | None = None
    brand: str | None = Field(None, max_length=form_limit(VehicleForm, "brand"))
    model: str | None = Field(None, max_length=form_limit(VehicleForm, "model"))
    colour: str | None = Field(None, max_length=form_limit(VehicleForm, "colour"))
    purchase_date: date | None = None
    mileage_km: int | None = None


VEHICLE_TEXT = {"plate", "vin", "brand", "model", "colour"}
VEHICLE_NULLABLE = {"purchase_date", "mileage_km"}


def _vehicle_out(vehicle: Vehicle) -> dict:
    return {
        "id": vehicle.pk,
        "url": _vehicle_url(vehicle.pk),
        "store": store_ref(vehicle.store),
        "owner": {"id": vehicle.owner_id, "name": vehicle.owner.name},
        "plate": vehicle.plate,
        "vin": vehicle.vin,
        "vin_check_confirmed": vehicle.vin_check_confirmed_at is not None,
        "vin_check_confirmed_at": vehicle.vin_check_confirmed_at,
        "brand": vehicle.brand,
        "model": vehicle.model,
        "colour": vehicle.colour,
        "purchase_date": vehicle.purchase_date,
        "mileage_km": vehicle.mileage_km,
        "created_at": vehicle.created_at,
        "updated_at": vehicle.updated_at,
    }


def _owner_for(user, customer_id: Id) -> Customer:
    """A customer the caller may give a vehicle to; one outside their stores is a 422 on `owner`."""
    try:
        return selectors.customer_get_for_user(user, customer_id, right=Right.EDIT)
    except Http404:
        raise field_error("owner", _("There is no such customer in your stores.")) from None


@router.get(
    "/vehicles",
    response=VehiclePageOut,
    tags=["vehicles"],
    summary="List vehicles",
    url_name="vehicle_list",
    description="Vehicles of the caller's stores by plate, paged (`page`, `page_size` ≤ 100), optionally "
    "searched by plate or VIN (`q`), limited to one store (`store`) or one owner (`owner`)." + ERRORS_TEXT,
)
def vehicle_list(request, query: Query[VehiclePageQuery]):
    user = request.user
    require(user, Right.VIEW)
    qs = selectors.vehicle_list(user, query.q, store_code=query.store, owner_id=query.owner)
    return page_of(qs, query, _vehicle_out)


@router.get(
    "/vehicles/{vehicle_id}",
    response={200: VehicleOut, 404: ErrorOut},
    tags=["vehicles"],
    summary="Read a vehicle",
    url_name="vehicle_detail",
    description="One vehicle with its store and owner." + ERRORS_TEXT,
)
def vehicle_detail(request, vehicle_id: Id):
    return _vehicle_out(selectors.vehicle_get_for_user(request.user, vehicle_id))


@router.post(
    "/vehicles",
    response={201: VehicleOut, 403: ErrorOut, 422: ValidationErrorOut},
    tags=["vehicles"],
    summary="Add a vehicle",
    url_name="vehicle_create",
    description="Adds a vehicle to a customer (`owner`). The plate and VIN are normalised and checked; a store "
    "never has two vehicles with the same plate or VIN (422, code `duplicate`, with `existing`). A VIN whose "
    "check digit is wrong is refused (code `vin_check_digit`) unless `vin_check_confirmed` is true; who "
    "confirmed it is recorded." + ERRORS_TEXT,
)
def vehicle_create(request, payload: VehicleIn):
    user = request.user
    require(user, Right.EDIT)
    owner = _owner_for(user, payload.owner)
    vehicle = services.vehicle_create(actor=user, owner=owner, **payload.dict(exclude={"owner"}))
    return Status(201, _vehicle_out(vehicle))


@router.patch(
    "/vehicles/{vehicle_id}",
    response={200: VehicleOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    tags=["vehicles"],
    summary="Change a vehicle",
    url_name="vehicle_update",
    description="Changes the fields sent; the others stay. `null` clears a text field, the purchase date or "
    "the mileage. A new `owner` must be a customer of the same store. Each change is kept in the vehicle's "
    "history." + ERRORS_TEXT,
)
def vehicle_update(request, vehicle_id: Id, payload: VehiclePatchIn | None = None):
    user = request.user
    vehicle = selectors.vehicle_get_for_user(user, vehicle_id, right=Right.EDIT)
    data = patch_data(payload or VehiclePatchIn(), text=VEHICLE_TEXT, nullable=VEHICLE_NULLABLE)
    if "owner" in data:
        data["owner"] = _owner_for(user, data["owner"])
    vehicle = services.vehicle_update(actor=user, vehicle=vehicle, **data)
    return _vehicle_out(vehicle)
