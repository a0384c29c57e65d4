"""S1.D2 on the home page: the person's carried-over promises first the next morning; counts for supervisors and
managers."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from conduct.models import CarryOver
from promises.choices import PromiseKind, PromiseState
from promises.models import Promise
from tests.clock import at

MORNING = at("2026-11-28 08:40")


def _carried(sw, person, *, day=date(2026, 11, 27), state=PromiseState.OPEN, title="回电王先生") -> CarryOver:
    promise = Promise.objects.create(
        store=sw.store,
        kind=PromiseKind.MESSAGE_CALLBACK,
        rule_id="S2.3",
        title=title,
        owner=person,
        due_at=at(f"{day:%Y-%m-%d} 10:00"),
        state=state,
    )
    return CarryOver.objects.create(
        store=sw.store, day=day, promise=promise, owner=person, owner_department=person.department
    )


def _home(client, user):
    client.force_login(user)
    with time_machine.travel(MORNING, tick=False):
        return client.get(reverse("home"))


def test_the_person_sees_their_carried_over_promises_first(client, world):
    """S1.D2: the section is at the top, lists the still-open carried-over promise with its link, not the kept one."""
    carried = _carried(world.a, world.a.staff)
    _carried(world.a, world.a.staff, state=PromiseState.LATE, title="已处理")
    body = _home(client, world.a.staff).content.decode()
    assert 'data-testid="carried-over"' in body
    assert body.index('data-testid="carried-over"') < body.index('data-testid="my-day"')
    assert reverse("promises:promise_detail", args=[carried.promise.pk]) in body
    assert "回电王先生" in body and "已处理" not in body
    assert body.count('data-testid="carried-over-item"') == 1


def test_no_section_without_carried_over_work(client, world):
    _carried(world.b, world.b.staff)  # another store's, another person's
    body = _home(client, world.a.staff).content.decode()
    assert 'data-testid="carried-over"' not in body
    assert 'data-testid="carried-over-counts"' not in body


def test_a_supervisor_sees_the_count_for_their_departments(client, world):
    """S1.D2: the supervisor of customer service sees its count for the last day, linked to the records."""
    _carried(world.a, world.a.staff)
    _carried(world.a, world.a.staff, title="第二件")
    _carried(world.b, world.b.staff)
    response = _home(client, world.a.supervisor)
    counts = response.context["carried_over_counts"]
    assert counts["day"] == date(2026, 11, 27) and counts["total"] == 2
    assert [row["id"] for row in counts["rows"]] == [world.a.cs.pk]
    body = response.content.decode()
    assert f"figure=carry_overs&amp;period=day&amp;date=2026-11-27&amp;department={world.a.cs.pk}" in body


@pytest.mark.parametrize("who", ["manager", "auditor"])
def test_a_manager_or_auditor_sees_the_store_s_count(client, world, who):
    _carried(world.a, world.a.staff)
    _carried(world.b, world.b.staff)
    counts = _home(client, getattr(world.a, who)).context["carried_over_counts"]
    assert [(row["id"], row["count"]) for row in counts["rows"]] == [(world.a.store.pk, 1)]


def test_a_group_admin_sees_each_store(client, world):
    _carried(world.a, world.a.staff)
    _carried(world.b, world.b.staff)
    counts = _home(client, world.admin).context["carried_over_counts"]
    assert {row["id"] for row in counts["rows"]} == {world.a.store.pk, world.b.store.pk}


def test_staff_see_no_team_count(client, world):
    _carried(world.a, world.a.supervisor)
    assert _home(client, world.a.staff).context["carried_over_counts"] is None


def test_the_supervisor_s_count_opens_to_the_same_records(client, world):
    """S1.D2: the count links to the records behind it, the desk's carried-over promise included."""
    _carried(world.a, world.a.staff)
    desk = _carried(world.a, world.a.staff, title="客服部回电")
    desk.owner = None
    desk.save()
    counts = _home(client, world.a.supervisor).context["carried_over_counts"]
    assert counts["total"] == 2
    response = client.get(
        reverse("insights:people_records"),
        {"figure": "carry_overs", "period": "day", "date": "2026-11-27", "department": world.a.cs.pk},
    )
    assert response.context["page"].paginator.count == 2
