"""The lounge board: what it shows (S4.1–S4.5, S4.11), who may use it, one-tap steps, and its cost.

The board is polled every few seconds by every tablet: its query count must not grow with the
number of customers, requests and faults.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from lounge.choices import RequestKind, RequestState
from lounge.models import Facility, FaultTicket, LoungeRequest, Seat, Visit
from lounge.services.visits import drink_save, drink_toggle_available, visit_greet, visit_serve
from lounge.tests.wall import make_visit
from tests.clock import at
from tests.factories import make_customer, make_vehicle

TZ = ZoneInfo("Asia/Shanghai")
HX = {"HTTP_HX_REQUEST": "true"}
BOARD = "/lounge/board/"
LIVE = "/lounge/board/live/"


@pytest.fixture
def customer(world):
    customer = make_customer(world.a.store, name="张伟", mobile="13811112222", actor=world.a.staff)
    make_vehicle(customer, plate="京A12345", actor=world.a.staff, model="凯美瑞")
    return customer


def card(body: str, visit) -> str:
    """The markup of one visit's card on the board."""
    start = body.index(f'id="visit-{visit.pk}"')
    end = body.find('<div class="col-12 col-md-6" id="visit-', start + 1)
    return body[start : end if end > 0 else len(body)]


# --- Who may use it ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "acts"), [("staff", True), ("supervisor", True), ("manager", True), ("auditor", False)]
)
def test_the_stores_people_see_the_board_and_attendants_get_the_buttons(client, world, customer, who, acts):
    make_visit(world.a, customer=customer)
    client.force_login(getattr(world.a, who))
    body = client.get(BOARD).content.decode()
    assert "张伟" in body and 'data-testid="board-live"' in body
    assert ('data-testid="arrival-form"' in body) is acts
    assert ('data-testid="step-greet"' in body) is acts


def test_another_stores_board_is_404_and_its_customers_never_shown(client, world, customer):
    make_visit(world.b, guest_name="乙店访客")
    client.force_login(world.a.manager)
    body = client.get(BOARD).content.decode()
    assert "乙店访客" not in body
    for path in (BOARD, LIVE, "/lounge/board/lookup/"):
        assert client.get(path, {"store": world.b.store.pk}).status_code == 404, path
        assert client.get(path, {"store": "x"}).status_code == 404, path
        assert client.get(path, {"store": "9" * 30}).status_code == 404, path
    response = client.post("/lounge/board/arrive/", {"store": world.b.store.pk, "guest_name": "x"})
    assert response.status_code == 404
    assert not Visit.objects.filter(guest_name="x").exists()


def test_group_admin_switches_between_the_groups_stores(client, world):
    make_visit(world.b, guest_name="乙店访客")
    client.force_login(world.admin)
    assert "乙店访客" not in client.get(BOARD, {"store": world.a.store.pk}).content.decode()
    assert "乙店访客" in client.get(BOARD, {"store": world.b.store.pk}).content.decode()


# --- What it shows -------------------------------------------------------------------------------


def test_board_shows_who_is_here_since_when_with_vehicle_status_and_drinks(client, world, customer, menu):
    """S4.2: the drinks served and when; the vehicle, repair order and service status."""
    with time_machine.travel(at("2026-11-30 10:00:00"), tick=False) as clock:
        visit = make_visit(world.a, plate="京A12345", repair_order="RO-31", service_status="保养中")
        visit_greet(actor=world.a.staff, visit=visit)
        clock.move_to(at("2026-11-30 10:02:00"))
        visit_serve(actor=world.a.staff, visit=visit, drink=menu["coffee"])
        clock.move_to(at("2026-11-30 10:35:10"))
        client.force_login(world.a.staff)
        body = card(client.get(LIVE).content.decode(), visit)
    assert "张伟" in body and "京A12345" in body and "RO-31" in body and "保养中" in body
    assert 'data-testid="visit-duration">35:10<' in body
    assert "咖啡" in body and "10:02" in body
    # the refill was due at 10:22: overdue by 13:10, in red, and the refill button is red too
    assert 'data-testid="refill-clock">13:10<' in body and "text-danger" in body
    assert 'data-testid="step-refill"' in body and "btn-danger" in body


def test_greeting_pending_ticks_and_turns_red_after_the_stores_seconds(client, world):
    """S4.1: the seconds waiting are shown; past the greeting time they are red."""
    with time_machine.travel(at("2026-11-30 10:00:00"), tick=False) as clock:
        visit = make_visit(world.a, guest_name="陈先生")
        client.force_login(world.a.staff)
        clock.move_to(at("2026-11-30 10:00:40"))
        body = card(client.get(LIVE).content.decode(), visit)
        assert 'data-testid="greet-clock">0:40<' in body and "text-danger" not in body
        clock.move_to(at("2026-11-30 10:01:15"))
        body = card(client.get(LIVE).content.decode(), visit)
    assert 'data-testid="greet-clock">1:15<' in body and "text-danger" in body
    assert 'data-greeted="no"' in body


def test_first_time_customers_are_flagged_for_the_introduction(client, world, customer):
    """S4.3: the card says to introduce the services, and offers the button once greeted."""
    visit = make_visit(world.a, customer=customer)
    visit_greet(actor=world.a.staff, visit=visit)
    client.force_login(world.a.staff)
    body = card(client.get(LIVE).content.decode(), visit)
    assert 'data-testid="first-visit"' in body and 'data-testid="intro-needed"' in body
    assert 'data-testid="step-introduce"' in body
    response = client.post(reverse("lounge:visit_introduce", kwargs={"visit_pk": visit.pk}), **HX)
    body = card(response.content.decode(), visit)
    assert 'data-testid="intro-needed"' not in body and 'data-introduced="yes"' in body


def test_out_of_stock_drinks_are_shown_disabled(client, world, menu):
    visit = make_visit(world.a, guest_name="陈先生")
    visit_greet(actor=world.a.staff, visit=visit)
    drink_toggle_available(actor=world.a.staff, drink=menu["coffee"], available=False)
    client.force_login(world.a.staff)
    body = card(client.get(LIVE).content.decode(), visit)

    def button(drink):
        rest = body[body.index(f'name="drink" value="{drink.pk}"') :]
        return rest[rest.index("<button") : rest.index("</button>")]

    assert " disabled" in button(menu["coffee"]) and " disabled" not in button(menu["tea"])


def test_open_requests_and_facilities_out_of_order_are_on_the_board(client, world, menu):
    """S4.5: open requests with their age; S4.11: facilities out of order, until fixed."""
    seat = Seat.objects.create(store=world.a.store, label="B1")
    with time_machine.travel(at("2026-11-30 10:00:00"), tick=False) as clock:
        visit = make_visit(world.a, guest_name="陈先生", seat=seat)
        LoungeRequest.objects.create(store=world.a.store, seat=seat, visit=visit, kind=RequestKind.HELP)
        LoungeRequest.objects.create(store=world.a.store, kind=RequestKind.REFILL, state=RequestState.DONE)
        tv = Facility.objects.create(store=world.a.store, name="电视机")
        FaultTicket.objects.create(store=world.a.store, facility=tv, description="无信号")
        fixed = Facility.objects.create(store=world.a.store, name="空调")
        FaultTicket.objects.create(store=world.a.store, facility=fixed, description="不制冷", state="fixed")
        clock.move_to(at("2026-11-30 10:02:05"))
        client.force_login(world.a.staff)
        body = client.get(LIVE).content.decode()
    assert body.count('data-testid="board-request"') == 1
    assert 'data-testid="request-age">2:05<' in body
    assert 'data-testid="board-fault"' in body and "电视机" in body and "空调" not in body
    assert 'data-testid="visit-request"' in card(body, visit)  # also on the customer's card
    # the requests area's buttons are there
    assert 'data-testid="request-ack"' in body and 'data-testid="request-done"' in body


def test_board_live_uses_a_constant_number_of_queries(client, world, menu, django_assert_max_num_queries):
    client.force_login(world.a.staff)
    seat = Seat.objects.create(store=world.a.store, label="A1")

    def fill(n):
        for i in range(n):
            customer = make_customer(world.a.store, name=f"客户{n}{i}", mobile=f"1381111{n:02d}{i:02d}")
            make_vehicle(customer, plate=f"京A{n:02d}{i:03d}")
            visit = make_visit(world.a, customer=customer, seat=seat)
            visit_greet(actor=world.a.staff, visit=visit)
            visit_serve(actor=world.a.staff, visit=visit, drink=menu["coffee"])
            visit_serve(actor=world.a.staff, visit=visit, drink=menu["tea"])
            LoungeRequest.objects.create(store=world.a.store, seat=seat, visit=visit, kind=RequestKind.DRINK)
            facility = Facility.objects.create(store=world.a.store, name=f"设施{n}{i}")
            FaultTicket.objects.create(store=world.a.store, facility=facility, description="坏了")

    fill(1)
    client.get(LIVE)
    with django_assert_max_num_queries(12) as few:
        client.get(LIVE)
    fill(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIVE)
    assert response.content.decode().count('data-testid="visit-card"') == 9


# --- One-tap steps and the arrival form ----------------------------------------------------------


def test_a_tap_on_the_board_returns_the_board_with_the_step_done(client, world, menu):
    visit = make_visit(world.a, guest_name="陈先生")
    client.force_login(world.a.staff)
    response = client.post(reverse("lounge:visit_greet", kwargs={"visit_pk": visit.pk}), **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="board-live"' in body and 'data-greeted="yes"' in card(body, visit)
    response = client.post(
        reverse("lounge:visit_serve", kwargs={"visit_pk": visit.pk}), {"drink": menu["tea"].pk}, **HX
    )
    assert 'data-drinks="1"' in card(response.content.decode(), visit)
    for name in ("visit_farewell", "visit_depart"):
        response = client.post(reverse(f"lounge:{name}", kwargs={"visit_pk": visit.pk}), **HX)
        assert response.status_code == 200
    assert f'id="visit-{visit.pk}"' not in response.content.decode()  # gone from the board
    visit.refresh_from_db()
    assert visit.farewell_by == world.a.staff and visit.departed_at is not None


def test_a_refused_tap_shows_the_reason_on_the_board(client, world, menu):
    visit = make_visit(world.a, guest_name="陈先生")
    visit_greet(actor=world.a.staff, visit=visit)
    drink_toggle_available(actor=world.a.staff, drink=menu["coffee"], available=False)
    client.force_login(world.a.staff)
    target = reverse("lounge:visit_serve", kwargs={"visit_pk": visit.pk})
    body = client.post(target, {"drink": menu["coffee"].pk}, **HX).content.decode()
    assert 'data-testid="board-error"' in body and "咖啡" in body
    b_drink = drink_save(actor=world.b.manager, store=world.b.store, name="乙店咖啡")
    body = client.post(target, {"drink": b_drink.pk}, **HX).content.decode()
    assert 'data-testid="board-error"' in body
    body = client.post(target, {"drink": "abc"}, **HX).content.decode()
    assert 'data-testid="board-error"' in body
    assert not visit.servings.exists()


def test_help_asked_from_the_board_becomes_a_request(client, world):
    """S4.5: the attendant notes that a customer looks around; the request gets its clock."""
    seat = Seat.objects.create(store=world.a.store, label="C2")
    visit = make_visit(world.a, guest_name="陈先生", seat=seat)
    client.force_login(world.a.staff)
    response = client.post(reverse("lounge:visit_help", kwargs={"visit_pk": visit.pk}), **HX)
    assert response.status_code == 200
    req = LoungeRequest.objects.get()
    assert (req.kind, req.visit, req.seat, req.source) == ("help", visit, seat, "board")
    assert 'data-testid="step-help"' not in card(response.content.decode(), visit)  # asked once
    client.force_login(world.a.auditor)
    assert client.post(reverse("lounge:visit_help", kwargs={"visit_pk": visit.pk})).status_code == 403


def test_arrival_lookup_finds_the_stores_customers_by_plate_or_phone(client, world, customer):
    b_customer = make_customer(world.b.store, name="乙店客户", mobile="13811119999", actor=world.b.staff)
    make_vehicle(b_customer, plate="京A99999", actor=world.b.staff)
    client.force_login(world.a.staff)
    body = client.get("/lounge/board/lookup/", {"q": "京A"}).content.decode()
    assert "张伟" in body and "京A12345" in body and "乙店客户" not in body and "京A99999" not in body
    assert "badge text-bg-info" in body  # a first visit here
    body = client.get("/lounge/board/lookup/", {"q": "1111"}).content.decode()
    assert "张伟" in body and "乙店客户" not in body
    make_visit(world.a, customer=customer)
    body = client.get("/lounge/board/lookup/", {"q": "京A12345"}).content.decode()
    assert "disabled" in body  # already in the lounge
    assert 'data-testid="arrival-none"' in client.get("/lounge/board/lookup/", {"q": "粤Z"}).content.decode()
    client.force_login(world.a.auditor)
    assert client.get("/lounge/board/lookup/", {"q": "京A"}).status_code == 403


def test_arrival_from_the_board_puts_the_card_on_the_board_at_once(client, world, customer):
    client.force_login(world.a.staff)
    vehicle = customer.vehicles.get()
    response = client.post(
        "/lounge/board/arrive/", {"store": world.a.store.pk, "q": "京A", "pick": f"v{vehicle.pk}"}, **HX
    )
    body = response.content.decode()
    visit = Visit.objects.get()
    assert visit.customer == customer and visit.vehicle == vehicle and visit.first_visit
    assert 'data-testid="arrival-saved"' in body and 'hx-swap-oob="true"' in body and f'id="visit-{visit.pk}"' in body


def test_arrival_by_typed_plate_or_a_walk_in(client, world, customer):
    client.force_login(world.a.staff)
    client.post("/lounge/board/arrive/", {"store": world.a.store.pk, "q": "京A12345"}, **HX)
    assert Visit.objects.get().customer == customer
    seat = Seat.objects.create(store=world.a.store, label="D1")
    client.post(
        "/lounge/board/arrive/",
        {"store": world.a.store.pk, "guest_name": "陈先生", "seat": seat.pk, "first_visit": "on"},
        **HX,
    )
    walk_in = Visit.objects.get(guest_name="陈先生")
    assert walk_in.first_visit and walk_in.seat == seat and walk_in.customer is None


@pytest.mark.parametrize(
    "data",
    [
        {"q": "京B77777"},  # no such vehicle here
        {"q": "13900000000"},  # no such customer here
        {"q": "A1"},  # not a plate
        {"pick": "v999999"},  # not one of the store's
        {"pick": "zz"},
        {"pick": "v" + "9" * 30},
        {"q": "张"},  # a name is chosen from the search, or entered as a walk-in
        {"guest_name": "名" * 51},
        {"seat": "999999"},
    ],
)
def test_bad_arrival_input_is_shown_on_the_form_and_nothing_saved(client, world, customer, data):
    b_customer = make_customer(world.b.store, name="乙店客户", mobile="13811119999", actor=world.b.staff)
    client.force_login(world.a.staff)
    response = client.post("/lounge/board/arrive/", {"store": world.a.store.pk} | data, **HX)
    assert response.status_code == 200
    assert 'data-testid="arrival-error"' in response.content.decode()
    response = client.post("/lounge/board/arrive/", {"store": world.a.store.pk, "pick": f"c{b_customer.pk}"}, **HX)
    assert 'data-testid="arrival-error"' in response.content.decode()
    assert not Visit.objects.exists()


def test_the_auditor_may_not_record_an_arrival(client, world):
    client.force_login(world.a.auditor)
    assert client.post("/lounge/board/arrive/", {"store": world.a.store.pk}).status_code == 403
    assert not Visit.objects.exists()


def test_the_refill_button_serves_the_last_drink_again(client, world, menu):
    with time_machine.travel(at("2026-11-30 10:00:00"), tick=False) as clock:
        visit = make_visit(world.a, guest_name="陈先生")
        visit_greet(actor=world.a.staff, visit=visit)
        visit_serve(actor=world.a.staff, visit=visit, drink=menu["tea"])
        clock.move_to(at("2026-11-30 10:15:00"))
        client.force_login(world.a.staff)
        body = card(client.get(LIVE).content.decode(), visit)
        assert 'data-testid="step-refill"' in body and "btn-primary" in body
        refill = body[body.index('data-testid="step-refill"') - 700 :]
        assert f'name="drink" value="{menu["tea"].pk}"' in refill
        client.post(reverse("lounge:visit_serve", kwargs={"visit_pk": visit.pk}), {"drink": menu["tea"].pk}, **HX)
    last = visit.servings.last()
    assert last.refill and last.on_time and last.drink_name == "绿茶"
    assert timedelta(0) < last.served_at - visit.arrived_at
