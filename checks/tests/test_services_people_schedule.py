"""Schedules of checks of people: DAILY (the morning grooming check, S6.1–S6.4) and WEEKLY (desk checks, S1.D3);
photos of people purged after the store's retention period (S6); area and settings validation."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from checks.choices import RoundState, Schedule
from checks.models import Area, CheckSettings, CorrectiveAction, Round, RoundResult
from checks.selectors import area_slots, weekly_day
from checks.services import actions, people, rounds
from checks.services.settings import check_settings_update
from checks.services.templates import area_create, area_update
from org.business_time import StoreCalendar
from promises.choices import PromiseKind, PromiseState
from promises.services import WORKER_JOBS
from tests.clock import at

from .helpers import grooming, png_upload


def test_s6_daily_one_round_per_working_day_at_opening_owned_by_the_department(world):
    area, _made = grooming(world.a)
    assert rounds.rounds_schedule(now=at("2026-11-30 07:00")) == 1  # made early: done before opening
    round = Round.objects.get(area=area)
    assert round.scheduled_for == at("2026-11-30 08:30") and round.due_at == at("2026-11-30 09:00")
    assert round.promise.kind == PromiseKind.GROOMING_CHECK and round.promise.owner_department == world.a.cs
    assert round.promise.rule_id == "S6.1"
    for moment in ("2026-11-30 08:45", "2026-11-30 12:00"):
        rounds.rounds_schedule(now=at(moment))
    assert Round.objects.filter(area=area).count() == 1


def test_s6_daily_round_not_done_is_missed_at_closing_and_the_next_day_has_its_own(world):
    area, _made = grooming(world.a)
    rounds.rounds_schedule(now=at("2026-11-30 08:00"))
    rounds.rounds_schedule(now=at("2026-11-30 17:59"))
    first = Round.objects.get(area=area)
    assert first.state == RoundState.OPEN  # overdue but still to do until closing
    rounds.rounds_schedule(now=at("2026-11-30 18:00"))
    first.refresh_from_db()
    assert first.state == RoundState.MISSED and first.promise.state == PromiseState.BROKEN
    rounds.rounds_schedule(now=at("2026-12-01 08:00"))
    assert Round.objects.filter(area=area, scheduled_for=at("2026-12-01 08:30")).exists()


def test_s6_daily_no_round_on_a_closed_day(world):
    area, _made = grooming(world.a)
    world.a.store.closures.create(date="2026-11-30", reason="盘点")
    assert rounds.rounds_schedule(now=at("2026-11-30 08:00")) == 0
    assert area_slots(area=area, day=date(2026, 11, 30), calendar=StoreCalendar(world.a.store)) == []


def test_s1_d3_weekly_once_a_week_on_a_drawn_working_day_every_worker_agrees(world):
    area, _made = grooming(world.a, schedule=Schedule.WEEKLY)
    calendar = StoreCalendar(world.a.store)
    monday = date(2026, 11, 30)
    drawn = weekly_day(area=area, day=monday, calendar=calendar)
    assert monday <= drawn <= monday + timedelta(days=6)
    assert all(weekly_day(area=area, day=monday + timedelta(days=n), calendar=calendar) == drawn for n in range(7))
    for n in range(7):
        rounds.rounds_schedule(now=at(f"{monday + timedelta(days=n)} 08:00"))
    assert Round.objects.filter(area=area).count() == 1
    round = Round.objects.get(area=area)
    assert timezone_date(round.scheduled_for) == drawn
    days = {weekly_day(area=area, day=monday + timedelta(weeks=w), calendar=calendar).weekday() for w in range(12)}
    assert len(days) > 1  # drawn afresh each week


def timezone_date(moment):
    from django.utils import timezone

    return timezone.localtime(moment).date()


def test_s1_d3_weekly_desk_check_promise_kind(world):
    from checks.services.defaults import template_standard

    template = template_standard(world.a.store, kind="desk")
    area = Area.objects.create(
        store=world.a.store, name="桌面", template=template, department=world.a.cs, schedule=Schedule.DAILY
    )
    rounds.rounds_schedule(now=at("2026-11-30 08:00"))
    assert Round.objects.get(area=area).promise.kind == PromiseKind.DESK_CHECK


def test_schedule_queries_do_not_grow_with_the_areas(world):
    """S6.1–S6.4, S1.D3: the worker's schedule of areas already made asks the same queries for 1 or 4 areas."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        rounds.rounds_schedule(now=at("2026-11-30 08:00"))  # makes them
        with CaptureQueriesContext(connection) as queries:
            rounds.rounds_schedule(now=at("2026-11-30 08:10"))
        return len(queries)

    grooming(world.a, people=())
    one = count()
    template = Area.objects.get().template
    for n in range(3):
        Area.objects.create(
            store=world.a.store,
            name=f"桌面{n}",
            template=template,
            department=world.a.cs,
            schedule=Schedule.WEEKLY if n else Schedule.DAILY,
            checks_people=True,
        )
    assert count() == one


def test_s6_purge_people_photos_after_the_retention_period_idempotent(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert ("purge_people_photos", people.purge_people_photos) in WORKER_JOBS.items()
    CheckSettings.objects.create(store=world.a.store, photo_retention_days=30)
    area, made = grooming(world.a)
    rounds.rounds_schedule(now=at("2026-11-02 08:00"))
    round = rounds.round_start(actor=world.a.supervisor, round=Round.objects.get(area=area), now=at("2026-11-02 08:05"))
    for subject in round.subjects.all():
        items = list(round.results.filter(subject=subject.person).order_by("position"))
        answers = {r.pk: rounds.Answer(passed=True) for r in items}
        if subject.person_id == made[0].pk:
            answers[items[0].pk] = rounds.Answer(passed=False, photo=png_upload())
        people.subject_answer(actor=world.a.supervisor, round=round, subject=subject, answers=answers)
    rounds.round_submit(actor=world.a.supervisor, round=round, answers={}, now=at("2026-11-02 08:40"))
    action = CorrectiveAction.objects.get()
    actions.correction_confirm(actor=world.a.supervisor, action=action, photo=png_upload(), now=at("2026-11-02 08:50"))
    result = RoundResult.objects.exclude(photo="").get()
    path = result.photo.path
    assert people.purge_people_photos(now=at("2026-11-30 08:00")) == 0  # 28 days: kept
    assert people.purge_people_photos(now=at("2026-12-03 08:00")) == 2
    result.refresh_from_db()
    action.refresh_from_db()
    assert not result.photo and result.photo_deleted_at == at("2026-12-03 08:00")
    assert not action.photo and action.photo_deleted_at is not None
    import os

    assert not os.path.exists(path)
    assert people.purge_people_photos(now=at("2026-12-04 08:00")) == 0  # idempotent


def test_purge_leaves_photos_of_places(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from .helpers import done_round

    done_round(world.a)
    assert people.purge_people_photos(now=at("2030-01-01 08:00")) == 0
    assert RoundResult.objects.exclude(photo="").exists()


def test_area_form_rules_a_people_check_needs_a_department_every_needs_minutes(world):
    area, _made = grooming(world.a)
    template = area.template
    with pytest.raises(ValidationError) as caught:
        area_create(
            actor=world.a.manager,
            store=world.a.store,
            name="班前",
            template=template,
            department=None,
            schedule=Schedule.DAILY,
            checks_people=True,
        )
    assert caught.value.error_dict["department"][0].code == "required"
    with pytest.raises(ValidationError) as caught:
        area_create(
            actor=world.a.manager,
            store=world.a.store,
            name="每小时",
            template=template,
            department=world.a.cs,
            every_minutes=None,
            schedule=Schedule.EVERY,
        )
    assert "every_minutes" in caught.value.error_dict
    with pytest.raises(ValidationError) as caught:
        area_create(
            actor=world.a.manager, store=world.a.store, name="x", template=template, department=world.a.cs, schedule="x"
        )
    assert "schedule" in caught.value.error_dict
    made = area_create(
        actor=world.a.manager,
        store=world.a.store,
        name="班前·休息室",
        template=template,
        department=world.a.lounge,
        every_minutes=None,
        due_within_minutes=120,  # longer than the default 60 minutes: no matter for a daily check
        schedule=Schedule.DAILY,
        checks_people=True,
    )
    assert made.schedule == Schedule.DAILY and made.checks_people
    area_update(
        actor=world.a.manager,
        area=made,
        name=made.name,
        template=template,
        department=world.a.lounge,
        every_minutes=None,
        due_within_minutes=30,
        active=True,
        schedule=Schedule.WEEKLY,
        checks_people=False,
    )
    made.refresh_from_db()
    assert made.schedule == Schedule.WEEKLY and not made.checks_people


def test_check_settings_update_limits_named_by_field(world):
    from django.core.exceptions import PermissionDenied

    values = {"correction_minutes": 45, "repeat_failures": 4, "repeat_window_days": 60, "photo_retention_days": 120}
    saved = check_settings_update(actor=world.a.manager, store=world.a.store, **values)
    assert CheckSettings.objects.get(store=world.a.store).correction_minutes == 45 and saved.pk
    with pytest.raises(ValidationError) as caught:
        check_settings_update(actor=world.a.manager, store=world.a.store, **(values | {"repeat_failures": 1}))
    assert set(caught.value.error_dict) == {"repeat_failures"}
    assert CheckSettings.objects.get(store=world.a.store).repeat_failures == 4
    with pytest.raises(PermissionDenied):
        check_settings_update(actor=world.a.supervisor, store=world.a.store, **values)
