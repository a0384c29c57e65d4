"""The lounge figures page and its records (S4.1–S4.11): roles, the store wall, drill-downs that agree
with the figures, bad input, and a query count that does not grow with the data."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checks.choices import RoundState
from insights.figures import lounge
from insights.views.lounge import detail_url
from tests.clock import at

from .lounge_helpers import NOW, fault, hygiene_round, make_lounge_week, refill_promise, request, serving, visit

PAGE = reverse("insights:lounge")
RECORDS = reverse("insights:lounge_records")
WEEK = {"period": "week", "date": "2026-03-11"}


@pytest.fixture(autouse=True)
def _friday_noon():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def lounge_week(world):
    return make_lounge_week(world)


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, {**WEEK, **params})


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(PAGE).status_code == 302
    assert client.get(RECORDS, {"figure": "visits"}).status_code == 302


@pytest.mark.parametrize("role", ["manager", "supervisor", "auditor"])
def test_every_role_with_view_sees_its_stores_figures(client, lounge_week, role):
    response = get(client, getattr(lounge_week.a, role), PAGE)
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures["visits"], figures["greet_avg"], figures["greet_p90"]) == (6, 23.2, 61)
    assert (figures["rounds_done"], figures["faults_open"]) == (4, 2)
    body = response.content.decode()
    assert 'id="insights-chart-data"' in body
    for script in ("vendor/echarts-5.6.0/echarts.min.js", "insights/charts.js", "insights/lounge.js"):
        assert script in body
    assert 'name="department"' not in body  # the lounge has no department filter
    assert {row["id"] for row in response.context["people"]} == {lounge_week.a.staff.pk, lounge_week.a.supervisor.pk}


def test_staff_see_their_own_figures_by_default_and_may_see_the_store_totals(client, lounge_week):
    a = lounge_week.a
    response = get(client, a.staff, PAGE)
    assert response.context["figures"]["visits"] == 3
    assert [row["id"] for row in response.context["people"]] == [a.staff.pk]
    totals = get(client, a.staff, PAGE, person="")
    assert totals.context["figures"]["visits"] == 6
    assert [row["id"] for row in totals.context["people"]] == [a.staff.pk]
    assert get(client, a.staff, PAGE, person=a.supervisor.pk).status_code == 404
    assert get(client, a.staff, RECORDS, figure="visits", person=a.supervisor.pk).status_code == 404
    mine = get(client, a.staff, RECORDS, figure="visits").context["page"]
    assert {v.greeted_by_id for v in mine} == {a.staff.pk}


def test_a_manager_picks_an_attendant(client, lounge_week):
    a = lounge_week.a
    response = get(client, a.manager, PAGE, person=a.supervisor.pk)
    assert (response.context["figures"]["visits"], response.context["figures"]["greet_p90"]) == (2, 61)
    listed = get(client, a.manager, RECORDS, figure="faults_fixed", person=a.supervisor.pk).context["page"]
    assert {f.fixed_by_id for f in listed} == {a.supervisor.pk}
    assert listed.paginator.count == 2


def test_a_store_b_user_never_sees_store_a_figures_or_records(client, lounge_week):
    a, b = lounge_week.a, lounge_week.b
    response = get(client, b.manager, PAGE)
    assert response.context["figures"]["visits"] == 1
    assert {row["id"] for row in response.context["people"]} == {b.staff.pk}
    assert get(client, b.manager, PAGE, store=a.store.pk).status_code == 404
    assert get(client, b.manager, PAGE, person=a.staff.pk).status_code == 404
    assert get(client, b.manager, PAGE, department=a.lounge.pk).status_code == 404
    assert get(client, b.manager, RECORDS, figure="visits", store=a.store.pk).status_code == 404
    assert get(client, b.manager, RECORDS, figure="visits", person=a.staff.pk).status_code == 404
    for key in lounge.RECORD_KINDS:
        listed = get(client, b.manager, RECORDS, figure=key).context["page"]
        assert {r.store_id for r in listed} <= {b.store.pk}, key
    page = get(client, a.manager, PAGE)
    for response in (page, *(get(client, a.manager, RECORDS, figure=key) for key in ("visits", "faults_open"))):
        body = response.content.decode()
        assert b.store.name not in body
        assert b.staff.name not in body


def test_group_admin_may_pick_one_store_or_see_all(client, lounge_week):
    admin = lounge_week.admin
    assert get(client, admin, PAGE).context["figures"]["visits"] == 7
    assert get(client, admin, PAGE, store=lounge_week.b.store.pk).context["figures"]["visits"] == 1


def test_every_figure_opens_to_exactly_the_records_it_counts(client, lounge_week):
    a = lounge_week.a
    figures = get(client, a.manager, PAGE).context["figures"]
    for key in lounge.RECORD_KINDS:
        response = get(client, a.manager, RECORDS, figure=key)
        assert response.status_code == 200, key
        assert response.context["page"].paginator.count == figures[key], key
        assert response.content.decode().count('data-testid="record-row"') == figures[key], key
    for row in figures["requests_by_kind"]:
        listed = get(client, a.manager, RECORDS, figure="requests", kind=row["kind"]).context["page"]
        assert listed.paginator.count == row["requests"]
        assert {r.kind for r in listed} == {row["kind"]}
    not_greeted = get(client, a.manager, RECORDS, figure="visits_not_greeted").context["page"]
    assert [v.greeted_at for v in not_greeted] == [None]
    in_time = get(client, a.manager, RECORDS, figure="requests_in_time").context["page"]
    assert sorted(r.response_minutes for r in in_time) == [2.0, 3.0]
    fixed = get(client, a.manager, RECORDS, figure="faults_fixed").context["page"]
    assert sorted(f.fix_hours for f in fixed) == [2.0, 3.0, 10.0]


def test_the_page_links_each_figure_to_its_records(client, lounge_week):
    body = get(client, lounge_week.a.manager, PAGE).content.decode()
    for key in lounge.RECORD_KINDS:
        assert f"figure={key}" in body, key


def test_records_link_to_each_records_own_page_when_it_exists(client, lounge_week):
    assert detail_url("lounge:no_such_page", visit_pk=1) == ""
    overdue = get(client, lounge_week.a.manager, RECORDS, figure="refills_overdue")
    promise = overdue.context["page"][0]
    assert promise.detail_url == reverse("promises:promise_detail", kwargs={"promise_pk": promise.pk})
    assert promise.detail_url in overdue.content.decode()
    for key, name, kwarg in (
        ("visits", "lounge:visit_detail", "visit_pk"),
        ("rounds_done", "checks:round_detail", "round_pk"),
        ("faults_open", "lounge:fault_detail", "fault_pk"),
    ):
        record = get(client, lounge_week.a.manager, RECORDS, figure=key).context["page"][0]
        assert record.detail_url == detail_url(name, **{kwarg: record.pk})


@pytest.mark.parametrize(
    "params",
    [
        {"figure": "nonsense"},
        {},
        {"figure": "requests", "kind": "nonsense"},
        {"figure": "visits", "kind": "help"},  # only requests come by kind
    ],
)
def test_unknown_figure_or_kind_is_not_found(client, lounge_week, params):
    assert get(client, lounge_week.a.manager, RECORDS, **params).status_code == 404


def test_bad_period_or_date_says_which_field_and_shows_the_current_week(client, lounge_week):
    response = get(client, lounge_week.a.manager, PAGE, date="2026-02-30", period="fortnight")
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"date", "period"}
    assert response.context["scope"].period.first.isoformat() == "2026-03-09"  # today's week (the clock is NOW)
    body = response.content.decode()
    assert all(str(error) in body for errors in form.errors.values() for error in errors)


def test_a_department_of_ones_own_store_is_ignored(client, lounge_week):
    a = lounge_week.a
    response = get(client, a.manager, PAGE, department=a.cs.pk)
    assert response.status_code == 200
    assert response.context["scope"].department_id is None
    assert response.context["figures"]["visits"] == 6
    assert "department=" not in response.context["query"]


def test_htmx_request_gets_only_the_figures_partial(client, lounge_week):
    client.force_login(lounge_week.a.manager)
    body = client.get(PAGE, WEEK, headers={"HX-Request": "true"}).content.decode()
    assert body.startswith('<div id="lounge-body"')
    assert "<html" not in body
    rows = client.get(RECORDS, {**WEEK, "figure": "visits"}, headers={"HX-Request": "true"}).content.decode()
    assert rows.startswith('<div id="records-rows"')


def test_chart_data_carries_the_daily_series(client, lounge_week):
    response = get(client, lounge_week.a.manager, PAGE)
    data = response.context["chart_data"]
    assert data["series"]["visits"] == [1, 0, 3, 2, 0, 0, 0]
    assert data["series"]["greet_p90"] == [5, None, 30, 61, None, None, None]
    assert set(data["labels"]) >= {"visits", "greet_avg", "greet_p90", "round_score", "rounds_on_time_share"}


def _queries(client, user, url, **params):
    client.force_login(user)
    client.get(url, {**WEEK, **params})  # warm up the session and caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {**WEEK, **params})
    assert response.status_code == 200
    return len(captured)


def _fill(world, n):
    """n of every lounge record in store A's week, by two attendants, over the seven days."""
    a = world.a
    for i in range(n):
        person = a.staff if i % 2 else a.supervisor
        day = 9 + i % 5  # Monday to Friday, before NOW
        v = visit(
            a.store,
            arrived_at=at(f"2026-03-{day:02d} 09:{i % 60:02d}"),
            greeted_by=person,
            greet_seconds=5 + i,
            first_visit=i % 3 == 0,
        )
        serving(v, served_by=person, on_time=i % 4 != 0)
        request(
            a.store,
            created_at=at(f"2026-03-{day:02d} 10:{i % 60:02d}"),
            answered_after=timedelta(minutes=i % 5),
            by=person,
        )
        hygiene_round(
            a.store,
            scheduled_for=at(f"2026-03-{day:02d} 08:00") + timedelta(minutes=i),
            by=person,
            on_time=True,
            score=90,
            failed=1,
        )
        hygiene_round(
            a.store, scheduled_for=at(f"2026-03-{day:02d} 06:00") + timedelta(minutes=i), state=RoundState.MISSED
        )
        fault(
            a.store,
            reported_at=at(f"2026-03-{day:02d} 09:00"),
            fixed_after=timedelta(hours=2),
            fixed_by=person,
            promise_hours=4,
        )
        fault(a.store, reported_at=at(f"2026-03-{day:02d} 09:00"), owner=person)
        refill_promise(a.store, person, due_at=at(f"2026-03-{day:02d} 11:{i % 60:02d}"), state="late")


@pytest.mark.parametrize(
    "url,params",
    [
        (PAGE, {}),
        (RECORDS, {"figure": "visits"}),
        (RECORDS, {"figure": "failed_items"}),
        (RECORDS, {"figure": "faults_fixed"}),
    ],
)
def test_query_count_does_not_grow_with_the_data(client, world, django_assert_max_num_queries, url, params):
    _fill(world, 5)
    few = _queries(client, world.a.manager, url, **params)
    _fill(world, 45)
    many = _queries(client, world.a.manager, url, **params)
    assert few == many
    with django_assert_max_num_queries(52):  # the rollups: one query per reader, and per kind of record one per source
        client.get(url, {**WEEK, **params})
