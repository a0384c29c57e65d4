"""Lounge visits API: the same services and validation as the board, behind the store wall, in the OpenAPI document."""

import pytest
from django.utils import timezone

from core.api_auth import api_token_create
from lounge.models import Seat, Visit
from lounge.services.visits import drink_save, drink_toggle_available, visit_depart
from lounge.tests.wall import make_visit
from tests.factories import make_customer, make_vehicle

API = "/api/v1/lounge/visits"
JSON = "application/json"


@pytest.fixture
def lounge(world):
    customer = make_customer(world.a.store, name="张伟", mobile="13811112222", actor=world.a.staff)
    vehicle = make_vehicle(customer, plate="京A12345", actor=world.a.staff, model="凯美瑞")
    return {
        "customer": customer,
        "vehicle": vehicle,
        "coffee": drink_save(actor=world.a.manager, store=world.a.store, name="咖啡"),
        "seat": Seat.objects.create(store=world.a.store, label="A1"),
    }


def fields(response) -> set:
    return {item["field"] for item in response.json()["detail"]}


def test_openapi_lists_the_visit_endpoints_with_their_bodies(client, world):
    client.force_login(world.a.staff)
    doc = client.get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    for path in (API, API + "/{visit_id}") + tuple(
        f"{API}/{{visit_id}}/{step}" for step in ("greet", "offer-drink", "serve", "introduce", "farewell", "depart")
    ):
        assert path in paths, path
    assert "requestBody" in paths[API]["post"]

    def body_fields(operation) -> set:
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        schema = schema.get("allOf", [schema])[0]  # an optional body is allOf its one schema
        if "$ref" in schema:
            schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        return set(schema["properties"])

    assert "drink" in body_fields(paths[API + "/{visit_id}/serve"]["post"])
    assert "seat" in body_fields(paths[API + "/{visit_id}"]["patch"])


def test_a_visit_from_arrival_to_departure_through_the_api(client, world, lounge):
    """S4.1–S4.4 through the API: each step answered with the visit as it is now."""
    client.force_login(world.a.staff)
    response = client.post(API, {"plate": "京A12345", "seat": lounge["seat"].pk, "repair_order": "RO-1"}, JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    vid = body["id"]
    assert body["customer"]["name"] == "张伟" and body["vehicle"]["plate"] == "京A12345"
    assert body["first_visit"] is True and body["in_lounge"] is True and body["greet_due_at"]
    body = client.post(f"{API}/{vid}/greet").json()
    assert body["greeted_by"]["id"] == world.a.staff.pk and body["greet_seconds"] is not None
    body = client.post(f"{API}/{vid}/offer-drink").json()
    assert body["drink_offered_at"]
    body = client.post(f"{API}/{vid}/serve", {"drink": lounge["coffee"].pk}, JSON).json()
    assert body["servings"][0]["drink"] == "咖啡" and body["refill_due_at"]
    body = client.post(f"{API}/{vid}/serve", content_type=JSON).json()  # refill, the same drink
    assert body["servings"][1]["refill"] is True and body["servings"][1]["on_time"] is True
    body = client.post(f"{API}/{vid}/introduce").json()
    assert body["introduced_by"]["id"] == world.a.staff.pk
    body = client.patch(f"{API}/{vid}", {"service_status": "完工", "seat": None}, JSON).json()
    assert body["service_status"] == "完工" and body["seat"] is None and body["repair_order"] == "RO-1"
    body = client.post(f"{API}/{vid}/farewell").json()
    assert body["farewell_at"]
    body = client.post(f"{API}/{vid}/depart").json()
    assert body["in_lounge"] is False and body["refill_due_at"] is None
    assert client.get(f"{API}/{vid}").json()["departed_at"] == body["departed_at"]


def test_bearer_token_acts_as_its_person(client, world, lounge):
    token = api_token_create(user=world.a.supervisor)[1]
    response = client.post(
        API, {"guest_name": "陈先生", "first_visit": True}, JSON, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 201
    assert Visit.objects.get().arrival_recorded_by == world.a.supervisor


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"plate": "京B77777"}, "plate"),
        ({"plate": "A1"}, "plate"),
        ({"phone": "13900000000"}, "phone"),
        ({"customer": 999999}, "customer"),
        ({"customer": 10**20}, "customer"),
        ({"seat": "A1"}, "seat"),
        ({"guest_name": "名" * 51}, "guest_name"),
        ({"repair_order": "R" * 31}, "repair_order"),
        ({"first_visit": "maybe"}, "first_visit"),
        ({"unknown": 1}, "unknown"),
        ({"store": "S002"}, "store"),
    ],
)
def test_bad_arrival_is_422_naming_the_field(client, world, lounge, payload, field):
    client.force_login(world.a.staff)
    response = client.post(API, payload, JSON)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert not Visit.objects.exists()


def test_another_stores_customer_or_seat_is_422(client, world, lounge):
    b_customer = make_customer(world.b.store, name="乙店客户", mobile="13987654321", actor=world.b.staff)
    b_seat = Seat.objects.create(store=world.b.store, label="Z9")
    client.force_login(world.a.staff)
    assert fields(client.post(API, {"customer": b_customer.pk}, JSON)) == {"customer"}
    assert fields(client.post(API, {"seat": b_seat.pk}, JSON)) == {"seat"}
    assert not Visit.objects.exists()


def test_bad_steps_are_422_with_the_reason(client, world, lounge):
    visit = make_visit(world.a, customer=lounge["customer"])
    client.force_login(world.a.staff)
    response = client.post(f"{API}/{visit.pk}/serve", {"drink": lounge["coffee"].pk}, JSON)
    assert response.status_code == 422 and "S4.1" in response.json()["detail"][0]["message"]
    client.post(f"{API}/{visit.pk}/greet")
    assert client.post(f"{API}/{visit.pk}/greet").status_code == 422  # not twice
    drink_toggle_available(actor=world.a.staff, drink=lounge["coffee"], available=False)
    response = client.post(f"{API}/{visit.pk}/serve", {"drink": lounge["coffee"].pk}, JSON)
    assert response.status_code == 422 and fields(response) == {"drink"}
    assert "咖啡" in response.json()["detail"][0]["message"]
    b_drink = drink_save(actor=world.b.manager, store=world.b.store, name="乙店咖啡")
    assert fields(client.post(f"{API}/{visit.pk}/serve", {"drink": b_drink.pk}, JSON)) == {"drink"}
    assert fields(client.post(f"{API}/{visit.pk}/serve", {"drink": "x"}, JSON)) == {"drink"}
    # not JSON at all: 400, as on every endpoint (core.api_schemas.BodyAfterWall; this API alone said 422 before)
    assert client.post(f"{API}/{visit.pk}/serve", "not json", JSON).status_code == 400
    assert fields(client.patch(f"{API}/{visit.pk}", {"repair_order": "R" * 31}, JSON)) == {"repair_order"}
    assert fields(client.patch(f"{API}/{visit.pk}", {"colour": "red"}, JSON)) == {"colour"}
    assert not visit.servings.exists()


def test_another_stores_visit_is_404_whatever_is_sent(client, world, lounge):
    visit = make_visit(world.a, customer=lounge["customer"])
    client.force_login(world.b.manager)
    assert client.get(f"{API}/{visit.pk}").status_code == 404
    for step in ("greet", "offer-drink", "serve", "introduce", "farewell", "depart"):
        assert client.post(f"{API}/{visit.pk}/{step}", "not json", JSON).status_code == 404, step
    assert client.patch(f"{API}/{visit.pk}", {"bad": 1}, JSON).status_code == 404
    assert client.get(API).json()["count"] == 0
    visit.refresh_from_db()
    assert visit.greeted_at is None and visit.departed_at is None


def test_the_auditor_reads_but_may_not_act(client, world, lounge):
    visit = make_visit(world.a, customer=lounge["customer"])
    client.force_login(world.a.auditor)
    assert client.get(f"{API}/{visit.pk}").status_code == 200
    assert client.post(f"{API}/{visit.pk}/greet").status_code == 403
    assert client.post(API, {"guest_name": "x"}, JSON).status_code == 403
    assert client.patch(f"{API}/{visit.pk}", {"repair_order": "x"}, JSON).status_code == 403


def test_visit_list_is_paged_and_filtered(client, world, lounge):
    here = make_visit(world.a, customer=lounge["customer"])
    gone = make_visit(world.a, guest_name="已走")
    visit_depart(actor=world.a.staff, visit=gone)
    make_visit(world.b, guest_name="乙店访客")
    client.force_login(world.a.staff)
    body = client.get(API, {"page_size": 1}).json()
    assert body["count"] == 2 and body["pages"] == 2 and len(body["items"]) == 1
    assert [v["id"] for v in client.get(API, {"in_lounge": "true"}).json()["items"]] == [here.pk]
    assert [v["id"] for v in client.get(API, {"in_lounge": "false"}).json()["items"]] == [gone.pk]
    today = timezone.localtime(here.arrived_at).date().isoformat()
    assert client.get(API, {"date": today}).json()["count"] == 2
    assert client.get(API, {"date": "2001-01-01"}).json()["count"] == 0
    response = client.get(API, {"date": "yesterday"})
    assert response.status_code == 422 and fields(response) == {"date"}
    client.force_login(world.admin)
    assert client.get(API, {"store": "S002"}).json()["count"] == 1


def test_visit_list_uses_a_constant_number_of_queries(client, world, lounge, django_assert_max_num_queries):
    client.force_login(world.a.staff)
    make_visit(world.a, guest_name="客人0")
    client.get(API)
    with django_assert_max_num_queries(10) as few:
        client.get(API)
    for n in range(1, 8):
        make_visit(world.a, guest_name=f"客人{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(API).json()["count"] == 8
