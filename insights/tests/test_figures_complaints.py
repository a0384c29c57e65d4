"""Complaint figures on the telephone-and-complaints page: counted from the records, each linked to exactly them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from complaints.models import Complaint
from complaints.services import stages
from complaints.tests.wall import log_complaint
from insights.figures.base import Figure, FigureScope, FigureTable, period_containing
from insights.figures.complaints import complaint_figures

SH = ZoneInfo("Asia/Shanghai")
MARCH = {"period": "month", "date": "2026-03-11"}


def _logged_at(complaint, *args):
    Complaint.objects.filter(pk=complaint.pk).update(logged_at=datetime(*args, tzinfo=SH))


@pytest.fixture
def march(world):
    """Store A in March 2026: three complaints about customer service, one about the lounge; others outside."""
    a = world.a
    first = log_complaint(a, severity="high")  # acknowledged, replied on time, rated 4
    stages.complaint_acknowledge(actor=a.manager, complaint=first)
    stages.complaint_reply(actor=a.manager, complaint=first, channel="phone", text="已处理")
    stages.complaint_followup(actor=a.staff, complaint=first, reached=True, score=4)
    _logged_at(first, 2026, 3, 1, 0, 0)  # the first minute of the month
    middle = log_complaint(a, severity="low")  # acknowledged only
    stages.complaint_acknowledge(actor=a.manager, complaint=middle)
    _logged_at(middle, 2026, 3, 15, 10, 0)
    last = log_complaint(a, severity="critical", staff_involved=a.supervisor)
    _logged_at(last, 2026, 3, 31, 23, 59)  # the last minute of the month
    lounge = log_complaint(a, severity="medium", department=a.lounge)  # acknowledged and replied
    stages.complaint_acknowledge(actor=a.manager, complaint=lounge)
    stages.complaint_reply(actor=a.manager, complaint=lounge, channel="wechat", text="已道歉")
    _logged_at(lounge, 2026, 3, 20, 9, 0)
    for when in ((2026, 2, 28, 23, 59), (2026, 4, 1, 0, 0)):  # just outside the month
        _logged_at(log_complaint(a, severity="high"), *when)
    _logged_at(log_complaint(world.b, severity="high"), 2026, 3, 15, 10, 0)  # another store
    return world


def _march_scope(world, **extra):
    return FigureScope(
        store_ids=frozenset({world.a.store.pk}),
        period=period_containing("month", datetime(2026, 3, 11).date()),
        **extra,
    )


def _values(items):
    return {f.key: f.value for f in items if isinstance(f, Figure)}


def _listed(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def test_complaint_figures_count_this_stores_complaints_of_the_period(world):
    first = log_complaint(world.a)
    log_complaint(world.a, severity="low")
    log_complaint(world.b)  # another store: never counted
    stages.complaint_acknowledge(actor=world.a.supervisor, complaint=first)
    scope = FigureScope(
        store_ids=frozenset({world.a.store.pk}), period=period_containing("month", timezone.localdate())
    )
    figures = _values(complaint_figures(scope))
    assert figures["complaints"] == 2
    assert figures["complaints_severe"] == 1
    assert figures["complaints_ack"] != "—"
    next_month = FigureScope(
        store_ids=frozenset({world.a.store.pk}),
        period=period_containing("month", timezone.localdate() + timedelta(days=40)),
    )
    assert _values(complaint_figures(next_month))["complaints"] == 0


def test_figures_of_a_period_count_its_first_and_last_minute_and_nothing_outside(march):
    """S2.4, S2.6: March counts 00:00 on the 1st to 23:59 on the 31st, in the store's time zone."""
    figures = _values(complaint_figures(_march_scope(march)))
    assert figures["complaints"] == 4
    assert figures["complaints_severe"] == 2
    assert figures["complaints_reply_on_time"] == "100.0% (2/2)"
    assert figures["complaints_satisfaction"] == "4.0"
    by_department = _values(complaint_figures(_march_scope(march, department_id=march.a.cs.pk)))
    assert (by_department["complaints"], by_department["complaints_severe"]) == (3, 2)
    by_person = _values(complaint_figures(_march_scope(march, person_id=march.a.supervisor.pk)))
    assert by_person["complaints"] == 1


def test_complaint_figures_take_one_query_whatever_the_number(march, django_assert_num_queries):
    with django_assert_num_queries(1):
        complaint_figures(_march_scope(march))


@pytest.mark.parametrize("extra", [{}, {"department": "cs"}, {"person": "staff"}, {"person": "supervisor"}])
def test_each_figure_links_to_a_list_of_exactly_the_complaints_it_counts(client, march, extra):
    """Records in, figures out: a figure's count is the number of rows its link lists, for the same period."""
    a = march.a
    params = MARCH | {key: getattr(a, value).pk for key, value in extra.items()}
    client.force_login(a.manager)
    page = client.get(reverse("insights:telephone"), params)
    items = page.context["complaint_figures"]
    figures = {f.key: f for f in items if isinstance(f, Figure)}
    assert set(figures) == {
        "complaints",
        "complaints_severe",
        "complaints_ack",
        "complaints_reply_on_time",
        "complaints_satisfaction",
    }
    body = page.content.decode()
    for figure in figures.values():
        assert f'href="{figure.records_url.replace("&", "&amp;")}"' in body
    counted = complaint_figures(page.context["scope"])
    qs = Complaint.objects.filter(store=a.store, logged_at__month=3, logged_at__year=2026)
    if "department" in extra:
        qs = qs.filter(department=a.cs)
    if "person" in extra:
        qs = qs.filter(staff_involved=getattr(a, extra["person"]))
    assert _values(counted)["complaints"] == figures["complaints"].value == qs.count()
    assert _listed(client, figures["complaints"].records_url) == figures["complaints"].value
    assert _listed(client, figures["complaints_severe"].records_url) == figures["complaints_severe"].value
    # the averages and the share are over the complaints acknowledged, replied to, rated: those are listed
    assert _listed(client, figures["complaints_ack"].records_url) == qs.filter(ack_minutes__isnull=False).count()
    replied = figures["complaints_reply_on_time"].value.rsplit("/", 1)[1].rstrip(")")
    assert _listed(client, figures["complaints_reply_on_time"].records_url) == int(replied)
    rated = qs.filter(satisfaction_score__isnull=False).count()
    assert _listed(client, figures["complaints_satisfaction"].records_url) == rated


def test_breakdown_by_department_and_severity(client, march):
    a = march.a
    with translation.override("en"):
        (table,) = [f for f in complaint_figures(_march_scope(march)) if isinstance(f, FigureTable)]
        assert [str(c) for c in table.columns] == ["Department", "Low", "Medium", "High", "Critical", "Total"]
    counts = {label: [value for value, _url in cells] for label, cells in table.rows}
    assert counts == {"客服部": [1, 0, 1, 1, 3], "客户休息室": [0, 1, 0, 0, 1]}
    assert [value for value, _url in table.total[1]] == [1, 1, 1, 1, 4]
    client.force_login(a.manager)
    for _label, cells in (*table.rows, table.total):
        for value, url in cells:
            assert _listed(client, url) == value, url


def test_breakdown_names_the_store_when_the_scope_has_several(march):
    scope = FigureScope(
        store_ids=frozenset({march.a.store.pk, march.b.store.pk}),
        period=period_containing("month", datetime(2026, 3, 11).date()),
    )
    (table,) = [f for f in complaint_figures(scope) if isinstance(f, FigureTable)]
    assert {label for label, _cells in table.rows} == {"S001 客服部", "S001 客户休息室", "S002 客服部"}
    assert table.total[1][-1][0] == 5


def test_figures_page_shows_complaint_figures_and_the_breakdown(client, march):
    client.force_login(march.a.manager)
    body = client.get(reverse("insights:telephone"), MARCH).content.decode()
    assert 'data-testid="complaint-figures"' in body
    assert 'data-testid="table-complaints_by_department_severity"' in body
    assert body.count('data-testid="table-row"') == 2


def test_breakdown_of_an_empty_period_says_so(client, world):
    client.force_login(world.a.manager)
    body = client.get(reverse("insights:telephone"), MARCH).content.decode()
    assert 'data-testid="table-empty"' in body
