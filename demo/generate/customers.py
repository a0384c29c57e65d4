"""Customers and vehicles of every store, drawn as the demo draws them (demo/builders/customers.py: names,
mobiles and landlines, companies with a fleet, plates, VINs with their check digit, models, colours,
purchase dates and mileage), written in bulk with the fields customer_create and vehicle_create fill in.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError

from core.models import HistoryAction
from core.validators import mask_phone, normalize_landline, normalize_mobile
from customers.models import Customer, Vehicle
from customers.services.customers import name_initials, phone_digits
from demo.builders.customers import COMPANIES, _customer_data, _vehicle_data

from .base import Gen

CUSTOMER_COLUMNS = (
    "id",
    "store_id",
    "name",
    "name_initials",
    "mobile",
    "landline",
    "landline_ext",
    "phone_digits",
    "preferred_contact",
    "consent_to_contact",
    "consent_at",
    "notes",
    "created_at",
    "updated_at",
)
VEHICLE_COLUMNS = (
    "id",
    "store_id",
    "owner_id",
    "plate",
    "vin",
    "brand",
    "model",
    "colour",
    "purchase_date",
    "mileage_km",
    "created_at",
    "updated_at",
)
VEHICLES_PER_CUSTOMER = ([1, 2, 3], [86, 11, 3])


@dataclass
class CustomerRow:
    pk: int
    name: str
    number: str  # the number they call from (E.164)
    digits: str
    vehicles: list = field(default_factory=list)  # (id, plate, model)


def register(sink) -> None:
    sink.register(Customer, CUSTOMER_COLUMNS)
    sink.register(Vehicle, VEHICLE_COLUMNS)


def _landline(raw: str) -> str:
    """As customer_create normalises it (clean_customer_input); a number it would refuse is left out."""
    try:
        return normalize_landline(raw)
    except ValidationError:
        return ""


class Taken:
    def __init__(self):
        self.mobiles: set = set()
        self.plates: set = set()
        self.vins: set = set()


def customers_generate(gen: Gen, setup, count: int, taken: Taken, entered_by: int) -> list[CustomerRow]:
    """`count` customers of the store (a few companies with a fleet), with their vehicles."""
    rng: random.Random = gen.rng
    store_id = setup.store.pk
    first = gen.ids.take(Customer, count)
    on_file_since = datetime.combine(gen.first_day - timedelta(days=730), datetime.min.time(), tzinfo=gen.now.tzinfo)
    span = int((gen.now - on_file_since).total_seconds() * 0.8)
    rows = []
    companies = 2 + count // 1500
    for n in range(count):
        pk = first + n
        company = COMPANIES[(setup.index + n) % len(COMPANIES)] if n < companies else ""
        data = _customer_data(rng, taken.mobiles, company=company)
        mobile = normalize_mobile(data["mobile"]) if data["mobile"] else ""
        landline = _landline(data["landline"]) if data["landline"] else ""
        created = on_file_since + timedelta(seconds=rng.randint(0, span))
        name = data["name"]
        digits = phone_digits(mobile, landline)
        gen.sink.add(
            Customer,
            (
                pk,
                store_id,
                name,
                name_initials(name),
                mobile,
                landline,
                data["landline_ext"],
                digits,
                data["preferred_contact"],
                data["consent_to_contact"],
                created if data["consent_to_contact"] else None,
                data["notes"],
                created,
                created,
            ),
        )
        gen.history(
            store_id=store_id,
            model=Customer,
            object_id=pk,
            repr_=name,
            action=HistoryAction.CREATE,
            actor_id=entered_by,
            at=created,
            changes={"name": ["", name], "mobile": ["", mask_phone(mobile)], "landline": ["", mask_phone(landline)]},
        )
        number = mobile or landline
        row = CustomerRow(pk, name, number, digits.split()[0] if digits else "")
        cars = 3 if company else rng.choices(*VEHICLES_PER_CUSTOMER)[0]
        for _car in range(cars):
            car = _vehicle_data(rng, taken.plates, taken.vins)
            vehicle_id = gen.ids.take(Vehicle)
            at = created + timedelta(minutes=rng.randint(1, 30))
            gen.sink.add(
                Vehicle,
                (
                    vehicle_id,
                    store_id,
                    pk,
                    car["plate"],
                    car["vin"],
                    car["brand"],
                    car["model"],
                    car["colour"],
                    date.fromisoformat(car["purchase_date"]),
                    car["mileage_km"],
                    at,
                    at,
                ),
            )
            row.vehicles.append((vehicle_id, car["plate"], car["model"]))
        rows.append(row)
    return rows
