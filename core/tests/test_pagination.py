"""The capped pager (issue 10): a list counts at most COUNT_CAP records, so a group's millions stay fast."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from core.pagination import CappedPaginator, list_page
from customers.models import Customer
from tests.api import api_caller
from tests.factories import make_customer


@pytest.fixture
def twelve(world):
    for i in range(12):
        make_customer(world.a.store, name=f"客户{i}", mobile=f"138000000{i:02d}")
    return Customer.objects.order_by("-created_at", "-id")


def test_count_below_the_cap_is_exact(twelve):
    pages = CappedPaginator(twelve, 5, cap=100)
    assert (pages.count, pages.num_pages, pages.capped) == (12, 3, False)


def test_count_stops_at_the_cap_and_says_there_are_more(twelve):
    pages = CappedPaginator(twelve, 5, cap=10)
    assert (pages.count, pages.num_pages, pages.capped) == (10, 2, True)
    assert [c.name for c in pages.page(2)] == [c.name for c in twelve[5:10]]


def test_counting_is_one_limited_query(twelve):
    pages = CappedPaginator(twelve, 5, cap=10)
    with CaptureQueriesContext(connection) as queries:
        assert pages.capped and pages.count == 10
    assert len(queries) == 1
    assert "LIMIT 11" in queries[0]["sql"].upper()


def test_exactly_the_cap_is_not_capped(twelve):
    pages = CappedPaginator(twelve, 5, cap=12)
    assert (pages.count, pages.capped) == (12, False)


def test_a_list_of_rows_is_capped_too():
    pages = CappedPaginator(list(range(30)), 10, cap=20)
    assert (pages.count, pages.capped, list(pages.page(2))) == (20, True, list(range(10, 20)))


@pytest.mark.parametrize("asked, shown", [("2", 2), ("99", 3), ("abc", 1), ("-1", 3), ("", 1)])
def test_list_page_never_fails_on_a_bad_number(twelve, asked, shown):
    request = RequestFactory().get("/", {"page": asked})
    assert list_page(request, twelve, 5).number == shown


def test_the_pager_says_more_than_the_cap_and_asks_for_a_filter(client, world, monkeypatch):
    monkeypatch.setattr("core.pagination.COUNT_CAP", 3)
    for i in range(5):
        make_customer(world.a.store, name=f"客户{i}", mobile=f"139000000{i:02d}")
    client.force_login(world.a.manager)
    page = client.get("/customers/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="pager-capped"' in page
    assert "超过 3 条记录" in page


def test_the_api_counts_up_to_the_cap_and_says_there_are_more(client, world, monkeypatch):
    monkeypatch.setattr("core.pagination.COUNT_CAP", 3)
    for i in range(5):
        make_customer(world.a.store, name=f"客户{i}", mobile=f"137000000{i:02d}")
    call = api_caller(client)
    body = call(world.a.manager, "get", "/customers", page_size=2).json()
    assert (body["count"], body["more"], body["pages"], len(body["items"])) == (3, True, 2, 2)
    assert call(world.a.manager, "get", "/customers", page_size=2, page=3).json()["items"] == []
    few = call(world.b.manager, "get", "/customers").json()
    assert (few["count"], few["more"]) == (0, False)
