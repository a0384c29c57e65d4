"""Lounge visits step by step (S4.1–S4.4), the drink menu and the lounge settings: the services.

Clocks are tested with a frozen, moved clock: the greeting seconds (S4.1), refills on time or late
(S4.2), and the departure closing the clocks still open.
"""

from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from core.audit import history_for
from core.models import HistoryAction
from customers.selectors import customer_timeline
from lounge.models import Seat, Serving, Visit
from lounge.selectors.visits import visit_history
from lounge.services.settings import lounge_settings_update
from lounge.services.visits import (
    drink_save,
    drink_toggle_available,
    visit_arrive,
    visit_depart,
    visit_farewell,
    visit_greet,
    visit_introduce,
    visit_offer_drink,
    visit_serve,
    visit_update,
)
from org.choices import DepartmentKind
from promises.choices import PromiseKind, PromiseState
from promises.models import Promise
from tests.clock import at
from tests.factories import make_customer, make_vehicle

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def lounge(world):
    """Store A's lounge: a customer with a car, a drink menu, seats; store B's own menu and seat."""
    a, b = world.a, world.b
    customer = make_customer(a.store, name="张伟", mobile="13811112222", actor=a.staff)
    vehicle = make_vehicle(customer, plate="京A12345", actor=a.staff)
    return {
        "customer": customer,
        "vehicle": vehicle,
        "coffee": drink_save(actor=a.manager, store=a.store, name="咖啡"),
        "tea": drink_save(actor=a.manager, store=a.store, name="绿茶"),
        "seat": Seat.objects.create(store=a.store, label="A1"),
        "b_drink": drink_save(actor=b.manager, store=b.store, name="乙店咖啡"),
        "b_seat": Seat.objects.create(store=b.store, label="A1"),
    }


def arrive(world, **kwargs):
    return visit_arrive(actor=kwargs.pop("actor", world.a.staff), store=world.a.store, **kwargs)


def greeted(world, **kwargs):
    visit = arrive(world, **kwargs)
    return visit_greet(actor=world.a.staff, visit=visit)


# --- Arrival (S4.1, S4.3) ------------------------------------------------------------------------


def test_customer_found_by_plate_arrives_flagged_first_visit_with_a_greeting_clock(world, lounge):
    """S4.1: the greeting clock is a promise of the lounge desk, due in the store's greeting seconds."""
    with time_machine.travel(at("2026-11-30 10:00:00"), tick=False):
        visit = arrive(world, plate="京a 12345", seat=lounge["seat"], repair_order=" RO-1 ", service_status="保养中")
    assert visit.customer == lounge["customer"] and visit.vehicle == lounge["vehicle"]
    assert visit.first_visit is True  # S4.3: no earlier visit in this store
    assert visit.repair_order == "RO-1" and visit.arrival_recorded_by == world.a.staff
    promise = visit.greet_promise
    assert promise.kind == PromiseKind.LOUNGE_GREET and promise.rule_id == "S4.1"
    assert promise.owner_department == world.a.lounge and promise.owner is None
    assert promise.due_at == at("2026-11-30 10:01:00")  # the default 60 seconds, wall clock
    assert promise.subject == visit
    assert history_for(visit)[0].action == HistoryAction.CREATE


def test_customer_found_by_phone_with_an_earlier_visit_is_not_first_time(world, lounge):
    """S4.3: only a customer with no earlier visit in this store is flagged first-time."""
    earlier = arrive(world, customer=lounge["customer"])
    visit_depart(actor=world.a.staff, visit=earlier)
    visit = arrive(world, phone="138 1111 2222")
    assert visit.customer == lounge["customer"] and visit.vehicle is None
    assert visit.first_visit is False


def test_walk_in_with_a_name_or_nothing_is_flagged_first_time_by_hand(world, lounge):
    named = arrive(world, guest_name=" 陈先生 ", first_visit=True)
    assert named.customer is None and named.guest_name == "陈先生" and named.first_visit is True
    nobody = arrive(world)
    assert nobody.customer is None and nobody.guest_name == ""
    assert nobody.first_visit is False


def test_a_store_without_a_lounge_desk_gives_the_greeting_clock_to_the_attendant(world, lounge):
    world.a.store.departments.filter(kind=DepartmentKind.LOUNGE).update(active=False)
    visit = arrive(world, guest_name="陈先生")
    assert visit.greet_promise.owner == world.a.staff and visit.greet_promise.owner_department is None


def test_greeting_seconds_come_from_the_store_settings(world, lounge):
    _settings(world, greet_within_seconds=30)
    with time_machine.travel(at("2026-11-30 10:00:00"), tick=False):
        visit = arrive(world)
    assert visit.greet_promise.due_at == at("2026-11-30 10:00:30")


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"plate": "京B99999"}, "plate", "京B99999"),
        ({"plate": "A12"}, "plate", "province"),
        ({"phone": "13900000000"}, "phone", "13900000000"),
        ({"phone": "abc"}, "phone", "abc"),
    ],
)
def test_unknown_or_bad_plate_or_phone_is_refused_naming_the_field(world, lounge, kwargs, field, words):
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            arrive(world, **kwargs)
        assert field in caught.value.message_dict
        assert words in " ".join(caught.value.message_dict[field])
    assert not Visit.objects.exists()


def test_another_stores_customer_vehicle_or_seat_is_refused(world, lounge):
    b_customer = make_customer(world.b.store, name="乙店客户", mobile="13987654321", actor=world.b.staff)
    b_vehicle = make_vehicle(b_customer, plate="津B99999", actor=world.b.staff)
    for kwargs, field in (
        ({"customer": b_customer}, "customer"),
        ({"vehicle": b_vehicle}, "vehicle"),
        ({"seat": lounge["b_seat"]}, "seat"),
        ({"plate": "津B99999"}, "plate"),  # another store's plate is not found here
    ):
        with pytest.raises(ValidationError) as caught:
            arrive(world, **kwargs)
        assert field in caught.value.message_dict, kwargs
    assert not Visit.objects.exists()


def test_vehicle_of_another_customer_and_a_seat_out_of_use_are_refused(world, lounge):
    other = make_customer(world.a.store, name="李娜", mobile="13933334444", actor=world.a.staff)
    with pytest.raises(ValidationError) as caught:
        arrive(world, customer=other, vehicle=lounge["vehicle"])
    assert "李娜" in caught.value.message_dict["vehicle"][0]
    lounge["seat"].active = False
    lounge["seat"].save()
    with pytest.raises(ValidationError) as caught:
        arrive(world, seat=lounge["seat"])
    assert "A1" in caught.value.message_dict["seat"][0]


def test_a_customer_already_in_the_lounge_cannot_arrive_twice(world, lounge):
    arrive(world, customer=lounge["customer"])
    with pytest.raises(ValidationError) as caught:
        arrive(world, plate="京A12345")
    assert "张伟" in caught.value.message_dict["customer"][0]
    assert Visit.objects.count() == 1


def test_too_long_repair_order_is_refused_and_nothing_saved(world, lounge):
    with pytest.raises(ValidationError) as caught:
        arrive(world, repair_order="R" * 31)
    assert "repair_order" in caught.value.message_dict
    assert not Visit.objects.exists() and not Promise.objects.exists()


def test_auditor_and_another_stores_staff_may_not_record_an_arrival(world, lounge):
    with pytest.raises(PermissionDenied):
        arrive(world, actor=world.a.auditor)
    with pytest.raises(PermissionDenied):
        arrive(world, actor=world.b.staff)


# --- Greeting (S4.1) -----------------------------------------------------------------------------


def test_greeting_records_who_and_the_seconds_after_arrival_and_keeps_the_clock(world, lounge):
    """S4.1: greeted 35 s after arrival, within the minute: the promise is kept on time."""
    with time_machine.travel(at("2026-11-30 10:00:00"), tick=False) as clock:
        visit = arrive(world, customer=lounge["customer"])
        clock.move_to(at("2026-11-30 10:00:35"))
        visit = visit_greet(actor=world.a.supervisor, visit=visit)
    assert visit.greeted_by == world.a.supervisor and visit.greet_seconds == 35
    assert visit.greeted_at == at("2026-11-30 10:00:35")
    assert Promise.objects.get(pk=visit.greet_promise_id).state == PromiseState.KEPT


def test_a_late_greeting_keeps_the_clock_late(world, lounge):
    """S4.1: 95 s is past the 60 s promised: kept late, and the seconds say so."""
    with time_machine.travel(at("2026-11-30 10:00:00"), tick=False) as clock:
        visit = arrive(world)
        clock.move_to(at("2026-11-30 10:01:35"))
        visit = visit_greet(actor=world.a.staff, visit=visit)
    assert visit.greet_seconds == 95
    assert Promise.objects.get(pk=visit.greet_promise_id).state == PromiseState.LATE


def test_a_customer_cannot_be_greeted_twice(world, lounge):
    visit = greeted(world)
    with pytest.raises(ValidationError) as caught:
        visit_greet(actor=world.a.supervisor, visit=visit)
    assert world.a.staff.name in caught.value.messages[0]
    visit.refresh_from_db()
    assert visit.greeted_by == world.a.staff


# --- Drinks and refills (S4.2) -------------------------------------------------------------------


def test_first_drink_starts_the_refill_clock(world, lounge):
    with time_machine.travel(at("2026-11-30 10:00:00"), tick=False) as clock:
        visit = greeted(world)
        clock.move_to(at("2026-11-30 10:03:00"))
        serving = visit_serve(actor=world.a.staff, visit=visit, drink=lounge["coffee"])
    visit.refresh_from_db()
    assert serving.refill is False and serving.on_time is None and serving.drink_name == "咖啡"
    assert visit.drink_offered_at == at("2026-11-30 10:03:00")  # serving answers the offer
    refill = visit.refill_promise
    assert refill.kind == PromiseKind.LOUNGE_REFILL and refill.rule_id == "S4.2"
    assert refill.owner_department == world.a.lounge
    assert refill.due_at == at("2026-11-30 10:23:00")  # the default 20 minutes


def test_refill_in_time_is_on_time_and_renews_the_clock(world, lounge):
    """S4.2: a refill at 18 minutes is on time; the previous clock is kept and the next one starts."""
    with time_machine.travel(at("2026-11-30 10:00:00"), tick=False) as clock:
        visit = greeted(world)
        visit_serve(actor=world.a.staff, visit=visit, drink=lounge["coffee"])
        first = Visit.objects.get(pk=visit.pk).refill_promise
        clock.move_to(at("2026-11-30 10:18:00"))
        refill = visit_serve(actor=world.a.staff, visit=visit, drink=lounge["tea"])
    first.refresh_from_db()
    visit.refresh_from_db()
    assert refill.refill is True and refill.on_time is True
    assert first.state == PromiseState.KEPT
    assert visit.refill_promise != first and visit.refill_promise.due_at == at("2026-11-30 10:38:00")


def test_refill_after_its_clock_ran_out_is_late(world, lounge):
    """S4.2: 25 minutes after the first drink with a 20-minute clock: late."""
    _settings(world, refill_every_minutes=20)
    with time_machine.travel(at("2026-11-30 10:00:00"), tick=False) as clock:
        visit = greeted(world)
        visit_serve(actor=world.a.staff, visit=visit, drink=lounge["coffee"])
        first = Visit.objects.get(pk=visit.pk).refill_promise
        clock.move_to(at("2026-11-30 10:25:00"))
        refill = visit_serve(actor=world.a.staff, visit=visit)  # no drink: the last one again
    first.refresh_from_db()
    assert refill.refill is True and refill.on_time is False and refill.drink == lounge["coffee"]
    assert first.state == PromiseState.LATE


def test_refill_minutes_come_from_the_store_settings(world, lounge):
    _settings(world, refill_every_minutes=10)
    with time_machine.travel(at("2026-11-30 10:00:00"), tick=False):
        visit = greeted(world)
        visit_serve(actor=world.a.staff, visit=visit, drink=lounge["coffee"])
    assert Visit.objects.get(pk=visit.pk).refill_promise.due_at == at("2026-11-30 10:10:00")


def test_a_drink_that_ran_out_is_refused_naming_the_drink(world, lounge):
    visit = greeted(world)
    drink_toggle_available(actor=world.a.staff, drink=lounge["coffee"], available=False)
    with pytest.raises(ValidationError) as caught:
        visit_serve(actor=world.a.staff, visit=visit, drink=lounge["coffee"])
    assert "咖啡" in caught.value.message_dict["drink"][0]
    assert not Serving.objects.exists()
    assert Visit.objects.get(pk=visit.pk).refill_promise is None


def test_another_stores_drink_or_a_drink_off_the_menu_is_refused(world, lounge):
    visit = greeted(world)
    with pytest.raises(ValidationError) as caught:
        visit_serve(actor=world.a.staff, visit=visit, drink=lounge["b_drink"])
    assert "drink" in caught.value.message_dict
    drink_save(actor=world.a.manager, store=world.a.store, drink=lounge["tea"], name="绿茶", active=False)
    with pytest.raises(ValidationError):
        visit_serve(actor=world.a.staff, visit=visit, drink=lounge["tea"])
    with pytest.raises(ValidationError):  # a refill with nothing served before: which drink?
        visit_serve(actor=world.a.staff, visit=visit)
    assert not Serving.objects.exists()


def test_drinks_wait_for_the_greeting(world, lounge):
    """S4.1 before S4.2: serving before greeting is refused, saying to greet first."""
    visit = arrive(world)
    with pytest.raises(ValidationError) as caught:
        visit_serve(actor=world.a.staff, visit=visit, drink=lounge["coffee"])
    assert "S4.1" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        visit_offer_drink(actor=world.a.staff, visit=visit)


def test_drink_offered_once(world, lounge):
    visit = greeted(world)
    visit = visit_offer_drink(actor=world.a.staff, visit=visit)
    assert visit.drink_offered_at is not None
    with pytest.raises(ValidationError):
        visit_offer_drink(actor=world.a.staff, visit=visit)


def test_each_serving_is_a_line_in_the_visits_history(world, lounge):
    visit = greeted(world)
    visit_serve(actor=world.a.staff, visit=visit, drink=lounge["coffee"])
    visit_serve(actor=world.a.staff, visit=visit, drink=lounge["coffee"])
    notes = [e.note for e in visit_history(visit)]
    assert any("咖啡" in n for n in notes[:2]) and len([n for n in notes if "咖啡" in n]) == 2


# --- Introduction (S4.3), farewell (S4.4), departure ---------------------------------------------


def test_first_time_customer_is_introduced_once_after_the_greeting(world, lounge):
    """S4.3: the introduction is recorded with who and when, once, and only after the greeting."""
    visit = arrive(world, customer=lounge["customer"])
    with pytest.raises(ValidationError) as caught:
        visit_introduce(actor=world.a.staff, visit=visit)
    assert "S4.1" in caught.value.messages[0]
    visit_greet(actor=world.a.staff, visit=visit)
    visit = visit_introduce(actor=world.a.supervisor, visit=visit)
    assert visit.introduced_by == world.a.supervisor and visit.introduced_at is not None
    with pytest.raises(ValidationError):
        visit_introduce(actor=world.a.staff, visit=visit)


def test_a_returning_customer_is_not_introduced(world, lounge):
    visit = greeted(world, guest_name="老客户")
    with pytest.raises(ValidationError) as caught:
        visit_introduce(actor=world.a.staff, visit=visit)
    assert "S4.3" in caught.value.messages[0]


def test_farewell_once(world, lounge):
    """S4.4: seen off by whom and when; not twice."""
    visit = greeted(world)
    visit = visit_farewell(actor=world.a.staff, visit=visit)
    assert visit.farewell_by == world.a.staff
    with pytest.raises(ValidationError):
        visit_farewell(actor=world.a.staff, visit=visit)


def test_departure_cancels_a_refill_clock_not_yet_due(world, lounge):
    with translation.override("en"), time_machine.travel(at("2026-11-30 10:00:00"), tick=False) as clock:
        visit = greeted(world)
        visit_serve(actor=world.a.staff, visit=visit, drink=lounge["coffee"])
        clock.move_to(at("2026-11-30 10:10:00"))
        visit = visit_depart(actor=world.a.staff, visit=visit)
    assert visit.departed_at == at("2026-11-30 10:10:00") and not visit.in_lounge
    refill = Promise.objects.get(pk=visit.refill_promise_id)
    assert refill.state == PromiseState.CANCELLED and refill.close_reason == "customer left"


def test_departure_closes_an_overdue_clock_as_not_kept(world, lounge):
    """A customer never greeted, or whose refill was overdue, leaves: the clock counts as missed."""
    with time_machine.travel(at("2026-11-30 10:00:00"), tick=False) as clock:
        never_greeted = arrive(world)
        visit = greeted(world, customer=lounge["customer"])
        visit_serve(actor=world.a.staff, visit=visit, drink=lounge["coffee"])
        clock.move_to(at("2026-11-30 10:30:00"))
        visit_depart(actor=world.a.staff, visit=never_greeted)
        visit = visit_depart(actor=world.a.staff, visit=visit)
    assert Promise.objects.get(pk=never_greeted.greet_promise_id).state == PromiseState.BROKEN
    assert Promise.objects.get(pk=visit.refill_promise_id).state == PromiseState.BROKEN
    assert Promise.objects.get(pk=visit.greet_promise_id).state == PromiseState.KEPT  # unchanged


def test_departure_before_the_greeting_clock_ran_out_cancels_it(world, lounge):
    with time_machine.travel(at("2026-11-30 10:00:00"), tick=False) as clock:
        visit = arrive(world)
        clock.move_to(at("2026-11-30 10:00:20"))
        visit = visit_depart(actor=world.a.staff, visit=visit)
    assert Promise.objects.get(pk=visit.greet_promise_id).state == PromiseState.CANCELLED


def test_nothing_is_recorded_after_the_customer_left(world, lounge):
    visit = greeted(world)
    visit = visit_depart(actor=world.a.staff, visit=visit)
    for step in (visit_greet, visit_farewell, visit_depart, visit_offer_drink):
        with pytest.raises(ValidationError) as caught:
            step(actor=world.a.staff, visit=visit)
        assert "left" in caught.value.messages[0] or "离开" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        visit_serve(actor=world.a.staff, visit=visit, drink=lounge["coffee"])
    assert not Serving.objects.exists()


def test_steps_by_an_auditor_or_another_store_are_refused(world, lounge):
    visit = arrive(world)
    for actor in (world.a.auditor, world.b.staff, world.b.manager):
        with pytest.raises(PermissionDenied):
            visit_greet(actor=actor, visit=visit)


# --- Changes to a visit --------------------------------------------------------------------------


def test_update_changes_seat_and_service_status_with_history(world, lounge):
    visit = arrive(world)
    visit = visit_update(
        actor=world.a.staff, visit=visit, seat=lounge["seat"], repair_order="RO-9", service_status="完工"
    )
    assert (visit.seat, visit.repair_order, visit.service_status) == (lounge["seat"], "RO-9", "完工")
    entry = history_for(visit)[0]
    assert entry.action == HistoryAction.UPDATE and entry.changes["service_status"] == ["", "完工"]
    visit = visit_update(actor=world.a.staff, visit=visit, clear_seat=True)
    assert visit.seat is None


def test_update_refuses_another_stores_seat_and_unflagging_an_introduced_visit(world, lounge):
    visit = greeted(world, customer=lounge["customer"])
    with pytest.raises(ValidationError) as caught:
        visit_update(actor=world.a.staff, visit=visit, seat=lounge["b_seat"])
    assert "seat" in caught.value.message_dict
    visit_introduce(actor=world.a.staff, visit=visit)
    with pytest.raises(ValidationError) as caught:
        visit_update(actor=world.a.staff, visit=visit, first_visit=False)
    assert "first_visit" in caught.value.message_dict


# --- Drink menu and settings ---------------------------------------------------------------------


def test_manager_adds_renames_and_orders_drinks(world, lounge):
    juice = drink_save(actor=world.a.manager, store=world.a.store, name=" 橙汁 ")
    assert juice.name == "橙汁" and juice.position == 2  # after coffee (0) and tea (1)
    juice = drink_save(actor=world.a.manager, store=world.a.store, drink=juice, name="鲜榨橙汁", position=0)
    assert (juice.name, juice.position) == ("鲜榨橙汁", 0)
    assert history_for(juice)[0].changes["name"] == ["橙汁", "鲜榨橙汁"]


def test_drink_names_are_unique_and_required_and_staff_may_not_edit_the_menu(world, lounge):
    with pytest.raises(ValidationError) as caught:
        drink_save(actor=world.a.manager, store=world.a.store, name="咖啡")
    assert "咖啡" in caught.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as caught:
        drink_save(actor=world.a.manager, store=world.a.store, name="  ")
    assert "name" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        drink_save(actor=world.a.staff, store=world.a.store, name="奶茶")
    with pytest.raises(ValidationError):  # another store's drink is not this store's to change
        drink_save(actor=world.a.manager, store=world.a.store, drink=lounge["b_drink"], name="x")


def test_any_attendant_marks_a_drink_out_of_stock_and_back(world, lounge):
    drink = drink_toggle_available(actor=world.a.staff, drink=lounge["coffee"])
    assert drink.available is False
    drink = drink_toggle_available(actor=world.a.supervisor, drink=drink)
    assert drink.available is True
    with pytest.raises(PermissionDenied):
        drink_toggle_available(actor=world.a.auditor, drink=drink)
    with pytest.raises(PermissionDenied):
        drink_toggle_available(actor=world.b.staff, drink=drink)


def _settings(world, **changes):
    values = {
        "greet_within_seconds": 60,
        "refill_every_minutes": 20,
        "help_within_minutes": 3,
        "fix_within_hours": 8,
        "requests_per_seat_per_10_minutes": 5,
    } | changes
    return lounge_settings_update(actor=world.a.manager, store=world.a.store, **values)


def test_manager_changes_the_lounge_clocks_and_the_history_keeps_before_and_after(world, lounge):
    found = _settings(world, greet_within_seconds=45, maintenance_department=world.a.cs)
    found = _settings(world, greet_within_seconds=30, maintenance_department=world.a.cs)
    assert found.greet_within_seconds == 30
    assert history_for(found)[0].changes == {"greet_within_seconds": ["45", "30"]}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"greet_within_seconds": 5}, "greet_within_seconds"),
        ({"greet_within_seconds": 601}, "greet_within_seconds"),
        ({"refill_every_minutes": 4}, "refill_every_minutes"),
        ({"help_within_minutes": 0}, "help_within_minutes"),
        ({"fix_within_hours": 241}, "fix_within_hours"),
        ({"requests_per_seat_per_10_minutes": 51}, "requests_per_seat_per_10_minutes"),
    ],
)
def test_settings_out_of_range_are_refused_naming_the_field(world, changes, field):
    with pytest.raises(ValidationError) as caught:
        _settings(world, **changes)
    assert list(caught.value.message_dict) == [field]


def test_settings_refuse_another_stores_department_and_staff(world):
    with pytest.raises(ValidationError) as caught:
        _settings(world, maintenance_department=world.b.cs)
    assert "maintenance_department" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        lounge_settings_update(
            actor=world.a.supervisor,
            store=world.a.store,
            greet_within_seconds=60,
            refill_every_minutes=20,
            help_within_minutes=3,
            fix_within_hours=8,
            requests_per_seat_per_10_minutes=5,
        )


# --- The customer's timeline ---------------------------------------------------------------------


def test_the_visit_is_on_the_customers_timeline(world, lounge):
    visit = greeted(world, customer=lounge["customer"])
    visit_serve(actor=world.a.staff, visit=visit, drink=lounge["coffee"])
    items = [i for i in customer_timeline(lounge["customer"]) if i.kind == "visit"]
    assert len(items) == 1
    assert items[0].url == f"/lounge/visits/{visit.pk}/"
    assert "1" in items[0].detail and items[0].actor == world.a.staff.name
