"""Records the phone tests log through the services: a call and a message of store A."""

from phone.choices import Outcome
from phone.services.calls import call_log
from phone.services.messages import message_take


def log(world, **data):
    """A call of store A logged by its staff member (handled unless told)."""
    data.setdefault("outcome", Outcome.HANDLED)
    return call_log(actor=world.a.staff, store=world.a.store, **data)


def take(world, **data):
    """A message of store A for its supervisor, with a call-back wanted unless told."""
    base = {
        "for_user": world.a.supervisor,
        "caller_name": "李先生",
        "caller_number": "13812345678",
        "text": "请回电,关于保养",
        "callback_wanted": True,
    }
    return message_take(actor=world.a.staff, store=world.a.store, **{**base, **data})
