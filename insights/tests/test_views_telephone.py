import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.clock import at

from .helpers import answered, call, message, missed, missed_callback

PAGE = reverse("insights:telephone")
RECORDS = reverse("insights:telephone_records")
WEEK = {"period": "week", "date": "2026-03-11"}


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, {**WEEK, **params})


@pytest.fixture
def calls(world):
    """Store A: 3 calls (one missed); store B: 7 calls (four missed)."""
    a, b = world.a, world.b
    answered(a.store, a.staff, ring_seconds=14.9, in_time=True)
    answered(a.store, a.supervisor, ring_seconds=15.0, in_time=False)
    missed(a.store, department=a.cs)
    missed_callback(a.store, a.staff, state="kept")
    for _ in range(3):
        answered(b.store, b.staff)
    for _ in range(4):
        missed(b.store)
    missed_callback(b.store, b.staff, state="late")
    return world


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(PAGE).status_code == 302
    assert client.get(RECORDS, {"figure": "calls"}).status_code == 302


@pytest.mark.parametrize("role", ["manager", "supervisor", "auditor"])
def test_every_role_with_view_sees_its_stores_figures(client, calls, role):
    response = get(client, getattr(calls.a, role), PAGE)
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures["calls"], figures["missed"], figures["answered_in_time_share"]) == (3, 1, 50.0)
    assert figures["missed_callback_share"] == 100.0
    assert 'id="insights-chart-data"' in response.content.decode()
    assert "vendor/echarts-5.6.0/echarts.min.js" in response.content.decode()


def test_staff_see_their_own_row_by_default_and_may_see_the_store_totals(client, calls):
    a = calls.a
    response = get(client, a.staff, PAGE)
    assert response.context["figures"]["calls"] == 1
    assert [row["id"] for row in response.context["people"]] == [a.staff.pk]
    totals = get(client, a.staff, PAGE, person="")
    assert totals.context["figures"]["calls"] == 3
    assert [row["id"] for row in totals.context["people"]] == [a.staff.pk]
    assert get(client, a.staff, PAGE, person=a.supervisor.pk).status_code == 404


def test_a_store_b_user_never_sees_store_a_figures_or_records(client, calls):
    a, b = calls.a, calls.b
    response = get(client, b.manager, PAGE)
    assert response.context["figures"]["calls"] == 7
    assert {row["id"] for row in response.context["people"]} <= {b.staff.pk, None}
    assert get(client, b.manager, PAGE, store=a.store.pk).status_code == 404
    assert get(client, b.manager, PAGE, department=a.cs.pk).status_code == 404
    assert get(client, b.manager, PAGE, person=a.staff.pk).status_code == 404
    assert get(client, b.manager, RECORDS, figure="calls", store=a.store.pk).status_code == 404
    listed = get(client, b.manager, RECORDS, figure="calls")
    assert {c.store_id for c in listed.context["page"]} == {b.store.pk}
    # store A's manager sees only store A: no figure, name or record of store B on any page
    page = get(client, a.manager, PAGE)
    assert page.context["figures"]["calls"] == 3
    for response in (page, *(get(client, a.manager, RECORDS, figure=key) for key in ("calls", "promises_due"))):
        body = response.content.decode()
        assert b.store.name not in body
        assert b.staff.name not in body
    assert get(client, a.manager, PAGE, store=b.store.pk).status_code == 404


def test_group_admin_may_pick_one_store_or_see_all(client, calls):
    admin = calls.admin
    assert get(client, admin, PAGE).context["figures"]["calls"] == 10
    assert get(client, admin, PAGE, store=calls.b.store.pk).context["figures"]["calls"] == 7


def test_records_drill_down_lists_the_records_behind_each_figure(client, calls):
    a = calls.a
    page = get(client, a.manager, PAGE).context
    for key in ("calls", "missed", "answered", "answered_in_time", "missed_callback_kept", "missed_callback_due"):
        response = get(client, a.manager, RECORDS, figure=key)
        assert response.status_code == 200
        assert response.context["page"].paginator.count == page["figures"][key], key
    missed_calls = get(client, a.manager, RECORDS, figure="missed").context["page"]
    assert [c.missed for c in missed_calls] == [True]
    in_time = get(client, a.manager, RECORDS, figure="answered_in_time").context["page"]
    assert [c.ring_seconds for c in in_time] == [14.9]
    mine = get(client, a.manager, RECORDS, figure="calls", person=a.supervisor.pk).context["page"]
    assert [c.answered_by_id for c in mine] == [a.supervisor.pk]
    assert get(client, a.manager, RECORDS, figure="nonsense").status_code == 404


def test_message_and_promise_records_render(client, calls):
    a = calls.a
    message(a.store, for_user=a.staff, taken_by=a.supervisor, state="kept")
    for key in ("messages_callback", "message_callback_kept", "promises_due"):
        response = get(client, a.manager, RECORDS, figure=key)
        assert response.status_code == 200
        assert response.context["page"].paginator.count == (2 if key == "promises_due" else 1), key
    by_kind = get(client, a.manager, RECORDS, figure="promises_due", kind="missed_callback")
    assert by_kind.context["page"].paginator.count == 1


def test_htmx_request_gets_only_the_figures_partial(client, calls):
    client.force_login(calls.a.manager)
    response = client.get(PAGE, WEEK, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.startswith('<div id="telephone-body"')
    assert "<html" not in body


def test_complaint_figures_come_from_the_complaint_figures(client, calls, monkeypatch):
    from insights.figures import complaints
    from insights.figures.base import Figure

    monkeypatch.setattr(complaints, "complaint_figures", lambda scope: [])
    response = get(client, calls.a.manager, PAGE)
    assert response.context["complaint_figures"] == []
    assert 'data-testid="complaint-figures"' not in response.content.decode()
    monkeypatch.setattr(complaints, "complaint_figures", lambda scope: [Figure("x", "X", 7)])
    response = get(client, calls.a.manager, PAGE)
    assert [f.value for f in response.context["complaint_figures"]] == [7]


def _queries(client, user, url, **params):
    client.force_login(user)
    client.get(url, {**WEEK, **params})  # warm up the session and caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {**WEEK, **params})
    assert response.status_code == 200
    return len(captured)


def _fill(store, team, n):
    for i in range(n):
        answered(
            store,
            team.staff if i % 2 else team.supervisor,
            started_at=at(f"2026-03-{9 + i % 7:02d} 09:{i % 60:02d}"),
            script_score=80,
        )
        missed(store, started_at=at(f"2026-03-{9 + i % 7:02d} 11:00"))
        call(store, direction="out", answered_by=team.staff, started_at=at(f"2026-03-{9 + i % 7:02d} 15:00"))
        missed_callback(
            store, team.staff, due_at=at(f"2026-03-{9 + i % 7:02d} 12:00"), state="kept" if i % 3 else "late"
        )


@pytest.mark.parametrize(
    "url,params", [(PAGE, {}), (RECORDS, {"figure": "calls"}), (RECORDS, {"figure": "promises_due"})]
)
def test_query_count_does_not_grow_with_the_data(client, world, django_assert_max_num_queries, url, params):
    a = world.a
    _fill(a.store, a, 5)
    few = _queries(client, a.manager, url, **params)
    _fill(a.store, a, 45)
    many = _queries(client, a.manager, url, **params)
    assert few == many
    with django_assert_max_num_queries(32):  # the rollups add one query per reader and one per source
        client.get(url, {**WEEK, **params})


def test_promise_kinds_read_as_their_labels_in_the_readers_language(client, calls):
    """The figures name each kind of promise (S1.4) as staff know it, never its code (`missed_callback`)."""
    a = calls.a
    client.force_login(a.manager)
    body = client.get(PAGE, WEEK, headers={"Accept-Language": "zh-hans"}).content.decode()
    assert ">回拨未接或中断的来电</td>" in body
    assert "<code>missed_callback</code>" not in body
    records = client.get(RECORDS, {**WEEK, "figure": "promises_due", "kind": "missed_callback"}).content.decode()
    assert 'data-testid="records-kind">' in records and "<code>missed_callback</code>" not in records
    with translation.override("en"):  # the language the requests activate does not outlive the test
        client.post(reverse("set_language"), {"language": "en"})
        body = client.get(PAGE, WEEK).content.decode()
        assert ">Call back a missed or cut-off call</td>" in body
        records = client.get(RECORDS, {**WEEK, "figure": "promises_due", "kind": "missed_callback"}).content.decode()
        assert 'data-testid="records-kind">Call back a missed or cut-off call</small>' in records
