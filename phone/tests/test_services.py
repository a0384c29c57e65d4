"""Call console services: ring time (S2.1), messages and call-backs (S2.3), cut-off calls (S2.10), scripts."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from phone.choices import Direction, Outcome, Purpose, ScriptKind
from phone.models import Call, GreetingScript, PhoneSettings
from phone.selectors import scripts_for
from phone.services.calls import call_back, call_incoming, call_log, missed_call_promise
from phone.services.messages import message_mark_read, message_take
from phone.services.scripts import script_save
from promises.choices import PromiseState
from promises.models import Notification
from promises.selectors import my_day
from tests.clock import at
from tests.factories import make_customer, make_vehicle

TZ = ZoneInfo("Asia/Shanghai")


def log(world, **data):
    data.setdefault("outcome", Outcome.HANDLED)
    return call_log(actor=world.a.staff, store=world.a.store, **data)


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


def take(world, **data):
    base = {
        "for_user": world.a.supervisor,
        "caller_name": "李先生",
        "caller_number": "13812345678",
        "text": "请回电,关于保养",
        "callback_wanted": True,
    }
    return message_take(actor=world.a.staff, store=world.a.store, **{**base, **data})


@pytest.mark.parametrize(
    ("back_at", "state"), [("2026-11-30 11:30", PromiseState.KEPT), ("2026-11-30 13:00", PromiseState.LATE)]
)
def test_absent_colleague_message_becomes_callback_promise_kept_by_their_call(world, back_at, state):
    """S2.3: the recipient owns the call-back promise; their outgoing call keeps it, on time or late."""
    with time_machine.travel(at("2026-11-30 10:00"), tick=False):
        message = take(world)
    promise = message.promise
    assert promise.owner == world.a.supervisor and promise.kind == "message_callback" and promise.rule_id == "S2.3"
    assert promise.due_at == at("2026-11-30 12:00")
    assert promise in my_day(world.a.supervisor, now=at("2026-11-30 10:01"))["today"]
    assert Notification.objects.filter(recipient=world.a.supervisor, promise=promise).exists()
    with time_machine.travel(at(back_at), tick=False):
        call_back(actor=world.a.supervisor, message=message)
    message.refresh_from_db()
    promise.refresh_from_db()
    assert promise.state == state
    assert message.called_back_at == at(back_at) and message.read_at is not None


def test_an_outgoing_call_to_the_number_keeps_the_recipients_promise(world):
    with time_machine.travel(at("2026-11-30 10:00"), tick=False):
        message = take(world)
        call_log(
            actor=world.a.supervisor,
            store=world.a.store,
            direction=Direction.OUTBOUND,
            number="138-1234-5678",
            outcome=Outcome.HANDLED,
        )
    message.refresh_from_db()
    assert message.promise.state == PromiseState.KEPT and message.called_back_at


def test_callback_by_a_given_time(world):
    with time_machine.travel(at("2026-11-30 10:00"), tick=False):
        message = take(world, callback_by=at("2026-11-30 16:00"))
    assert message.promise.due_at == at("2026-11-30 16:00")


def test_message_without_callback_is_delivered_and_marked_read(world):
    message = take(world, callback_wanted=False, caller_number="", for_user=None, for_department=world.a.cs)
    assert message.promise is None
    assert Notification.objects.filter(recipient=world.a.staff, title__contains="李先生").exists()
    message_mark_read(actor=world.a.staff, message=message)
    message.refresh_from_db()
    assert message.read_at is not None


def test_callback_needs_a_number_and_a_recipient_of_the_store(world):
    with pytest.raises(ValidationError) as exc:
        take(world, caller_number="", for_user=world.b.staff)
    assert set(exc.value.message_dict) == {"caller_number", "for_user"}


def test_scripts_are_filled_with_store_department_and_name(world):
    scripts = {s["kind"]: s for s in scripts_for(world.a.store, world.a.cs, person=world.a.staff)}
    assert len(scripts) == len(ScriptKind)
    assert scripts["greeting"]["filled"] == "您好\uff0c测试一店客服部\uff0c我是客服1\uff0c请问有什么可以帮助您的\uff1f"
    assert "测试一店客服部的客服1" in scripts["dropped"]["filled"]


def test_department_script_beats_the_store_script_beats_the_standard(world):
    GreetingScript.objects.create(store=world.a.store, kind="greeting", text="您好,{store}!")
    script_save(actor=world.a.manager, department=world.a.lounge, kind="greeting", text="欢迎,{department}{name}")
    lounge = scripts_for(world.a.store, world.a.lounge, person=world.a.staff)[0]
    cs = scripts_for(world.a.store, world.a.cs, person=world.a.staff)[0]
    assert lounge["filled"] == "欢迎,客户休息室客服1"
    assert cs["filled"] == "您好,测试一店!"
    script_save(actor=world.a.manager, department=world.a.lounge, kind="greeting", text="")
    assert scripts_for(world.a.store, world.a.lounge)[0]["filled"] == "您好,测试一店!"


def test_script_editing_is_for_managers_and_the_departments_supervisor(world):
    script_save(actor=world.a.supervisor, department=world.a.cs, kind="present", text="好的,请稍等。")
    with pytest.raises(PermissionDenied):
        script_save(actor=world.a.supervisor, department=world.a.lounge, kind="present", text="x")
    with pytest.raises(PermissionDenied):
        script_save(actor=world.a.staff, department=world.a.cs, kind="present", text="x")
    with pytest.raises(ValidationError) as exc:
        script_save(actor=world.a.manager, department=world.a.cs, kind="present", text="{nme}")
    assert "text" in exc.value.message_dict


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


def test_calls_and_messages_appear_on_the_customer_timeline(world):
    from customers.selectors import customer_timeline

    customer = make_customer(world.a.store, name="张三", mobile="13812345678")
    log(world, number="13812345678", purpose=Purpose.BOOKING)
    take(world)
    kinds = {item.kind for item in customer_timeline(customer)}
    assert {"call", "message"} <= kinds
