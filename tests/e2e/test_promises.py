"""Browser flows of the promise clocks: the bell updates without a reload; the day's promises."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from promises import services


@pytest.fixture
def _ten_tomorrow():
    """10:00 tomorrow (forward, so the browser keeps the server's cookies), the clock ticking from there:
    a promise due in an hour is due today whatever the hour the suite runs at."""
    now = timezone.localtime()
    with time_machine.travel((now + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)):
        yield


def test_a_reminder_appears_in_the_bell_without_reloading(page, live_server, world, sign_in, _ten_tomorrow):
    promise = services.promise_make(
        store=world.a.store,
        kind="callback",
        rule_id="S2.3",
        title="回电 张三",
        owner=world.a.staff,
        due_at=timezone.now() + timedelta(hours=1),
    )
    sign_in(world.a.staff)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("my-day")).to_contain_text("回电 张三")
    expect(page.get_by_test_id("bell")).to_be_visible()
    expect(page.get_by_test_id("bell-count")).to_have_count(0)
    services.notification_send(
        recipients=[world.a.staff], store=world.a.store, title="提醒:回电 张三", kind="reminder", promise=promise
    )
    expect(page.get_by_test_id("bell-count")).to_have_text("1", timeout=15_000)
    page.get_by_test_id("bell").click()
    page.get_by_test_id("bell-list").get_by_text("提醒:回电 张三").click()
    expect(page.get_by_test_id("promise-state")).to_contain_text("进行中")
    page.get_by_test_id("keep").click()
    expect(page.get_by_test_id("promise-state")).to_contain_text("按时")
