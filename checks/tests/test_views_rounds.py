"""Round pages: the list with today's schedule, a round done on a phone, its detail, corrective actions.

Every page with its three people: the one who does it, a colleague with less right, a user of store B.
"""

from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from checks.choices import ActionState, RoundState
from checks.models import CorrectiveAction, Round
from checks.services import actions, rounds
from checks.templatetags.checks_ui import fault_report_url
from tests.clock import at

from .helpers import done_round, lounge, person, png_bytes, png_upload, scheduled


def _form_data(round, **overrides):
    """Every item passed (measured at 0), as the phone page posts it; overrides by field prefix and position."""
    data = {}
    for r in round.results.order_by("position"):
        if r.kind == "measured":
            data[f"value_{r.pk}"] = "0"
        else:
            data[f"passed_{r.pk}"] = "1"
        data[f"comment_{r.pk}"] = ""
    by_position = {r.position: r.pk for r in round.results.all()}
    for key, value in overrides.items():
        name, position = key.rsplit("_", 1)
        data[f"{name}_{by_position[int(position)]}"] = value
    return data


@pytest.mark.parametrize(("who", "status"), [("staff", 200), ("auditor", 200), ("manager", 200)])
def test_round_list_shows_todays_schedule(client, world, who, status):
    with time_machine.travel(at("2026-11-30 10:40"), tick=False):
        round = scheduled(world)
        client.force_login(person(world, who))
        response = client.get("/checks/")
    assert response.status_code == status
    body = response.content.decode()
    assert 'data-testid="schedule-area"' in body and f'data-round="{round.pk}"' in body
    assert ('data-testid="extra-round"' in body) is (who == "manager")


def test_round_list_filters_and_htmx_partial(client, world):
    round = done_round(world.a)
    client.force_login(world.a.staff)
    response = client.get("/checks/", {"state": "done"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith('<div id="round-rows">')
    assert f'data-round="{round.pk}"' in body
    assert f'data-round="{round.pk}"' not in client.get("/checks/", {"state": "missed"}).content.decode()
    assert f'data-round="{round.pk}"' not in client.get("/checks/", {"day": "2001-01-01"}).content.decode()
    assert client.get("/checks/", {"day": "not-a-day", "area": "x", "state": "??"}).status_code == 200


def test_round_list_filters_by_purpose_as_the_navigation_links_it(client, world):
    """Hygiene rounds (S4.6), grooming checks (S6) and desk checks (S1.D3) share the list; the filter parts them."""
    round = done_round(world.a)  # a lounge hygiene round
    client.force_login(world.a.staff)
    hygiene = client.get("/checks/", {"purpose": "lounge_hygiene"}).content.decode()
    grooming = client.get("/checks/", {"purpose": "grooming"}).content.decode()
    assert f'data-round="{round.pk}"' in hygiene and f'data-round="{round.pk}"' not in grooming
    assert f'data-round="{round.pk}"' in client.get("/checks/", {"purpose": "nonsense"}).content.decode()


def test_round_list_uses_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    with time_machine.travel(at("2026-11-30 12:40"), tick=False):
        scheduled(world, "2026-11-30 10:31")
        rounds.rounds_schedule(now=at("2026-11-30 11:31"))
        rounds.rounds_schedule(now=at("2026-11-30 12:31"))
        for _ in range(3):
            done_round(world.a)
        client.force_login(world.a.manager)
        with django_assert_max_num_queries(16):
            response = client.get("/checks/")
    assert response.status_code == 200


@pytest.mark.parametrize(("who", "status"), [("staff", 200), ("auditor", 200), ("b_manager", 404)])
def test_round_detail_three_people(client, world, who, status):
    round = done_round(world.a)
    client.force_login(person(world, who))
    response = client.get(f"/checks/rounds/{round.pk}/")
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert 'data-testid="round-score" data-score="92.3"' in body
        assert 'data-testid="result-action"' in body and 'data-testid="result-photo"' in body


@pytest.mark.parametrize(("who", "status"), [("staff", 302), ("auditor", 403), ("b_staff", 404)])
def test_starting_a_round_three_people(client, world, who, status):
    round = scheduled(world)
    client.force_login(person(world, who))
    response = client.post(f"/checks/rounds/{round.pk}/start/")
    assert response.status_code == status
    round.refresh_from_db()
    assert (round.started_at is not None) is (status == 302)
    if status == 302:
        assert response.url == f"/checks/rounds/{round.pk}/do/"


@pytest.mark.parametrize(("who", "status"), [("staff", 200), ("auditor", 403), ("b_staff", 404)])
def test_round_do_page_three_people(client, world, who, status):
    round = scheduled(world)
    rounds.round_start(actor=world.a.staff, round=round)
    client.force_login(person(world, who))
    response = client.get(f"/checks/rounds/{round.pk}/do/")
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert body.count('data-testid="check-item"') == 13
        assert 'accept="image/*" capture="environment"' in body
        assert 'inputmode="decimal"' in body and "≤ 2 个" in body


def test_round_do_page_of_a_round_not_started_goes_to_its_detail(client, world):
    round = scheduled(world)
    client.force_login(world.a.staff)
    response = client.get(f"/checks/rounds/{round.pk}/do/")
    assert response.status_code == 302 and response.url == f"/checks/rounds/{round.pk}/"


def test_a_round_through_the_phone_form_with_a_failed_item_and_its_photo(client, world):
    """S4.7: the ashtray holds 3 butts; the photo is taken; the score and the corrective action follow."""
    round = scheduled(world)
    rounds.round_start(actor=world.a.staff, round=round)
    client.force_login(world.a.staff)
    data = _form_data(round, value_5="3", comment_5="三个烟头")
    ashtray = round.results.get(position=5)
    data[f"photo_{ashtray.pk}"] = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    response = client.post(f"/checks/rounds/{round.pk}/do/", data)
    assert response.status_code == 302 and response.url == f"/checks/rounds/{round.pk}/"
    round.refresh_from_db()
    assert round.state == RoundState.DONE and round.score == Decimal("92.3")
    action = CorrectiveAction.objects.get()
    assert action.owner_department == round.area.department
    page = client.get(response.url).content.decode()
    assert "92.3%" in page and f"/checks/actions/{action.pk}/" in page
    photo = client.get(f"/checks/results/{ashtray.pk}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"


def test_missing_answers_are_named_and_nothing_is_saved(client, world):
    round = scheduled(world)
    rounds.round_start(actor=world.a.staff, round=round)
    client.force_login(world.a.staff)
    data = _form_data(round)
    sofa = round.results.get(position=1)
    del data[f"passed_{sofa.pk}"]
    response = client.post(f"/checks/rounds/{round.pk}/do/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="item-error"' in body and "S4.6" in body
    round.refresh_from_db()
    assert round.state == RoundState.OPEN and not round.results.filter(passed__isnull=False).exists()


def test_failed_item_without_its_photo_is_refused_on_the_page(client, world):
    round = scheduled(world)
    rounds.round_start(actor=world.a.staff, round=round)
    client.force_login(world.a.staff)
    response = client.post(f"/checks/rounds/{round.pk}/do/", _form_data(round, passed_1="0"))
    assert response.status_code == 400
    assert 'data-testid="photo-error"' in response.content.decode()
    assert not CorrectiveAction.objects.exists()


@pytest.mark.parametrize("kind", ["not_an_image", "oversized"])
def test_bad_photos_on_the_page_are_refused(client, world, kind, monkeypatch):
    round = scheduled(world)
    rounds.round_start(actor=world.a.staff, round=round)
    client.force_login(world.a.staff)
    data = _form_data(round, passed_1="0")
    sofa = round.results.get(position=1)
    if kind == "not_an_image":
        data[f"photo_{sofa.pk}"] = SimpleUploadedFile("virus.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    else:
        monkeypatch.setattr("core.images.PHOTO_MAX_BYTES", 50)
        data[f"photo_{sofa.pk}"] = SimpleUploadedFile("big.png", png_bytes(), content_type="image/png")
    response = client.post(f"/checks/rounds/{round.pk}/do/", data)
    assert response.status_code == 400
    assert 'data-testid="photo-error"' in response.content.decode()
    round.refresh_from_db()
    assert round.state == RoundState.OPEN and not sofa.__class__.objects.exclude(photo="").exists()


def test_a_measured_value_that_is_not_a_number_is_refused(client, world):
    round = scheduled(world)
    rounds.round_start(actor=world.a.staff, round=round)
    client.force_login(world.a.staff)
    response = client.post(f"/checks/rounds/{round.pk}/do/", _form_data(round, value_5="很多"))
    assert response.status_code == 400
    round.refresh_from_db()
    assert round.state == RoundState.OPEN


@pytest.mark.parametrize(("who", "status"), [("supervisor", 302), ("staff", 403), ("auditor", 403), ("b_manager", 404)])
def test_extra_round_three_people(client, world, who, status):
    _template, area = lounge(world.a)
    client.force_login(person(world, who))
    response = client.post(f"/checks/areas/{area.pk}/extra-round/")
    assert response.status_code == status
    assert Round.objects.filter(area=area).exists() is (status == 302)


@pytest.mark.parametrize(("who", "status"), [("staff", 200), ("auditor", 200), ("b_staff", 404)])
def test_result_photo_three_people(client, world, who, status):
    round = done_round(world.a)
    result = round.results.get(position=5)
    client.force_login(person(world, who))
    assert client.get(f"/checks/results/{result.pk}/photo/").status_code == status
    assert client.get(f"/checks/results/{round.results.get(position=1).pk}/photo/").status_code == 404  # none


def test_fault_report_link_on_a_failed_item_works_with_or_without_the_fault_page(world, monkeypatch):
    round = done_round(world.a)
    result = round.results.get(position=5)
    assert fault_report_url(result).endswith(f"?result={result.pk}")

    from django.urls import NoReverseMatch

    def missing(*args, **kwargs):
        raise NoReverseMatch("not yet")

    monkeypatch.setattr("checks.templatetags.checks_ui.reverse", missing)
    assert fault_report_url(result) == ""


# --- Corrective actions --------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("staff", 200), ("auditor", 200), ("b_staff", 404)])
def test_action_detail_three_people(client, world, who, status):
    done_round(world.a)
    action = CorrectiveAction.objects.get()
    client.force_login(person(world, who))
    response = client.get(f"/checks/actions/{action.pk}/")
    assert response.status_code == status
    if status == 200:
        assert ('data-testid="close-form"' in response.content.decode()) is (who == "staff")


@pytest.mark.parametrize(("who", "status"), [("staff", 302), ("auditor", 403), ("b_staff", 404)])
def test_closing_an_action_three_people(client, world, who, status):
    done_round(world.a)
    action = CorrectiveAction.objects.get()
    client.force_login(person(world, who))
    response = client.post(f"/checks/actions/{action.pk}/close/", {"note": "已清理", "photo": png_upload()})
    assert response.status_code == status
    action.refresh_from_db()
    assert (action.state == ActionState.DONE) is (status == 302)
    if status == 302:
        assert client.get(f"/checks/actions/{action.pk}/photo/").status_code == 200


def test_closing_an_action_needs_a_note_and_a_real_photo(client, world):
    done_round(world.a)
    action = CorrectiveAction.objects.get()
    client.force_login(world.a.staff)
    response = client.post(f"/checks/actions/{action.pk}/close/", {"note": ""})
    assert response.status_code == 400 and 'data-field="note"' in response.content.decode()
    bad = SimpleUploadedFile("x.png", b"plain text", content_type="image/png")
    response = client.post(f"/checks/actions/{action.pk}/close/", {"note": "已清理", "photo": bad})
    assert response.status_code == 400 and 'data-field="photo"' in response.content.decode()
    action.refresh_from_db()
    assert action.state == ActionState.OPEN


def test_action_list_open_first_with_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(3):
        done_round(world.a)
    first = CorrectiveAction.objects.order_by("pk").first()
    actions.action_close(actor=world.a.staff, action=first, note="已清理")
    client.force_login(world.a.auditor)
    with django_assert_max_num_queries(10):
        response = client.get("/checks/actions/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index('data-state="open"') < body.index('data-state="done"')
    partial = client.get("/checks/actions/", {"state": "done"}, headers={"HX-Request": "true"}).content.decode()
    assert partial.count('data-testid="action-row"') == 1
