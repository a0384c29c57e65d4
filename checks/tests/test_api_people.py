"""Checks API for checks of people (S6.1–S6.4 grooming, S1.D3 desk): subjects and results in the rounds endpoints,
answering a person's items, marking absent, adding a person, confirming a correction — behind the wall; a person's
photos never offered to readers who may not see them."""

import pytest

from checks.choices import ActionState
from checks.models import CorrectiveAction, Round
from checks.services import rounds
from tests.api import api_caller
from tests.clock import at

from .helpers import grooming, png_upload


@pytest.fixture
def call(client):
    return api_caller(client)


@pytest.fixture
def started(world):
    area, made = grooming(world.a)
    rounds.rounds_schedule(now=at("2026-11-30 08:00"))
    round = rounds.round_start(actor=world.a.supervisor, round=Round.objects.get(area=area), now=at("2026-11-30 08:05"))
    return round, made


def _subject_id(body, person):
    return next(s["id"] for s in body["subjects"] if s["person_id"] == person.pk)


def test_s6_round_detail_lists_subjects_and_each_persons_results(call, world, started):
    round, made = started
    body = call(world.a.supervisor, "get", f"/checks/rounds/{round.pk}").json()
    assert {s["person_id"] for s in body["subjects"]} == {world.a.supervisor.pk, made[0].pk, made[1].pk}
    mine = [r for r in body["results"] if r["subject_id"] == made[0].pk]
    assert [r["rule_id"] for r in mine] == ["S6.1", "S6.2", "S6.3", "S6.4"]
    assert call(world.b.manager, "get", f"/checks/rounds/{round.pk}").status_code == 404


def test_s6_answer_a_person_all_pass_absent_add_submit_and_confirm(call, client, world, started):
    round, made = started
    sup = world.a.supervisor
    body = call(sup, "get", f"/checks/rounds/{round.pk}").json()
    mine = [r for r in body["results"] if r["subject_id"] == made[0].pk]
    path = f"/checks/rounds/{round.pk}/people/{_subject_id(body, made[0])}"
    answers = [{"result": r["id"], "passed": True} for r in mine]
    answers[1] = {"result": mine[1]["id"], "passed": False}
    response = call(sup, "post", f"{path}/answers", {"results": answers})
    assert response.status_code == 422 and f"results.{mine[1]['id']}.comment" in response.content.decode()
    answers[1]["comment"] = "头发披散"
    response = call(sup, "post", f"{path}/answers", {"results": answers})
    assert response.status_code == 200
    checked = next(s for s in response.json()["subjects"] if s["person_id"] == made[0].pk)
    assert checked["failed_count"] == 1 and checked["checked_at"]
    other = f"/checks/rounds/{round.pk}/people/{_subject_id(body, made[1])}"
    assert call(sup, "post", f"{other}/absent", {"reason": ""}).status_code == 422
    assert call(sup, "post", f"{other}/absent", {"reason": "调休"}).json()["item_count"] == 8
    assert call(sup, "post", f"/checks/rounds/{round.pk}/people", {"person": made[1].pk}).status_code == 200
    assert call(sup, "post", f"/checks/rounds/{round.pk}/people", {"person": world.b.staff.pk}).status_code == 422
    for person in (made[1], sup):
        assert (
            call(sup, "post", f"/checks/rounds/{round.pk}/people/{_subject_id(body, person)}/all-pass").status_code
            == 200
        )
    done = call(sup, "post", f"/checks/rounds/{round.pk}/submit", {"results": []})
    assert done.status_code == 200 and done.json()["state"] == "done" and done.json()["failed_count"] == 1
    action = CorrectiveAction.objects.get()
    client.force_login(made[0])
    assert client.post(f"/api/v1/checks/actions/{action.pk}/confirm").status_code == 403
    client.force_login(sup)
    response = client.post(f"/api/v1/checks/actions/{action.pk}/confirm", {"photo": png_upload()})
    assert response.status_code == 200 and response.json()["state"] == ActionState.DONE
    assert response.json()["has_photo"] is True
    client.force_login(world.b.manager)
    assert client.post(f"/api/v1/checks/actions/{action.pk}/confirm").status_code == 404


def test_s6_the_wall_for_people_endpoints(call, world, started):
    round, made = started
    body = call(world.a.supervisor, "get", f"/checks/rounds/{round.pk}").json()
    path = f"/checks/rounds/{round.pk}/people/{_subject_id(body, made[0])}"
    assert call(world.b.manager, "post", f"{path}/all-pass").status_code == 404
    assert call(world.b.manager, "post", f"{path}/absent", {"reason": "x"}).status_code == 404
    assert call(world.a.auditor, "post", f"{path}/all-pass").status_code == 403
    assert call(world.a.supervisor, "post", f"/checks/rounds/{round.pk}/people/999999/all-pass").status_code == 404


def test_s6_has_photo_is_false_for_readers_who_may_not_see_it(call, world, started):
    round, made = started
    result = round.results.filter(subject=made[0]).order_by("position").first()
    rounds.result_photo_set(actor=world.a.supervisor, result=result, photo=png_upload())

    def has_photo(user):
        body = call(user, "get", f"/checks/rounds/{round.pk}").json()
        return next(r for r in body["results"] if r["id"] == result.pk)["has_photo"]

    assert has_photo(made[0]) is True and has_photo(world.a.supervisor) is True and has_photo(world.a.manager)
    assert has_photo(made[1]) is False and has_photo(world.a.auditor) is False
