"""API of attendance (S1.D1a): all-or-nothing import with a 422 per bad row, lists and details behind the wall."""

import pytest
import time_machine

from conduct.models import AttendanceBatch, AttendanceDay, DisciplineRecord
from tests.api import api_caller
from tests.clock import at


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(at("2026-12-01 10:00"), tick=False):
        yield


ROWS = [
    {"employee_no": "E1003", "date": "2026-11-03", "clock_in": "08:52", "clock_out": "18:05"},
    {"name": "主管1", "date": "2026/11/3", "clock_in": "08:20", "clock_out": None},
]


def test_s1_d1a_post_imports_rows_then_lists_and_reads_them(client, world):
    call = api_caller(client)
    response = call(world.a.manager, "post", "/attendance/batches", {"store": "S001", "source": "wecom", "rows": ROWS})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["days_written"], body["drafts_made"], body["errors"]) == ("imported", 2, 2, [])
    again = call(world.a.manager, "post", "/attendance/batches", {"store": "S001", "rows": ROWS}).json()
    assert (again["days_written"], again["drafts_made"]) == (0, 0)
    listed = call(world.a.supervisor, "get", "/attendance/batches").json()
    assert listed["count"] == 2 and listed["items"][0]["id"] == again["id"]
    detail = call(world.a.auditor, "get", f"/attendance/batches/{body['id']}")
    assert detail.status_code == 200 and detail.json()["source"] == "wecom"
    days = call(world.a.manager, "get", "/attendance/days", month="2026-11").json()
    assert days["count"] == 2
    late = next(d for d in days["items"] if d["person"]["id"] == world.a.staff.pk)
    assert late["late_minutes"] == 22 and late["missing_punch"] is False
    own = call(world.a.staff, "get", "/attendance/days").json()
    assert [d["person"]["id"] for d in own["items"]] == [world.a.staff.pk]


def test_s1_d1a_a_bad_row_is_422_naming_it_and_nothing_is_written(client, world):
    call = api_caller(client)
    rows = ROWS + [
        {"employee_no": "E2003", "date": "2026-11-03", "clock_in": "08:00", "clock_out": "18:00"},
        {"employee_no": "E1003", "date": "2026-11-04", "clock_in": "18:00", "clock_out": "08:00"},
    ]
    response = call(world.a.manager, "post", "/attendance/batches", {"rows": rows})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["detail"]}
    assert fields == {"rows[2].employee_no", "rows[3].clock_out"}
    assert not AttendanceBatch.objects.exists() and not AttendanceDay.objects.exists()
    assert not DisciplineRecord.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"rows": []}, "rows"),
        ({"rows": [{"employee_no": "E1003"}]}, "rows.0.date"),
        ({"rows": ROWS, "source": "fax"}, "source"),
        ({"rows": ROWS, "store": "S002"}, "store"),
    ],
)
def test_s1_d1a_bad_bodies_are_422(client, world, body, field):
    response = api_caller(client)(world.a.manager, "post", "/attendance/batches", body)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["detail"]}


def test_s1_d1a_staff_cannot_import_and_another_stores_batch_is_404(client, world):
    call = api_caller(client)
    assert call(world.a.staff, "post", "/attendance/batches", {"rows": ROWS}).status_code == 403
    assert call(world.a.staff, "get", "/attendance/batches").status_code == 403
    batch_id = call(world.a.manager, "post", "/attendance/batches", {"rows": ROWS}).json()["id"]
    assert call(world.b.manager, "get", f"/attendance/batches/{batch_id}").status_code == 404
    assert call(world.b.manager, "get", "/attendance/batches").json()["count"] == 0
    assert call(world.b.manager, "get", "/attendance/days", store="S001").status_code == 422
    assert call(world.a.staff, "get", "/attendance/days", person=world.a.supervisor.pk).status_code == 422
    assert call(world.a.manager, "get", "/attendance/days", month="2026-13").status_code == 422
