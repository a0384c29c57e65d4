"""Lounge figures (S4.1–S4.11) computed from records made directly with the ORM: exact numbers, week
bounds in Asia/Shanghai, the attendant filter, and every figure's records adding up to the figure."""

from datetime import date

import pytest

from insights.figures import lounge
from insights.figures.base import FigureScope, period_containing
from lounge.models import LoungeSettings
from tests.clock import at

from .lounge_helpers import NOW, make_lounge_week

WEEK = period_containing("week", date(2026, 3, 11))


def scope_of(*stores, now=NOW, period=WEEK, **kw) -> FigureScope:
    return FigureScope(store_ids=frozenset(s.pk for s in stores), period=period, now=now, **kw)


@pytest.fixture
def lounge_week(world):
    return make_lounge_week(world)


def test_percentile_is_the_nearest_rank():
    assert lounge.percentile([]) is None
    assert lounge.percentile([7]) == 7
    assert lounge.percentile(list(range(10, 101, 10))) == 90  # 9th of 10
    assert lounge.percentile([5, 8, 12, 30, 61]) == 61  # rank ceil(4.5) = 5
    assert lounge.percentile(list(range(1, 12))) == 10  # rank ceil(9.9) = 10 of 11


def test_store_figures_of_the_week_counted_from_the_records(lounge_week):
    """S4.1, S4.2, S4.3, S4.5, S4.6–S4.10, S4.11: exact figures of store A's week."""
    figures = lounge.lounge_figures(scope_of(lounge_week.a.store))
    # S4.1: six visits in the week (Monday 00:00:01 counts, Sunday 23:59:59 and next Monday 00:00 do not)
    assert (figures["visits"], figures["visits_greeted"], figures["visits_not_greeted"]) == (6, 5, 1)
    assert figures["greet_avg"] == 23.2  # (5 + 8 + 12 + 30 + 61) / 5
    assert figures["greet_p90"] == 61
    assert figures["greet_limit_seconds"] == 20  # the store's own setting
    assert (figures["visits_greeted_in_time"], figures["greeted_in_time_share"]) == (3, 60.0)
    # S4.3
    assert (figures["introduced"], figures["first_visits"], figures["introduced_share"]) == (1, 2, 50.0)
    # S4.2: the first drink is not a refill; overdue promises are late, broken, or open past due
    assert (figures["refills_on_time"], figures["refills"], figures["refills_on_time_share"]) == (3, 4, 75.0)
    assert figures["refills_overdue"] == 4
    # S4.5: a cancelled request is not "not answered"; 3 minutes exactly is in time
    assert (figures["requests"], figures["requests_answered"], figures["requests_unanswered"]) == (5, 3, 1)
    assert (figures["requests_in_time"], figures["requests_in_time_share"]) == (2, 66.7)
    assert figures["response_avg_minutes"] == 3.0
    assert figures["help_limit_minutes"] == 3
    by_kind = {row["kind"]: row for row in figures["requests_by_kind"]}
    assert [row["kind"] for row in figures["requests_by_kind"]] == ["refill", "drink", "help", "advisor"]
    assert (by_kind["help"]["requests"], by_kind["help"]["in_time"], by_kind["help"]["response_avg_minutes"]) == (
        2,
        2,
        2.5,
    )
    assert (by_kind["refill"]["answered"], by_kind["refill"]["in_time_share"]) == (1, 0.0)
    assert by_kind["advisor"]["response_avg_minutes"] is None
    # S4.6–S4.10: rounds done are counted by when they were submitted, rounds due by when they were scheduled
    assert (figures["rounds_done"], figures["score_avg"], figures["failed_items"]) == (4, 77.5, 4)
    assert (figures["rounds_on_time"], figures["rounds_due"], figures["rounds_on_time_share"]) == (2, 5, 40.0)
    # S4.11: open now whatever the period; time to fix over the faults fixed in the period
    assert figures["faults_open"] == 2
    assert (figures["faults_fixed"], figures["fix_avg_hours"]) == (3, 5.0)  # (2 + 10 + 3) / 3
    assert (figures["faults_fixed_in_time"], figures["faults_fixed_in_time_share"]) == (1, 33.3)


def test_an_attendants_figures_are_their_own_work(lounge_week):
    """The person filter: visits they greeted, refills they served, requests they answered, rounds they did,
    faults they fixed; the open faults and refill promises they own, and the refill promises they closed."""
    a = lounge_week.a
    figures = lounge.lounge_figures(scope_of(a.store, person_id=a.staff.pk))
    assert (figures["visits"], figures["greet_avg"], figures["greet_p90"]) == (3, 8.3, 12)
    assert (figures["introduced"], figures["first_visits"]) == (1, 1)
    assert (figures["refills_on_time"], figures["refills"], figures["refills_overdue"]) == (2, 3, 3)
    assert (figures["requests_answered"], figures["requests_in_time"], figures["requests_unanswered"]) == (2, 2, 0)
    assert (figures["rounds_done"], figures["rounds_due"], figures["rounds_on_time"]) == (3, 2, 1)
    assert (figures["faults_fixed"], figures["faults_open"], figures["fix_avg_hours"]) == (1, 1, 3.0)
    supervisor = lounge.lounge_figures(scope_of(a.store, person_id=a.supervisor.pk))
    assert (supervisor["visits"], supervisor["greet_p90"], supervisor["score_avg"]) == (2, 61, 50.0)
    assert supervisor["refills_overdue"] == 1  # the desk's refill clock the supervisor kept late


def test_per_attendant_rows_add_up_to_the_store(lounge_week):
    a = lounge_week.a
    names = {a.staff.pk: a.staff.name, a.supervisor.pk: a.supervisor.name}
    rows = {row["id"]: row for row in lounge.per_person(scope_of(a.store), names)}
    assert set(rows) == {a.staff.pk, a.supervisor.pk}
    staff, supervisor = rows[a.staff.pk], rows[a.supervisor.pk]
    assert (staff["visits"], staff["greet_avg"], staff["greet_p90"], staff["visits_greeted_in_time"]) == (3, 8.3, 12, 3)
    assert (supervisor["visits"], supervisor["greet_avg"], supervisor["greet_p90"]) == (2, 45.5, 61)
    assert (staff["refills_on_time_share"], supervisor["refills_on_time_share"]) == (66.7, 100.0)
    assert (staff["requests_in_time"], staff["response_avg_minutes"]) == (2, 2.5)
    assert (supervisor["requests_in_time_share"], supervisor["response_avg_minutes"]) == (0.0, 4.0)
    assert (staff["rounds_done"], staff["score_avg"], staff["rounds_on_time_share"]) == (3, 86.7, 50.0)
    assert (supervisor["faults_fixed"], supervisor["fix_avg_hours"], supervisor["faults_fixed_in_time_share"]) == (
        2,
        6.0,
        50.0,
    )
    assert staff["name"] == a.staff.name


def test_daily_series_follow_shanghai_days(lounge_week):
    series = lounge.daily_series(scope_of(lounge_week.a.store))
    assert series["days"] == [f"2026-03-{d:02d}" for d in range(9, 16)]
    assert series["visits"] == [1, 0, 3, 2, 0, 0, 0]
    assert series["greet_avg"] == [5.0, None, 16.7, 61.0, None, None, None]
    assert series["greet_p90"] == [5, None, 30, 61, None, None, None]
    assert series["round_score"] == [85.0, None, 75.0, None, None, None, None]
    assert series["rounds_on_time_share"] == [None, None, 50.0, 0.0, None, None, None]


@pytest.mark.parametrize("person", [None, "staff", "supervisor"])
def test_every_figures_records_are_exactly_what_it_counts(lounge_week, person):
    a = lounge_week.a
    scope = scope_of(a.store, person_id=getattr(a, person).pk if person else None)
    figures = lounge.lounge_figures(scope)
    for key in lounge.RECORD_KINDS:
        listed = lounge.records(scope, key)
        assert listed.count() == figures[key], key
        assert {record.store_id for record in listed} <= {a.store.pk}
    for row in figures["requests_by_kind"]:
        assert lounge.records(scope, "requests", kind=row["kind"]).count() == row["requests"]


def test_the_boundary_records_fall_in_the_right_week(lounge_week):
    """Week bounds are Monday 00:00 to Monday 00:00 in Asia/Shanghai (Sunday 16:00 UTC)."""
    a = lounge_week.a
    listed = list(lounge.records(scope_of(a.store), "visits"))
    assert min(v.arrived_at for v in listed) == at("2026-03-09 00:01")
    previous = period_containing("week", date(2026, 3, 8))
    assert [v.greet_seconds for v in lounge.records(scope_of(a.store, period=previous), "visits")] == [1]
    following = period_containing("day", date(2026, 3, 16))
    assert [v.greet_seconds for v in lounge.records(scope_of(a.store, period=following), "visits")] == [2]


def test_each_store_is_held_to_its_own_greeting_time(lounge_week):
    """S4.1: store A greets within 20 s, store B within the default 60 s; a group's figure uses each store's."""
    both = lounge.lounge_figures(scope_of(lounge_week.a.store, lounge_week.b.store))
    assert (both["visits_greeted_in_time"], both["visits_greeted"]) == (4, 6)  # A: 5, 8, 12; B: 45
    assert both["greet_limit_seconds"] is None
    assert lounge.lounge_figures(scope_of(lounge_week.b.store))["visits_greeted_in_time"] == 1


def test_nothing_to_measure_gives_no_share_not_zero(world):
    figures = lounge.lounge_figures(scope_of(world.a.store))
    for key in ("greet_avg", "greet_p90", "greeted_in_time_share", "introduced_share", "refills_on_time_share"):
        assert figures[key] is None, key
    for key in ("response_avg_minutes", "score_avg", "rounds_on_time_share", "fix_avg_hours"):
        assert figures[key] is None, key
    assert figures["visits"] == 0
    assert figures["greet_limit_seconds"] == 60  # no settings saved: the default, and nothing is created
    assert not LoungeSettings.objects.exists()
