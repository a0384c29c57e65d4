"""Services of messages for absent colleagues and their call-backs (S2.3)."""

import pytest
import time_machine
from django.core.exceptions import ValidationError

from phone.choices import Direction, Outcome
from phone.services.calls import call_back, call_log
from phone.services.messages import message_mark_read
from phone.tests.helpers import take
from promises.choices import PromiseState
from promises.models import Notification
from promises.selectors import my_day
from tests.clock import at


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
