"""The home page of those who answer for a check of people (S6 grooming, S1.D3 desk) shows the ones not done: the
store's managers, auditors and group administrators, and the supervisor of the department. The clock is frozen."""

import pytest
import time_machine

from checks.choices import RoundState
from checks.models import Round
from checks.services.rounds import rounds_schedule
from checks.tests.helpers import grooming
from tests.clock import at

pytestmark = pytest.mark.django_db


def _missed_grooming_check(world):
    """Store A's customer-service grooming check of Monday 30 November, never done: missed after closing."""
    grooming(world.a)
    with time_machine.travel(at("2026-11-30 08:00"), tick=False):
        rounds_schedule()
    with time_machine.travel(at("2026-11-30 19:00"), tick=False):
        rounds_schedule()
    return Round.objects.get(store=world.a.store)


def _section(client, user) -> str:
    client.force_login(user)
    with time_machine.travel(at("2026-12-01 09:00"), tick=False):
        body = client.get("/").content.decode()
    return body


def test_a_missed_grooming_check_shows_to_the_manager_auditor_and_supervisor(client, world):
    round = _missed_grooming_check(world)
    assert round.state == RoundState.MISSED
    world.a.supervisor.supervised_departments.add(world.a.cs)
    for user in (world.a.manager, world.a.auditor, world.admin, world.a.supervisor):
        body = _section(client, user)
        assert 'data-testid="missed-checks"' in body, user
        assert f'href="/checks/rounds/{round.pk}/"' in body, user


def test_staff_another_department_s_supervisor_and_another_store_see_none(client, world):
    _missed_grooming_check(world)
    for user in (world.a.staff, world.b.manager, world.b.supervisor):
        assert 'data-testid="missed-checks"' not in _section(client, user), user


def test_a_check_done_on_time_is_not_shown(client, world):
    grooming(world.a)
    with time_machine.travel(at("2026-11-30 08:00"), tick=False):
        rounds_schedule()
    Round.objects.update(state=RoundState.DONE, on_time=True)
    assert 'data-testid="missed-checks"' not in _section(client, world.a.manager)
