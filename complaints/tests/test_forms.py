"""complaints.forms: the reply-time presets run in the store's business hours (S2.6)."""

from datetime import datetime

from complaints.choices import ReplyPreset
from complaints.forms import reply_preset_times, reply_time_from_preset
from org.models import StoreClosure
from tests.clock import at

LATE = at("2026-11-30 23:32")  # a Monday night; the store closed at 18:00


def test_presets_at_a_late_hour_run_from_the_next_opening(world):
    """At 23:32, closed since 18:00: 2 business hours are 10:30 the next morning, not 01:32."""
    store = world.a.store
    assert reply_time_from_preset("2h", None, store=store, now=LATE) == at("2026-12-01 10:30")
    assert reply_time_from_preset("today_18", None, store=store, now=LATE) == at("2026-12-01 18:00")
    assert reply_time_from_preset("tomorrow_12", None, store=store, now=LATE) == at("2026-12-01 12:00")
    # 24 hours from 23:32 is 23:32 tomorrow, closed: the last open moment before it, 18:00
    assert reply_time_from_preset("24h", None, store=store, now=LATE) == at("2026-12-01 18:00")


def test_presets_in_open_hours_and_across_a_closure_day(world):
    store = world.a.store
    assert reply_time_from_preset("2h", None, store=store, now=at("2026-11-30 17:00")) == at("2026-12-01 09:30")
    assert reply_time_from_preset("2h", None, store=store, now=at("2026-11-30 10:00")) == at("2026-11-30 12:00")
    assert reply_time_from_preset("today_18", None, store=store, now=at("2026-11-30 10:00")) == at("2026-11-30 18:00")
    assert reply_time_from_preset("24h", None, store=store, now=at("2026-11-30 10:00")) == at("2026-12-01 10:00")
    StoreClosure.objects.create(store=store, date=datetime(2026, 12, 1).date(), reason="盘点")
    assert reply_time_from_preset("tomorrow_12", None, store=store, now=at("2026-11-30 10:00")) == at(
        "2026-12-02 12:00"
    )
    assert reply_time_from_preset("2h", None, store=store, now=LATE) == at("2026-12-02 10:30")


def test_custom_time_is_taken_as_given_and_an_unknown_preset_gives_nothing(world):
    custom = at("2026-12-02 15:00")
    assert reply_time_from_preset("custom", custom, store=world.a.store, now=LATE) == custom
    assert reply_time_from_preset("bogus", custom, store=world.a.store, now=LATE) is None
    assert set(reply_preset_times(world.a.store, now=LATE)) == set(ReplyPreset.values) - {"custom"}
