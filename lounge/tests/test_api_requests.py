"""Lounge requests API (S4.2, S4.5): the same validation as the pages, behind the store wall, in the OpenAPI document."""

import pytest

from lounge.choices import RequestState
from lounge.models import LoungeRequest
from lounge.services.requests import request_acknowledge
from lounge.tests.wall import ask, make_drink, make_facility, make_seat

BASE = "/api/v1/lounge/requests"


def test_openapi_lists_the_request_endpoints_with_typed_bodies(client, world):
    client.force_login(world.a.staff)
    doc = client.get("/api/v1/openapi.json").json()
    for path in (
        BASE,
        f"{BASE}/{{request_id}}",
        f"{BASE}/{{request_id}}/acknowledge",
        f"{BASE}/{{request_id}}/done",
        f"{BASE}/{{request_id}}/cancel",
        "/api/v1/lounge/seats",
    ):
        assert path in doc["paths"], path
    assert "RequestIn" in doc["components"]["schemas"]
    assert "CancelIn" in doc["components"]["schemas"]
    assert not any(path.startswith("/api/v1/q") for path in doc["paths"])  # the QR page has no public API


def test_create_then_on_the_way_then_done(client, world):
    seat = make_seat(world.a, "A3")
    tea = make_drink(world.a)
    client.force_login(world.a.staff)
    response = client.post(
        BASE, {"kind": "drink", "seat": seat.pk, "drink": tea.pk, "note": "少冰"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["source"] == "api" and body["state"] == "open" and body["seat"] == "A3" and body["drink"] == "绿茶"
    assert body["due_at"] and body["overdue"] is False and body["response_seconds"] is None
    rid = body["id"]
    body = client.post(f"{BASE}/{rid}/acknowledge").json()
    assert body["state"] == "on_way" and body["acknowledged_by_id"] == world.a.staff.pk
    assert body["response_seconds"] is not None
    assert client.post(f"{BASE}/{rid}/done").json()["state"] == "done"
    response = client.post(f"{BASE}/{rid}/done")
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "state"


def test_cancel_with_and_without_a_body(client, world):
    client.force_login(world.a.staff)
    first = ask(world.a, make_seat(world.a))
    second = ask(world.a, make_seat(world.a, "A2"))
    body = client.post(f"{BASE}/{first.pk}/cancel", {"reason": "重复"}, content_type="application/json").json()
    assert body["state"] == "cancelled"
    assert client.post(f"{BASE}/{second.pk}/cancel", content_type="application/json").json()["state"] == "cancelled"
    response = client.post(f"{BASE}/{second.pk}/cancel", {"why": "x"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "why"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "pizza"}, "kind"),
        ({}, "kind"),
        ({"kind": "drink"}, "drink"),
        ({"kind": "fault"}, "facility"),
        ({"kind": "help", "note": "长" * 201}, "note"),
        ({"kind": "help", "colour": "red"}, "colour"),
        ({"kind": "help", "store": "S999"}, "store"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, world, payload, field):
    client.force_login(world.a.staff)
    response = client.post(BASE, payload, content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in [item["field"] for item in response.json()["detail"]]
    assert not LoungeRequest.objects.exists()


def test_another_store_drink_seat_or_facility_is_refused(client, world):
    client.force_login(world.a.staff)
    for field, record in (
        ("drink", make_drink(world.b)),
        ("seat", make_seat(world.b)),
        ("facility", make_facility(world.b.store)),
    ):
        kind = {"drink": "drink", "seat": "help", "facility": "fault"}[field]
        response = client.post(BASE, {"kind": kind, field: record.pk}, content_type="application/json")
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == field
    response = client.post(BASE, {"kind": "help", "store": "S002"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "store"
    assert not LoungeRequest.objects.exists()


def test_the_list_pages_filters_and_stays_behind_the_wall(client, world):
    seat = make_seat(world.a)
    for _ in range(3):
        ask(world.a, seat, "help")
    taken = ask(world.a, seat, "refill")
    request_acknowledge(actor=world.a.staff, request=taken)
    ask(world.b, make_seat(world.b), note="乙店的请求")
    client.force_login(world.a.auditor)
    body = client.get(BASE, {"page_size": 2}).json()
    assert body["count"] == 4 and body["pages"] == 2 and len(body["items"]) == 2
    assert client.get(BASE, {"state": "on_way"}).json()["count"] == 1
    assert client.get(BASE, {"kind": "help"}).json()["count"] == 3
    assert client.get(BASE, {"store": "S002"}).json()["count"] == 0
    assert client.get(BASE, {"state": "lost"}).status_code == 422
    assert "乙店的请求" not in client.get(BASE).content.decode()


def test_the_three_people(client, world):
    req = ask(world.a, make_seat(world.a))
    client.force_login(world.a.auditor)
    assert client.get(f"{BASE}/{req.pk}").status_code == 200
    assert client.post(f"{BASE}/{req.pk}/acknowledge").status_code == 403
    assert client.post(BASE, {"kind": "help"}, content_type="application/json").status_code == 403
    client.force_login(world.b.manager)
    for suffix in ("", "/acknowledge", "/done", "/cancel"):
        method = client.get if not suffix else client.post
        assert method(f"{BASE}/{req.pk}{suffix}").status_code == 404
    # a bad body sent to another store's request is still a 404: the wall first
    response = client.post(f"{BASE}/{req.pk}/cancel", {"why": 1}, content_type="application/json")
    assert response.status_code == 404
    req.refresh_from_db()
    assert req.state == RequestState.OPEN


def test_seats_list(client, world):
    make_seat(world.a, "A1")
    inactive = make_seat(world.a, "A2")
    inactive.active = False
    inactive.save()
    make_seat(world.b, "乙1")
    client.force_login(world.a.staff)
    body = client.get("/api/v1/lounge/seats").json()
    assert [s["label"] for s in body["items"]] == ["A1", "A2"]
    assert "token" not in body["items"][0]
    assert [s["label"] for s in client.get("/api/v1/lounge/seats", {"active": True}).json()["items"]] == ["A1"]
