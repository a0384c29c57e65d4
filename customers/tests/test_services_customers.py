import json
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from core.audit import history_for
from core.models import HistoryEntry
from customers.choices import PersonalDataAction
from customers.models import Customer, PersonalDataLog, Vehicle
from customers.services import customers as services
from tests.factories import make_customer, make_vehicle


def vin_with_check(body16: str) -> str:
    from core.validators import vin_check_digit

    vin = body16[:8] + "0" + body16[8:]
    return vin[:8] + vin_check_digit(vin) + vin[9:]


def test_customer_create_normalises_and_indexes_for_search(world):
    customer = make_customer(
        world.a.store,
        name="张 三",
        mobile="138-1234-5678",
        landline="010 6789 1234",
        landline_ext="801",
        actor=world.a.staff,
    )
    assert customer.mobile == "+8613812345678"
    assert customer.landline == "+861067891234"
    assert customer.phone_digits == "13812345678 01067891234"
    assert customer.name_initials == "zs"


def test_customer_errors_name_every_field_at_once(world):
    with pytest.raises(ValidationError) as info:
        services.customer_create(
            actor=world.a.staff,
            store=world.a.store,
            name="",
            mobile="12345",
            landline="13812345678",
            landline_ext="a1",
        )
    assert set(info.value.message_dict) == {"name", "mobile", "landline", "landline_ext"}
    assert Customer.objects.count() == 0


def test_customer_update_keeps_history_with_masked_phones(world):
    customer = make_customer(world.a.store, actor=world.a.staff)
    services.customer_update(actor=world.a.supervisor, customer=customer, mobile="13900001111", notes="VIP")
    entry = HistoryEntry.objects.filter(action="update").get()
    assert entry.actor == world.a.supervisor
    assert entry.changes["mobile"] == ["138****5678", "139****1111"]
    assert entry.changes["notes"] == ["", "VIP"]
    rows = history_for(customer)[0].change_rows
    assert any(str(label) for label, _before, _after in rows)


def test_update_without_change_writes_no_history(world):
    customer = make_customer(world.a.store, actor=world.a.staff)
    services.customer_update(actor=world.a.staff, customer=customer, name="张三")
    assert not HistoryEntry.objects.filter(action="update").exists()


def test_vin_wrong_check_digit_needs_confirmation_which_is_recorded(world):
    customer = make_customer(world.a.store, actor=world.a.staff)
    good = vin_with_check("LFMAPE2C0J012345")
    wrong_digit = "0" if good[8] != "0" else "1"
    wrong = good[:8] + wrong_digit + good[9:]
    with pytest.raises(ValidationError) as info:
        make_vehicle(customer, plate="", vin=wrong, actor=world.a.staff)
    assert info.value.error_dict["vin"][0].code == "vin_check_digit"
    vehicle = make_vehicle(customer, plate="", vin=wrong, vin_check_confirmed=True, actor=world.a.staff)
    assert vehicle.vin_check_confirmed_by == world.a.staff
    assert vehicle.vin_check_confirmed_at is not None
    assert history_for(vehicle)[0].note  # the confirmation is recorded in the history


def test_correct_vin_needs_no_confirmation(world):
    customer = make_customer(world.a.store, actor=world.a.staff)
    vehicle = make_vehicle(customer, plate="", vin=vin_with_check("LFMAPE2C0J012345"), actor=world.a.staff)
    assert vehicle.vin_check_confirmed_at is None


def test_duplicate_plate_or_vin_in_store_is_refused_with_link(world):
    customer = make_customer(world.a.store, actor=world.a.staff)
    vin = vin_with_check("LFMAPE2C0J012345")
    existing = make_vehicle(customer, plate="京A12345", vin=vin, actor=world.a.staff)
    other = make_customer(world.a.store, name="李四", mobile="13900001111", actor=world.a.staff)
    with pytest.raises(services.DuplicateVehicle) as info:
        make_vehicle(other, plate="京a12345", actor=world.a.staff)
    assert info.value.existing == existing
    assert f"/customers/{customer.pk}/" in info.value.existing_url
    with pytest.raises(services.DuplicateVehicle) as info:
        make_vehicle(other, plate="京B12345", vin=vin.lower(), actor=world.a.staff)
    assert info.value.field == "vin"
    # another store may have the same plate
    b_customer = make_customer(world.b.store, actor=world.b.staff)
    assert make_vehicle(b_customer, plate="京A12345", actor=world.b.staff).pk


def test_vehicle_needs_plate_or_vin_and_sane_values(world):
    customer = make_customer(world.a.store, actor=world.a.staff)
    with pytest.raises(ValidationError) as info:
        services.vehicle_create(
            actor=world.a.staff,
            owner=customer,
            plate="",
            vin="",
            mileage_km="-5",
            purchase_date="2099-01-01",
        )
    assert set(info.value.message_dict) == {"plate", "mileage_km", "purchase_date"}
    assert Vehicle.objects.count() == 0


def test_vehicle_update_cannot_move_to_another_store_customer(world):
    customer = make_customer(world.a.store, actor=world.a.staff)
    vehicle = make_vehicle(customer, actor=world.a.staff)
    b_customer = make_customer(world.b.store, actor=world.b.staff)
    with pytest.raises(ValidationError):
        services.vehicle_update(actor=world.a.staff, vehicle=vehicle, owner=b_customer)
    vehicle.refresh_from_db()
    assert vehicle.owner == customer


def test_export_json_and_excel_are_logged(world):
    customer = make_customer(world.a.store, actor=world.a.staff)
    make_vehicle(customer, actor=world.a.staff)
    body, content_type, name = services.customer_export(actor=world.a.manager, customer=customer, fmt="json")
    data = json.loads(body)
    assert data["customer"]["mobile"] == "+8613812345678"
    assert data["vehicles"][0]["plate"] == "京A12345"
    body, content_type, name = services.customer_export(actor=world.a.manager, customer=customer, fmt="xlsx")
    workbook = load_workbook(BytesIO(body))
    assert len(workbook.sheetnames) == 3
    assert PersonalDataLog.objects.filter(action=PersonalDataAction.EXPORT).count() == 2


def test_erase_anonymises_removes_vehicles_scrubs_history_and_is_logged(world):
    customer = make_customer(world.a.store, notes="喜欢绿茶", actor=world.a.staff)
    make_vehicle(customer, actor=world.a.staff)
    services.customer_update(actor=world.a.staff, customer=customer, notes="常客")
    with pytest.raises(ValidationError):
        services.customer_erase(actor=world.a.manager, customer=customer, reason=" ")
    services.customer_erase(actor=world.a.manager, customer=customer, reason="客户书面申请 2026-11-20")
    customer.refresh_from_db()
    assert customer.erased_at and customer.name == "" and customer.mobile == "" and customer.notes == ""
    assert not Vehicle.objects.exists()
    for entry in HistoryEntry.objects.all():
        assert "张三" not in json.dumps(entry.changes, ensure_ascii=False) + entry.object_repr
        assert "京A12345" not in entry.object_repr
    log = PersonalDataLog.objects.get(action=PersonalDataAction.ERASE)
    assert log.actor == world.a.manager and "2026-11-20" in log.detail
    with pytest.raises(ValidationError):
        services.customer_update(actor=world.a.staff, customer=customer, name="又来了")


def test_excel_export_writes_formula_like_text_as_text_in_every_sheet(world):
    """A name, note or history value that begins with = + - @ is text in the export, not a live formula."""
    formula = '=HYPERLINK("http://evil.example","点")'
    customer = make_customer(world.a.store, name=formula, notes="@SUM(1+1)", actor=world.a.staff)
    make_vehicle(customer, actor=world.a.staff, model="+cmd|' /C calc'!A0")
    customer = services.customer_update(actor=world.a.staff, customer=customer, notes="-2+3")
    body, _, _ = services.customer_export(actor=world.a.manager, customer=customer, fmt="xlsx")
    workbook = load_workbook(BytesIO(body))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r"))
                    texts.append(cell.value)
    assert "'" + formula in texts
    assert "'-2+3" in texts
