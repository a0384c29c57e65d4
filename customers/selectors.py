"""Reads across customers and vehicles: the search box and the customer's timeline."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from core.audit import history_for
from core.models import HistoryAction
from core.validators import plate_clean, to_halfwidth
from org.access import scope

from .models import Customer, Vehicle

_DIGIT_RUN = re.compile(r"\d{4,}")


def search(user, query: str, limit: int = 8) -> tuple[list[Customer], list[Vehicle]]:
    """Customers and vehicles of the person's stores matching the query.

    Matches a partial plate, any 4 or more consecutive digits of a phone number, part of a name,
    pinyin initials (zs → 张三) and part of a VIN.
    """
    text = to_halfwidth(query or "").strip()
    if not text:
        return [], []
    customer_q = Q(name__icontains=text)
    vehicle_q = Q()
    digits = "".join(_DIGIT_RUN.findall(text.replace(" ", "").replace("-", "")))
    if digits:
        customer_q |= Q(phone_digits__contains=digits)
    if text.isascii() and text.isalpha():
        customer_q |= Q(name_initials__startswith=text.lower())
    plate = plate_clean(text)
    if len(plate) >= 2:
        vehicle_q |= Q(plate__contains=plate)
    if len(plate) >= 4 and plate.isascii():
        vehicle_q |= Q(vin__contains=plate)
    customers = list(
        scope(Customer.objects.filter(erased_at__isnull=True), user)
        .filter(customer_q)
        .select_related("store")
        .order_by("name", "id")[:limit]
    )
    vehicles = (
        list(
            scope(Vehicle.objects.all(), user)
            .filter(vehicle_q)
            .select_related("owner", "store")
            .order_by("plate", "id")[:limit]
        )
        if vehicle_q
        else []
    )
    return customers, vehicles


@dataclass
class TimelineItem:
    at: datetime
    kind: str  # a short key for the icon: "history", "vehicle", later "call", "complaint", "visit" …
    title: str
    detail: str = ""
    url: str = ""
    actor: str = ""


# Later modules (phone, complaints, lounge, events) register a function customer → items here,
# so the customer page shows every contact on one timeline without knowing the modules.
TIMELINE_SOURCES = []


def timeline_source(func):
    TIMELINE_SOURCES.append(func)
    return func


@timeline_source
def _history_items(customer: Customer) -> list[TimelineItem]:
    items = []
    for entry in history_for(customer):
        items.append(
            TimelineItem(
                at=entry.at,
                kind="history",
                title=entry.get_action_display(),
                detail="; ".join(
                    f"{label}: {before or '—'} → {after or '—'}"
                    if entry.action == HistoryAction.UPDATE
                    else f"{label}: {after}"
                    for label, before, after in entry.change_rows
                )
                or entry.note,
                actor=str(entry.actor) if entry.actor else "",
            )
        )
    return items


def customer_timeline(customer: Customer, limit: int = 50) -> list[TimelineItem]:
    """Every contact and change of a customer, newest first, from all registered modules."""
    items = []
    for source in TIMELINE_SOURCES:
        items.extend(source(customer))
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]
