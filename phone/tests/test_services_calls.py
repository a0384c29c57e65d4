"""Services of calls: ring time (S2.1), logging, cut-off and missed calls (S2.10), the incoming-call pop-up."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from phone.choices import Direction, Outcome, Purpose
from phone.models import Call, PhoneSettings
from phone.services.calls import call_back, call_incoming, missed_call_promise
from phone.tests.helpers import log
from promises.choices import PromiseState
from promises.selectors import my_day
from tests.clock import at
from tests.factories import make_customer, make_vehicle


@pytest.mark.parametrize(
    ("seconds", "rings", "in_time"),
    [(0, 1, True), (4.9, 1, True), (5.0, 2, True), (14.9, 3, True), (15.0, 4, False), (21, 5, False)],
)
def test_ring_seconds_convert_to_rings_with_chinas_cadence(world, seconds, rings, in_time):
    """S2.1: answer before the 4th ring; with 1 s tone + 4 s silence the 4th ring starts at 15 s."""
    call = log(world, number="13812345678", ring_seconds=seconds)
    assert (call.rings, call.answered_in_time) == (rings, in_time)


def test_rings_counted_by_hand_use_the_store_ring_cycle(world):
    PhoneSettings.objects.create(store=world.a.store, ring_cycle_seconds=6)
    third = log(world, rings=3)
    fourth = log(world, rings=4)
    assert (third.ring_seconds, third.answered_in_time) == (12.0, True)
    assert (fourth.ring_seconds, fourth.answered_in_time) == (18.0, False)


def test_number_is_normalised_and_names_the_customer_of_the_store(world):
    customer = make_customer(world.a.store, name="张三", mobile="13812345678")
    make_customer(world.b.store, name="乙店张三", mobile="13812345678")
    call = log(world, number="138 1234 5678", purpose=Purpose.ENQUIRY)
    assert call.number == "+8613812345678"
    assert call.number_digits == "13812345678"
    assert call.customer == customer
    assert call.answered_by == world.a.staff and call.department == world.a.cs


def test_unknown_caller_and_extension_digits_are_allowed(world):
    assert log(world, number="").customer is None
    internal = log(world, number="8012")
    assert internal.number == "8012" and internal.customer is None


def test_bad_number_is_refused_naming_the_field(world):
    with pytest.raises(ValidationError) as exc:
        log(world, number="abc-123", outcome="")
    assert set(exc.value.message_dict) == {"number", "outcome"}
    assert Call.objects.count() == 0


def test_transcript_is_checked_against_the_script(world):
    call = log(
        world,
        number="13812345678",
        transcript="客服:您好,测试一店客服部,我是客服1,请问有什么可以帮助您的?\n客户:我想预约保养。",
    )
    assert call.script_result["items"]
    assert call.script_score is not None and call.script_score > 50


def test_dropped_call_becomes_a_desk_promise_due_in_15_business_minutes(world):
    """S2.10: a cut-off call with a known number is a call-back promise for the desk."""
    with time_machine.travel(at("2026-11-30 10:00"), tick=False):
        call = log(world, number="13812345678", outcome=Outcome.DROPPED, ring_seconds=3)
    promise = missed_call_promise(call)  # a second call (the import) makes no second promise
    assert promise.kind == "missed_callback" and promise.rule_id == "S2.10"
    assert promise.owner_department == world.a.cs and promise.owner is None
    assert promise.due_at == at("2026-11-30 10:15")
    assert promise in my_day(world.a.supervisor, now=at("2026-11-30 10:05"))["today"]
    with time_machine.travel(at("2026-11-30 10:10"), tick=False):
        back = call_back(actor=world.a.staff, call=call)
    promise.refresh_from_db()
    assert back.direction == Direction.OUTBOUND and back.returns_call == call
    assert promise.state == PromiseState.KEPT


def test_missed_call_without_number_makes_no_promise(world):
    call = log(world, number="", outcome=Outcome.MISSED)
    assert call.missed and call.answered_in_time is False
    assert missed_call_promise(call) is None


def test_missed_callback_time_is_configurable(world):
    PhoneSettings.objects.create(store=world.a.store, missed_callback_minutes=30)
    with time_machine.travel(at("2026-11-30 10:00"), tick=False):
        call = log(world, number="13812345678", outcome=Outcome.MISSED)
    assert missed_call_promise(call).due_at == at("2026-11-30 10:30")


def test_incoming_call_pops_up_for_the_person_at_the_extension(world):
    customer = make_customer(world.a.store, name="王五", mobile="13700001234")
    make_vehicle(customer, plate="京N8K123")
    incoming = call_incoming(store=world.a.store, number="137 0000 1234", extension="8011")
    assert incoming.user == world.a.staff and incoming.customer == customer
    from phone.selectors import pending_incoming

    assert pending_incoming(world.a.staff) == [incoming]
    assert pending_incoming(world.a.supervisor) == []
    with pytest.raises(ValidationError) as exc:
        call_incoming(store=world.a.store, number="137 0000 1234", extension="9999")
    assert "extension" in exc.value.message_dict
    with time_machine.travel(incoming.created_at + timedelta(minutes=5)):
        assert pending_incoming(world.a.staff) == []
