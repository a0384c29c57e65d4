"""The customers and vehicles API: paging, search, the store wall, validation errors, PIPL masking."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from core.api_auth import api_token_create
from core.models import HistoryEntry
from customers.choices import PersonalDataAction
from customers.models import Customer, PersonalDataLog, Vehicle
from tests.api import api_caller
from tests.factories import make_customer, make_vehicle

API = "/api/v1"
GOOD_VIN = "LVSHCAMB7CE012345"  # check digit 7 is right
BAD_CHECK_VIN = "LVSHCAMB1CE012345"  # check digit should be 7


@pytest.fixture
def call(client):
    """call(user, method, path, body=None, **params) with a fresh API token of the user."""
    return api_caller(client)


@pytest.fixture
def alice(world):
    customer = make_customer(world.a.store, name="张三", mobile="13812345678", actor=world.a.staff)
    make_vehicle(customer, plate="京A12345", actor=world.a.staff)
    return customer


def fields(response):
    return {item["field"] for item in response.json()["detail"]}


def item(response, field):
    return next(entry for entry in response.json()["detail"] if entry["field"] == field)


# --- Lists -----------------------------------------------------------------------------------------


def test_customer_list_is_paged_and_masks_phones(call, world):
    for n in range(7):
        make_customer(world.a.store, name=f"客户{n}", mobile=f"1391234{n:04d}")
    make_customer(world.b.store, name="别店客户", mobile="13700000000")
    response = call(world.a.staff, "get", "/customers", page=2, page_size=3)
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["pages"], body["page"], body["page_size"]) == (7, 3, 2, 3)
    assert [c["name"] for c in body["items"]] == ["客户3", "客户2", "客户1"]  # newest first
    assert body["items"][0]["mobile_masked"] == "139****0003"
    assert "mobile" not in body["items"][0]
    assert "13912340003" not in response.content.decode()
    assert call(world.a.staff, "get", "/customers", page=4, page_size=3).json()["items"] == []
    assert not PersonalDataLog.objects.exists()


def test_page_size_is_at_most_100(call, world):
    response = call(world.a.staff, "get", "/customers", page_size=101)
    assert response.status_code == 422
    assert item(response, "page_size")["code"] == "less_than_equal"
    assert fields(call(world.a.staff, "get", "/customers", page=0)) == {"page"}


def test_customer_list_searches_like_the_search_box(call, world, alice):
    make_customer(world.a.store, name="李四", mobile="13900001111")
    for query in ["zs", "张", "5678", "京A1", "a123"]:
        names = [c["name"] for c in call(world.a.staff, "get", "/customers", q=query).json()["items"]]
        assert names == ["张三"], query
    assert call(world.b.staff, "get", "/customers", q="zs").json()["count"] == 0


def test_customer_list_filters_by_store_code(call, world, alice):
    make_customer(world.b.store, name="别店客户", mobile="13700000000")
    admin = world.admin
    assert call(admin, "get", "/customers").json()["count"] == 2
    body = call(admin, "get", "/customers", store="S002").json()
    assert [c["store"]["code"] for c in body["items"]] == ["S002"]


def test_customer_list_uses_a_constant_number_of_queries(call, world):
    for n in range(3):
        make_customer(world.a.store, name=f"客户{n}", mobile=f"1391234{n:04d}")
    call(world.a.manager, "get", "/customers")  # the token exists, last use noted
    with CaptureQueriesContext(connection) as few:
        call(world.a.manager, "get", "/customers")
    for n in range(3, 30):
        make_customer(world.a.store, name=f"客户{n}", mobile=f"1391234{n:04d}")
    with CaptureQueriesContext(connection) as many:
        assert len(call(world.a.manager, "get", "/customers").json()["items"]) == 25
    assert len(many) == len(few) <= 6


def test_vehicle_list_is_paged_searchable_and_walled(call, world, alice):
    make_vehicle(alice, plate="京B88888")
    other = make_customer(world.b.store, name="别店客户", mobile="13700000000")
    make_vehicle(other, plate="京C00001")
    body = call(world.a.staff, "get", "/vehicles", page_size=1).json()
    assert (body["count"], body["pages"]) == (2, 2)
    assert body["items"][0]["plate"] == "京A12345"
    assert body["items"][0]["owner"] == {"id": alice.pk, "name": "张三"}
    assert [v["plate"] for v in call(world.a.staff, "get", "/vehicles", q="b888").json()["items"]] == ["京B88888"]
    assert call(world.a.staff, "get", "/vehicles", q="京C").json()["count"] == 0
    assert call(world.a.staff, "get", "/vehicles", owner=other.pk).json()["count"] == 0


# --- Detail and phone reveal (PIPL) ---------------------------------------------------------------


def test_customer_detail_shows_numbers_masked_and_logs_nothing(call, world, alice):
    """PIPL: reading a customer is not a reveal; every role reads the numbers masked."""
    for user in (world.a.staff, world.a.auditor, world.admin):
        response = call(user, "get", f"/customers/{alice.pk}")
        assert response.status_code == 200
        body = response.json()
        assert body["mobile_masked"] == "138****5678" and "mobile" not in body and "landline" not in body
        assert "13812345678" not in response.content.decode()
        assert [v["plate"] for v in body["vehicles"]] == ["京A12345"]
    assert not PersonalDataLog.objects.exists()


def test_reveal_phone_is_an_explicit_logged_request(call, world, alice):
    """PIPL: a number in full is a POST, logged each time (who, which customer), as the web's show button."""
    response = call(world.a.staff, "post", f"/customers/{alice.pk}/reveal-phone/mobile")
    assert response.status_code == 200, response.content
    assert response.json() == {"field": "mobile", "number": "+8613812345678", "formatted": "138 1234 5678"}
    log = PersonalDataLog.objects.get()
    assert (log.actor, log.customer, log.action) == (world.a.staff, alice, PersonalDataAction.REVEAL)
    call(world.a.staff, "post", f"/customers/{alice.pk}/reveal-phone/mobile")
    assert PersonalDataLog.objects.count() == 2


def test_reveal_phone_refused_to_auditors_other_stores_and_missing_numbers(call, world, alice):
    assert call(world.a.auditor, "post", f"/customers/{alice.pk}/reveal-phone/mobile").status_code == 403
    assert call(world.b.staff, "post", f"/customers/{alice.pk}/reveal-phone/mobile").status_code == 404
    response = call(world.a.staff, "post", f"/customers/{alice.pk}/reveal-phone/landline")
    assert response.status_code == 422  # she has no landline
    assert call(world.a.staff, "post", f"/customers/{alice.pk}/reveal-phone/notes").status_code == 422
    assert not PersonalDataLog.objects.exists()


def test_another_stores_customer_and_vehicle_are_404(call, world, alice):
    vehicle = alice.vehicles.get()
    for path in (f"/customers/{alice.pk}", f"/vehicles/{vehicle.pk}"):
        response = call(world.b.staff, "get", path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert "detail" in response.json()
    assert call(world.b.manager, "patch", f"/customers/{alice.pk}", {"name": "王五"}).status_code == 404
    assert call(world.b.manager, "patch", f"/vehicles/{vehicle.pk}", {"colour": "红"}).status_code == 404
    assert call(world.a.staff, "get", "/customers/999999").status_code == 404
    assert not PersonalDataLog.objects.exists()


def test_vehicle_detail(call, world, alice):
    vehicle = alice.vehicles.get()
    body = call(world.a.auditor, "get", f"/vehicles/{vehicle.pk}").json()
    assert body["plate"] == "京A12345" and body["store"]["code"] == "S001"
    assert body["url"] == f"{API}/vehicles/{vehicle.pk}"


# --- Create and update ------------------------------------------------------------------------------


def test_create_customer_normalises_and_records_history(call, world):
    response = call(world.a.staff, "post", "/customers", {"name": "李四", "mobile": "139 0000 1111"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["store"]["code"] == "S001"
    assert body["mobile_masked"] == "139****1111" and "mobile" not in body
    customer = Customer.objects.get(pk=body["id"])
    assert customer.mobile == "+8613900001111" and customer.name_initials == "ls"
    assert HistoryEntry.objects.filter(object_id=customer.pk, action="create", actor=world.a.staff).exists()


def test_create_customer_errors_name_the_fields(call, world):
    response = call(world.a.staff, "post", "/customers", {"name": "李四", "mobile": "12345", "landline_ext": "x"})
    assert response.status_code == 422
    assert fields(response) == {"mobile", "landline_ext"}
    assert all(entry["message"] for entry in response.json()["detail"])
    response = call(world.a.staff, "post", "/customers", {"mobile": "13900001111", "nickname": "x"})
    assert response.status_code == 422
    assert fields(response) == {"name", "nickname"}
    assert item(response, "name")["code"] == "missing"
    assert not Customer.objects.exists()


def test_create_customer_needs_a_store_when_the_user_has_several(call, world):
    response = call(world.admin, "post", "/customers", {"name": "李四"})
    assert response.status_code == 422
    assert fields(response) == {"store"}
    assert call(world.admin, "post", "/customers", {"name": "李四", "store": "S002"}).json()["store"]["code"] == "S002"
    assert call(world.admin, "post", "/customers", {"name": "王五", "store": world.a.store.pk}).status_code == 201


def test_store_b_cannot_create_in_store_a(call, world):
    response = call(world.b.staff, "post", "/customers", {"name": "李四", "store": "S001"})
    assert response.status_code == 422
    assert fields(response) == {"store"}
    assert call(world.b.manager, "post", "/customers", {"name": "李四", "store": world.a.store.pk}).status_code == 422
    assert not Customer.objects.exists()


def test_update_customer_changes_only_the_fields_sent(call, world, alice):
    response = call(world.a.staff, "patch", f"/customers/{alice.pk}", {"landline": "010 6789 1234", "notes": "VIP"})
    assert response.status_code == 200, response.content
    alice.refresh_from_db()
    assert (alice.name, alice.mobile, alice.landline, alice.notes) == ("张三", "+8613812345678", "+861067891234", "VIP")
    entry = HistoryEntry.objects.filter(object_id=alice.pk, action="update").get()
    assert set(entry.changes) == {"landline", "notes"}
    response = call(world.a.staff, "patch", f"/customers/{alice.pk}", {"name": None})
    assert response.status_code == 422 and fields(response) == {"name"}


def test_auditor_may_not_write(call, world, alice):
    vehicle = alice.vehicles.get()
    auditor = world.a.auditor
    for method, path, data in [
        ("post", "/customers", {"name": "李四"}),
        ("patch", f"/customers/{alice.pk}", {"name": "王五"}),
        ("post", "/vehicles", {"owner": alice.pk, "plate": "京B12345"}),
        ("patch", f"/vehicles/{vehicle.pk}", {"colour": "红"}),
    ]:
        response = call(auditor, method, path, data)
        assert response.status_code == 403, (method, path)
        assert "detail" in response.json()
    alice.refresh_from_db()
    assert alice.name == "张三" and Vehicle.objects.count() == 1


def test_create_vehicle_with_bad_plate_names_plate(call, world, alice):
    response = call(world.a.staff, "post", "/vehicles", {"owner": alice.pk, "plate": "京I12345"})
    assert response.status_code == 422
    assert fields(response) == {"plate"}
    assert Vehicle.objects.count() == 1


def test_vin_with_i_o_or_q_is_refused(call, world, alice):
    response = call(world.a.staff, "post", "/vehicles", {"owner": alice.pk, "vin": "LVSHCAMB1CE01234O"})
    assert response.status_code == 422
    assert fields(response) == {"vin"}
    assert item(response, "vin")["code"] == "vin_ioq"
    assert "O" in item(response, "vin")["message"]


def test_wrong_vin_check_digit_needs_confirmation(call, world, alice):
    response = call(world.a.staff, "post", "/vehicles", {"owner": alice.pk, "vin": BAD_CHECK_VIN})
    assert response.status_code == 422
    assert item(response, "vin")["code"] == "vin_check_digit"
    response = call(
        world.a.staff, "post", "/vehicles", {"owner": alice.pk, "vin": BAD_CHECK_VIN, "vin_check_confirmed": True}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["vin"] == BAD_CHECK_VIN and body["vin_check_confirmed"] is True
    assert Vehicle.objects.get(pk=body["id"]).vin_check_confirmed_by == world.a.staff


def test_create_vehicle_with_all_fields(call, world, alice):
    data = {
        "owner": alice.pk,
        "plate": "京a 54321",
        "vin": GOOD_VIN,
        "brand": "丰田",
        "model": "凯美瑞",
        "colour": "白",
        "purchase_date": "2024-05-01",
        "mileage_km": 12000,
    }
    response = call(world.a.staff, "post", "/vehicles", data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["plate"], body["purchase_date"], body["mileage_km"]) == ("京A54321", "2024-05-01", 12000)
    assert body["vin_check_confirmed"] is False
    response = call(world.a.staff, "post", "/vehicles", {"owner": alice.pk, "plate": "京B1", "purchase_date": "May"})
    assert response.status_code == 422 and "purchase_date" in fields(response)


def test_duplicate_plate_points_to_the_existing_vehicle(call, world, alice):
    existing = alice.vehicles.get()
    other = make_customer(world.a.store, name="李四", mobile="13900001111")
    response = call(world.a.staff, "post", "/vehicles", {"owner": other.pk, "plate": "京A 12345"})
    assert response.status_code == 422
    body = response.json()
    assert item(response, "plate")["code"] == "duplicate"
    assert body["existing"]["id"] == existing.pk
    assert body["existing"]["owner_id"] == alice.pk
    assert body["existing"]["url"] == f"{API}/vehicles/{existing.pk}"


def test_vehicle_for_another_stores_customer_is_refused(call, world, alice):
    response = call(world.b.staff, "post", "/vehicles", {"owner": alice.pk, "plate": "京B12345"})
    assert response.status_code == 422
    assert fields(response) == {"owner"}
    assert Vehicle.objects.count() == 1


def test_update_vehicle(call, world, alice):
    vehicle = alice.vehicles.get()
    other = make_customer(world.a.store, name="李四", mobile="13900001111")
    response = call(world.a.staff, "patch", f"/vehicles/{vehicle.pk}", {"colour": "黑", "owner": other.pk})
    assert response.status_code == 200, response.content
    vehicle.refresh_from_db()
    assert (vehicle.plate, vehicle.colour, vehicle.owner) == ("京A12345", "黑", other)
    assert HistoryEntry.objects.filter(object_id=vehicle.pk, action="update").exists()
    stranger = make_customer(world.b.store, name="别店客户", mobile="13700000000")
    response = call(world.a.manager, "patch", f"/vehicles/{vehicle.pk}", {"owner": stranger.pk})
    assert response.status_code == 422 and fields(response) == {"owner"}
    response = call(world.a.staff, "patch", f"/vehicles/{vehicle.pk}", {"plate": None})
    assert response.status_code == 422 and fields(response) == {"plate"}  # a plate or a VIN is needed


# --- Who am I, stores, and the OpenAPI document ------------------------------------------------------


def test_me_and_stores(call, world):
    me = call(world.a.auditor, "get", "/me").json()
    assert me["role"] == "auditor" and me["rights"] == ["view"]
    assert [s["code"] for s in call(world.admin, "get", "/stores").json()] == ["S001", "S002"]
    assert [s["code"] for s in call(world.b.staff, "get", "/stores").json()] == ["S002"]


def test_openapi_document_lists_every_route_with_a_description(client, world):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        f"{API}/me": {"get"},
        f"{API}/stores": {"get"},
        f"{API}/customers": {"get", "post"},
        f"{API}/customers/{{customer_id}}": {"get", "patch"},
        f"{API}/vehicles": {"get", "post"},
        f"{API}/vehicles/{{vehicle_id}}": {"get", "patch"},
    }
    documented = {path: set(operations) for path, operations in paths.items()}
    for path, operations in expected.items():
        assert operations <= documented.get(path, set()), path
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation.get("description"), (method, path)
    assert "personal-data log" in paths[f"{API}/customers/{{customer_id}}"]["get"]["description"]


def test_schema_errors_name_the_fields_and_a_broken_body_is_explained(client, call, world, alice):
    response = call(world.a.staff, "post", "/vehicles", {"owner": "abc", "mileage_km": "x", "purchase_date": "May"})
    assert response.status_code == 422
    assert fields(response) == {"owner", "mileage_km", "purchase_date"}
    with translation.override("zh-hans"):  # Chinese by default
        assert item(response, "mileage_km")["message"] == gettext("Enter a whole number.")
    assert fields(call(world.a.staff, "get", "/customers/abc")) == {"customer_id"}
    token = api_token_create(user=world.a.staff)[1]
    response = client.post(
        f"{API}/customers", "{broken", content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400
    assert response.json()["detail"][0]["code"] == "json_invalid"
