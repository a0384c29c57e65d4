"""API of discipline records (S1.D1a–c, S1.D3, S1.D4): the same wall and services as the pages."""

from datetime import date

import pytest
import time_machine

from conduct.choices import DisciplineKind, DisciplineState
from conduct.models import AttendanceDay, DisciplineRecord
from conduct.services import discipline as services
from org.choices import Role
from tests.api import api_caller
from tests.clock import at
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        yield


@pytest.fixture
def call(client):
    return api_caller(client)


def _body(**extra):
    return {"person": extra.pop("person"), "kind": "noise", "description": "大声喧哗"} | extra


def test_record_then_contest_then_decide(call, world):
    created = call(world.a.supervisor, "post", "/conduct/records", _body(person=world.a.staff.pk))
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["rule_id"] == "S1.D1c" and data["state"] == "recorded" and data["store"]["code"] == "S001"
    pk = data["id"]
    contested = call(world.a.staff, "post", f"/conduct/records/{pk}/contest", {"reason": "没有喧哗"})
    assert contested.status_code == 200 and contested.json()["state"] == "contested"
    assert contested.json()["decision_due_at"]
    refused = call(world.a.supervisor, "post", f"/conduct/records/{pk}/decide", {"outcome": "upheld", "reason": "x"})
    assert refused.status_code == 403
    decided = call(world.a.manager, "post", f"/conduct/records/{pk}/decide", {"outcome": "withdrawn", "reason": "核实"})
    assert decided.status_code == 200 and decided.json()["state"] == "withdrawn"
    assert decided.json()["decided_by"]["id"] == world.a.manager.pk


def test_bad_input_is_a_422_naming_the_field(call, world):
    late = call(world.a.supervisor, "post", "/conduct/records", _body(person=world.a.staff.pk, kind="late"))
    assert late.status_code == 422
    assert [e["field"] for e in late.json()["detail"]] == ["minutes"]
    empty = call(world.a.supervisor, "post", "/conduct/records", _body(person=world.a.staff.pk, description=""))
    assert [e["field"] for e in empty.json()["detail"]] == ["description"]
    other = call(world.a.supervisor, "post", "/conduct/records", _body(person=world.b.staff.pk))
    assert other.status_code == 422 and other.json()["detail"][0]["field"] == "person"
    assert call(world.a.staff, "post", "/conduct/records", _body(person=world.a.supervisor.pk)).status_code == 403
    assert call(world.a.auditor, "post", "/conduct/records", _body(person=world.a.staff.pk)).status_code == 403
    assert not DisciplineRecord.objects.exists()


def test_the_wall_and_personal_data(call, world):
    record = services.discipline_record(
        actor=world.a.supervisor, store=world.a.store, person=world.a.staff, kind="noise", description="喧哗"
    )
    colleague = make_user("colleague", role=Role.STAFF, store=world.a.store, department=world.a.cs)
    for reader in (world.a.staff, world.a.supervisor, world.a.manager, world.a.auditor, world.admin):
        assert call(reader, "get", f"/conduct/records/{record.pk}").status_code == 200
    for stranger in (colleague, world.b.manager):
        assert call(stranger, "get", f"/conduct/records/{record.pk}").status_code == 404
        assert call(stranger, "get", "/conduct/records").json()["count"] == 0
        # a bad body to a record behind the wall is still a 404
        assert call(stranger, "post", f"/conduct/records/{record.pk}/contest", {"nonsense": 1}).status_code == 404
    assert call(world.a.staff, "get", "/conduct/records").json()["count"] == 1
    listed = call(world.a.manager, "get", "/conduct/records", month="2026-11", kind="noise")
    assert listed.json()["count"] == 1
    assert call(world.a.manager, "get", "/conduct/records", month="11-2026").status_code == 422


def test_acknowledge_and_the_drafts(call, world):
    record = services.discipline_record(
        actor=world.a.supervisor, store=world.a.store, person=world.a.staff, kind="noise", description="喧哗"
    )
    assert call(world.a.supervisor, "post", f"/conduct/records/{record.pk}/acknowledge").status_code == 403
    done = call(world.a.staff, "post", f"/conduct/records/{record.pk}/acknowledge")
    assert done.json()["state"] == "acknowledged"
    day = AttendanceDay.objects.create(store=world.a.store, person=world.a.staff, date=date(2026, 11, 23))
    first = services.discipline_draft(
        attendance_day=day, kind=DisciplineKind.LATE, occurred_at=at("2026-11-23 08:45"), minutes=15, description="迟到"
    )
    second = services.discipline_draft(
        attendance_day=day,
        kind=DisciplineKind.EARLY_LEAVE,
        occurred_at=at("2026-11-23 17:00"),
        minutes=60,
        description="早退",
    )
    assert call(world.a.supervisor, "post", f"/conduct/records/{first.pk}/confirm").json()["state"] == "recorded"
    no_reason = call(world.a.supervisor, "post", f"/conduct/records/{second.pk}/dismiss", {"reason": ""})
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["field"] == "reason"
    dismissed = call(world.a.supervisor, "post", f"/conduct/records/{second.pk}/dismiss", {"reason": "调班"})
    assert dismissed.json()["state"] == DisciplineState.DISMISSED
    assert call(world.a.staff, "get", f"/conduct/records/{second.pk}").json()["decision_reason"] == "调班"


def test_there_is_no_delete(call, world):
    record = services.discipline_record(
        actor=world.a.supervisor, store=world.a.store, person=world.a.staff, kind="noise", description="喧哗"
    )
    assert call(world.admin, "delete", f"/conduct/records/{record.pk}").status_code == 405
    assert DisciplineRecord.objects.filter(pk=record.pk).exists()


def test_the_api_list_asks_as_much_for_many_records_as_for_one(call, world):
    """No query per item (issue 10)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(12):
        person = make_user(f"p{i}", role=Role.STAFF, store=world.a.store, department=world.a.cs)
        services.discipline_record(
            actor=world.a.supervisor, store=world.a.store, person=person, kind="noise", description="喧哗"
        )
    call(world.admin, "get", "/conduct/records")

    def count(size):
        with CaptureQueriesContext(connection) as queries:
            assert call(world.admin, "get", "/conduct/records", page_size=size).json()["count"] == 12
        return len(queries)

    assert count(1) == count(100)
