"""Browser flows of the customer's QR code (S4.5): two browsers at once — the attendant's requests page and a
customer's phone at a table — the request appearing live, "someone is on the way" coming back live; and a
flood of requests from one table getting the polite limit page.
"""

import pytest
from playwright.sync_api import expect

from lounge.choices import RequestState
from lounge.models import LoungeRequest, lounge_settings
from lounge.tests.wall import make_attendant, make_drink, make_seat
from promises.choices import PromiseState

PHONE = {"width": 390, "height": 844}
POLL_WAIT = 15_000  # both pages poll every 5 seconds; expect() waits for the next poll, it never sleeps


@pytest.fixture
def phone(browser, live_server):
    """A customer's phone: its own browser, no session, phone-sized, Chinese."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    customer = context.new_page()
    customer.set_default_timeout(10_000)
    yield customer
    context.close()


def test_a_refill_asked_at_the_table_appears_live_and_the_answer_comes_back_live(
    page, phone, live_server, world, sign_in
):
    """S4.5: the customer asks, the desk sees it without a reload, taps "on my way", the phone shows it."""
    attendant = make_attendant(world.a)
    seat = make_seat(world.a, "A3")
    make_drink(world.a, "绿茶")

    sign_in(attendant)
    page.goto(f"{live_server.url}/lounge/requests/")
    expect(page.get_by_test_id("no-open-requests")).to_be_visible()

    phone.goto(f"{live_server.url}/q/{seat.token}/")
    expect(phone.get_by_test_id("table-seat")).to_contain_text("A3")
    expect(phone.get_by_test_id("table-store")).to_have_text(world.a.store.name)
    phone.get_by_test_id("ask-refill").tap()
    expect(phone.get_by_test_id("status-received")).to_be_visible()
    request = LoungeRequest.objects.get()
    assert request.seat == seat and request.source == "qr"

    row = page.locator(f"[data-request='{request.pk}']")
    expect(row).to_be_visible(timeout=POLL_WAIT)  # no reload: the queue refreshes itself
    expect(row).to_contain_text("A3")
    row.get_by_test_id("request-acknowledge").click()
    expect(page.locator(f"[data-request='{request.pk}'][data-state='on_way']")).to_be_visible()

    expect(phone.get_by_test_id("status-on-way")).to_be_visible(timeout=POLL_WAIT)
    request.refresh_from_db()
    assert request.state == RequestState.ON_WAY and request.acknowledged_by == attendant
    assert request.promise.state == PromiseState.KEPT

    page.locator(f"[data-request='{request.pk}']").get_by_test_id("request-done").click()
    expect(phone.get_by_test_id("status-done")).to_be_visible(timeout=POLL_WAIT)


def test_a_flood_of_requests_from_one_table_gets_the_polite_limit_page(phone, live_server, world):
    settings = lounge_settings(world.a.store)
    settings.requests_per_seat_per_10_minutes = 2
    settings.save()
    seat = make_seat(world.a, "B1")
    home = f"{live_server.url}/q/{seat.token}/"
    for button in ("ask-refill", "ask-help"):
        phone.goto(home)
        phone.get_by_test_id(button).tap()
        expect(phone.get_by_test_id("status-received")).to_be_visible()
    phone.goto(home)
    phone.get_by_test_id("ask-advisor").tap()
    expect(phone.get_by_test_id("table-limit")).to_be_visible()
    assert LoungeRequest.objects.filter(seat=seat).count() == 2


def test_a_forged_code_gets_the_polite_page(phone, live_server, world):
    make_seat(world.a, "C1")
    response = phone.goto(f"{live_server.url}/q/not-a-real-code/")
    assert response.status == 404
    expect(phone.get_by_test_id("table-not-found")).to_be_visible()
