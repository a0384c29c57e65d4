"""Business-time due dates: opening hours, weekends, statutory holidays, make-up workdays (调休), closures."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from org.business_time import DayHours, StoreCalendar, is_holiday_break, is_makeup_workday
from tests.clock import at

TZ = ZoneInfo("Asia/Shanghai")
NINE_TO_SIX = DayHours(time(8, 30), time(18, 0))


class Store:
    open_on_public_holidays = False


def calendar(days=range(7), closures=(), open_on_holidays=False):
    store = Store()
    store.open_on_public_holidays = open_on_holidays
    return StoreCalendar(store, hours={d: NINE_TO_SIX for d in days}, closures=set(closures))


def test_two_business_hours_at_half_past_five_on_friday_land_on_saturday_morning_when_open():
    """2026-11-27 is a Friday; a 4S store open all week continues on Saturday at 08:30."""
    assert calendar().add(at("2026-11-27 17:30"), 2 * 3600) == at("2026-11-28 10:00")


def test_and_on_monday_morning_when_closed_at_weekends():
    assert calendar(days=range(5)).add(at("2026-11-27 17:30"), 2 * 3600) == at("2026-11-30 10:00")


def test_before_opening_the_clock_starts_at_opening():
    assert calendar().add(at("2026-11-30 07:00"), 30 * 60) == at("2026-11-30 09:00")


def test_national_day_week_is_skipped_including_its_weekend():
    """S2.10-style call-back made on the evening before National Day (2026-10-01 … 10-07)."""
    assert is_holiday_break(datetime(2026, 10, 4).date())  # a Sunday inside the break
    assert calendar().add(at("2026-09-30 17:00"), 2 * 3600) == at("2026-10-08 09:30")


def test_a_make_up_workday_opens_a_store_otherwise_closed_at_weekends():
    """2026-10-10 is a Saturday worked in exchange (调休)."""
    assert is_makeup_workday(datetime(2026, 10, 10).date())
    assert calendar(days=range(5)).add(at("2026-10-09 17:00"), 2 * 3600) == at("2026-10-10 09:30")


def test_store_open_on_holidays_keeps_its_clock_running():
    assert calendar(open_on_holidays=True).add(at("2026-09-30 17:00"), 2 * 3600) == at("2026-10-01 09:30")


def test_the_stores_own_closure_days_are_skipped():
    cal = calendar(closures=[datetime(2026, 11, 28).date()])
    assert cal.add(at("2026-11-27 17:30"), 2 * 3600) == at("2026-11-29 10:00")


def test_elapsed_is_the_inverse_of_add():
    cal = calendar(days=range(5))
    start = at("2026-09-30 16:00")
    end = cal.add(start, 5 * 3600)
    assert cal.elapsed(start, end) == pytest.approx(5 * 3600)


def test_a_store_without_hours_falls_back_to_wall_clock():
    cal = StoreCalendar(Store(), hours={}, closures=set())
    assert cal.add(at("2026-11-27 17:30"), 3600) == at("2026-11-27 18:30")


def test_calendar_reads_the_store_records(world):
    world.a.store.closures.create(date="2026-11-28", reason="盘点")
    cal = StoreCalendar(world.a.store)
    assert cal.add(at("2026-11-27 17:30"), 2 * 3600) == at("2026-11-29 10:00")
