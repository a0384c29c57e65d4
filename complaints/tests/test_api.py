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


# --- Stage bodies: typed, in the OpenAPI document, checked after the store wall -------------------

STAGE_BODIES = {
    "/api/v1/complaints/{complaint_id}/verifications/{verification_id}/answer": "VerificationAnswerIn",
    "/api/v1/complaints/{complaint_id}/reply": "ComplaintReplyIn",
    "/api/v1/complaints/{complaint_id}/follow-up": "ComplaintFollowUpIn",
    "/api/v1/complaints/{complaint_id}/reopen": "ComplaintReopenIn",
}


def test_openapi_documents_the_request_body_of_each_stage(client, world):
    client.force_login(world.a.staff)
    document = client.get("/api/v1/openapi.json").json()
    for path, schema in STAGE_BODIES.items():
        body = document["paths"][path]["post"]["requestBody"]
        assert body["required"] is True, path
        assert body["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{schema}"}, path
    schemas = document["components"]["schemas"]
    assert schemas["ComplaintReplyIn"]["required"] == ["reply_channel"]
    assert set(schemas["ComplaintReplyIn"]["properties"]) == {"reply_channel", "reply_text"}
    assert set(schemas["ComplaintFollowUpIn"]["properties"]) == {
        "reached",
        "satisfaction_score",
        "satisfaction_comment",
    }
    assert set(schemas["ComplaintReopenIn"]["properties"]) == {"reason", "reply_promised_at"}
    assert set(schemas["VerificationAnswerIn"]["properties"]) == {"answer"}


def _stage_world(world):
    from complaints.services import stages

    complaint = log_complaint(world.a)
    stages.complaint_acknowledge(actor=world.a.supervisor, complaint=complaint)
    (verification,) = stages.verification_request(
        actor=world.a.supervisor, complaint=complaint, departments=[world.a.cs], question="核实"
    )
    return complaint, verification


@pytest.mark.parametrize(
    "stage,body,field,code",
    [
        ("reply", {}, "reply_channel", "missing"),
        ("reply", {"reply_channel": "fax", "reply_text": "已处理"}, "reply_channel", "enum"),
        ("reply", {"reply_channel": "phone", "reply_text": " "}, "reply_text", "required"),
        ("reply", {"reply_channel": "phone", "reply_text": "x", "cc": "y"}, "cc", "extra_forbidden"),
        ("follow-up", {}, "reached", "missing"),
        ("follow-up", {"reached": "maybe"}, "reached", "bool_parsing"),
        ("follow-up", {"reached": True, "satisfaction_score": "five"}, "satisfaction_score", "int_parsing"),
        ("reopen", {"reason": "x", "reply_promised_at": "tomorrow"}, "reply_promised_at", "datetime_from_date_parsing"),
        ("answer", {"answer": 5}, "answer", "string_type"),
        ("answer", {"answer": " "}, "answer", "required"),
    ],
)
def test_bad_stage_body_is_422_naming_the_field(client, world, stage, body, field, code):
    complaint, verification = _stage_world(world)
    if stage == "follow-up":
        from complaints.services import stages

        stages.complaint_reply(actor=world.a.supervisor, complaint=complaint, channel="phone", text="已处理")
    path = f"/api/v1/complaints/{complaint.pk}/" + (
        f"verifications/{verification.pk}/answer" if stage == "answer" else stage
    )
    client.force_login(world.a.supervisor)
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert any(e["field"] == field and e["code"] == code and e["message"] for e in detail), detail


def test_stage_body_that_is_not_json_is_refused(client, world):
    complaint, _verification = _stage_world(world)
    client.force_login(world.a.supervisor)
    response = client.post(f"/api/v1/complaints/{complaint.pk}/reply", "reply=phone", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"][0]["code"] == "json_invalid"


@pytest.mark.parametrize("body", [None, "not json", {"reply_channel": "fax"}, {"unknown": 1}])
@pytest.mark.parametrize("who,status", [("b_manager", 404), ("auditor", 403)])
def test_the_store_wall_comes_before_the_body(client, world, body, who, status):
    """Another store's complaint is a 404 whatever is sent; a role without the right, a 403."""
    complaint, verification = _stage_world(world)
    client.force_login({"b_manager": world.b.manager, "auditor": world.a.auditor}[who])
    for stage in ("reply", "follow-up", "reopen", f"verifications/{verification.pk}/answer"):
        path = f"/api/v1/complaints/{complaint.pk}/{stage}"
        response = client.post(path) if body is None else client.post(path, body, content_type="application/json")
        assert response.status_code == status, (stage, response.content)
