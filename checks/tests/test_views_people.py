"""Pages of checks of people (S6.1–S6.4 grooming, S1.D3 desk): the round on a phone, the person's card by htmx,
corrections confirmed, photos only for the person, their supervisors and the managers, the person's checks, the
settings page. Another store's user gets 404; a colleague or an auditor asking for a person's photo gets 403."""

import pytest

from checks.choices import ActionState, RoundState
from checks.models import CheckSettings, CorrectiveAction, Round, RoundResult, RoundSubject
from checks.services import people, rounds
from tests.clock import at

from .helpers import grooming, png_upload

HX = {"HX-Request": "true"}


@pytest.fixture
def started(world):
    area, made = grooming(world.a)
    rounds.rounds_schedule(now=at("2026-11-30 08:00"))
    round = rounds.round_start(actor=world.a.supervisor, round=Round.objects.get(area=area), now=at("2026-11-30 08:05"))
    return round, made


def _subject(round, person):
    return RoundSubject.objects.get(round=round, person=person)


def _done_with_a_photo(world, round, made):
    """made[0] fails S6.1 with a photo; everyone else passes; the round submitted."""
    for subject in round.subjects.filter(absent=False):
        items = list(round.results.filter(subject=subject.person).order_by("position"))
        answers = {r.pk: rounds.Answer(passed=True) for r in items}
        if subject.person_id == made[0].pk:
            answers[items[0].pk] = rounds.Answer(passed=False, comment="工装有污渍", photo=png_upload())
        people.subject_answer(actor=world.a.supervisor, round=round, subject=subject, answers=answers)
    return rounds.round_submit(actor=world.a.supervisor, round=round, answers={}, now=at("2026-11-30 08:40"))


def test_s6_the_round_page_shows_a_card_per_person_and_the_discipline_link(client, world, started):
    round, made = started
    client.force_login(world.a.supervisor)
    body = client.get(f"/checks/rounds/{round.pk}/do/").content.decode()
    assert body.count('data-testid="person-card"') == 3
    assert f"/conduct/records/new/?person={made[0].pk}&amp;source=spot_check" in body
    assert 'data-testid="all-pass"' in body


def test_s6_all_pass_by_htmx_redraws_the_card(client, world, started):
    round, made = started
    client.force_login(world.a.supervisor)
    subject = _subject(round, made[0])
    response = client.post(f"/checks/rounds/{round.pk}/people/{subject.pk}/all-pass/", headers=HX)
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith('<div class="card')
    assert 'data-state="checked"' in body and 'id="checked-count" hx-swap-oob="true">1<' in body
    assert all(RoundResult.objects.filter(subject=made[0], round=round).values_list("passed", flat=True))


def test_s6_a_fail_without_a_note_or_photo_is_refused_naming_the_item(client, world, started):
    round, made = started
    client.force_login(world.a.supervisor)
    subject = _subject(round, made[0])
    items = list(round.results.filter(subject=made[0]).order_by("position"))
    data = {f"passed_{r.pk}": "1" for r in items} | {f"passed_{items[2].pk}": "0"}
    url = f"/checks/rounds/{round.pk}/people/{subject.pk}/"
    response = client.post(url, data)
    assert response.status_code == 400 and "S6.3" in response.content.decode()
    response = client.post(url, data, headers=HX)
    assert response.status_code == 200 and 'data-testid="item-error"' in response.content.decode()
    assert _subject(round, made[0]).checked_at is None
    response = client.post(url, data | {f"comment_{items[2].pk}": "指甲过长"}, headers=HX)
    assert 'data-state="checked"' in response.content.decode()
    assert _subject(round, made[0]).failed_count == 1


def test_s6_mark_absent_and_add_a_person_and_submit(client, world, started):
    round, made = started
    client.force_login(world.a.supervisor)
    url = f"/checks/rounds/{round.pk}/people/{_subject(round, made[1]).pk}/absent/"
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "病假"}).status_code == 302
    response = client.post(f"/checks/rounds/{round.pk}/people/add/", {"person": world.b.staff.pk})
    assert response.status_code == 400  # not one of the store's people
    assert client.post(f"/checks/rounds/{round.pk}/submit/").status_code == 400  # people not checked yet
    for person in (made[0], world.a.supervisor):
        client.post(f"/checks/rounds/{round.pk}/people/{_subject(round, person).pk}/all-pass/")
    assert client.post(f"/checks/rounds/{round.pk}/submit/").status_code == 302
    round.refresh_from_db()
    assert round.state == RoundState.DONE and round.score == 100


def test_s6_another_stores_user_gets_404(client, world, started):
    round, made = started
    client.force_login(world.b.manager)
    subject = _subject(round, made[0])
    assert client.get(f"/checks/rounds/{round.pk}/do/").status_code == 404
    assert client.post(f"/checks/rounds/{round.pk}/people/{subject.pk}/all-pass/").status_code == 404
    assert client.get(f"/checks/people/{made[0].pk}/").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("person", 200), ("supervisor", 200), ("manager", 200), ("colleague", 403), ("auditor", 403), ("b", 404)],
)
def test_s6_a_persons_photo_only_for_the_person_supervisors_and_managers(client, world, started, who, status):
    round, made = started
    _done_with_a_photo(world, round, made)
    result = RoundResult.objects.exclude(photo="").get()
    user = {
        "person": made[0],
        "supervisor": world.a.supervisor,
        "manager": world.a.manager,
        "colleague": made[1],
        "auditor": world.a.auditor,
        "b": world.b.manager,
    }[who]
    client.force_login(user)
    assert client.get(f"/checks/results/{result.pk}/photo/").status_code == status
    assert client.get(f"/api/v1/checks/rounds/{round.pk}/results/{result.pk}/photo").status_code == status
    detail = client.get(f"/checks/rounds/{round.pk}/")
    if status == 404:
        assert detail.status_code == 404
    else:
        body = detail.content.decode()
        assert ('data-testid="result-photo"' in body) is (status == 200)
        assert ('data-testid="photo-hidden"' in body) is (status == 403)


def test_s6_the_checker_confirms_the_correction_with_a_tap_not_the_person(client, world, started):
    round, made = started
    _done_with_a_photo(world, round, made)
    action = CorrectiveAction.objects.get()
    client.force_login(made[0])
    body = client.get(f"/checks/actions/{action.pk}/").content.decode()
    assert 'data-testid="confirm-form"' not in body and 'data-testid="close-form"' not in body
    assert client.post(f"/checks/actions/{action.pk}/confirm/").status_code == 403
    assert client.post(f"/checks/actions/{action.pk}/close/", {"note": "已换"}).status_code == 403
    client.force_login(world.a.supervisor)
    body = client.get(f"/checks/rounds/{round.pk}/").content.decode()
    assert 'data-testid="confirm-correction"' in body
    response = client.post(f"/checks/actions/{action.pk}/confirm/", {"next": f"/checks/rounds/{round.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/checks/rounds/{round.pk}/"
    action.refresh_from_db()
    assert action.state == ActionState.DONE
    response = client.post(f"/checks/actions/{action.pk}/confirm/", {"next": "https://evil.example/"})
    assert response["Location"] == f"/checks/actions/{action.pk}/"  # already confirmed: an error, no open redirect


@pytest.mark.parametrize(
    ("who", "status"), [("person", 200), ("supervisor", 200), ("manager", 200), ("colleague", 403), ("auditor", 403)]
)
def test_s6_the_checks_of_a_person_page(client, world, started, who, status):
    round, made = started
    _done_with_a_photo(world, round, made)
    user = {
        "person": made[0],
        "supervisor": world.a.supervisor,
        "manager": world.a.manager,
        "colleague": made[1],
        "auditor": world.a.auditor,
    }[who]
    client.force_login(user)
    response = client.get(f"/checks/people/{made[0].pk}/", {"from": "2026-11-01", "to": "2026-11-30"})
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert 'data-testid="pass-rate">75.0%' in body and "工装整洁挺括" in body
    assert client.get("/checks/people/999999/").status_code == 404


def test_person_check_summary_counts_by_item(world, started):
    from datetime import date

    from checks.selectors import person_check_summary

    round, made = started
    _done_with_a_photo(world, round, made)
    summary = person_check_summary(made[0], date(2026, 11, 30), date(2026, 11, 30))
    assert (summary.checks, summary.items, summary.failed, summary.pass_rate) == (1, 4, 1, 75.0)
    assert summary.by_item == [("S6.1", "工装整洁挺括，深色皮鞋", 1)]
    assert person_check_summary(made[0], date(2026, 12, 1), date(2026, 12, 2)).pass_rate is None


def test_check_settings_page_for_store_managers(client, world):
    client.force_login(world.a.supervisor)
    assert client.get("/checks/settings/").status_code == 403
    client.force_login(world.a.manager)
    assert client.get("/checks/settings/").status_code == 200
    assert client.get(f"/checks/settings/?store={world.b.store.pk}").status_code == 404
    data = {
        "correction_minutes": "45",
        "repeat_failures": "1",
        "repeat_window_days": "30",
        "photo_retention_days": "90",
    }
    response = client.post("/checks/settings/", data)
    assert response.status_code == 400 and 'data-testid="form-error"' in response.content.decode()
    assert not CheckSettings.objects.exists()
    assert client.post("/checks/settings/", data | {"repeat_failures": "4"}).status_code == 302
    assert CheckSettings.objects.get(store=world.a.store).repeat_failures == 4


def test_standard_templates_from_the_product_for_managers(client, world):
    client.force_login(world.a.supervisor)
    assert client.post("/checks/templates/standard/", {"kind": "grooming"}).status_code == 403
    client.force_login(world.a.manager)
    response = client.post("/checks/templates/standard/", {"kind": "grooming"})
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "S6.4" in body and "上岗佩戴工牌" in body
    assert client.post("/checks/templates/standard/", {"kind": "nonsense"}).status_code == 302
    assert 'data-testid="standard-desk"' in client.get("/checks/templates/").content.decode()


def test_area_form_takes_the_schedule_and_people(client, world):
    from checks.models import Area
    from checks.services.defaults import template_standard

    template = template_standard(world.a.store, kind="grooming")
    client.force_login(world.a.manager)
    data = {"name": "班前检查", "template": template.pk, "department": world.a.cs.pk, "due_within_minutes": "30"}
    response = client.post("/checks/areas/new/", data | {"schedule": "every", "checks_people": "on"})
    assert response.status_code == 400 and "every_minutes" in response.content.decode()
    assert client.post("/checks/areas/new/", data | {"schedule": "daily", "checks_people": "on"}).status_code == 302
    area = Area.objects.get(name="班前检查")
    assert area.schedule == "daily" and area.checks_people
    assert 'data-testid="checks-people"' in client.get("/checks/areas/").content.decode()


def test_s6_the_person_page_asks_as_much_for_many_checks_as_for_one(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    area, made = grooming(world.a)
    client.force_login(world.a.manager)

    def check_on(day):
        rounds.rounds_schedule(now=at(f"{day} 08:00"))
        round = rounds.round_start(
            actor=world.a.supervisor, round=Round.objects.get(area=area, state="open"), now=at(f"{day} 08:05")
        )
        for subject in round.subjects.filter(absent=False):
            people.subject_all_pass(actor=world.a.supervisor, round=round, subject=subject)
        rounds.round_submit(actor=world.a.supervisor, round=round, answers={}, now=at(f"{day} 08:30"))

    def count():
        client.get(f"/checks/people/{made[0].pk}/")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/checks/people/{made[0].pk}/", {"from": "2026-11-01", "to": "2026-11-30"})
        assert response.status_code == 200
        return len(queries)

    check_on("2026-11-02")
    one = count()
    for day in ("2026-11-03", "2026-11-04", "2026-11-05"):
        check_on(day)
    assert count() == one


def test_s1_d3_todays_schedule_names_the_day_of_a_weekly_check(client, world):
    """On another day of the week, a weekly desk check says which day it falls on, not that the store is closed."""
    from datetime import date, timedelta

    import time_machine

    from checks.choices import Schedule
    from checks.selectors import weekly_day
    from checks.tests.helpers import grooming
    from org.business_time import StoreCalendar
    from tests.clock import at

    area, _made = grooming(world.a, schedule=Schedule.WEEKLY)
    monday = date(2026, 11, 30)
    calendar = StoreCalendar(world.a.store)
    drawn = weekly_day(area=area, day=monday, calendar=calendar)
    week = [monday + timedelta(days=n) for n in range(7)]
    other = next(d for d in week if d != drawn and calendar.interval(d) is not None)
    client.force_login(world.a.manager)
    with time_machine.travel(at(f"{other} 10:00"), tick=False):
        body = client.get("/checks/").content.decode()
    assert 'data-testid="weekly-on"' in body and drawn.strftime("%m-%d") in body
    assert "门店今日不营业" not in body
