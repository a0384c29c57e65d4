"""Hand-made telephone records for the figures tests."""

from datetime import timedelta

from phone.choices import Direction
from phone.models import Call, Message
from promises.services import promise_break, promise_cancel, promise_keep, promise_make
from tests.clock import at

# The week of Monday 9 to Sunday 15 March 2026.
WEDNESDAY = at("2026-03-11 10:00")


def call(store, *, started_at=WEDNESDAY, direction=Direction.INBOUND, **fields) -> Call:
    return Call.objects.create(
        store=store, started_at=started_at, direction=direction, number="+8613812345678", **fields
    )


def answered(store, person, *, ring_seconds=5.0, in_time=True, started_at=WEDNESDAY, **fields) -> Call:
    return call(
        store,
        started_at=started_at,
        answered_at=started_at + timedelta(seconds=ring_seconds or 0),
        ring_seconds=ring_seconds,
        answered_in_time=in_time,
        answered_by=person,
        department=person.department,
        **fields,
    )


def missed(store, *, started_at=WEDNESDAY, department=None) -> Call:
    return call(store, started_at=started_at, missed=True, outcome="missed", department=department)


def promise(store, owner, *, kind, rule_id, due_at, state="open", kept_at=None):
    """A promise made an hour before it is due, then kept, broken or cancelled as asked."""
    made = promise_make(
        store=store, kind=kind, rule_id=rule_id, title=kind, owner=owner, due_at=due_at, now=due_at - timedelta(hours=1)
    )
    if state in ("kept", "late"):
        made = promise_keep(promise=made, at=kept_at or (due_at + timedelta(minutes=-5 if state == "kept" else 5)))
    elif state == "broken":
        made = promise_break(promise=made, reason="test")
    elif state == "cancelled":
        made = promise_cancel(promise=made, actor=owner, reason="test")
    return made


def missed_callback(store, owner, *, due_at=WEDNESDAY, state="open", **kw):
    return promise(store, owner, kind="missed_callback", rule_id="S2.10", due_at=due_at, state=state, **kw)


def message(store, *, for_user, taken_by, callback_wanted=True, taken_at=WEDNESDAY, state=None):
    found = Message.objects.create(
        store=store,
        for_user=for_user,
        caller_name="王先生",
        text="请回电",
        callback_wanted=callback_wanted,
        callback_by=taken_at + timedelta(hours=1) if callback_wanted else None,
        taken_by=taken_by,
        taken_at=taken_at,
    )
    if state:
        found.promise = promise(
            store, for_user, kind="message_callback", rule_id="S2.3", due_at=taken_at + timedelta(hours=1), state=state
        )
        found.save(update_fields=["promise"])
    return found
