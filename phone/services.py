"""Writes of the call console (S2): log a call, the incoming-call pop-up, messages, call-backs, scripts.

Every write runs in a transaction and validates with full_clean(); errors are ValidationError dicts
naming the field. The web views and the API call these same functions.
"""

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.audit import history_record, history_record_saved, snapshot
from core.models import HistoryAction
from core.validators import clean_number, mask_number
from customers.selectors import customer_for_number
from customers.services.customers import phone_reveal_log
from org.access import Right, has_right, may_act_on
from org.choices import DepartmentKind, Role
from org.models import Department, User
from promises.choices import NotificationKind, PromiseKind, PromiseState
from promises.models import Promise
from promises.services import notification_send, promise_keep, promise_make

from . import script_check
from .choices import Direction, Outcome, Purpose, ScriptKind, Source
from .models import Call, GreetingScript, IncomingCall, Message, PhoneSettings, phone_settings

MESSAGE_CALLBACK_MINUTES = 120  # S2.3: a wanted call-back without a time is due in two business hours

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
            raise ValidationError({"ring_seconds": [_("The ring time cannot be negative.")]})
        rings = rings_for_seconds(ring_seconds, cycle)
    elif rings is not None:
        if rings < 1:
            raise ValidationError({"rings": [_("Count at least one ring.")]})
        ring_seconds = (rings - 1) * cycle
    else:
        return None, None, None
    return float(ring_seconds), rings, ring_seconds < settings.max_rings * cycle


# ---------------------------------------------------------------------------------------------
# Calls


def _department_of(person, store):
    if person is not None and person.department_id and person.department.store_id == store.pk:
        return person.department
    return None


def _desk_department(store):
    """The store's customer-service department (the desk), else its first active department."""
    departments = Department.objects.filter(store=store, active=True).order_by("id")
    return departments.filter(kind=DepartmentKind.CUSTOMER_SERVICE).first() or departments.first()


def script_context(store, person, department) -> script_check.ScriptContext:
    return script_check.ScriptContext(
        store_name=store.name,
        department_name=department.name if department else "",
        person_name=(person.name or person.username) if person else "",
        staff_number=(person.employee_no or "") if person else "",
    )


def _run_script_check(call: Call) -> None:
    call_kind = "complaint" if call.purpose == Purpose.COMPLAINT else (call.purpose or "other")
    result = script_check.check_transcript(
        call.transcript,
        call_kind=call_kind,
        context=script_context(call.store, call.answered_by, call.department),
    )
    call.script_result = result.to_json()
    call.script_score = result.score


CALL_FIELDS = ("direction", "number", "customer", "purpose", "outcome", "ring_seconds", "answered_by", "notes")


@transaction.atomic
def call_log(*, actor, store, data: dict) -> Call:
    """Log one call (S2.1, S2.11): number, customer, ring time, purpose, outcome, who answered.

    A transcript is checked against the department's script (S2.2, S2.4, S2.6). A dropped or missed
    call with a known number becomes a call-back promise for the desk (S2.10); an outgoing call to a
    number waiting for a call-back keeps that promise (S2.3, S2.10).
    """
    errors = {}
    direction = data.get("direction") or Direction.INBOUND
    outcome = data.get("outcome") or ""
    try:
        number, digits = clean_number(data.get("number", ""))
    except ValidationError as exc:
        errors.update(exc.error_dict)
        number, digits = "", ""
    if direction == Direction.OUTBOUND and not number and "number" not in errors:
        errors["number"] = [_("Enter the number that was called.")]
    if not outcome:
        errors["outcome"] = [_("Choose how the call ended.")]
    customer = data.get("customer")
    if customer is not None and customer.store_id != store.pk:
        errors["customer"] = [_("The customer is not one of this store's customers.")]
    try:
        ring_seconds, rings, in_time = ring_figures(
            store=store, ring_seconds=data.get("ring_seconds"), rings=data.get("rings")
        )
    except ValidationError as exc:
        errors.update(exc.error_dict)
        ring_seconds = rings = in_time = None
    if errors:
        raise ValidationError(errors)
    missed = outcome == Outcome.MISSED
    answered_by = data.get("answered_by", actor if not missed else None)
    if answered_by is not None and not getattr(answered_by, "pk", None):
        answered_by = None
    if direction == Direction.INBOUND and missed:
        in_time = False
    call = Call(
        store=store,
        direction=direction,
        number=number,
        number_digits=digits,
        customer=customer if customer is not None else customer_for_number(store, digits),
        started_at=data.get("started_at") or timezone.now(),
        ring_seconds=ring_seconds if direction == Direction.INBOUND else None,
        rings=rings if direction == Direction.INBOUND else None,
        answered_in_time=in_time if direction == Direction.INBOUND else None,
        missed=missed,
        purpose=data.get("purpose") or "",
        outcome=outcome,
        notes=(data.get("notes") or "").strip(),
        answered_by=answered_by,
        department=_department_of(answered_by, store),
        extension=data.get("extension") or (getattr(answered_by, "extension", "") or ""),
        hung_up_first=data.get("hung_up_first") or "",
        transferred_to=data.get("transferred_to"),
        transcript=(data.get("transcript") or "").strip(),
        returns_call=data.get("returns_call"),
        source=data.get("source") or Source.CONSOLE,
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
        _keep_waiting_callbacks(call, actor)
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
        raise ValidationError({"transcript": [_("Paste or type the transcript.")]})
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


def _callback_url(call: Call) -> str:
    return reverse("phone:call_detail", args=[call.pk])


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
        department = _department_of(call.answered_by, call.store)
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
        url=_callback_url(call),
        business_minutes=settings.missed_callback_minutes,
        now=start,
    )


_FEW = 200  # up to this many numbers are looked up in the database; more, among the store's open promises


@dataclass
class WaitingCallbacks:
    """The call-back promises still open for some numbers: missed calls by digits, messages by number."""

    missed: dict = field(default_factory=dict)  # number digits -> [(missed call's start, promise)]
    messages: dict = field(default_factory=dict)  # stored number -> [message]

    def __bool__(self) -> bool:
        return bool(self.missed or self.messages)

    def earliest(self):
        starts = [start for found in self.missed.values() for start, _promise in found]
        starts += [m.taken_at for found in self.messages.values() for m in found]
        return min(starts) if starts else None


def waiting_callbacks(store, *, digits: Iterable[str] = (), numbers: Iterable[str] = ()) -> WaitingCallbacks:
    """The open call-back promises of missed calls from these digits and of messages from these numbers.

    Three queries whatever the number of numbers: the phone-system import asks once per batch of
    thousands of calls. A long list is matched among the store's open promises (few) rather than
    sent to the database as a list.
    """
    digits = {d for d in digits if d}
    numbers = {n for n in numbers if n}
    waiting = WaitingCallbacks()
    if digits:
        call_type = ContentType.objects.get_for_model(Call)
        promises = Promise.objects.filter(
            store=store, kind=PromiseKind.MISSED_CALLBACK, state=PromiseState.OPEN, subject_type=call_type
        ).order_by("id")
        if len(digits) <= _FEW:
            promises = promises.filter(
                subject_id__in=Call.objects.filter(store=store, number_digits__in=digits).values("pk")
            )
        promises = list(promises)
        subjects = {
            pk: (number_digits, started_at)
            for pk, number_digits, started_at in Call.objects.filter(
                pk__in=[p.subject_id for p in promises]
            ).values_list("pk", "number_digits", "started_at")
        }
        for promise in promises:
            number_digits, started_at = subjects.get(promise.subject_id, ("", None))
            if number_digits in digits:
                waiting.missed.setdefault(number_digits, []).append((started_at, promise))
    if numbers:
        messages = Message.objects.filter(
            store=store, callback_wanted=True, called_back_at=None, promise__state=PromiseState.OPEN
        ).order_by("taken_at", "id")
        if len(numbers) <= _FEW:
            messages = messages.filter(caller_number__in=numbers)
        for message in messages:
            if message.caller_number in numbers:
                waiting.messages.setdefault(message.caller_number, []).append(message)
    return waiting


def keep_waiting_callbacks(
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
            if actor is not None and _is_recipient(actor, message):
                _mark_called_back(message, call, actor)
                message.called_back_at = call.started_at
                kept += 1
    return kept


def _keep_waiting_callbacks(call: Call, actor) -> int:
    """An outgoing call logged at the console keeps the call-backs its number waits for (S2.3, S2.10)."""
    return keep_waiting_callbacks([call], actor_of=lambda _call: actor)


# ---------------------------------------------------------------------------------------------
# The incoming-call pop-up


@transaction.atomic
def call_incoming(*, store, number: str, extension: str) -> IncomingCall:
    """A ringing call pushed by the phone system: a pop-up on the console of the person at the extension."""
    stored, digits = clean_number(number)
    extension = (extension or "").strip()
    if not extension:
        raise ValidationError({"extension": [_("Give the answering extension.")]})
    person = (
        User.objects.filter(store=store, extension=extension, is_active=True).order_by("id").first()
        if extension
        else None
    )
    if person is None:
        raise ValidationError(
            {
                "extension": [
                    ValidationError(
                        _("Nobody in this store has the extension %(value)s."),
                        code="unknown_extension",
                        params={"value": extension},
                    )
                ]
            }
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


def _number_reveal(*, actor, store_id: int, customer, number: str, field: str, detail: str) -> str:
    if not has_right(actor, Right.REVEAL_PHONE, store_id):
        raise PermissionDenied
    if not number:
        raise ValidationError({field: [ValidationError(_("There is no number to show."), code="required")]})
    phone_reveal_log(actor=actor, store_id=store_id, customer=customer, ref=detail[:40], detail=detail)
    return number


@transaction.atomic
def call_reveal_number(*, actor, call: Call) -> str:
    """The call's number in full, logged like a customer's number: who saw it, when, which call (PIPL)."""
    return _number_reveal(
        actor=actor,
        store_id=call.store_id,
        customer=call.customer,
        number=call.number,
        field="number",
        detail=_("Number of call #%(id)s") % {"id": call.pk},
    )


@transaction.atomic
def message_reveal_number(*, actor, message: Message) -> str:
    """The number of a message's caller in full, logged (PIPL); for the message's recipients (S2.3)."""
    message_check_handler(actor, message)
    return _number_reveal(
        actor=actor,
        store_id=message.store_id,
        customer=message.customer,
        number=message.caller_number,
        field="caller_number",
        detail=_("Caller's number of message #%(id)s") % {"id": message.pk},
    )


# ---------------------------------------------------------------------------------------------
# Messages for absent colleagues (S2.3)


def _is_recipient(user, message: Message) -> bool:
    if message.for_user_id:
        return message.for_user_id == user.pk
    return bool(user.department_id) and user.department_id == message.for_department_id


def may_handle_message(user, message: Message) -> bool:
    """A message is read and called back by whom it is for (the colleague, or the department's members), their
    supervisor, or the store's managers (org.access.may_act_on)."""
    return may_act_on(
        user,
        store_id=message.store_id,
        owner_id=message.for_user_id,
        department_id=None if message.for_user_id else message.for_department_id,
    )


def message_check_handler(user, message: Message) -> None:
    """Only a recipient, their supervisor or a manager of the store reads a message or calls back for it."""
    if not may_handle_message(user, message):
        raise PermissionDenied


def message_recipients(message: Message) -> list:
    if message.for_user_id:
        return [message.for_user]
    return list(User.objects.filter(department_id=message.for_department_id, is_active=True))


MESSAGE_FIELDS = (
    "for_user",
    "for_department",
    "caller_name",
    "caller_number",
    "text",
    "callback_wanted",
    "callback_by",
)


@transaction.atomic
def message_take(*, actor, store, data: dict) -> Message:
    """Take a message for a person or a department; a wanted call-back becomes their promise (S2.3)."""
    errors = {}
    person = data.get("for_user")
    department = data.get("for_department")
    if person is not None and (person.store_id != store.pk or not person.is_active):
        errors["for_user"] = [_("The recipient must work in this store.")]
    if department is not None and department.store_id != store.pk:
        errors["for_department"] = [_("The department must be one of this store's.")]
    if person is None and department is None:
        errors["for_user"] = [_("Choose the person or the department the message is for.")]
    caller_name = (data.get("caller_name") or "").strip()
    if not caller_name:
        errors["caller_name"] = [_("Enter the caller's name.")]
    text = (data.get("text") or "").strip()
    if not text:
        errors["text"] = [_("Write the message.")]
    try:
        number, digits = clean_number(data.get("caller_number", ""), field="caller_number")
    except ValidationError as exc:
        errors.update(exc.error_dict)
        number, digits = "", ""
    wanted = bool(data.get("callback_wanted"))
    callback_by = data.get("callback_by") if wanted else None
    if wanted and not number and "caller_number" not in errors:
        errors["caller_number"] = [_("A call-back needs the caller's number.")]
    if callback_by is not None and callback_by <= timezone.now():
        errors["callback_by"] = [_("The call-back time must be in the future.")]
    if errors:
        raise ValidationError(errors)
    message = Message(
        store=store,
        call=data.get("call"),
        for_user=person,
        for_department=department if person is None else (department or None),
        caller_name=caller_name,
        caller_number=number,
        customer=data.get("customer") or customer_for_number(store, digits),
        text=text,
        callback_wanted=wanted,
        callback_by=callback_by,
        taken_by=actor,
        taken_at=timezone.now(),
    )
    message.full_clean()
    message.save()
    url = reverse("phone:message_list") + f"#message-{message.pk}"
    promise = None
    if wanted:
        promise = promise_make(
            store=store,
            kind=PromiseKind.MESSAGE_CALLBACK,
            rule_id="S2.3",
            # masked: the title goes to the bell, 我的承诺 and WeCom (PIPL); the row reveals it, logged
            title=_("Call back %(name)s (%(number)s)") % {"name": caller_name, "number": mask_number(number)},
            actor=actor,
            owner=person,
            owner_department=None if person is not None else department,
            subject=message,
            url=url,
            due_at=callback_by,
            business_minutes=None if callback_by else MESSAGE_CALLBACK_MINUTES,
        )
        message.promise = promise
        message.save(update_fields=["promise"])
    notification_send(
        recipients=message_recipients(message),
        store=store,
        title=_("Message from %(name)s: %(text)s") % {"name": caller_name, "text": text[:80]},
        kind=NotificationKind.ASSIGNED if promise else NotificationKind.INFO,
        promise=promise,
        url=url,
    )
    history_record(actor=actor, obj=message, action=HistoryAction.CREATE, after=snapshot(message, MESSAGE_FIELDS))
    return message


@transaction.atomic
def message_mark_read(*, actor, message: Message) -> Message:
    """The recipient has read the message (delivered messages without a call-back end here)."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message


def _mark_called_back(message: Message, call: Call, actor) -> None:
    message = Message.objects.select_for_update(of=("self",)).select_related("promise").get(pk=message.pk)
    if message.called_back_at is None:
        message.called_back_at = call.started_at
        message.callback_call = call
        message.read_at = message.read_at or call.started_at
        message.save(update_fields=["called_back_at", "callback_call", "read_at"])
    if message.promise is not None:
        promise_keep(promise=message.promise, actor=actor, at=call.started_at)


@transaction.atomic
def call_back(*, actor, message: Message | None = None, call: Call | None = None, data: dict | None = None) -> Call:
    """Log the outgoing call that returns a message or a dropped or missed call; it keeps the promise."""
    if (message is None) == (call is None):
        raise ValueError("call_back needs a message or a call")
    data = dict(data or {})
    outcome = data.get("outcome") or Outcome.HANDLED
    if message is not None:
        store = message.store
        number = message.caller_number
        customer = message.customer
        returns = message.call
    else:
        store = call.store
        number = call.number
        customer = call.customer
        returns = call
    if not number:
        raise ValidationError({"number": [_("There is no number to call back.")]})
    new_call = call_log(
        actor=actor,
        store=store,
        data={
            "direction": Direction.OUTBOUND,
            "number": number,
            "customer": customer,
            "purpose": Purpose.CALLBACK,
            "outcome": outcome,
            "notes": data.get("notes", ""),
            "returns_call": returns,
            "answered_by": actor,
        },
    )
    if message is not None and outcome != Outcome.NO_ANSWER:
        _mark_called_back(message, new_call, actor)
    return new_call


# ---------------------------------------------------------------------------------------------
# Scripts (S2.2–S2.10)

# The standard's own words; {store}, {department}, {name} and {target} are filled in on the console.
DEFAULT_SCRIPTS = {
    ScriptKind.GREETING: "您好，{store}{department}，我是{name}，请问有什么可以帮助您的？",
    ScriptKind.PRESENT: "好的，请稍候。",
    ScriptKind.ABSENT: "对不起，{target}现在不在，您方便留下电话吗？我会尽快转告他给您回电。",
    ScriptKind.TRANSFER: "好的，我帮您转接到{target}，请您稍等！",
    ScriptKind.COMPLAINT: (
        "非常抱歉给您带来不便，您反映的情况我已经记录下来，会立即报告负责人并尽快给您答复。请问您的联系电话是…？"
    ),
    ScriptKind.UNCLEAR: "对不起，电话听不太清楚，麻烦您再说一遍好吗？",
    ScriptKind.WRONG_NUMBER: "对不起，您可能打错了，这里是{store}{department}。",
    ScriptKind.DROPPED: "您好，我是{store}{department}的{name}，刚才电话断线了，非常抱歉，请问…",
}
PLACEHOLDERS = ("store", "department", "name", "target")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def fill_script(text: str, *, store="", department="", name="", target="××") -> str:
    values = {"store": store, "department": department, "name": name, "target": target}
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def scripts_for(store, department=None, *, person=None, target: str = "××") -> list[dict]:
    """Every case's script: the department's text, else the store's, else the standard's; filled in."""
    rows = GreetingScript.objects.filter(store=store)
    texts = {}
    for row in rows:
        if row.department_id is None:
            texts.setdefault(row.kind, row.text)
    for row in rows:
        if department is not None and row.department_id == department.pk:
            texts[row.kind] = row.text
    result = []
    for index, kind in enumerate(ScriptKind, start=1):
        own = texts.get(kind.value)
        text = own if own is not None else DEFAULT_SCRIPTS[kind]
        result.append(
            {
                "key": index,
                "kind": kind.value,
                "label": kind.label,
                "text": text,
                "customised": own is not None,
                "filled": fill_script(
                    text,
                    store=store.name,
                    department=department.name if department else "",
                    name=(person.name or person.username) if person else "",
                    target=target,
                ),
            }
        )
    return result


def can_edit_scripts(user, department) -> bool:
    """Managers for every department of their stores; supervisors for the departments they lead."""
    if has_right(user, Right.MANAGE_STORE, department.store_id):
        return True
    if not has_right(user, Right.EDIT, department.store_id) or user.role != Role.SUPERVISOR:
        return False
    return user.department_id == department.pk or user.supervised_departments.filter(pk=department.pk).exists()


@transaction.atomic
def script_save(*, actor, department, kind: str, text: str) -> GreetingScript | None:
    """Set a department's script for one case; an empty text returns the case to the default."""
    if not can_edit_scripts(actor, department):
        raise PermissionDenied
    if kind not in ScriptKind.values:
        raise ValidationError({"kind": [_("Choose a valid case.")]})
    text = (text or "").strip()
    unknown = [p for p in _PLACEHOLDER.findall(text) if p not in PLACEHOLDERS]
    if unknown:
        raise ValidationError(
            {
                "text": [
                    ValidationError(
                        _("Unknown placeholder {%(name)s}: use {store}, {department}, {name} or {target}."),
                        code="placeholder",
                        params={"name": unknown[0]},
                    )
                ]
            }
        )
    existing = GreetingScript.objects.select_for_update().filter(
        store=department.store, department=department, kind=kind
    )
    script = existing.first()
    if not text:
        if script is not None:
            history_record(actor=actor, obj=script, action=HistoryAction.DELETE, before=snapshot(script, ["text"]))
            script.delete()
        return None
    if script is None:
        script = GreetingScript(store=department.store, department=department, kind=kind, text=text, updated_by=actor)
        script.full_clean()
        script.save()
        history_record(actor=actor, obj=script, action=HistoryAction.CREATE, after=snapshot(script, ["text"]))
        return script
    before = snapshot(script, ["text"])
    script.text = text
    script.updated_by = actor
    script.full_clean()
    script.save(update_fields=["text", "updated_by", "updated_at"])
    history_record(
        actor=actor, obj=script, action=HistoryAction.UPDATE, before=before, after=snapshot(script, ["text"])
    )
    return script


def console_url(number: str = "", returns: int | None = None) -> str:
    params = {"number": number} if number else {}
    if returns:
        params["returns"] = returns
    return reverse("phone:console") + (f"?{urlencode(params)}" if params else "")


# ---------------------------------------------------------------------------------------------
# Telephone settings of a store (S2.1 ring time, S2.10 call-back time)

PHONE_SETTINGS_FIELDS = ["ring_cycle_seconds", "max_rings", "missed_callback_minutes"]
RING_CYCLE_RANGE = (1, 20)  # seconds: one ring with its pause (China 5 s, elsewhere 3–6 s)
MAX_RINGS_RANGE = (1, 10)
MISSED_CALLBACK_RANGE = (1, 1440)  # business minutes


def phone_settings_errors(*, ring_cycle_seconds, max_rings, missed_callback_minutes) -> dict:
    """Every field's problem at once, each message naming the field and the allowed range."""
    errors: dict[str, list] = {}
    low, high = RING_CYCLE_RANGE
    if ring_cycle_seconds is None or not math.isfinite(ring_cycle_seconds) or not low <= ring_cycle_seconds <= high:
        errors["ring_cycle_seconds"] = [
            _("The ring cycle must be between %(low)s and %(high)s seconds.") % {"low": low, "high": high}
        ]
    low, high = MAX_RINGS_RANGE
    if max_rings is None or not low <= max_rings <= high:
        errors["max_rings"] = [
            _("The number of rings to answer within must be between %(low)s and %(high)s.") % {"low": low, "high": high}
        ]
    low, high = MISSED_CALLBACK_RANGE
    if missed_callback_minutes is None or not low <= missed_callback_minutes <= high:
        errors["missed_callback_minutes"] = [
            _("The call-back time for missed calls must be between %(low)s and %(high)s minutes.")
            % {"low": low, "high": high}
        ]
    return errors


@transaction.atomic
def phone_settings_update(
    *, actor, store, ring_cycle_seconds: float, max_rings: int, missed_callback_minutes: int
) -> PhoneSettings:
    """Change a store's telephone settings; calls logged from now on use them. Kept in the history."""
    if not has_right(actor, Right.MANAGE_STORE, store.pk):
        raise PermissionDenied
    errors = phone_settings_errors(
        ring_cycle_seconds=ring_cycle_seconds, max_rings=max_rings, missed_callback_minutes=missed_callback_minutes
    )
    if errors:
        raise ValidationError(errors)
    found = PhoneSettings.objects.select_for_update().filter(store=store).first()
    creating = found is None
    found = found or PhoneSettings(store=store)
    before = None if creating else snapshot(found, PHONE_SETTINGS_FIELDS)
    found.ring_cycle_seconds = float(ring_cycle_seconds)
    found.max_rings = max_rings
    found.missed_callback_minutes = missed_callback_minutes
    found.full_clean()
    found.save()
    history_record_saved(actor=actor, obj=found, fields=PHONE_SETTINGS_FIELDS, before=before)
    return found
