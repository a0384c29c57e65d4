"""Every list, figures page and API list asks the database the same number of questions whatever the data's
size (issue 10): a full page and a short one, one store's day and the whole group's month. A query per row,
per store or per day would make a group's pages slow long before any single query does.

The data comes from generate_group (2 stores × 1 month), built once for the module on a frozen clock.
"""

from io import StringIO

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from insights.models import DirtyDay
from org.models import Store, User
from tests.api import api_caller
from tests.clock import at

pytestmark = pytest.mark.django_db

MOMENT = at("2026-11-27 10:00")


@pytest.fixture(scope="module")
def group(django_db_setup, django_db_blocker):
    with time_machine.travel(MOMENT, tick=False), django_db_blocker.unblock():
        call_command("generate_group", stores=2, months=1, customers=60, stdout=StringIO())
        yield
        call_command("flush", interactive=False, verbosity=0)
        # SQLite's flush deletes row by row: the rollups' triggers mark the deleted records' days again
        DirtyDay.objects.all().delete()


@pytest.fixture
def clock(group):
    with time_machine.travel(MOMENT, tick=False):
        yield


def _queries(client, url: str, **params) -> int:
    cache.clear()  # the figures cache their rolled-up part: every measure starts cold
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, (url, params, response.status_code)
    return len(queries)


LAST = {"page": 9999}  # a bad page number is the last page: a short page of the same list

LISTS = [
    "/",
    "/phone/calls/",
    "/phone/messages/",
    "/customers/",
    "/customers/vehicles/",
    "/complaints/",
    "/complaints/verifications/",
    "/checks/",
    "/checks/actions/",
    "/lounge/visits/",
    "/lounge/requests/",
    "/lounge/faults/",
    "/conduct/records/",
    "/conduct/records/drafts/",
    "/promises/",
    "/org/staff/",
]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("who", ["groupadmin", "s001_manager"])
def test_a_list_asks_as_much_for_a_full_page_as_for_a_short_one(client, clock, url, who):
    client.force_login(User.objects.get(username=who))
    _queries(client, url)  # the session's first touch (last login, language) is not the page's
    assert _queries(client, url) == _queries(client, url, **LAST)


@pytest.mark.parametrize("period", ["day", "month", "year"])
@pytest.mark.parametrize("url", ["/insights/telephone/", "/insights/lounge/", "/insights/people/"])
def test_figures_ask_as_much_for_the_group_as_for_one_store(client, clock, url, period):
    """The same period for one store and for the group (twice the records): a query per store or per
    record would show. (A period's shape may change the count: whole past days come from the rollups,
    today and changed days from the records — one more set of queries, whatever the data's size.)"""
    client.force_login(User.objects.get(username="groupadmin"))
    store = Store.objects.order_by("code").first()
    one_store = _queries(client, url, store=store.pk, period=period, date="2026-11-20")
    assert one_store == _queries(client, url, period=period, date="2026-11-20")


@pytest.mark.parametrize(
    "url, figure",
    [
        ("/insights/telephone/records/", "calls"),
        ("/insights/lounge/records/", "visits"),
        ("/insights/people/records/", "carry_overs"),
        ("/insights/people/records/", "discipline"),
    ],
)
def test_the_records_behind_a_figure_ask_as_much_for_a_month_as_for_a_day(client, clock, url, figure):
    client.force_login(User.objects.get(username="groupadmin"))
    _queries(client, url, figure=figure)
    assert _queries(client, url, figure=figure, period="day", date="2026-11-20") == _queries(
        client, url, figure=figure, period="month", date="2026-11-20"
    )


@pytest.mark.parametrize("period", ["day", "month", "year"])
def test_a_person_s_page_asks_as_much_for_the_busiest_person_as_for_the_quietest(client, clock, period):
    """The person page (S6, S1.D1–D4, S1.D2, S1.4, S2.1, S4): the same period for the person with the most
    promises and one of the same store and department kind with the fewest."""
    client.force_login(User.objects.get(username="groupadmin"))
    by_promises = User.objects.filter(store__isnull=False).annotate(n=Count("promises")).order_by("-n", "pk")
    busiest = by_promises.first()
    quietest = by_promises.filter(store=busiest.store, department__kind=busiest.department.kind).last()
    assert busiest.n > quietest.n
    params = {"period": period, "date": "2026-11-20"}
    _queries(client, f"/insights/people/{busiest.pk}/", **params)
    assert _queries(client, f"/insights/people/{busiest.pk}/", **params) == _queries(
        client, f"/insights/people/{quietest.pk}/", **params
    )


API_LISTS = [
    "/calls",
    "/customers",
    "/vehicles",
    "/complaints",
    "/checks/rounds",
    "/checks/actions",
    "/lounge/visits",
    "/lounge/requests",
    "/lounge/faults",
]


@pytest.mark.parametrize("path", [*API_LISTS, "/messages"])
def test_an_api_list_asks_as_much_for_100_records_as_for_1(client, clock, path):
    call = api_caller(client)
    # messages are listed for the person they are for (or their department): the busiest such person
    person = (
        User.objects.get(username="groupadmin")
        if path != "/messages"
        else User.objects.annotate(n=Count("phone_messages")).order_by("-n").first()
    )
    call(person, "get", path)  # the token is made on first use

    def count(size):
        with CaptureQueriesContext(connection) as queries:
            response = call(person, "get", path, page_size=size)
        assert response.status_code == 200, response.content
        assert response.json()["count"] > 1, path  # the data set has records of every kind
        return len(queries)

    assert count(1) == count(100)
