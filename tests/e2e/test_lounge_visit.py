"""A lounge visit on a tablet, from arrival to departure, each step one tap on the live board (S4.1–S4.4)."""

import pytest
from playwright.sync_api import expect

from lounge.models import Visit
from lounge.services.visits import drink_save, visit_arrive
from org.choices import Role
from promises.choices import PromiseState
from tests.factories import make_customer, make_user, make_vehicle


@pytest.mark.parametrize("viewport", [{"width": 1024, "height": 768}, {"width": 768, "height": 1024}])
def test_a_visit_from_arrival_to_departure_on_the_board(page, live_server, world, sign_in, viewport):
    attendant = make_user("lounge1", role=Role.STAFF, store=world.a.store, department=world.a.lounge, name="王丽")
    customer = make_customer(world.a.store, name="张伟", mobile="13811112222", actor=world.a.staff)
    make_vehicle(customer, plate="京A12345", actor=world.a.staff, model="凯美瑞")
    drink_save(actor=world.a.manager, store=world.a.store, name="咖啡")
    drink_save(actor=world.a.manager, store=world.a.store, name="绿茶")

    page.set_viewport_size(viewport)
    sign_in(attendant)
    page.goto(f"{live_server.url}/lounge/board/")
    expect(page.get_by_test_id("board-empty")).to_be_visible()

    # arrival: the customer found by plate (S4.1)
    page.get_by_test_id("arrival-search").fill("京A123")
    pick = page.get_by_test_id("arrival-pick")
    expect(pick).to_have_count(1)
    expect(pick).to_contain_text("张伟")
    pick.click()
    page.get_by_test_id("arrival-save").click()
    expect(page.get_by_test_id("arrival-saved")).to_contain_text("张伟")
    card = page.get_by_test_id("visit-card")
    expect(card).to_have_attribute("data-greeted", "no")
    expect(card.get_by_test_id("first-visit")).to_be_visible()
    expect(card.get_by_test_id("greet-clock")).to_be_visible()
    expect(card.get_by_test_id("visit-vehicle")).to_contain_text("京A12345")

    # greeting (S4.1)
    card.get_by_test_id("step-greet").click()
    expect(card).to_have_attribute("data-greeted", "yes")
    expect(card.get_by_test_id("greeted")).to_contain_text("王丽")

    # a drink from the menu, then a refill of the same (S4.2)
    card.get_by_test_id("serve-drink").filter(has_text="咖啡").click()
    expect(card).to_have_attribute("data-drinks", "1")
    expect(card.get_by_test_id("refill-clock")).to_be_visible()
    card.get_by_test_id("step-refill").click()
    expect(card).to_have_attribute("data-drinks", "2")
    expect(card.get_by_test_id("visit-drinks")).to_contain_text("咖啡")

    # the service introduction for a new customer (S4.3)
    expect(card.get_by_test_id("intro-needed")).to_be_visible()
    card.get_by_test_id("step-introduce").click()
    expect(card).to_have_attribute("data-introduced", "yes")
    expect(card.get_by_test_id("intro-needed")).to_have_count(0)

    # the board updates itself: a colleague records another arrival elsewhere
    visit_arrive(actor=world.a.staff, store=world.a.store, guest_name="陈先生", first_visit=True)
    expect(page.get_by_test_id("visit-card")).to_have_count(2)
    card = page.locator("[data-testid=visit-card]", has_text="张伟")

    # farewell (S4.4) and departure
    card.get_by_test_id("step-farewell").click()
    expect(card).to_have_attribute("data-farewell", "yes")
    card.get_by_test_id("step-depart").click()
    expect(page.get_by_test_id("visit-card")).to_have_count(1)
    expect(page.get_by_test_id("visit-card")).to_contain_text("陈先生")

    visit = Visit.objects.get(customer=customer)
    assert visit.greeted_by == attendant and visit.greet_seconds is not None
    assert [s.refill for s in visit.servings.all()] == [False, True]
    assert visit.servings.last().on_time is True
    assert visit.introduced_by == attendant and visit.farewell_by == attendant and visit.departed_at
    assert visit.greet_promise.state == PromiseState.KEPT
    assert visit.refill_promise.state == PromiseState.CANCELLED  # the customer left before the next refill

    # the visit's page tells the story step by step
    page.goto(f"{live_server.url}/lounge/visits/{visit.pk}/")
    steps = page.get_by_test_id("visit-steps")
    for key in ("arrived", "greeted", "served", "refill", "introduced", "farewell", "departed"):
        expect(steps.locator(f"[data-step={key}]")).to_have_count(1)
