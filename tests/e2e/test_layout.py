"""The main pages on a 390 px phone and a 1024 px tablet: nothing wider than the screen (tables scroll
inside their wrapper), filters fold away on the phone, the top bar keeps the bell badge and the search
placeholder whole. Screenshots go to $AFTERSALES_SHOTS (/tmp/shots) to be looked at."""

import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from checks.services.rounds import rounds_schedule
from checks.tests.helpers import lounge
from complaints.tests.wall import log_complaint
from insights.tests.helpers import answered, missed, missed_callback
from lounge.services.visits import visit_arrive
from promises import services as promises
from promises.selectors import my_day
from tests.factories import make_customer, make_vehicle

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}
SHOTS = Path(os.environ.get("AFTERSALES_SHOTS", "/tmp/shots"))
NOW = datetime(2026, 11, 30, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday morning
PAGES = {
    "home": "/",
    "my-promises": "/promises/",
    "customers": "/customers/",
    "calls": "/phone/calls/",
    "console": "/phone/",
    "complaints": "/complaints/",
    "lounge-board": "/lounge/board/",
    "checks": "/checks/",
    "figures": "/insights/telephone/",
    "lounge-figures": "/insights/lounge/",
}


@pytest.fixture
def busy_store(world):
    """Store A with a little of everything, long names and notes included."""
    a = world.a
    with time_machine.travel(NOW, tick=False):
        for i in range(6):
            customer = make_customer(
                a.store,
                name=f"欧阳长名字客户{i}",
                mobile=f"1381111{i:04d}",
                actor=a.staff,
            )
            make_vehicle(customer, plate=f"京A1{i:04d}", actor=a.staff, model="凯美瑞 2.5L 混合动力 旗舰版")
        for i in range(4):
            answered(a.store, a.staff, started_at=NOW - timedelta(minutes=20 * i + 5))
            missed(a.store, started_at=NOW - timedelta(minutes=20 * i + 15), department=a.cs)
        missed_callback(a.store, a.staff, due_at=NOW - timedelta(minutes=30))
        for _ in range(3):
            log_complaint(a, course="客户反映保养后发现左前门漆面有明显划伤，要求店方给出说法并免费补漆")
        promises.promise_make(
            store=a.store, kind="fault_fix", rule_id="S4.11", title="修复 空调：空调不制冷，休息区温度偏高",
            owner_department=a.lounge, due_at=NOW - timedelta(hours=1), now=NOW - timedelta(hours=3),
        )  # fmt: skip
        lounge(a)
        rounds_schedule()
        for i in range(5):
            visit_arrive(actor=a.staff, store=a.store, guest_name=f"客人{i}", first_visit=i % 2 == 0)
    return world


def _no_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _headers_on_one_line(page):
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.table-responsive thead th')).every(th => {
        const style = getComputedStyle(th);
        const text = th.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
        return text < 1.9 * parseFloat(style.lineHeight);
    })"""
    )


def _placeholder_whole(page):
    return page.evaluate(
        """() => {
        const box = document.getElementById('global-search');
        const style = getComputedStyle(box);
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = style.fontSize + ' ' + style.fontFamily;
        const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return ctx.measureText(box.placeholder).width <= room;
    }"""
    )


@pytest.mark.parametrize(("size", "viewport"), [("390", PHONE), ("1024", TABLET)])
def test_the_main_pages_fit_a_phone_and_a_tablet(page, live_server, busy_store, sign_in, size, viewport):
    a = busy_store.a
    promises.notification_send(recipients=[a.manager], store=a.store, title="提醒", kind="reminder")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with time_machine.travel(NOW, tick=True):
        page.set_viewport_size(viewport)
        sign_in(a.manager)
        for name, url in PAGES.items():
            page.goto(f"{live_server.url}{url}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(SHOTS / f"layout-{name}-{size}.png"))
            assert _no_overflow(page), f"{name} is wider than {size} px"
            assert _headers_on_one_line(page), f"{name}: a table's headers are squeezed onto several lines"
            # the top bar: the bell's badge inside the screen, the search placeholder not cut
            badge = page.get_by_test_id("bell-count")
            expect(badge).to_be_visible()
            box = badge.bounding_box()
            assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= viewport["width"], name
            assert _placeholder_whole(page), name
        # a wide table scrolls inside its wrapper, the page does not
        page.goto(f"{live_server.url}/complaints/")
        wrapper = page.locator(".table-responsive").first
        expect(wrapper).to_be_visible()
        assert _no_overflow(page)
        if viewport is PHONE:
            assert wrapper.evaluate("el => el.scrollWidth > el.clientWidth")  # it scrolls sideways
        # the manager's home shows the store's overdue promises apart from their own
        page.goto(f"{live_server.url}/")
        overdue = my_day(a.manager, now=NOW)["team_overdue"]
        assert {p.title for p in overdue} >= {"修复 空调：空调不制冷，休息区温度偏高"}
        team = page.get_by_test_id("team")
        expect(team.get_by_test_id("team-overdue").get_by_test_id("count")).to_have_text(str(len(overdue)))
        expect(team).to_contain_text("修复 空调")


def test_filters_fold_away_on_a_phone_and_stay_open_on_a_tablet(page, live_server, busy_store, sign_in):
    with time_machine.travel(NOW, tick=True):
        sign_in(busy_store.a.manager)
        page.set_viewport_size(PHONE)
        for url, testid in (("/complaints/", "complaint-filters"), ("/phone/calls/", "call-filters")):
            page.goto(f"{live_server.url}{url}")
            filters = page.get_by_test_id(testid)
            expect(filters).to_be_hidden()
            page.get_by_test_id("filter-toggle").click()
            expect(filters).to_be_visible()
        # a filtered page keeps its filters open, so what filters it is seen
        page.goto(f"{live_server.url}/complaints/?severity=high")
        expect(page.get_by_test_id("complaint-filters")).to_be_visible()

        page.set_viewport_size(TABLET)
        page.goto(f"{live_server.url}/complaints/")
        expect(page.get_by_test_id("complaint-filters")).to_be_visible()
        expect(page.get_by_test_id("filter-toggle")).to_be_hidden()
