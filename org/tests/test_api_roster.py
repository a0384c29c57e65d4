"""The roster API (S1.D1a): GET/POST /shifts, GET/PUT /roster, behind the store wall."""

from datetime import date, time

import pytest

from org.choices import RosterKind
from org.models import RosterDay, Shift
from org.services import roster as services
from tests.api import api_caller


@pytest.fixture
def call(client):
    return api_caller(client)


@pytest.fixture
def early(world):
    return services.shift_create(
        actor=world.a.manager, store=world.a.store, name="早班", starts=time(8, 0), ends=time(17, 0)
    )


def test_s1_d1a_shifts_listed_and_added_by_the_manager(call, world, early):
    response = call(world.a.staff, "get", "/shifts")
    assert response.status_code == 200 and [s["name"] for s in response.json()] == ["早班"]
    assert call(world.b.staff, "get", "/shifts").json() == []
    assert call(world.b.manager, "get", "/shifts", store="S001").status_code == 422  # not theirs: unnamed
    body = {"store": "S001", "name": "夜班", "starts": "22:00", "ends": "06:00"}
    assert call(world.a.supervisor, "post", "/shifts", body).status_code == 403
    assert call(world.b.manager, "post", "/shifts", body).status_code == 422
    response = call(world.a.manager, "post", "/shifts", body)
    assert response.status_code == 201 and response.json()["ends"] == "06:00"
    response = call(world.a.manager, "post", "/shifts", {**body, "starts": "06:00"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["detail"]} == {"name", "ends"}
    for bad in ("08:00+01:00", "25:00", "8点"):
        response = call(world.a.manager, "post", "/shifts", {**body, "name": "中班", "starts": bad})
        assert response.status_code == 422 and response.json()["detail"][0]["field"] == "starts", bad
    assert Shift.objects.filter(store=world.a.store).count() == 2


def test_s1_d1a_roster_month_lists_each_persons_days(call, world, early):
    a = world.a
    services.roster_set(actor=a.manager, store=a.store, person=a.staff, day=date(2026, 12, 1), kind="work", shift=early)
    services.roster_set(actor=a.manager, store=a.store, person=a.staff, day=date(2026, 12, 2), kind="rest")
    response = call(a.supervisor, "get", "/roster", month="2026-12", department=a.cs.pk)
    assert response.status_code == 200
    people = {p["id"]: p for p in response.json()["people"]}
    days = people[a.staff.pk]["days"]
    assert len(days) == 31
    assert days[0]["shift"] == "早班" and days[0]["shift_id"] == early.pk and days[0]["rostered"]
    assert days[1]["kind"] == "rest" and days[2]["kind"] == "work" and not days[2]["rostered"]
    # staff: their own department only
    assert call(a.staff, "get", "/roster", month="2026-12").status_code == 200
    assert call(a.staff, "get", "/roster", month="2026-12", department=a.lounge.pk).status_code == 403
    assert call(a.manager, "get", "/roster", month="2026-13").status_code == 422
    assert call(a.manager, "get", "/roster", month="2026-12", department=world.b.cs.pk).status_code == 422
    assert call(world.b.manager, "get", "/roster", store="S001", month="2026-12").status_code == 422


def test_s1_d1a_roster_put_is_all_or_nothing_naming_each_bad_entry(call, world, early):
    a = world.a
    entries = [
        {"person": a.staff.pk, "date": "2026-12-01", "kind": "work", "shift": early.pk},
        {"person": world.b.staff.pk, "date": "2026-12-01", "kind": "rest"},
        {"person": a.staff.pk, "date": "2026-12-02", "kind": "rest", "shift": early.pk},
        {"person": a.staff.pk, "date": "2026-12-03", "kind": "work", "shift": 999999},
    ]
    response = call(a.supervisor, "put", "/roster", {"entries": entries})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["detail"]}
    assert fields == {"entries.1.person", "entries.2.shift", "entries.3.shift"}
    assert not RosterDay.objects.exists()
    response = call(a.supervisor, "put", "/roster", {"entries": [entries[0], {**entries[2], "shift": None}]})
    assert response.status_code == 200 and response.json() == {"saved": 2}
    assert RosterDay.objects.get(person=a.staff, date=date(2026, 12, 2)).kind == RosterKind.REST
    default = {"person": a.staff.pk, "date": "2026-12-02", "kind": "default"}
    assert call(a.supervisor, "put", "/roster", {"entries": [default]}).status_code == 200
    assert RosterDay.objects.count() == 1
    bad_kind = call(a.supervisor, "put", "/roster", {"entries": [{**default, "kind": "holiday"}]})
    assert bad_kind.status_code == 422 and bad_kind.json()["detail"][0]["field"] == "entries.0.kind"
    assert call(a.staff, "put", "/roster", {"entries": [default]}).status_code == 403  # staff roster nobody
    assert call(a.auditor, "put", "/roster", {"entries": [default]}).status_code == 403
    assert call(world.b.manager, "put", "/roster", {"store": "S001", "entries": [default]}).status_code == 422
    assert RosterDay.objects.count() == 1


def test_roster_endpoints_are_in_the_openapi_document(client, world):
    client.force_login(world.a.manager)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/shifts"]) and {"get", "put"} <= set(paths["/api/v1/roster"])


def test_s1_d1a_roster_month_asks_as_much_for_many_people_as_for_one(call, world, early):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from org.choices import Role
    from tests.factories import make_user

    a = world.a

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert call(a.manager, "get", "/roster", month="2026-12").status_code == 200
        return len(queries)

    count()  # the token is made on first use
    few = count()
    for n in range(6):
        person = make_user(f"cs{n}", role=Role.STAFF, store=a.store, department=a.cs)
        services.roster_set(actor=a.manager, store=a.store, person=person, day=date(2026, 12, 1), kind="rest")
    assert count() == few
