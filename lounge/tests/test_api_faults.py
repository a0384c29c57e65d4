"""Facilities and faults API (S4.11): the same validation as the pages, behind the store wall, in OpenAPI."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lounge.choices import FaultSource, FaultState
from lounge.models import FaultTicket
from lounge.services import faults as services
from lounge.tests.wall import jpeg_upload, make_facility, report_fault
from promises.models import Promise

JSON = "application/json"


def _fields(response) -> set:
    return {item["field"] for item in response.json()["detail"]}


def test_openapi_lists_the_fault_endpoints_with_their_bodies(client, world):
    client.force_login(world.a.staff)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/lounge/facilities",
        "/api/v1/lounge/faults",
        "/api/v1/lounge/faults/{fault_id}",
        "/api/v1/lounge/faults/{fault_id}/start",
        "/api/v1/lounge/faults/{fault_id}/fix",
        "/api/v1/lounge/faults/{fault_id}/close",
        "/api/v1/lounge/faults/{fault_id}/photo",
        "/api/v1/lounge/faults/{fault_id}/fix-photo",
    ):
        assert path in paths, path
    report = paths["/api/v1/lounge/faults"]["post"]["requestBody"]["content"]
    assert set(report) == {"application/json", "multipart/form-data"}
    assert report["multipart/form-data"]["schema"]["properties"]["photo"]["format"] == "binary"
    assert "facility" in report["application/json"]["schema"]["properties"]
    assert "multipart" in paths["/api/v1/lounge/faults/{fault_id}/fix"]["post"]["description"]


def test_report_by_json_then_start_fix_and_read(client, world):
    """S4.11: reported, started, fixed — the clock kept on time."""
    facility = make_facility(world.a.store)
    client.force_login(world.a.staff)
    response = client.post(
        "/api/v1/lounge/faults", {"facility": facility.pk, "description": "出不了热水"}, content_type=JSON
    )
    assert response.status_code == 201, response.content
    body = response.json()
    fid = body["id"]
    assert body["state"] == "open" and body["out_of_order"] is True and body["source"] == FaultSource.API
    assert body["due_at"] and body["owner"] is None and body["owner_department_id"] == world.a.lounge.pk
    assert body["appended"] is False and body["photo_url"] is None
    body = client.post(
        f"/api/v1/lounge/faults/{fid}/start", {"assignee": world.a.supervisor.pk}, content_type=JSON
    ).json()
    assert body["state"] == "in_progress" and body["owner"]["id"] == world.a.supervisor.pk
    client.force_login(world.a.supervisor)  # the ticket is the supervisor's now: they fix it
    response = client.post(f"/api/v1/lounge/faults/{fid}/fix", {"note": "换了加热管", "photo": jpeg_upload()})
    body = response.json()
    assert response.status_code == 200 and body["state"] == "fixed" and body["fixed_on_time"] is True
    assert body["fix_note"] == "换了加热管" and body["fix_minutes"] is not None and body["out_of_order"] is False
    photo = client.get(body["fix_photo_url"])
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert client.get(f"/api/v1/lounge/faults/{fid}").json()["fixed_by"]["id"] == world.a.supervisor.pk


def test_report_by_multipart_with_a_photo(client, world):
    facility = make_facility(world.a.store)
    client.force_login(world.a.staff)
    response = client.post(
        "/api/v1/lounge/faults", {"facility": facility.pk, "description": "漏水", "photo": jpeg_upload()}
    )
    assert response.status_code == 201, response.content
    assert client.get(response.json()["photo_url"]).status_code == 200


def test_a_second_report_is_added_to_the_open_ticket_with_200(client, world):
    fault = report_fault(world.a)
    client.force_login(world.a.supervisor)
    response = client.post(
        "/api/v1/lounge/faults", {"facility": fault.facility_id, "description": "还在漏"}, content_type=JSON
    )
    assert response.status_code == 200 and response.json()["appended"] is True
    assert response.json()["id"] == fault.pk and FaultTicket.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"facility", "description"}),
        ({"facility": "abc", "description": "x"}, {"facility"}),
        ({"facility": 999999, "description": "x"}, {"facility"}),
        ({"description": "坏" * 301}, {"description"}),  # the schema's limit (FaultTicket.description) first
        ({"nonsense": 1}, {"nonsense"}),
        ({"owner": 999999, "description": "x"}, {"owner"}),
    ],
)
def test_bad_report_is_422_naming_the_fields_and_saves_nothing(client, world, payload, fields):
    make_facility(world.a.store)
    client.force_login(world.a.staff)
    response = client.post("/api/v1/lounge/faults", payload, content_type=JSON)
    assert response.status_code == 422, response.content
    assert fields <= _fields(response)
    assert not FaultTicket.objects.exists() and not Promise.objects.exists()


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("p.jpg", b"not an image", content_type="image/jpeg"), "photo_format"),
        (None, "photo_too_large"),
    ],
)
def test_a_bad_photo_is_422_on_the_photo_field(client, world, monkeypatch, upload, code):
    if upload is None:
        monkeypatch.setattr("core.images.PHOTO_MAX_BYTES", 500)
        upload = jpeg_upload(size=(300, 300))
    facility = make_facility(world.a.store)
    client.force_login(world.a.staff)
    response = client.post("/api/v1/lounge/faults", {"facility": facility.pk, "description": "坏了", "photo": upload})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "photo", "message": response.json()["detail"][0]["message"], "code": code}
    ]
    assert not FaultTicket.objects.exists()


def test_a_body_that_is_not_json_is_400(client, world):
    client.force_login(world.a.staff)
    response = client.post("/api/v1/lounge/faults", "{not json", content_type=JSON)
    assert response.status_code == 400


def test_fix_without_a_note_and_close_without_a_reason_are_422(client, world):
    fault = report_fault(world.a)
    client.force_login(world.a.supervisor)
    assert _fields(client.post(f"/api/v1/lounge/faults/{fault.pk}/fix", {}, content_type=JSON)) == {"note"}
    assert _fields(client.post(f"/api/v1/lounge/faults/{fault.pk}/close", {}, content_type=JSON)) == {"reason"}
    response = client.post(f"/api/v1/lounge/faults/{fault.pk}/start", {"assignee": world.b.staff.pk}, content_type=JSON)
    assert _fields(response) == {"assignee"}
    fault.refresh_from_db()
    assert fault.state == FaultState.OPEN


def test_close_by_a_supervisor_staff_get_403(client, world):
    fault = report_fault(world.a)
    client.force_login(world.a.staff)
    assert (
        client.post(f"/api/v1/lounge/faults/{fault.pk}/close", {"reason": "误报"}, content_type=JSON).status_code == 403
    )
    client.force_login(world.a.supervisor)
    body = client.post(f"/api/v1/lounge/faults/{fault.pk}/close", {"reason": "误报"}, content_type=JSON).json()
    assert body["state"] == "cancelled" and body["close_reason"] == "误报"
    response = client.post(f"/api/v1/lounge/faults/{fault.pk}/fix", {"note": "x"}, content_type=JSON)
    assert response.status_code == 422 and _fields(response) == {"state"}


def test_an_auditor_reads_but_never_writes(client, world):
    fault = report_fault(world.a)
    client.force_login(world.a.auditor)
    assert client.get(f"/api/v1/lounge/faults/{fault.pk}").status_code == 200
    assert client.get("/api/v1/lounge/faults").json()["count"] == 1
    response = client.post(
        "/api/v1/lounge/faults", {"facility": fault.facility_id, "description": "x"}, content_type=JSON
    )
    assert response.status_code == 403
    for step, body in (("start", {}), ("fix", {"note": "x"}), ("close", {"reason": "x"})):
        assert client.post(f"/api/v1/lounge/faults/{fault.pk}/{step}", body, content_type=JSON).status_code == 403


def test_another_stores_records_are_404_whatever_is_sent(client, world):
    fault = report_fault(world.b, photo=jpeg_upload())
    client.force_login(world.a.manager)
    assert client.get(f"/api/v1/lounge/faults/{fault.pk}").status_code == 404
    assert client.get(f"/api/v1/lounge/faults/{fault.pk}/photo").status_code == 404
    for step in ("start", "fix", "close"):
        for body in ({}, {"bogus": "x"}, "{broken"):
            response = client.post(f"/api/v1/lounge/faults/{fault.pk}/{step}", body, content_type=JSON)
            assert response.status_code == 404, (step, body, response.content)
    response = client.post(
        "/api/v1/lounge/faults", {"facility": fault.facility_id, "description": "x"}, content_type=JSON
    )
    assert response.status_code == 422 and _fields(response) == {"facility"}
    assert client.get("/api/v1/lounge/faults").json()["count"] == 0
    assert client.get("/api/v1/lounge/facilities").json()["count"] == 0


def test_lists_are_paged_and_filtered(client, world, django_assert_max_num_queries):
    tv = make_facility(world.a.store, name="电视")
    for n in range(7):
        report_fault(world.a, facility=make_facility(world.a.store, name=f"设备{n}"))
    open_tv = report_fault(world.a, facility=tv)
    fixed = report_fault(world.a, facility=make_facility(world.a.store, name="音响"))
    services.fault_fix(actor=world.a.staff, fault=fixed, note="好了")
    client.force_login(world.a.staff)
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/lounge/faults", {"page_size": 5}).json()
    assert body["count"] == 9 and body["pages"] == 2 and len(body["items"]) == 5
    assert client.get("/api/v1/lounge/faults", {"state": "fixed"}).json()["items"][0]["id"] == fixed.pk
    assert client.get("/api/v1/lounge/faults", {"open": "true"}).json()["count"] == 8
    assert [i["id"] for i in client.get("/api/v1/lounge/faults", {"facility": tv.pk}).json()["items"]] == [open_tv.pk]
    assert client.get("/api/v1/lounge/faults", {"reported_to": "2000-01-01"}).json()["count"] == 0
    assert client.get("/api/v1/lounge/faults", {"state": "broken"}).status_code == 422
    with django_assert_max_num_queries(8):
        facilities = client.get("/api/v1/lounge/facilities").json()
    by_name = {f["name"]: f for f in facilities["items"]}
    assert by_name["电视"]["out_of_order"] is True and by_name["电视"]["open_fault_id"] == open_tv.pk
    assert by_name["音响"]["out_of_order"] is False and by_name["音响"]["open_fault_id"] is None
