"""Complaints API: the same validation as the pages, behind the store wall, in the OpenAPI document."""

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.tests.wall import log_complaint


def _payload(world, **overrides):
    now = timezone.now()
    return {
        "channel": "wechat",
        "customer_name": "赵六",
        "contact_phone": "13812345678",
        "vehicle_model": "RAV4",
        "plate": "京A12345",
        "department": world.a.cs.pk,
        "staff_involved": world.a.staff.pk,
        "happened_at": (now - timedelta(hours=2)).isoformat(),
        "place": "车间",
        "course": "维修延误",
        "customer_wants": "赔偿",
        "severity": "critical",
        "reply_promised_at": (now + timedelta(hours=3)).isoformat(),
    } | overrides


def test_openapi_lists_the_complaint_endpoints(client, world):
    client.force_login(world.a.staff)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/complaints",
        "/api/v1/complaints/{complaint_id}",
        "/api/v1/complaints/{complaint_id}/acknowledge",
        "/api/v1/complaints/{complaint_id}/verifications",
        "/api/v1/complaints/{complaint_id}/verifications/{verification_id}/answer",
        "/api/v1/complaints/{complaint_id}/reply",
        "/api/v1/complaints/{complaint_id}/follow-up",
        "/api/v1/complaints/{complaint_id}/close",
        "/api/v1/complaints/{complaint_id}/reopen",
    ):
        assert path in paths, path


def test_create_and_the_stages_to_closure(client, world):
    client.force_login(world.a.staff)
    response = client.post("/api/v1/complaints", _payload(world), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    cid = body["id"]
    assert body["number"].startswith("C-S001-") and body["state"] == "logged"
    assert body["contact_phone_masked"] == "138****5678"
    client.force_login(world.a.supervisor)
    assert client.post(f"/api/v1/complaints/{cid}/acknowledge").json()["state"] == "acknowledged"
    body = client.post(
        f"/api/v1/complaints/{cid}/verifications",
        {"departments": [world.a.lounge.pk], "question": "核实"},
        content_type="application/json",
    ).json()
    vid = body["verifications"][0]["id"]
    client.force_login(world.a.manager)
    body = client.post(
        f"/api/v1/complaints/{cid}/verifications/{vid}/answer", {"answer": "属实"}, content_type="application/json"
    ).json()
    assert body["verifications"][0]["answer"] == "属实"
    assert client.post(f"/api/v1/complaints/{cid}/close").status_code == 422
    body = client.post(
        f"/api/v1/complaints/{cid}/reply",
        {"reply_channel": "phone", "reply_text": "已处理"},
        content_type="application/json",
    ).json()
    assert body["state"] == "replied" and body["reply_on_time"] is True
    body = client.post(
        f"/api/v1/complaints/{cid}/follow-up",
        {"reached": True, "satisfaction_score": 5},
        content_type="application/json",
    ).json()
    assert body["satisfaction_score"] == 5
    assert client.post(f"/api/v1/complaints/{cid}/close").json()["state"] == "closed"
    response = client.post(f"/api/v1/complaints/{cid}/reopen", {"reason": ""}, content_type="application/json")
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["detail"]} == {"reason", "reply_promised_at"}


@pytest.mark.parametrize("field", ["plate", "contact_phone", "reply_promised_at", "department", "course"])
def test_create_missing_field_is_422_naming_it(client, world, field):
    client.force_login(world.a.staff)
    response = client.post(
        "/api/v1/complaints",
        _payload(world, **{field: None if field in ("department", "reply_promised_at") else ""}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["detail"]}


def test_department_of_another_store_is_refused(client, world):
    client.force_login(world.a.staff)
    response = client.post(
        "/api/v1/complaints", _payload(world, department=world.b.cs.pk), content_type="application/json"
    )
    assert response.status_code == 422


@pytest.mark.parametrize("who,status", [("supervisor", 200), ("auditor", 403), ("b_manager", 404)])
def test_acknowledge_three_people(client, world, who, status):
    complaint = log_complaint(world.a)
    user = {"supervisor": world.a.supervisor, "auditor": world.a.auditor, "b_manager": world.b.manager}[who]
    client.force_login(user)
    assert client.post(f"/api/v1/complaints/{complaint.pk}/acknowledge").status_code == status


@pytest.mark.parametrize("who", ["staff", "auditor", "b_staff"])
def test_list_and_detail_behind_the_wall(client, world, who):
    mine = log_complaint(world.a)
    log_complaint(world.b)
    user = {"staff": world.a.staff, "auditor": world.a.auditor, "b_staff": world.b.staff}[who]
    client.force_login(user)
    body = client.get("/api/v1/complaints").json()
    assert body["count"] == 1
    assert body["items"][0]["store"]["code"] == ("S002" if who == "b_staff" else "S001")
    assert client.get(f"/api/v1/complaints/{mine.pk}").status_code == (404 if who == "b_staff" else 200)


def test_auditor_cannot_log(client, world):
    client.force_login(world.a.auditor)
    assert client.post("/api/v1/complaints", _payload(world), content_type="application/json").status_code == 403
