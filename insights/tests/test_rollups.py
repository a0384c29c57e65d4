"""The daily rollups (issue 10) always agree with the records: every figure is the same read either way."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction

from checks.models import RoundResult
from insights.figures import lounge, telephone
from insights.figures.base import FigureScope, period_containing
from insights.models import DailyFigure, DirtyDay, RollupState
from insights.rollups import base as rollups
from insights.rollups import triggers
from lounge.models import LoungeSettings
from phone.models import Call
from promises.services import WORKER_JOBS, promise_keep
from tests.clock import at

from . import lounge_helpers
from .helpers import answered, call, message, missed, missed_callback

MARCH = period_containing("month", date(2026, 3, 1))
NOW = at("2026-04-02 09:00")  # every day of March is over


def raw_only(read):
    """What `read` answers when no day is rolled up: every figure from the records (rolled back after)."""
    with transaction.atomic():
        RollupState.objects.all().delete()
        found = read()
        transaction.set_rollback(True)
    return found


def telephone_all(scope: FigureScope, names: dict) -> dict:
    return {
        "figures": telephone.telephone_figures(scope),
        "series": telephone.daily_series(scope),
        "people": telephone.per_person(scope, names),
        "departments": telephone.per_department(scope, names),
    }


def _fill_telephone(world):
    """Calls, messages and promises of both stores on several days of March, in every state."""
    made = {}
    for team in (world.a, world.b):
        for day in (2, 9, 10, 11, 17, 31):
            when = at(f"2026-03-{day:02d} 10:00")
            answered(team.store, team.staff, started_at=when, script_score=70 + day)
            answered(team.store, team.supervisor, started_at=when + timedelta(minutes=5), in_time=False)
            answered(team.store, team.staff, started_at=when + timedelta(minutes=7), ring_seconds=None, in_time=None)
            missed(team.store, started_at=at(f"2026-03-{day:02d} 23:30"), department=team.cs)  # late evening, local
            call(team.store, direction="out", answered_by=team.staff, started_at=when + timedelta(hours=2))
            call(team.store, direction="internal", answered_by=team.manager, started_at=when + timedelta(hours=3))
            message(team.store, for_user=team.staff, taken_by=team.supervisor, taken_at=when, state="kept")
            message(team.store, for_user=team.supervisor, taken_by=team.staff, taken_at=when, callback_wanted=False)
            missed_callback(team.store, team.staff, due_at=when + timedelta(hours=1), state="kept")
            missed_callback(team.store, team.supervisor, due_at=when + timedelta(hours=2), state="broken")
            missed_callback(team.store, team.staff, due_at=when + timedelta(hours=3), state="cancelled")
        made[team.store.pk] = missed_callback(team.store, team.staff, due_at=at("2026-03-10 16:00"))  # open, overdue
    return made


def _scopes(world):
    a, b = world.a, world.b
    both = frozenset({a.store.pk, b.store.pk})
    week = period_containing("week", date(2026, 3, 11))
    day = period_containing("day", date(2026, 3, 10))
    april = period_containing("month", date(2026, 4, 1))  # today (2 April) is never rolled up
    return [
        FigureScope(store_ids=frozenset({a.store.pk}), period=day, now=NOW),
        FigureScope(store_ids=frozenset({a.store.pk}), period=week, now=NOW),
        FigureScope(store_ids=frozenset({a.store.pk}), period=MARCH, now=NOW),
        FigureScope(store_ids=both, period=MARCH, now=NOW),
        FigureScope(store_ids=both, period=april, now=NOW),
        FigureScope(store_ids=both, period=MARCH, now=NOW, department_id=a.cs.pk),
        FigureScope(store_ids=both, period=MARCH, now=NOW, person_id=a.staff.pk),
        FigureScope(store_ids=both, period=week, now=NOW, department_id=a.cs.pk, person_id=a.supervisor.pk),
        # "now" inside the period: the open promise is not yet due, then it is
        FigureScope(store_ids=both, period=week, now=at("2026-03-10 15:00")),
        FigureScope(store_ids=both, period=week, now=at("2026-03-10 17:00")),
    ]


def _names(world):
    people = [world.a.staff, world.a.supervisor, world.a.manager, world.b.staff, world.b.supervisor, world.b.manager]
    return {p.pk: p.name for p in people} | {d.pk: d.name for d in (world.a.cs, world.b.cs)}


def _assert_agree(world):
    names = _names(world)
    for scope in _scopes(world):
        assert telephone_all(scope, names) == raw_only(lambda s=scope: telephone_all(s, names)), scope


def test_the_changed_day_triggers_are_installed(db):
    assert triggers.expected() <= triggers.installed()


def test_rolled_up_figures_agree_with_the_records_through_changes_and_the_worker(world):
    """Issue 10: store × day/week/month and group × month, per person and department, with and without rollups."""
    open_promises = _fill_telephone(world)
    for store in (world.a.store, world.b.store):
        rollups.rollups_rebuild(store_id=store.pk, first=date(2026, 3, 1), last=date(2026, 3, 31))
    assert not DirtyDay.objects.filter(day__lte=date(2026, 3, 31)).exists()
    assert DailyFigure.objects.filter(family="call", day=date(2026, 3, 10)).exists()
    whole = rollups.split(FigureScope(store_ids=frozenset({world.a.store.pk}), period=MARCH, now=NOW), "telephone")
    assert whole.raw_q("started_at") is None  # every day of March is read from the rollups
    _assert_agree(world)

    # A call-back kept later, a call logged late for an earlier day, a call moved to another day, one removed.
    promise_keep(promise=open_promises[world.a.store.pk], at=at("2026-03-12 09:00"))
    answered(world.a.store, world.a.staff, started_at=at("2026-03-17 11:00"))
    moved = Call.objects.filter(store=world.b.store, started_at__date=date(2026, 3, 2)).first()
    moved.started_at = at("2026-03-03 10:00")
    moved.save()
    Call.objects.filter(store=world.b.store, started_at=at("2026-03-31 23:30")).delete()
    Call.objects.filter(store=world.a.store, direction="out").update(direction="in")  # a bulk write is seen too
    dirty = set(DirtyDay.objects.values_list("store_id", "day"))
    assert {(world.b.store.pk, date(2026, 3, 2)), (world.b.store.pk, date(2026, 3, 3))} <= dirty
    assert (world.a.store.pk, date(2026, 3, 17)) in dirty
    _assert_agree(world)  # the changed days are read from the records

    assert rollups.rollups_refresh(now=NOW) >= len(dirty)
    assert not DirtyDay.objects.filter(day__lt=date(2026, 4, 2)).exists()
    assert RollupState.objects.get(store=world.a.store, module="telephone").last_day == date(2026, 4, 1)
    _assert_agree(world)  # the worker rolled them up again


def test_the_worker_job_starts_a_new_store_at_today_and_extends_it_day_by_day(world):
    assert ("insights_rollups", rollups.rollups_refresh) in WORKER_JOBS.items()
    answered(world.a.store, world.a.staff, started_at=at("2026-03-10 10:00"))
    rollups.rollups_refresh(now=at("2026-03-10 12:00"))
    state = RollupState.objects.get(store=world.a.store, module="telephone")
    assert (state.first_day, state.last_day) == (date(2026, 3, 10), date(2026, 3, 9))  # nothing yet
    rollups.rollups_refresh(now=at("2026-03-12 01:00"))
    state.refresh_from_db()
    assert state.last_day == date(2026, 3, 11)
    assert DailyFigure.objects.get(store=world.a.store, family="call", day=date(2026, 3, 10)).n1 == 1  # records
    scope = FigureScope(store_ids=frozenset({world.a.store.pk}), period=MARCH, now=at("2026-03-12 01:00"))
    assert telephone.telephone_figures(scope)["calls"] == 1


def test_rebuild_command_fills_the_gap_to_the_range_already_rolled_up(world):
    answered(world.a.store, world.a.staff, started_at=at("2026-03-02 10:00"))
    answered(world.a.store, world.a.staff, started_at=at("2026-03-20 10:00"))
    call_command("rollups_rebuild", "--store", world.a.store.code, "--from", "2026-03-25", "--to", "2026-03-31")
    call_command("rollups_rebuild", "--store", world.a.store.code, "--from", "2026-03-01", "--to", "2026-03-05")
    state = RollupState.objects.get(store=world.a.store, module="telephone")
    assert (state.first_day, state.last_day) == (date(2026, 3, 1), date(2026, 3, 31))
    assert DailyFigure.objects.filter(store=world.a.store, family="call").count() == 2
    call_command("rollups_rebuild")  # every store, from its first record to yesterday
    _assert_agree(world)


@pytest.mark.parametrize("rolled", [False, True])
def test_telephone_page_query_count_is_the_same_with_rollups(client, world, django_assert_max_num_queries, rolled):
    _fill_telephone(world)
    if rolled:  # half the week rolled up, half read from the records
        rollups.rollups_rebuild(store_id=world.a.store.pk, first=date(2026, 3, 1), last=date(2026, 3, 11))
    client.force_login(world.a.manager)
    with django_assert_max_num_queries(40):  # at most: every source of every reader
        response = client.get("/insights/telephone/", {"period": "week", "date": "2026-03-11"})
    assert response.status_code == 200


# --- the lounge -------------------------------------------------------------------------------------


def lounge_all(scope: FigureScope, names: dict) -> dict:
    return {
        "figures": lounge.lounge_figures(scope),
        "series": lounge.daily_series(scope),
        "people": lounge.per_person(scope, names),
    }


def _assert_lounge_agree(world, scopes):
    names = _names(world)
    for scope in scopes:
        assert lounge_all(scope, names) == raw_only(lambda s=scope: lounge_all(s, names)), scope


def _lounge_scopes(world):
    a, b = world.a, world.b
    both = frozenset({a.store.pk, b.store.pk})
    week = period_containing("week", date(2026, 3, 11))
    return [
        FigureScope(store_ids=frozenset({a.store.pk}), period=period_containing("day", date(2026, 3, 11)), now=NOW),
        FigureScope(store_ids=frozenset({a.store.pk}), period=week, now=NOW),
        FigureScope(store_ids=both, period=MARCH, now=NOW),
        FigureScope(store_ids=both, period=MARCH, now=NOW, person_id=a.staff.pk),
        FigureScope(store_ids=both, period=MARCH, now=NOW, person_id=a.supervisor.pk),
        FigureScope(store_ids=both, period=week, now=lounge_helpers.NOW),  # Friday noon: open ones due or not
    ]


def test_rolled_up_lounge_figures_agree_with_the_records_through_changes_and_the_worker(world):
    """Issue 10: visits, refills, refill promises, requests, rounds and their items, with and without rollups."""
    lounge_helpers.make_lounge_week(world)
    a = world.a
    later = lounge_helpers.visit(a.store, arrived_at=at("2026-03-20 23:50"), greeted_by=a.staff, greet_seconds=40)
    asked = lounge_helpers.request(a.store, kind="help", created_at=at("2026-03-20 23:58"))
    late_round = lounge_helpers.hygiene_round(a.store, scheduled_for=at("2026-03-20 22:00"), state="open")
    for store in (world.a.store, world.b.store):
        rollups.rollups_rebuild(store_id=store.pk, first=date(2026, 3, 1), last=date(2026, 3, 31))
    assert DailyFigure.objects.filter(family="visit").exists()
    assert DailyFigure.objects.filter(family="round_item", n2__gt=0).exists()
    scopes = _lounge_scopes(world)
    _assert_lounge_agree(world, scopes)

    # The visit finished the next day, the request answered after midnight, the round done the next morning
    # (its items change with it), an item corrected later, and the store's greeting clock changed.
    later.departed_at = at("2026-03-21 00:30")
    later.save()
    asked.acknowledged_at, asked.acknowledged_by, asked.state = at("2026-03-21 00:05"), a.staff, "on_way"
    asked.save()
    late_round.state, late_round.submitted_at, late_round.submitted_by = "done", at("2026-03-21 08:00"), a.staff
    late_round.on_time, late_round.score = False, 50
    late_round.save()
    RoundResult.objects.create(
        round=late_round, store=a.store, position=0, text="检查项", rule_id="S4.7", kind="pass_fail", passed=False
    )
    first_failed = RoundResult.objects.filter(store=a.store, passed=False).order_by("pk").first()
    first_failed.passed = True
    first_failed.save()
    LoungeSettings.objects.filter(store=a.store).update(greet_within_seconds=10)  # a bulk write: no signal
    a_settings = LoungeSettings.objects.get(store=a.store)
    a_settings.save()  # the settings page saves the object: every rolled-up day of the store is changed
    assert DirtyDay.objects.filter(store=a.store).count() >= 31
    _assert_lounge_agree(world, scopes)

    rollups.rollups_refresh(now=NOW, limit=5000)
    assert not DirtyDay.objects.filter(day__lt=date(2026, 4, 2)).exists()
    _assert_lounge_agree(world, scopes)


@pytest.mark.parametrize("rolled", [False, True])
def test_lounge_page_query_count_is_the_same_with_rollups(client, world, django_assert_max_num_queries, rolled):
    lounge_helpers.make_lounge_week(world)
    if rolled:  # half the week rolled up, half read from the records
        rollups.rollups_rebuild(store_id=world.a.store.pk, first=date(2026, 3, 1), last=date(2026, 3, 11))
    client.force_login(world.a.manager)
    with django_assert_max_num_queries(60):  # at most: every source of every reader
        response = client.get("/insights/lounge/", {"period": "week", "date": "2026-03-11"})
    assert response.status_code == 200
