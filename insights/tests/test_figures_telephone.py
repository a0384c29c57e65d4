from datetime import date, timedelta

import pytest

from insights.figures import telephone as selectors
from insights.figures.base import FigureScope, period_containing
from tests.clock import at

from .helpers import WEDNESDAY, answered, call, message, missed, missed_callback

WEEK = period_containing("week", date(2026, 3, 11))


def scope_of(*stores, now=None, **kw) -> FigureScope:
    return FigureScope(
        store_ids=frozenset(s.pk for s in stores), period=WEEK, now=now or WEDNESDAY + timedelta(days=30), **kw
    )


def test_periods_are_the_day_the_monday_week_the_month_and_the_year_containing_the_date():
    assert period_containing("day", date(2026, 3, 11)).days == [date(2026, 3, 11)]
    year = period_containing("year", date(2026, 3, 11))
    assert (year.first, year.last, len(year.days)) == (date(2026, 1, 1), date(2026, 12, 31), 365)
    assert (WEEK.first, WEEK.last) == (date(2026, 3, 9), date(2026, 3, 15))
    month = period_containing("month", date(2026, 2, 14))
    assert (month.first, month.last) == (date(2026, 2, 1), date(2026, 2, 28))
    assert str(WEEK.start.tzinfo) == "Asia/Shanghai"


def test_period_bounds_are_midnight_in_shanghai(world):
    a = world.a
    call(a.store, started_at=at("2026-03-08 23:59"))  # Sunday before the week, Shanghai time
    inside = call(a.store, started_at=at("2026-03-09 00:01"))  # Monday 00:01 Shanghai is Sunday 16:01 UTC
    call(a.store, started_at=at("2026-03-16 00:00"))  # the next Monday
    figures = selectors.telephone_figures(scope_of(a.store))
    assert figures["calls"] == 1
    series = selectors.daily_series(scope_of(a.store))
    assert series["days"][0] == "2026-03-09"
    assert series["calls_in"] == [1, 0, 0, 0, 0, 0, 0]
    assert list(selectors.records(scope_of(a.store), "calls")) == [inside]


def test_ring_share_counts_the_answered_in_time_flag_at_the_3_ring_boundary(world):
    """S2.1: 14.9 s of ringing is within 3 rings, 15.0 s is the fourth ring; the flag decides."""
    a = world.a
    answered(a.store, a.staff, ring_seconds=14.9, in_time=True)
    answered(a.store, a.staff, ring_seconds=15.0, in_time=False)
    answered(a.store, a.staff, ring_seconds=None, in_time=None)  # no ring data: not measured
    missed(a.store)  # a missed call is not an answered one
    call(a.store, direction="out", answered_by=a.staff)  # outgoing calls have no rings to count
    figures = selectors.telephone_figures(scope_of(a.store))
    assert figures["answered"] == 2
    assert figures["answered_in_time"] == 1
    assert figures["answered_in_time_share"] == 50.0
    assert (figures["calls"], figures["calls_in"], figures["calls_out"], figures["missed"]) == (5, 4, 1, 1)


def test_no_answered_calls_gives_no_share_not_zero(world):
    figures = selectors.telephone_figures(scope_of(world.a.store))
    assert figures["answered_in_time_share"] is None
    assert figures["missed_callback_share"] is None
    assert figures["script_avg"] is None


def test_missed_calls_called_back_on_time_versus_late(world):
    """S2.10: kept on time over kept, late, broken and overdue-open ones due in the period."""
    a = world.a
    for _ in range(5):
        missed(a.store)
    missed_callback(a.store, a.staff, state="kept")
    missed_callback(a.store, a.staff, state="late")
    missed_callback(a.store, a.staff, state="broken")
    missed_callback(a.store, a.staff, due_at=at("2026-03-11 09:00"))  # open and overdue at `now`
    missed_callback(a.store, a.staff, due_at=at("2026-03-11 12:00"))  # open, not yet due at `now`: not counted
    missed_callback(a.store, a.staff, state="cancelled")  # cancelled: not counted
    missed_callback(a.store, a.staff, due_at=at("2026-03-20 09:00"), state="kept")  # due in another week
    scope = scope_of(a.store, now=at("2026-03-11 11:00"))
    figures = selectors.telephone_figures(scope)
    assert figures["missed"] == 5
    assert (figures["missed_callback_kept"], figures["missed_callback_due"]) == (1, 4)
    assert figures["missed_callback_share"] == 25.0
    assert selectors.daily_series(scope)["missed_callback_share"][2] == 25.0


def test_messages_asking_for_a_call_back_and_the_share_called_back_on_time(world):
    """S2.3: a message's call-back promise kept on time, kept late, broken or still open past due."""
    a = world.a
    message(a.store, for_user=a.staff, taken_by=a.supervisor, state="kept")
    message(a.store, for_user=a.staff, taken_by=a.supervisor, state="kept")
    message(a.store, for_user=a.staff, taken_by=a.supervisor, state="late")
    message(a.store, for_user=a.staff, taken_by=a.supervisor, state="open")  # overdue by `now`
    message(a.store, for_user=a.staff, taken_by=a.supervisor, callback_wanted=False)
    figures = selectors.telephone_figures(scope_of(a.store))
    assert figures["messages_callback"] == 4
    assert (figures["message_callback_kept"], figures["message_callback_due"]) == (2, 4)
    assert figures["message_callback_share"] == 50.0
    assert figures["promises_by_kind"] == [
        {"kind": "message_callback", "label": "给留言的来电者回电", "kept": 2, "due": 4, "share": 50.0}
    ]


def test_another_stores_records_are_not_counted(world):
    a, b = world.a, world.b
    answered(a.store, a.staff)
    for _ in range(3):
        answered(b.store, b.staff, in_time=False, script_score=40)
        missed(b.store)
    missed_callback(b.store, b.staff, state="kept")
    message(b.store, for_user=b.staff, taken_by=b.supervisor, state="kept")
    figures = selectors.telephone_figures(scope_of(a.store))
    assert (figures["calls"], figures["missed"], figures["answered_in_time_share"]) == (1, 0, 100.0)
    assert (figures["promises_due"], figures["messages_callback"], figures["script_avg"]) == (0, 0, None)
    assert [row["id"] for row in selectors.per_person(scope_of(a.store), {})] == [a.staff.pk]


def test_person_and_department_narrow_the_figures(world):
    a = world.a
    answered(a.store, a.staff, script_score=80)
    answered(a.store, a.staff, script_score=90, in_time=False)
    answered(a.store, a.supervisor, script_score=60)
    call(a.store, department=a.lounge, answered_by=a.manager, direction="out")
    missed_callback(a.store, a.staff, state="kept")
    missed_callback(a.store, a.supervisor, state="late")
    mine = selectors.telephone_figures(scope_of(a.store, person_id=a.staff.pk))
    assert (mine["calls"], mine["answered_in_time_share"], mine["script_avg"]) == (2, 50.0, 85.0)
    assert mine["missed_callback_share"] == 100.0
    cs = selectors.telephone_figures(scope_of(a.store, department_id=a.cs.pk))
    assert (cs["calls"], cs["missed_callback_due"], cs["script_avg"]) == (3, 2, 76.7)

    people = {row["id"]: row for row in selectors.per_person(scope_of(a.store), {a.staff.pk: "客服1"})}
    assert people[a.staff.pk]["name"] == "客服1"
    assert (people[a.staff.pk]["calls"], people[a.staff.pk]["missed_callback_kept"]) == (2, 1)
    assert (people[a.supervisor.pk]["calls"], people[a.supervisor.pk]["missed_callback_share"]) == (1, 0.0)
    departments = {row["id"]: row for row in selectors.per_department(scope_of(a.store), {})}
    assert (departments[a.cs.pk]["calls"], departments[a.cs.pk]["promises_due"]) == (3, 2)
    assert departments[a.lounge.pk]["calls_out"] == 1


@pytest.mark.parametrize("key", sorted(selectors.RECORD_KINDS))
def test_drill_down_lists_exactly_the_records_the_figure_counts(world, key):
    a, b = world.a, world.b
    for store, team in ((a.store, a), (b.store, b)):
        answered(store, team.staff, ring_seconds=14.9, in_time=True, script_score=70)
        answered(store, team.staff, ring_seconds=15.0, in_time=False)
        call(store, direction="out", answered_by=team.staff)
        missed(store)
        missed_callback(store, team.staff, state="kept")
        missed_callback(store, team.staff, state="late")
        missed_callback(store, team.staff, due_at=at("2026-03-11 12:00"))
        message(store, for_user=team.staff, taken_by=team.supervisor, state="kept")
        message(store, for_user=team.staff, taken_by=team.supervisor, state="broken")
    scope = scope_of(a.store, now=at("2026-03-11 11:00"))
    figures = selectors.telephone_figures(scope)
    found = list(selectors.records(scope, key))
    assert len(found) == figures[key]
    assert {record.store_id for record in found} <= {a.store.pk}
