"""The demo data: complete, valid, deterministic, loaded once; its people can sign in."""

from datetime import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from aftersales import demo
from core.validators import normalize_landline, normalize_mobile, normalize_plate, normalize_vin
from customers.models import Customer, Vehicle
from org.choices import DepartmentKind, Role
from org.models import BusinessHours, DealerGroup, Department, Store, StoreClosure, User
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _counts() -> dict:
    models = (DealerGroup, Store, Department, BusinessHours, StoreClosure, User, Customer, Vehicle)
    return {model.__name__: model.objects.count() for model in models}


def _fingerprint() -> list:
    customers = Customer.objects.order_by("store__code", "name", "mobile", "landline").values_list(
        "store__code", "name", "mobile", "landline", "landline_ext", "preferred_contact", "consent_to_contact"
    )
    vehicles = Vehicle.objects.order_by("vin").values_list(
        "owner__name", "plate", "vin", "model", "colour", "purchase_date", "mileage_km"
    )
    people = User.objects.order_by("username").values_list("username", "name", "employee_no", "role", "store__code")
    return [list(customers), list(vehicles), list(people)]


def test_demo_has_two_stores_of_one_brand_staff_in_every_role_and_valid_customers():
    result = demo.demo_load()

    assert result.loaded
    group = DealerGroup.objects.get()
    assert group.name == demo.GROUP_NAME
    stores = list(Store.objects.filter(group=group))
    assert [s.code for s in stores] == ["S001", "S002"]
    assert {(s.brand, s.city) for s in stores} == {("一汽丰田", "北京")}
    for store in stores:
        assert set(store.departments.values_list("kind", flat=True)) == set(DepartmentKind.values) - {"other"}
        assert store.business_hours.count() == 7
        assert store.closures.count() >= 2
    sunday = BusinessHours.objects.get(store__code="S002", weekday=6)
    assert (sunday.opens, sunday.closes) == (time(9, 0), time(17, 0))

    assert User.objects.count() >= 15
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert not User.objects.filter(name="").exists()
    assert User.objects.filter(employee_no__isnull=True).count() == 0
    supervisor = User.objects.get(username="supervisor1")
    assert {d.name for d in supervisor.supervised_departments.all()} == {"客服部", "续保部"}

    assert Customer.objects.count() == 300
    assert Vehicle.objects.count() == 350
    assert Customer.objects.filter(vehicles__isnull=True).count() == 0
    for mobile, landline in Customer.objects.values_list("mobile", "landline"):
        assert mobile or landline
        assert not mobile or normalize_mobile(mobile) == mobile
        assert not landline or normalize_landline(landline) == landline
    for plate, vin in Vehicle.objects.values_list("plate", "vin"):
        assert normalize_plate(plate) == plate
        result = normalize_vin(vin)
        assert result.vin == vin and result.check_digit_ok, vin
    assert Vehicle.objects.filter(plate__regex=r"^.{3}[DF]").exists(), "some new-energy plates"
    assert Vehicle.objects.values("plate").distinct().count() == 350
    assert Vehicle.objects.values("vin").distinct().count() == 350
    # every customer and vehicle was created through the services, so each has its history
    from core.models import HistoryEntry

    assert HistoryEntry.objects.filter(action="create", object_repr__in=Vehicle.objects.values("plate")).count() == 350


def test_a_second_run_adds_nothing_and_says_so():
    out = StringIO()
    call_command("load_demo", stdout=out)
    first = _counts()
    assert "Demo data loaded" in out.getvalue()
    assert demo.DEMO_PASSWORD in out.getvalue()

    out = StringIO()
    call_command("load_demo", stdout=out)

    assert "demo data already present" in out.getvalue()
    assert "manager1" in out.getvalue()
    assert _counts() == first


def test_demo_data_is_the_same_on_every_run():
    class Undo(Exception):
        pass

    prints = []
    for _run in range(2):
        with pytest.raises(Undo), transaction.atomic():
            demo.demo_load()
            prints.append(_fingerprint())
            raise Undo

    assert prints[0] == prints[1]
    assert len(prints[0][1]) == 350


def test_demo_is_not_loaded_into_a_database_that_is_in_use():
    make_user("owner", role=Role.GROUP_ADMIN, name="店主")

    result = demo.demo_load()

    assert not result.loaded
    assert not Store.objects.exists()
    assert Customer.objects.count() == 0


def test_demo_people_sign_in_with_the_demo_password_by_username_or_employee_number(client):
    demo.demo_load()

    for login in ("admin", "manager1", "HB1005", "supervisor2", "auditor2"):
        response = client.post("/signin/", {"username": login, "password": demo.DEMO_PASSWORD})

        assert response.status_code == 302, login
        assert client.get("/").status_code == 200
        client.post("/signout/")


def test_sign_ins_list_the_well_known_accounts_with_their_stores():
    demo.demo_load()

    rows = {row["username"]: row for row in demo.sign_ins()}

    assert set(rows) == set(demo.WELL_KNOWN)
    assert rows["groupaudit"]["stores"] == "S001+S002"
    assert rows["staff2"]["stores"] == "S002"
    assert rows["admin"]["employee_no"] == "HB0001"
