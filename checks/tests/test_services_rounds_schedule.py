"""The schedule of rounds (S4.6–S4.10): one round per slot of business hours, a clock each, missed ones marked.

The test stores open 08:30–18:00 every day (tests/factories.py); the lounge area is hourly, due within 30 minutes.
"""

import pytest
import time_machine
from django.db import IntegrityError, transaction

from checks.choices import RoundState
from checks.models import Round
from checks.services import rounds
from promises.choices import PromiseState
from promises.services import WORKER_JOBS, worker_tick
from tests.clock import at

from .helpers import lounge


def _schedule(now: str) -> int:
    with time_machine.travel(at(now), tick=False):
        return rounds.rounds_schedule()


def test_the_worker_runs_the_schedule(world):
    assert ("checks_rounds", rounds.rounds_schedule) in WORKER_JOBS.items()
    _template, area = lounge(world.a)
    with time_machine.travel(at("2026-11-30 08:31"), tick=False):
        done = worker_tick()
    assert done["checks_rounds"] == 1
    assert Round.objects.filter(area=area).count() == 1


def test_no_round_before_opening_then_the_opening_slot_with_its_clock(world):
    """Monday 30 Nov 2026: nothing at 08:00; at 08:30 the first round, due 09:00, owned by the lounge desk."""
    _template, area = lounge(world.a)
    assert _schedule("2026-11-30 08:00") == 0
    assert _schedule("2026-11-30 08:30") == 1
    round = Round.objects.get()
    assert round.scheduled_for == at("2026-11-30 08:30") and round.due_at == at("2026-11-30 09:00")
    assert round.state == RoundState.OPEN and round.template_name == area.template.name
    promise = round.promise
    assert (promise.kind, promise.owner_department, promise.due_at) == ("check_round", world.a.lounge, round.due_at)
    assert promise.rule_id == "S4.6" and promise.url == f"/checks/rounds/{round.pk}/"


def test_scheduling_is_idempotent(world):
    lounge(world.a)
    assert _schedule("2026-11-30 08:31") == 1
    assert _schedule("2026-11-30 08:45") == 0
    assert _schedule("2026-11-30 08:59") == 0
    assert Round.objects.count() == 1


def test_a_second_worker_making_the_same_round_is_skipped(world):
    """Two workers at once: the unique (area, slot) refuses the second round, which is skipped quietly."""
    _template, area = lounge(world.a)
    _schedule("2026-11-30 08:31")
    made = rounds._schedule_area(area, at("2026-11-30 08:30"), "S4.6", at("2026-11-30 08:32"))
    assert made is None and Round.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # the constraint this relies on
        Round.objects.create(store=world.a.store, area=area, template_name="x", scheduled_for=at("2026-11-30 08:30"))


def test_earlier_open_round_is_missed_when_the_next_slot_begins(world):
    lounge(world.a)
    _schedule("2026-11-30 08:31")
    assert _schedule("2026-11-30 09:29") == 0  # the next slot has not begun: still to do (overdue)
    assert Round.objects.get().state == RoundState.OPEN
    assert _schedule("2026-11-30 09:31") == 2  # the 09:30 round made, the 08:30 one missed
    first, second = Round.objects.order_by("scheduled_for")
    assert first.state == RoundState.MISSED and second.state == RoundState.OPEN
    first.promise.refresh_from_db()
    assert first.promise.state == PromiseState.BROKEN
    assert _schedule("2026-11-30 09:40") == 0  # marking missed is idempotent too


def test_a_done_round_is_never_missed(world):
    from .helpers import answers_all_pass

    lounge(world.a)
    _schedule("2026-11-30 08:31")
    round = Round.objects.get()
    rounds.round_start(actor=world.a.staff, round=round, now=at("2026-11-30 08:40"))
    rounds.round_submit(actor=world.a.staff, round=round, answers=answers_all_pass(round), now=at("2026-11-30 08:50"))
    _schedule("2026-11-30 09:31")
    round.refresh_from_db()
    assert round.state == RoundState.DONE and round.on_time is True


def test_a_slot_already_past_its_due_time_is_not_made_afterwards(world):
    lounge(world.a)
    assert _schedule("2026-11-30 09:05") == 0  # the 08:30 slot was due at 09:00
    assert not Round.objects.exists()


def test_closing_time_and_the_next_morning(world):
    """The 17:30 round is the day's last; after 18:00 none is made; it is missed when the store opens again."""
    lounge(world.a)
    assert _schedule("2026-11-30 17:31") == 1
    assert _schedule("2026-11-30 18:00") == 0
    assert _schedule("2026-11-30 23:00") == 0
    last = Round.objects.get()
    assert last.scheduled_for == at("2026-11-30 17:30") and last.state == RoundState.OPEN
    assert _schedule("2026-12-01 08:29") == 0
    assert _schedule("2026-12-01 08:30") == 2
    last.refresh_from_db()
    assert last.state == RoundState.MISSED
    assert Round.objects.filter(scheduled_for=at("2026-12-01 08:30")).exists()


def test_no_rounds_on_a_holiday_unless_the_store_opens(world):
    """National Day (1 Oct 2026) is a statutory holiday: a store closed on holidays has no rounds."""
    lounge(world.a)
    assert _schedule("2026-10-01 10:31") == 0
    world.a.store.open_on_public_holidays = True
    world.a.store.save(update_fields=["open_on_public_holidays"])
    assert _schedule("2026-10-01 10:31") == 1
    assert Round.objects.get().scheduled_for == at("2026-10-01 10:30")


def test_store_closure_day_has_no_rounds(world):
    lounge(world.a)
    world.a.store.closures.create(date="2026-11-30", reason="盘点")
    assert _schedule("2026-11-30 10:31") == 0


def test_inactive_areas_and_templates_without_items_are_not_scheduled(world):
    template, area = lounge(world.a)
    area.active = False
    area.save(update_fields=["active"])
    assert _schedule("2026-11-30 10:31") == 0
    area.active = True
    area.save(update_fields=["active"])
    template.items.all().delete()
    assert _schedule("2026-11-30 10:31") == 0


def test_slots_follow_the_area_interval_from_opening_time(world):
    _template, area = lounge(world.a)
    area.every_minutes = 90
    area.save(update_fields=["every_minutes"])
    assert _schedule("2026-11-30 10:05") == 1
    assert Round.objects.get().scheduled_for == at("2026-11-30 10:00")  # 08:30, 10:00, 11:30 …


def test_each_store_has_its_own_rounds(world):
    lounge(world.a)
    lounge(world.b)
    assert _schedule("2026-11-30 08:31") == 2
    assert set(Round.objects.values_list("store_id", flat=True)) == {world.a.store.pk, world.b.store.pk}
