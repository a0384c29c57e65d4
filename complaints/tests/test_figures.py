from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.figures import complaint_figures
from complaints.tests.wall import log_complaint
from insights.selectors import FigureScope, period_containing


def test_complaint_figures_count_this_stores_complaints_of_the_period(world):
    first = log_complaint(world.a)
    log_complaint(world.a, severity="low")
    log_complaint(world.b)  # another store: never counted
    services.complaint_acknowledge(actor=world.a.supervisor, complaint=first)
    scope = FigureScope(
        store_ids=frozenset({world.a.store.pk}), period=period_containing("month", timezone.localdate())
    )
    figures = {f.key: f.value for f in complaint_figures(scope)}
    assert figures["complaints"] == 2
    assert figures["complaints_severe"] == 1
    assert figures["complaints_ack"] != "—"
    next_month = FigureScope(
        store_ids=frozenset({world.a.store.pk}),
        period=period_containing("month", timezone.localdate() + timedelta(days=40)),
    )
    assert {f.key: f.value for f in complaint_figures(next_month)}["complaints"] == 0


def test_figures_page_shows_complaint_figures(client, world):
    log_complaint(world.a)
    client.force_login(world.a.manager)
    body = client.get(reverse("insights:telephone"), {"period": "month"}).content.decode()
    assert 'data-testid="complaint-figures"' in body
