"""Writes about calls (S2.1, S2.2, S2.10, S2.11): log a call, its transcript, the missed-call promise,
call-backs that keep promises, the incoming-call pop-up, a call's number in full.

Every write runs in a transaction and validates with full_clean(); errors are ValidationErrors naming
the field. The web views, the API and the call-record import call these same functions.
"""

import math
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import history_record, snapshot
from core.models import HistoryAction
from core.validators import clean_number, field_error, mask_number
from customers.models import Customer
from customers.selectors import customer_for_number
from customers.services.customers import phone_reveal_log
from org.access import Right, deny_unless, has_right
from org.choices import DepartmentKind
from org.models import Department, User
from promises.choices import PromiseKind, PromiseState
from promises.models import Promise
from promises.services import promise_keep, promise_make

from ..choices import Direction, Outcome, Purpose, Source
from ..links import call_url
from ..models import Call, IncomingCall, Message, phone_settings
from ..script_check.check import check_transcript
from ..selectors import WaitingCallbacks, department_of, is_recipient, script_context, waiting_callbacks

# ---------------------------------------------------------------------------------------------
# Ring time (S2.1)


def rings_for_seconds(ring_seconds: float, cycle: float) -> int:
    """The ring during which the call was answered: ring n starts at (n - 1) × cycle; 0 s is ring 1."""
    return math.floor(ring_seconds / cycle + 1e-9) + 1


def ring_figures(*, store, ring_seconds: float | None = None, rings: int | None = None):
    """(ring seconds, rings, answered in time) from seconds, or from rings counted by hand.

    With China's cadence (5 s cycle) 14.9 s is the 3rd ring and in time; at 15.0 s the 4th ring
    starts and it is not. Rings counted by hand give the start of that ring as the ring time.
    """
    settings = phone_settings(store)
    cycle = settings.ring_cycle_seconds or 5.0
    if ring_seconds is not None:
        if ring_seconds < 0:
            raise field_error("ring_seconds", _("The ring time cannot be negative."))
        rings = rings_for_seconds(ring_seconds, cycle)
    elif rings is not None:
        if rings < 1:
            raise field_error("rings", _("Count at least one ring."))
        ring_seconds = (rings - 1) * cycle
    else:
        return None, None, None
    return float(ring_seconds), rings, ring_seconds < settings.max_rings * cycle


# ---------------------------------------------------------------------------------------------
# Calls


def _desk_department(store):
    """The store's customer-service department (the desk), else its first active department."""
    departments = Department.objects.filter(store=store, active=True).order_by("id")
    return departments.filter(kind=DepartmentKind.CUSTOMER_SERVICE).first() or departments.first()


def _run_script_check(call: Call) -> None:
    call_kind = "complaint" if call.purpose == Purpose.COMPLAINT else (call.purpose or "other")
    result = check_transcript(
        call.transcript,
        call_kind=call_kind,
        context=script_context(call.store, call.answered_by, call.department),
    )
    call.script_result = result.to_json()
    call.script_score = result.score


CALL_FIELDS = ("direction", "number", "customer", "purpose", "outcome", "ring_seconds", "answered_by", "notes")


_ACTOR = object()  # call_log's answered_by when not given: the actor, unless the call was missed


@transaction.atomic
def call_log(
    *,
    actor: User | None,
    store,
    outcome: str,
    direction: str = Direction.INBOUND,
    number: str = "",
    customer: Customer | None = None,
    purpose: str = "",
    notes: str = "",
    ring_seconds: float | None = None,
    rings: int | None = None,
    answered_by: User | None = _ACTOR,
    started_at: datetime | None = None,
    extension: str = "",
    hung_up_first: str = "",
    transferred_to: Department | None = None,
    transcript: str = "",
    returns_call: Call | None = None,
    source: str = Source.CONSOLE,
) -> Call:
    """Log one call (S2.1, S2.11): number, customer, ring time, purpose, outcome, who answered.

    A transcript is checked against the department's script (S2.2, S2.4, S2.6). A dropped or missed
    call with a known number becomes a call-back promise for the desk (S2.10); an outgoing call to a
    number waiting for a call-back keeps that promise (S2.3, S2.10).
    """
    errors = {}
    direction = direction or Direction.INBOUND
    outcome = outcome or ""
    try:
        number, digits = clean_number(number or "")
    except ValidationError as exc:
        errors.update(exc.error_dict)
        number, digits = "", ""
    if direction == Direction.OUTBOUND and not number and "number" not in errors:
        errors["number"] = [_("Enter the number that was called.")]
    if not outcome:
        errors["outcome"] = [_("Choose how the call ended.")]
    if customer is not None and customer.store_id != store.pk:
        errors["customer"] = [_("The customer is not one of this store's customers.")]
    try:
        ring_seconds, rings, in_time = ring_figures(store=store, ring_seconds=ring_seconds, rings=rings)
    except ValidationError as exc:
        errors.update(exc.error_dict)
        ring_seconds = rings = in_time = None
    if errors:
        raise ValidationError(errors)
    missed = outcome == Outcome.MISSED
    if answered_by is _ACTOR:
        answered_by = actor if not missed else None
    if answered_by is not None and not getattr(answered_by, "pk", None):
        answered_by = None
    if direction == Direction.INBOUND and missed:
        in_time = False
    inbound = direction == Direction.INBOUND
    call = Call(
        store=store,
        direction=direction,
        number=number,
        number_digits=digits,
        customer=customer if customer is not None else customer_for_number(store, digits),
        started_at=started_at or timezone.now(),
        ring_seconds=ring_seconds if inbound else None,
        rings=rings if inbound else None,
        answered_in_time=in_time if inbound else None,
        missed=missed,
        purpose=purpose or "",
        outcome=outcome,
        notes=(notes or "").strip(),
        answered_by=answered_by,
        department=department_of(answered_by, store),
        extension=extension or (getattr(answered_by, "extension", "") or ""),
        hung_up_first=hung_up_first or "",
        transferred_to=transferred_to,
        transcript=(transcript or "").strip(),
        returns_call=returns_call,
        source=source or Source.CONSOLE,
        logged_by=actor if getattr(actor, "pk", None) else None,
        logged_at=timezone.now(),
    )
    if call.transcript:
        _run_script_check(call)
    call.full_clean()
    call.save()
    history_record(actor=actor, obj=call, action=HistoryAction.CREATE, after=snapshot(call, CALL_FIELDS))
    if outcome in (Outcome.DROPPED, Outcome.MISSED):
        missed_call_promise(call)
    if direction == Direction.OUTBOUND and outcome != Outcome.NO_ANSWER:
        callbacks_keep([call], actor_of=lambda _call: actor)
    return call


@transaction.atomic
def call_transcript_set(*, actor, call: Call, transcript: str) -> Call:
    """Store a transcript and its script check (S2.2; S2.4 and S2.6 for complaints)."""
    call = (
        Call.objects.select_for_update(of=("self",))
        .select_related("store", "answered_by", "department")
        .get(pk=call.pk)
    )
    text = (transcript or "").strip()
    if not text:
        raise field_error("transcript", _("Paste or type the transcript."))
    before = snapshot(call, ["transcript", "script_score"])
    call.transcript = text
    _run_script_check(call)
    call.full_clean()
    call.save(update_fields=["transcript", "script_result", "script_score"])
    history_record(
        actor=actor,
        obj=call,
        action=HistoryAction.UPDATE,
        before=before,
        after=snapshot(call, ["transcript", "script_score"]),
    )
    return call


def missed_call_promise(call: Call) -> Promise | None:
    """A dropped or missed call with a known number becomes a call-back promise for the desk (S2.10).

    Owned by the answering person's department, else the store's customer-service department; due
    in the store's configured business minutes (default 15). Calling the number back keeps it.
    Safe to call twice for the same call (the phone-system import calls it too).
    """
    if not call.number_digits or call.direction == Direction.INTERNAL:
        return None
    if not (call.missed or call.outcome in (Outcome.DROPPED, Outcome.MISSED)):
        return None
    call_type = ContentType.objects.get_for_model(Call)
    existing = Promise.objects.filter(
        subject_type=call_type, subject_id=call.pk, kind=PromiseKind.MISSED_CALLBACK
    ).first()
    if existing is not None:
        return existing
    department = None
    if call.answered_by_id:
        department = department_of(call.answered_by, call.store)
    department = department or call.department or _desk_department(call.store)
    if department is None:
        return None
    settings = phone_settings(call.store)
    start = min(call.ended_at or call.started_at, timezone.now())
    # The title goes to the bell, 我的承诺 and WeCom: the number masked there, in full on the call's page
    # after a logged reveal (PIPL).
    title = _("Call back %(number)s (cut off or missed)") % {
        "number": call.customer.name if call.customer_id else mask_number(call.number)
    }
    return promise_make(
        store=call.store,
        kind=PromiseKind.MISSED_CALLBACK,
        rule_id="S2.10",
        title=title,
        owner_department=department,
        subject=call,
        url=call_url(call),
        business_minutes=settings.missed_callback_minutes,
        now=start,
    )


def callbacks_keep(
    calls: Iterable[Call], *, actor_of: Callable[[Call], object], waiting: WaitingCallbacks | None = None
) -> int:
    """Outgoing calls to numbers that wait for a call-back keep those promises (S2.3, S2.10).

    The one rule for the console and the phone system's records alike. Taken in the order they
    started, each call keeps the open promises of the missed or dropped calls from its number that
    started before it (a call's own promise aside), and the call-back promises of messages for its
    number, when the person who called (``actor_of(call)``) is the message's recipient or a member of
    its department. A call made before the missed call keeps nothing, nor does a call in the phone
    system's records made before the message was taken (a call logged at the console is the call-back
    of the message its person has in front of them). ``waiting`` (from
    waiting_callbacks) may be given when the caller has looked the promises up already.
    """
    calls = sorted((c for c in calls if c.number_digits), key=lambda c: (c.started_at, c.pk or 0))
    if not calls:
        return 0
    if waiting is None:
        waiting = waiting_callbacks(
            calls[0].store, digits={c.number_digits for c in calls}, numbers={c.number for c in calls}
        )
    kept = 0
    for call in calls:
        actor = None
        for started_at, promise in waiting.missed.get(call.number_digits, ()):
            if promise.state != PromiseState.OPEN or promise.subject_id == call.pk or started_at > call.started_at:
                continue
            actor = actor or actor_of(call)
            kept_promise = promise_keep(promise=promise, actor=actor, at=call.started_at)
            promise.state = kept_promise.state
            kept += 1
        for message in waiting.messages.get(call.number, ()):
            if message.called_back_at is not None:
                continue
            if call.source == Source.PHONE_SYSTEM and message.taken_at > call.started_at:
                continue  # the records' call was made before the message was taken
            actor = actor or actor_of(call)
            if actor is not None and is_recipient(actor, message):
                message_called_back(message, call, actor)
                message.called_back_at = call.started_at
                kept += 1
    return kept


# ---------------------------------------------------------------------------------------------
# Call-backs (S2.3, S2.10)


def message_called_back(message: Message, call: Call, actor) -> None:
    message = Message.objects.select_for_update(of=("self",)).select_related("promise").get(pk=message.pk)
    if message.called_back_at is None:
        message.called_back_at = call.started_at
        message.callback_call = call
        message.read_at = message.read_at or call.started_at
        message.save(update_fields=["called_back_at", "callback_call", "read_at"])
    if message.promise is not None:
        promise_keep(promise=message.promise, actor=actor, at=call.started_at)


@transaction.atomic
def call_back(
    *,
    actor: User,
    message: Message | None = None,
    call: Call | None = None,
    outcome: str = Outcome.HANDLED,
    notes: str = "",
) -> Call:
    """Log the outgoing call that returns a message or a dropped or missed call; it keeps the promise."""
    if (message is None) == (call is None):
        raise ValueError("call_back needs a message or a call")
    outcome = outcome or Outcome.HANDLED
    if message is not None:
        store, number, customer, returns = message.store, message.caller_number, message.customer, message.call
    else:
        store, number, customer, returns = call.store, call.number, call.customer, call
    if not number:
        raise field_error("number", _("There is no number to call back."))
    new_call = call_log(
        actor=actor,
        store=store,
        direction=Direction.OUTBOUND,
        number=number,
        customer=customer,
        purpose=Purpose.CALLBACK,
        outcome=outcome,
        notes=notes or "",
        returns_call=returns,
        answered_by=actor,
    )
    if message is not None and outcome != Outcome.NO_ANSWER:
        message_called_back(message, new_call, actor)
    return new_call


# ---------------------------------------------------------------------------------------------
# The incoming-call pop-up


@transaction.atomic
def call_incoming(*, store, number: str, extension: str) -> IncomingCall:
    """A ringing call pushed by the phone system: a pop-up on the console of the person at the extension."""
    stored, digits = clean_number(number)
    extension = (extension or "").strip()
    if not extension:
        raise field_error("extension", _("Give the answering extension."))
    person = (
        User.objects.filter(store=store, extension=extension, is_active=True).order_by("id").first()
        if extension
        else None
    )
    if person is None:
        raise field_error(
            "extension",
            _("Nobody in this store has the extension %(value)s."),
            code="unknown_extension",
            params={"value": extension},
        )
    # pop-ups are not records: yesterday's are cleared away as new calls ring
    IncomingCall.objects.filter(store=store, created_at__lt=timezone.now() - timedelta(days=1)).delete()
    incoming = IncomingCall(
        store=store,
        number=stored,
        extension=extension,
        user=person,
        customer=customer_for_number(store, digits),
    )
    incoming.full_clean()
    incoming.save()
    return incoming


@transaction.atomic
def incoming_take(*, actor, incoming: IncomingCall) -> IncomingCall:
    """The person took (or dismissed) the pop-up."""
    incoming = IncomingCall.objects.select_for_update().get(pk=incoming.pk)
    if incoming.taken_at is None:
        incoming.taken_at = timezone.now()
        incoming.save(update_fields=["taken_at"])
    return incoming


# ---------------------------------------------------------------------------------------------
# A call's or a message's number in full (PIPL)


def number_reveal(*, actor, store_id: int, customer, number: str, field: str, detail: str) -> str:
    deny_unless(has_right(actor, Right.REVEAL_PHONE, store_id))
    if not number:
        raise field_error(field, _("There is no number to show."), code="required")
    phone_reveal_log(actor=actor, store_id=store_id, customer=customer, ref=detail[:40], detail=detail)
    return number


@transaction.atomic
def call_reveal_number(*, actor, call: Call) -> str:
    """The call's number in full, logged like a customer's number: who saw it, when, which call (PIPL)."""
    return number_reveal(
        actor=actor,
        store_id=call.store_id,
        customer=call.customer,
        number=call.number,
        field="number",
        detail=_("Number of call #%(id)s") % {"id": call.pk},
    )
