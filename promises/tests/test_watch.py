"""Which promises are mine to watch (promises.selectors.watched), on home, my promises and the bell (S1.4).

A store manager watches the store's, a supervisor their departments', a department desk's promise shows
to the department's members; never another store's.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from org.choices import Role
from promises import selectors, services
from tests.factories import make_user

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday, in business hours


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _make(store, title, *, owner=None, department=None, due_in=timedelta(hours=-1)):
    return services.promise_make(
        store=store, kind="missed_callback", rule_id="S2.10", title=title, owner=owner,
        owner_department=department, due_at=NOW + due_in, now=NOW - timedelta(hours=2),
    )  # fmt: skip


@pytest.fixture
def promises(world, clock):
    a, b = world.a, world.b
    lounge_member = make_user("lounge1", role=Role.STAFF, store=a.store, department=a.lounge, name="休息室1")
    made = {
        "staff": _make(a.store, "客服的回电", owner=a.staff),
        "cs_desk": _make(a.store, "客服部的回电", department=a.cs),
        "lounge_desk": _make(a.store, "休息室的续杯", department=a.lounge),
        "lounge_person": _make(a.store, "休息室1的迎宾", owner=lounge_member, due_in=timedelta(hours=3)),
        "b_staff": _make(b.store, "乙店的回电", owner=b.staff),
    }
    made["lounge_member"] = lounge_member
    return made


def _titles(promises) -> set[str]:
    return {p.title for p in promises}


def test_each_role_watches_its_own_and_its_teams_promises_within_its_store(world, promises):
    a = world.a
    manager = selectors.my_day(a.manager)
    assert manager["team"] == "store" and not manager["overdue"] and not manager["today"]
    assert _titles(manager["team_overdue"]) == {"客服的回电", "客服部的回电", "休息室的续杯"}
    assert _titles(manager["team_today"]) == {"休息室1的迎宾"}

    supervisor = selectors.my_day(a.supervisor)  # supervises 客服部, their own department
    assert _titles(supervisor["overdue"]) == {"客服部的回电"}  # the desk's promise: theirs to keep too
    assert supervisor["team"] == "departments"
    assert _titles(supervisor["team_overdue"]) == {"客服的回电"}
    assert not supervisor["team_today"]

    staff = selectors.my_day(a.staff)
    assert _titles(staff["overdue"]) == {"客服的回电", "客服部的回电"}
    assert staff["team"] == "" and not staff["team_overdue"]

    member = selectors.my_day(promises["lounge_member"])
    assert _titles(member["overdue"]) == {"休息室的续杯"} and _titles(member["today"]) == {"休息室1的迎宾"}

    assert _titles(selectors.my_day(a.auditor)["overdue"]) == set()
    # the store wall: store B's manager sees only store B's
    b_manager = selectors.my_day(world.b.manager)
    assert _titles(b_manager["team_overdue"]) == {"乙店的回电"}


def test_the_bell_counts_come_from_the_same_rule(world, promises):
    assert selectors.watch_counts(world.a.manager) == {"overdue": 0, "today": 0, "team_overdue": 3, "team": "store"}
    assert selectors.watch_counts(world.a.supervisor) == {
        "overdue": 1,
        "today": 0,
        "team_overdue": 1,
        "team": "departments",
    }
    assert selectors.watch_counts(world.a.staff) == {"overdue": 2, "today": 0, "team_overdue": 0, "team": ""}
    assert selectors.watch_counts(promises["lounge_member"])["today"] == 1
    assert selectors.watch_counts(world.b.manager)["team_overdue"] == 1


def test_a_kept_promise_leaves_the_lists(world, promises):
    services.promise_keep(promise=promises["cs_desk"], actor=world.a.staff, at=NOW)
    assert _titles(selectors.my_day(world.a.manager)["team_overdue"]) == {"客服的回电", "休息室的续杯"}
    assert selectors.my_day(world.a.staff)["kept_today"] == 1


def test_home_and_my_promises_show_mine_apart_from_my_stores(client, world, promises):
    client.force_login(world.a.manager)
    for url in (reverse("home"), reverse("promises:my_day")):
        body = client.get(url).content.decode()
        assert 'data-testid="team" data-team="store"' in body
        assert "客服部的回电" in body and "休息室的续杯" in body and "乙店的回电" not in body
    client.force_login(world.a.staff)
    body = client.get(reverse("promises:my_day")).content.decode()
    assert 'data-testid="team"' not in body
    assert "客服部的回电" in body and "休息室的续杯" not in body
    client.force_login(world.b.manager)
    body = client.get(reverse("home")).content.decode()
    assert "乙店的回电" in body and "客服的回电" not in body


def test_the_bell_shows_the_watched_counts(client, world, promises):
    client.force_login(world.a.manager)
    body = client.get(reverse("promises:bell")).content.decode()
    assert 'data-overdue="0" data-today="0" data-team-overdue="3"' in body
    client.force_login(world.b.staff)
    assert 'data-overdue="1"' in client.get(reverse("promises:bell")).content.decode()


@pytest.mark.parametrize("who", ["manager", "supervisor", "staff"])
def test_the_pages_keep_a_constant_number_of_queries(client, world, promises, who):
    user = getattr(world.a, who)
    client.force_login(user)
    counts = {}
    for round_ in range(2):
        if round_:
            for i in range(20):  # many more promises, of every kind of owner
                _make(world.a.store, f"更多{i}", owner=world.a.staff if i % 2 else None, department=world.a.cs)
        for url in (reverse("home"), reverse("promises:my_day"), reverse("promises:bell")):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.setdefault(url, []).append(len(captured))
    assert all(first == second for first, second in counts.values()), counts
