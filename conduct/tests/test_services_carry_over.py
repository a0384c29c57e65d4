"""S1.D2 "today's work finished today": promises still open at a store's closing are carried over.

The test stores open 08:30–18:00 every day (tests/factories.py), except China's statutory holiday breaks.
"""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conduct.models import CarryOver
from conduct.services import carry_over
from org.models import StoreClosure
from promises.choices import PromiseKind, PromiseState
from promises.models import Promise
from promises.services import WORKER_JOBS, worker_tick
from tests.clock import at


def _promise(sw, due: str, *, owner=None, department=None, state=PromiseState.OPEN, **extra) -> Promise:
    return Promise.objects.create(
        store=sw.store,
        kind=PromiseKind.MESSAGE_CALLBACK,
        rule_id="S2.3",
        title=f"回电 {due}",
        owner=owner,
        owner_department=department,
        due_at=at(due),
        state=state,
        **extra,
    )


def _count(now: str) -> int:
    with time_machine.travel(at(now), tick=False):
        return carry_over.carry_overs_count()


def test_the_worker_runs_the_count(world):
    """S1.D2: the job is one of the worker's."""
    assert ("carry_overs_count", carry_over.carry_overs_count) in WORKER_JOBS.items()
    _promise(world.a, "2026-11-27 10:00", owner=world.a.staff)
    with time_machine.travel(at("2026-11-27 18:05"), tick=False):
        assert worker_tick()["carry_overs_count"] == 1


def test_nothing_is_carried_over_before_closing_then_the_open_promises_are(world):
    """S1.D2: at 17:59 the day is not over; at closing the open promise due that day is carried over, with its
    owner and the owner's department; kept, cancelled, broken and paused ones are not."""
    staff = world.a.staff
    open_one = _promise(world.a, "2026-11-27 10:00", owner=staff)
    _promise(world.a, "2026-11-27 11:00", owner=staff, state=PromiseState.KEPT, kept_at=at("2026-11-27 10:30"))
    _promise(world.a, "2026-11-27 11:00", owner=staff, state=PromiseState.CANCELLED)
    _promise(world.a, "2026-11-27 11:00", owner=staff, state=PromiseState.BROKEN)
    _promise(world.a, "2026-11-27 11:00", owner=staff, paused_at=at("2026-11-27 09:00"))
    assert _count("2026-11-27 17:59") == 0
    assert _count("2026-11-27 18:00") == 1
    carried = CarryOver.objects.get()
    assert (carried.day, carried.promise, carried.owner, carried.owner_department) == (
        date(2026, 11, 27),
        open_one,
        staff,
        world.a.cs,
    )
    assert carried.store == world.a.store


def test_a_promise_kept_after_closing_was_still_carried_over(world):
    """S1.D2: a worker that runs late still counts a promise that was open at closing and kept in the evening."""
    _promise(world.a, "2026-11-27 10:00", owner=world.a.staff, state=PromiseState.LATE, kept_at=at("2026-11-27 19:00"))
    assert _count("2026-11-27 20:00") == 1


def test_a_department_promise_is_the_department_s(world):
    _promise(world.a, "2026-11-27 10:00", department=world.a.lounge)
    _count("2026-11-27 18:30")
    carried = CarryOver.objects.get()
    assert carried.owner is None and carried.owner_department == world.a.lounge


def test_counting_again_writes_nothing_more(world):
    """S1.D2: idempotent — the unique promise and day."""
    _promise(world.a, "2026-11-27 10:00", owner=world.a.staff)
    _promise(world.b, "2026-11-27 10:00", owner=world.b.staff)
    assert _count("2026-11-27 18:30") == 2
    assert _count("2026-11-27 18:35") == 0
    assert _count("2026-11-28 09:00") == 0
    assert CarryOver.objects.count() == 2


def test_a_promise_due_in_the_evening_is_the_next_business_day_s_work(world):
    """S1.D2: due after closing, it is carried over only if still open at the next day's closing."""
    promise = _promise(world.a, "2026-11-27 20:00", owner=world.a.staff)
    assert _count("2026-11-27 23:00") == 0
    assert _count("2026-11-28 18:01") == 1
    assert CarryOver.objects.get().day == date(2026, 11, 28) and CarryOver.objects.get().promise == promise


def test_a_closed_day_carries_nothing_over_and_its_work_is_the_next_day_s(world):
    """S1.D2: the store's own closure (Saturday 28 Nov): nothing is carried over that day; a promise due then
    is Sunday's work."""
    StoreClosure.objects.create(store=world.a.store, date=date(2026, 11, 28), reason="盘点")
    _promise(world.a, "2026-11-28 10:00", owner=world.a.staff)
    assert _count("2026-11-28 19:00") == 0
    assert _count("2026-11-29 18:00") == 1
    assert CarryOver.objects.get().day == date(2026, 11, 29)


def test_a_statutory_holiday_carries_nothing_over(world):
    """S1.D2: New Year's Day 2027 (Friday) and the weekend of its break are closed; Monday 4 Jan is the day."""
    _promise(world.a, "2027-01-01 10:00", owner=world.a.staff)
    assert _count("2027-01-03 20:00") == 0
    assert _count("2027-01-04 18:00") == 1
    assert CarryOver.objects.get().day == date(2027, 1, 4)


def test_days_the_worker_missed_are_caught_up(world):
    """S1.D2: the machine was off from Wednesday to Saturday morning: each missed day is counted once."""
    for day in ("2026-11-25", "2026-11-26", "2026-11-27"):
        _promise(world.a, f"{day} 10:00", owner=world.a.staff)
    _promise(world.a, "2026-11-10 10:00", owner=world.a.staff)  # before the catch-up window
    assert _count("2026-11-28 08:00") == 3
    assert sorted(CarryOver.objects.values_list("day", flat=True)) == [
        date(2026, 11, 25),
        date(2026, 11, 26),
        date(2026, 11, 27),
    ]


def test_two_workers_at_the_same_moment_write_each_carry_over_once(world, monkeypatch):
    """S1.D2: a second worker writes the same carry-overs between the first one's read and its write: the
    unique (promise, day) keeps one, and neither fails."""
    _promise(world.a, "2026-11-27 10:00", owner=world.a.staff)
    real = carry_over._store_carry_overs
    calls = []

    def racing(store, now):
        found = real(store, now)
        if not calls:
            calls.append(store)
            monkeypatch.setattr(carry_over, "_store_carry_overs", real)
            carry_over.carry_overs_count(now=now)  # the other worker, all the way through
        return found

    monkeypatch.setattr(carry_over, "_store_carry_overs", racing)
    with time_machine.travel(at("2026-11-27 18:30"), tick=False):
        carry_over.carry_overs_count()
    assert CarryOver.objects.count() == 1


@pytest.mark.parametrize("more", [0, 5])
def test_the_count_asks_as_much_for_many_promises_as_for_one(world, more):
    """S1.D2: a constant number of queries per store, whatever the number of promises."""
    _promise(world.a, "2026-11-27 10:00", owner=world.a.staff)
    baseline = _queries_for_one(world)
    for n in range(more):
        _promise(world.a, f"2026-11-26 1{n}:00", owner=world.a.supervisor)
    CarryOver.objects.all().delete()
    assert _queries_for_one(world) == baseline


def _queries_for_one(world) -> int:
    CarryOver.objects.all().delete()
    with time_machine.travel(at("2026-11-27 18:30"), tick=False), CaptureQueriesContext(connection) as queries:
        carry_over.carry_overs_count()
    return len(queries)
