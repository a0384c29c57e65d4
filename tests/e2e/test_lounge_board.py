"""The lounge board on a tablet: the arrival search answers every search, new requests come first with a
highlight (and a beep when turned on), and 40 visits fit a 1024×768 tablet (S4.1, S4.5)."""

import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from lounge.choices import RequestKind, RequestSource
from lounge.services.requests import request_create
from lounge.services.visits import visit_arrive
from org.choices import Role
from tests.factories import make_customer, make_user, make_vehicle

TABLET = {"width": 1024, "height": 768}
SHOTS = Path(os.environ.get("AFTERSALES_SHOTS", "/tmp/shots"))
# a Monday morning in the lounge, Beijing time: the tests never read today's date
NOW = datetime(2026, 11, 30, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def attendant(world):
    return make_user("lounge1", role=Role.STAFF, store=world.a.store, department=world.a.lounge, name="王丽")


def test_the_arrival_search_answers_every_search_in_a_row(page, live_server, world, sign_in, attendant):
    """The lookup replaced itself only once (inherited outerHTML swap, then htmx:targetError): S4.1."""
    zhang = make_customer(world.a.store, name="张伟", mobile="13811112222", actor=world.a.staff)
    make_vehicle(zhang, plate="京A12345", actor=world.a.staff)
    li = make_customer(world.a.store, name="李娜", mobile="13933334444", actor=world.a.staff)
    make_vehicle(li, plate="京B67890", actor=world.a.staff)
    make_customer(world.b.store, name="张其他", mobile="13855556666", actor=world.b.staff)  # another store's
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    with time_machine.travel(NOW, tick=True):
        page.set_viewport_size(TABLET)
        sign_in(attendant)
        page.goto(f"{live_server.url}/lounge/board/")
        search = page.get_by_test_id("arrival-search")
        for query, name in (("京A123", "张伟"), ("1393333", "李娜"), ("张", "张伟"), ("京B6", "李娜")):
            search.fill(query)
            expect(page.get_by_test_id("arrival-pick")).to_have_count(1)
            expect(page.get_by_test_id("arrival-pick")).to_contain_text(name)
        search.fill("nobody-here")
        expect(page.get_by_test_id("arrival-none")).to_be_visible()
        search.fill("京A1")
        expect(page.get_by_test_id("arrival-pick")).to_contain_text("张伟")
        expect(page.locator("#arrival-lookup")).to_have_count(1)
    assert not [e for e in errors if "targetError" in e]


def test_new_requests_come_first_highlighted_with_a_beep_once_turned_on(page, live_server, world, sign_in, attendant):
    """S4.5: the request just made is at the top and highlighted; the beep is off until the tablet turns it on."""
    with time_machine.travel(NOW, tick=True):
        old = visit_arrive(actor=world.a.staff, store=world.a.store, guest_name="陈先生", first_visit=False)
        request_create(
            store=world.a.store, kind=RequestKind.HELP, visit=old, source=RequestSource.BOARD, actor=world.a.staff
        )
        page.set_viewport_size(TABLET)
        sign_in(attendant)
        page.goto(f"{live_server.url}/lounge/board/")
        rows = page.get_by_test_id("board-request")
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-new", "no")  # what was there on opening is not new
        sound = page.get_by_test_id("board-sound")
        expect(sound).to_have_attribute("aria-pressed", "false")  # off by default

        new = visit_arrive(actor=world.a.staff, store=world.a.store, guest_name="林女士", first_visit=False)
        request_create(
            store=world.a.store, kind=RequestKind.ADVISOR, visit=new, source=RequestSource.BOARD, actor=world.a.staff
        )
        expect(rows).to_have_count(2)  # the next poll brings it
        expect(rows.first).to_contain_text("林女士")
        expect(rows.first).to_have_attribute("data-new", "yes")
        expect(rows.first).to_have_class(re.compile(r"request-new"))
        expect(rows.nth(1)).to_have_attribute("data-new", "no")
        board = page.get_by_test_id("lounge-board")
        expect(board).not_to_have_attribute("data-beeps", "1")  # sound off: no beep

        sound.click()  # turned on: a test beep, remembered on this tablet
        expect(sound).to_have_attribute("aria-pressed", "true")
        expect(board).to_have_attribute("data-beeps", "1")
        page.reload()
        expect(page.get_by_test_id("board-sound")).to_have_attribute("aria-pressed", "true")
        third = visit_arrive(actor=world.a.staff, store=world.a.store, guest_name="周先生", first_visit=False)
        request_create(
            store=world.a.store, kind=RequestKind.HELP, visit=third, source=RequestSource.BOARD, actor=world.a.staff
        )
        expect(rows).to_have_count(3)
        expect(rows.first).to_contain_text("周先生")
        expect(page.get_by_test_id("lounge-board")).to_have_attribute("data-beeps", "1")  # beeped for the new one


def test_a_board_of_40_visits_fits_a_tablet(page, live_server, world, sign_in, attendant):
    """40 customers in the lounge: a compact layout, nothing wider than the tablet, every card reachable."""
    with time_machine.travel(NOW, tick=True):
        for i in range(40):
            visit_arrive(actor=world.a.staff, store=world.a.store, guest_name=f"客人{i:02d}", first_visit=i % 3 == 0)
        page.set_viewport_size(TABLET)
        sign_in(attendant)
        page.goto(f"{live_server.url}/lounge/board/")
        cards = page.get_by_test_id("visit-card")
        expect(cards).to_have_count(40)
        expect(page.get_by_test_id("visit-cards")).to_have_class(re.compile(r"\bcompact\b"))
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "lounge-board-40-1024.png"))
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        for i in (0, 20, 39):
            card = cards.nth(i)
            card.scroll_into_view_if_needed()
            expect(card).to_be_in_viewport()
            box = card.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= TABLET["width"]
        # three cards a row in the compact layout: 40 cards take 14 rows, not 20
        tops = {round(cards.nth(i).bounding_box()["y"]) for i in range(6)}
        assert len(tops) == 2
