"""Reads of the call console: the caller card, the pop-up, lists, and the customer's timeline."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.validators import clean_number
from customers.models import Customer
from customers.selectors import TimelineItem, customer_for_number, search
from org.access import Right, has_right, scope, store_ids
from promises.choices import PromiseState
from promises.models import Promise

from .models import Call, IncomingCall, Message

POPUP_SECONDS = 120  # a pop-up not taken within two minutes is gone


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
    card["complaints"] = open_complaints_for(store, customer, number)
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


def open_complaints_for(store, customer, number: str) -> list:
    """The caller's complaints not yet closed: by customer, or by the contact phone given (S2.6)."""
    from complaints.choices import ComplaintState
    from complaints.models import Complaint

    match = Q(contact_phone=number) if number else Q(pk__in=[])
    if customer is not None:
        match |= Q(customer=customer)
    return list(
        Complaint.objects.filter(match, store=store).exclude(state=ComplaintState.CLOSED).order_by("-logged_at")[:5]
    )


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


def messages_for_store(message: Message) -> Message:
    """The message again, with what its display needs."""
    return Message.objects.select_related("for_user", "for_department", "taken_by", "customer", "promise", "store").get(
        pk=message.pk
    )


def unread_message_count(user) -> int:
    return messages_for(user).filter(read_at=None).count()


def customer_open_promises(customer: Customer) -> list:
    """Open promises about this customer's calls and messages."""
    from django.contrib.contenttypes.models import ContentType

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
                url=reverse("phone:call_detail", args=[call.pk]),
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
                url=reverse("phone:message_list") + f"#message-{message.pk}",
                actor=str(message.taken_by),
            )
        )
    return items
