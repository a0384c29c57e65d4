"""Reads of the telephone module: one access function per record, the caller card, the pop-up, lists,
the call-backs a number waits for, the scripts, and the customer's timeline."""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.registry import Registry
from core.validators import clean_number
from customers.models import Customer
from customers.selectors import TimelineItem, customer_for_number, search
from org.access import Right, get_for_user, has_right, may_act_on, scope, store_ids
from org.choices import Role
from org.models import User
from promises.choices import PromiseKind, PromiseState
from promises.models import Promise

from .choices import ScriptKind
from .links import call_url, message_url
from .models import Call, CdrImport, GreetingScript, IncomingCall, Message, PhoneSettings
from .script_check.items import ScriptContext

POPUP_SECONDS = 120  # a pop-up not taken within two minutes is gone

# Other modules add a section to the incoming-call card in their AppConfig.ready:
# ``(store, customer or None, number) -> value``, e.g. complaints adds "complaints" (the caller's open ones, S2.6).
CALLER_CARD: Registry[Callable] = Registry("incoming-call card sections")


def caller_of_call(user, call_pk: int) -> dict:
    """A new customer's details from a call of the person's stores (404 outside the wall), for the customer form."""
    call = get_for_user(Call.objects.select_related("store"), user, right=Right.EDIT, pk=call_pk)
    return {"phone": call.number, "name": call.caller_name, "store": call.store}


# --- One access function per record: 404 outside the wall or for a bad id, 403 without the right ---


def call_get_for_user(user, pk, *, right=Right.VIEW) -> Call:
    return get_for_user(
        Call.objects.select_related("store", "customer", "answered_by", "department", "returns_call"),
        user,
        right=right,
        pk=pk,
    )


def message_get_for_user(user, pk, *, right=Right.VIEW) -> Message:
    return get_for_user(
        Message.objects.select_related(
            "store", "for_user", "for_department", "taken_by", "promise", "customer", "call"
        ),
        user,
        right=right,
        pk=pk,
    )


def incoming_get_for_user(user, pk, *, right=Right.VIEW) -> IncomingCall:
    """A pop-up of the person's own (another person's is a 404 like another store's)."""
    return get_for_user(IncomingCall.objects.filter(user=user), user, right=right, pk=pk)


def incoming_taken_with_call(user, pk) -> IncomingCall | None:
    """The person's own pop-up a call logged at the console answers (None for any other id: nothing to take)."""
    return IncomingCall.objects.filter(pk=pk, user=user).first() if pk is not None else None


def cdr_import_get_for_user(user, pk, *, right=Right.IMPORT) -> CdrImport:
    """An import of one of the person's stores (404 otherwise) for a person who may import (403)."""
    return get_for_user(CdrImport.objects.select_related("store", "created_by"), user, right=right, pk=pk)


def caller_card(user, store, raw_number: str) -> dict:
    """Who is calling: the customer with this number, their vehicles and open promises, recent calls."""
    card = {"query": (raw_number or "").strip(), "number": "", "customer": None, "candidates": [], "error": ""}
    if not card["query"]:
        return card
    try:
        number, digits = clean_number(raw_number)
    except ValidationError as exc:
        card["error"] = exc.message_dict["number"][0]
        return card
    card["number"] = number
    customer = customer_for_number(store, digits)
    if customer is None and len(digits) >= 4:
        found, _vehicles = search(user, digits, limit=5)
        card["candidates"] = [c for c in found if c.store_id == store.pk]
    if customer is not None:
        card["customer"] = customer
        card["vehicles"] = list(customer.vehicles.order_by("plate")[:10])
        card["promises"] = customer_open_promises(customer)
    for name, section in CALLER_CARD.items():
        card[name] = section(store, customer, number)
    card["recent_calls"] = list(
        Call.objects.filter(store=store, number_digits=digits).select_related("answered_by").order_by("-started_at")[:5]
    )
    if customer is None:
        # an unknown caller: the name the phone system showed, and a new customer with this number
        card["caller_name"] = next((call.caller_name for call in card["recent_calls"] if call.caller_name), "")
        if has_right(user, Right.EDIT, store.pk):
            query = {"phone": number, "name": card["caller_name"]} if card["caller_name"] else {"phone": number}
            card["new_customer_url"] = reverse("customers:customer_create") + "?" + urlencode(query)
    return card


def settings_of(store) -> PhoneSettings:
    """The store's telephone settings as saved, or the defaults unsaved (reading writes nothing)."""
    return PhoneSettings.objects.filter(store=store).first() or PhoneSettings(store=store)


def pending_incoming(user):
    """Ringing calls announced for this person's extension, newest first."""
    since = timezone.now() - timedelta(seconds=POPUP_SECONDS)
    return list(
        IncomingCall.objects.filter(user=user, taken_at=None, created_at__gte=since, store_id__in=store_ids(user))
        .select_related("customer")
        .order_by("-created_at")[:3]
    )


def calls_for(user):
    return scope(Call.objects.all(), user).select_related("customer", "answered_by", "store", "department")


def call_list(
    user,
    *,
    store_code: str = "",
    store_id: int | None = None,
    day=None,
    person: int | None = None,
    missed: bool | None = None,
):
    """The calls of the person's stores, newest first; the page's and the API's filters (None: any)."""
    qs = calls_for(user)
    if store_code:
        qs = qs.filter(store__code=store_code.strip())
    if store_id:
        qs = qs.filter(store_id=store_id)
    if day:  # a range on started_at, not started_at__date: the index serves a range, not a cast (issue 10)
        start = timezone.make_aware(datetime.combine(day, time.min))
        qs = qs.filter(started_at__gte=start, started_at__lt=start + timedelta(days=1))
    if person:
        qs = qs.filter(answered_by_id=person)
    if missed is not None:
        qs = qs.filter(missed=missed)
    return qs.order_by("-started_at", "-id")


def messages_for(user):
    """Messages for the person, or for their department, in their stores."""
    q = Q(for_user=user)
    if user.department_id:
        q |= Q(for_department_id=user.department_id, for_user=None)
    return (
        scope(Message.objects.filter(q), user)
        .select_related("for_user", "for_department", "taken_by", "customer", "promise", "store")
        .order_by("-taken_at", "-id")
    )


def customer_open_promises(customer: Customer) -> list:
    """Open promises about this customer's calls and messages."""
    call_type = ContentType.objects.get_for_model(Call)
    message_type = ContentType.objects.get_for_model(Message)
    return list(
        Promise.objects.filter(store_id=customer.store_id, state=PromiseState.OPEN)
        .filter(
            Q(subject_type=call_type, subject_id__in=Call.objects.filter(customer=customer).values("pk"))
            | Q(subject_type=message_type, subject_id__in=Message.objects.filter(customer=customer).values("pk"))
        )
        .select_related("owner", "owner_department")
        .order_by("due_at")[:20]
    )


# --- Messages (S2.3) -------------------------------------------------------------------------------


def is_recipient(user, message: Message) -> bool:
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


def message_recipients(message: Message) -> list:
    if message.for_user_id:
        return [message.for_user]
    return list(User.objects.filter(department_id=message.for_department_id, is_active=True))


# --- Calls --------------------------------------------------------------------------------------------


def department_of(person, store):
    """The person's department when it is one of this store's."""
    if person is not None and person.department_id and person.department.store_id == store.pk:
        return person.department
    return None


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


# --- Scripts (S2.2–S2.10) -----------------------------------------------------------------------------

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
PLACEHOLDER_PATTERN = re.compile(r"\{([^{}]*)\}")


def fill_script(text: str, *, store="", department="", name="", target="××") -> str:
    values = {"store": store, "department": department, "name": name, "target": target}
    return PLACEHOLDER_PATTERN.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


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


def may_edit_scripts(user, department) -> bool:
    """Managers for every department of their stores; supervisors for the departments they lead."""
    if has_right(user, Right.MANAGE_STORE, department.store_id):
        return True
    if not has_right(user, Right.EDIT, department.store_id) or user.role != Role.SUPERVISOR:
        return False
    return user.department_id == department.pk or user.supervised_departments.filter(pk=department.pk).exists()


def script_context(store, person, department) -> ScriptContext:
    return ScriptContext(
        store_name=store.name,
        department_name=department.name if department else "",
        person_name=(person.name or person.username) if person else "",
        staff_number=(person.employee_no or "") if person else "",
    )


# --- The customer's timeline ---------------------------------------------------------------------


def call_items(customer: Customer) -> list[TimelineItem]:
    items = []
    for call in Call.objects.filter(customer=customer).select_related("answered_by").order_by("-started_at")[:50]:
        parts = [str(call.get_outcome_display()) if call.outcome else "", call.notes[:100]]
        items.append(
            TimelineItem(
                at=call.started_at,
                kind="call",
                title=_("%(direction)s call: %(purpose)s")
                % {
                    "direction": call.get_direction_display(),
                    "purpose": call.get_purpose_display() if call.purpose else "—",
                },
                detail=" · ".join(p for p in parts if p),
                url=call_url(call),
                actor=str(call.answered_by) if call.answered_by else "",
            )
        )
    return items


def message_items(customer: Customer) -> list[TimelineItem]:
    items = []
    for message in (
        Message.objects.filter(customer=customer)
        .select_related("for_user", "for_department", "taken_by")
        .order_by("-taken_at")[:50]
    ):
        items.append(
            TimelineItem(
                at=message.taken_at,
                kind="message",
                title=_("Message for %(recipient)s") % {"recipient": message.for_user or message.for_department},
                detail=message.text[:100],
                url=message_url(message),
                actor=str(message.taken_by),
            )
        )
    return items
