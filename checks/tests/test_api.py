"""Checks API: rounds, results, photos and corrective actions — the pages' validation, behind the wall."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from checks.choices import ActionState, RoundState
from checks.models import CorrectiveAction
from checks.services import actions
from tests.clock import at

from .helpers import done_round, lounge, person, png_bytes, png_upload, scheduled


def _answers(body, **overrides):
    """Every item passed (measured at 0) from a round's JSON; overrides by position: p5={"value": 3}."""
    out = []
    for r in body["results"]:
        answer = {"result": r["id"]}
        answer |= {"value": 0} if r["kind"] == "measured" else {"passed": True}
        answer |= overrides.get(f"p{r['position']}", {})
        out.append(answer)
    return out


def test_openapi_lists_the_endpoints_with_their_request_bodies(client, world):
    client.force_login(world.a.staff)
    doc = client.get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    for path in (
        "/api/v1/checks/rounds",
        "/api/v1/checks/rounds/{round_id}",
        "/api/v1/checks/rounds/{round_id}/start",
        "/api/v1/checks/rounds/{round_id}/submit",
        "/api/v1/checks/rounds/{round_id}/results/{result_id}/photo",
        "/api/v1/checks/areas/{area_id}/rounds",
        "/api/v1/checks/actions",
        "/api/v1/checks/actions/{action_id}/close",
        "/api/v1/checks/actions/{action_id}/photo",
    ):
        assert path in paths, path
    submit = paths["/api/v1/checks/rounds/{round_id}/submit"]["post"]["requestBody"]["content"]
    schema = submit["application/json"]["schema"]
    ref = schema["$ref"].rsplit("/", 1)[-1]
    assert {"results", "action_owner"} <= set(doc["components"]["schemas"][ref]["properties"])
    upload = paths["/api/v1/checks/rounds/{round_id}/results/{result_id}/photo"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    close = paths["/api/v1/checks/actions/{action_id}/close"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in close


def test_a_round_through_the_api_with_a_failed_item_and_its_photo(client, world):
    """S4.7 by API: start, upload the ashtray's photo, submit with 3 butts; score and corrective action."""
    round = scheduled(world)
    client.force_login(world.a.staff)
    body = client.post(f"/api/v1/checks/rounds/{round.pk}/start").json()
    assert body["started_at"] and len(body["results"]) == 13 and body["state"] == "open"
    ashtray = next(r for r in body["results"] if r["kind"] == "measured")
    assert (ashtray["rule_id"], ashtray["max_value"], ashtray["unit"]) == ("S4.7", 2.0, "个")
    photo_url = f"/api/v1/checks/rounds/{round.pk}/results/{ashtray['id']}/photo"
    response = client.post(photo_url, {"photo": SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")})
    assert response.status_code == 200, response.content
    assert response.json()["has_photo"] is True
    response = client.post(
        f"/api/v1/checks/rounds/{round.pk}/submit",
        {"results": _answers(body, p5={"value": 3, "comment": "三个"})},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    done = response.json()
    assert done["state"] == "done" and done["score"] == 92.3 and done["failed_count"] == 1
    failed = next(r for r in done["results"] if r["passed"] is False)
    assert failed["id"] == ashtray["id"] and failed["action_id"]
    assert client.get(photo_url).status_code == 200
    listed = client.get("/api/v1/checks/actions").json()
    assert listed["count"] == 1 and listed["items"][0]["rule_id"] == "S4.7"
    assert listed["items"][0]["owner_department_id"] == world.a.lounge.pk and listed["items"][0]["due_at"]


def test_submit_names_each_missing_answer_and_photo(client, world):
    round = scheduled(world)
    client.force_login(world.a.staff)
    body = client.post(f"/api/v1/checks/rounds/{round.pk}/start").json()
    answers = _answers(body, p1={"passed": False})
    sofa = answers[0]["result"]
    answers = [a for a in answers if a["result"] != body["results"][4]["id"]]  # the ashtray left out
    response = client.post(
        f"/api/v1/checks/rounds/{round.pk}/submit", {"results": answers}, content_type="application/json"
    )
    assert response.status_code == 422
    fields = {(e["field"], e["code"]) for e in response.json()["detail"]}
    assert fields == {
        (f"results.{sofa}.photo", "photo_required"),
        (f"results.{body['results'][4]['id']}.value", "required"),
    }
    round.refresh_from_db()
    assert round.state == RoundState.OPEN


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "results"),
        ({"results": [{"passed": True}]}, "results.0.result"),
        ({"results": [], "extra": 1}, "extra"),
        ({"results": [{"result": 1, "value": "many"}]}, "results.0.value"),
    ],
)
def test_bad_submit_bodies_are_422_naming_the_field(client, world, payload, field):
    round = scheduled(world)
    client.force_login(world.a.staff)
    client.post(f"/api/v1/checks/rounds/{round.pk}/start")
    response = client.post(f"/api/v1/checks/rounds/{round.pk}/submit", payload, content_type="application/json")
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["detail"]]


def test_duplicate_answers_and_strangers_as_owner_are_refused(client, world):
    round = scheduled(world)
    client.force_login(world.a.staff)
    body = client.post(f"/api/v1/checks/rounds/{round.pk}/start").json()
    answers = _answers(body)
    response = client.post(
        f"/api/v1/checks/rounds/{round.pk}/submit", {"results": answers + answers[:1]}, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["detail"][0]["code"] == "duplicate"
    for owner in (world.b.staff.pk, 999999):
        response = client.post(
            f"/api/v1/checks/rounds/{round.pk}/submit",
            {"results": answers, "action_owner": owner},
            content_type="application/json",
        )
        assert response.status_code == 422 and response.json()["detail"][0]["field"] == "action_owner"


@pytest.mark.parametrize("kind", ["not_an_image", "oversized", "missing"])
def test_bad_photo_uploads_are_422(client, world, kind, monkeypatch):
    round = scheduled(world)
    client.force_login(world.a.staff)
    body = client.post(f"/api/v1/checks/rounds/{round.pk}/start").json()
    url = f"/api/v1/checks/rounds/{round.pk}/results/{body['results'][0]['id']}/photo"
    if kind == "not_an_image":
        data = {"photo": SimpleUploadedFile("a.jpg", b"<html>not a photo</html>", content_type="image/jpeg")}
    elif kind == "oversized":
        monkeypatch.setattr("core.images.PHOTO_MAX_BYTES", 50)
        data = {"photo": png_upload()}
    else:
        data = {}
    response = client.post(url, data)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "photo"
    assert not round.results.exclude(photo="").exists()


@pytest.mark.parametrize(("who", "status"), [("staff", 200), ("auditor", 200), ("b_staff", 404)])
def test_round_detail_three_people(client, world, who, status):
    round = done_round(world.a)
    client.force_login(person(world, who))
    response = client.get(f"/api/v1/checks/rounds/{round.pk}")
    assert response.status_code == status
    if status == 200:
        assert response.json()["score"] == 92.3


@pytest.mark.parametrize(("who", "status"), [("staff", 200), ("auditor", 403), ("b_staff", 404)])
def test_start_and_submit_three_people(client, world, who, status):
    round = scheduled(world)
    client.force_login(person(world, who))
    assert client.post(f"/api/v1/checks/rounds/{round.pk}/start").status_code == status
    response = client.post(f"/api/v1/checks/rounds/{round.pk}/submit", {"bad": 1}, content_type="application/json")
    # the wall first: another store's round is 404 and an auditor 403, whatever the body says
    assert response.status_code == (422 if status == 200 else status)


@pytest.mark.parametrize(("who", "status"), [("supervisor", 201), ("staff", 403), ("auditor", 403), ("b_manager", 404)])
def test_extra_round_three_people(client, world, who, status):
    _template, area = lounge(world.a)
    client.force_login(person(world, who))
    response = client.post(f"/api/v1/checks/areas/{area.pk}/rounds")
    assert response.status_code == status
    if status == 201:
        assert response.json()["scheduled_for"] is None and len(response.json()["results"]) == 13


def test_round_list_paged_and_filtered(client, world, django_assert_max_num_queries):
    with time_machine.travel(at("2026-11-30 10:40"), tick=False):
        scheduled(world)
        for _ in range(3):
            done_round(world.a)
        done_round(world.b)
    client.force_login(world.a.auditor)
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/checks/rounds", {"page_size": 2}).json()
    assert body["count"] == 4 and body["pages"] == 2 and len(body["items"]) == 2
    assert client.get("/api/v1/checks/rounds", {"state": "done"}).json()["count"] == 3
    assert client.get("/api/v1/checks/rounds", {"state": "open"}).json()["count"] == 1
    assert client.get("/api/v1/checks/rounds", {"date_from": "2026-12-01"}).json()["count"] == 0
    assert client.get("/api/v1/checks/rounds", {"date_to": "2026-11-30"}).json()["count"] == 4
    response = client.get("/api/v1/checks/rounds", {"state": "finished"})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "state"


@pytest.mark.parametrize(("who", "status"), [("staff", 200), ("auditor", 403), ("b_staff", 404)])
def test_closing_an_action_three_people(client, world, who, status):
    done_round(world.a)
    action = CorrectiveAction.objects.get()
    client.force_login(person(world, who))
    response = client.post(f"/api/v1/checks/actions/{action.pk}/close", {"note": "已清理", "photo": png_upload()})
    assert response.status_code == status
    if status == 200:
        assert response.json()["state"] == "done" and response.json()["has_photo"] is True
        assert response.json()["promise_state"] == "kept"
        assert client.get(f"/api/v1/checks/actions/{action.pk}/photo").status_code == 200


def test_closing_an_action_without_a_note_is_422(client, world):
    done_round(world.a)
    action = CorrectiveAction.objects.get()
    client.force_login(world.a.staff)
    response = client.post(f"/api/v1/checks/actions/{action.pk}/close", {})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "note"
    action.refresh_from_db()
    assert action.state == ActionState.OPEN


def test_action_list_open_first_and_filtered(client, world):
    for _ in range(2):
        done_round(world.a)
    first = CorrectiveAction.objects.order_by("pk").first()
    actions.action_close(actor=world.a.staff, action=first, note="已清理")
    client.force_login(world.a.staff)
    items = client.get("/api/v1/checks/actions").json()["items"]
    assert [i["state"] for i in items] == ["open", "done"]
    assert client.get("/api/v1/checks/actions", {"state": "done"}).json()["count"] == 1
