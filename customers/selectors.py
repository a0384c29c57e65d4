"""Reads across customers, vehicles and imports: the access functions, the search box, the customer's timeline,
an import's error report."""

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from core.audit import history_for
from core.models import HistoryAction
from core.registry import Registry
from core.validators import plate_clean, to_halfwidth
from org.access import Right, get_for_user, scope

from .imports.columns import field_label
from .imports.reading import read_rows
from .models import Customer, ImportJob, Vehicle

_DIGIT_RUN = re.compile(r"\d{4,}")
MIN_MATCH_DIGITS = 7  # shorter numbers (extensions) never name a customer


# --- Access: one function per record type, used by the pages and the API alike --------------------


def customer_get_for_user(user, pk, *, right: Right = Right.VIEW) -> Customer:
    """A customer of one of the person's stores (404 otherwise), for a person with the right there (403)."""
    return get_for_user(Customer.objects.select_related("store"), user, right=right, pk=pk)


def vehicle_get_for_user(user, pk, *, right: Right = Right.VIEW) -> Vehicle:
    return get_for_user(Vehicle.objects.select_related("store", "owner"), user, right=right, pk=pk)


def import_job_get_for_user(user, pk, *, right: Right = Right.IMPORT) -> ImportJob:
    """An import of one of the person's stores (404 otherwise) for a person who may import (403)."""
    return get_for_user(ImportJob.objects.select_related("store", "created_by"), user, right=right, pk=pk)


def import_job_list(user):
    """The imports of the person's stores, newest first, without their bulky columns."""
    return (
        scope(ImportJob.objects.all(), user)
        .select_related("store", "created_by")
        .defer("work", "errors", "headers", "mapping")
        .order_by("-created_at", "-id")
    )


# --- Search --------------------------------------------------------------------------------------


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


LIST_SEARCH_LIMIT = 500  # a search on the lists (pages and API) finds at most this many customers and vehicles


def customer_list(user, query: str = "", *, store_code: str = ""):
    """The customers of the person's stores for a list, newest first, erased ones left out: optionally one
    store's (by code) and those the search box finds for ``query`` (or whose vehicle it finds)."""
    qs = scope(Customer.objects.filter(erased_at__isnull=True), user).select_related("store")
    if store_code:
        qs = qs.filter(store__code=store_code.strip())
    if query.strip():
        found, vehicles = search(user, query, limit=LIST_SEARCH_LIMIT)
        qs = qs.filter(pk__in={c.pk for c in found} | {v.owner_id for v in vehicles})
    return qs.order_by("-created_at", "-id")


def vehicle_list(user, query: str = "", *, store_code: str = "", owner_id: int | None = None):
    """The vehicles of the person's stores for a list, by plate: optionally one store's (by code), one
    customer's, and those the search box finds for ``query``."""
    qs = scope(Vehicle.objects.all(), user).select_related("owner", "store")
    if store_code:
        qs = qs.filter(store__code=store_code.strip())
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if query.strip():
        qs = qs.filter(pk__in=[v.pk for v in search(user, query, limit=LIST_SEARCH_LIMIT)[1]])
    return qs.order_by("plate", "id")


@dataclass
class TimelineItem:
    at: datetime
    kind: str  # a short key for the icon: "history", "vehicle", later "call", "complaint", "visit" …
    title: str
    detail: str = ""
    url: str = ""
    actor: str = ""


# Every module (customers' own history, phone, complaints, the lounge, later events) registers a function
# customer → items in its AppConfig.ready, so the customer page shows every contact on one timeline
# without knowing the modules.
TIMELINE: Registry[Callable[[Customer], list[TimelineItem]]] = Registry("customer timeline sources")

# Where a new customer's details may come from: the phone registers "call" (the number and caller-ID name
# of a call of the person's stores, ?call=<id>): ``(user, record id) -> {"phone", "name", "store"}``, a 404
# for a record outside the wall.
NEW_CUSTOMER_SOURCES: Registry[Callable[[object, int], dict]] = Registry("new customer sources")


def history_items(customer: Customer) -> list[TimelineItem]:
    """The customer's own changes (history entries)."""
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
    for source in TIMELINE:
        items.extend(source(customer))
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


def customer_for_number(store, digits: str) -> Customer | None:
    """The store's customer whose mobile or landline is this number (exactly), if any."""
    if len(digits or "") < MIN_MATCH_DIGITS:
        return None
    candidates = Customer.objects.filter(store=store, erased_at__isnull=True, phone_digits__contains=digits).order_by(
        "id"
    )[:5]
    for customer in candidates:
        if digits in customer.phone_digits.split():
            return customer
    return None


# --- An import's errors --------------------------------------------------------------------------


def import_error_report(job: ImportJob) -> bytes:
    """The errors as an Excel workbook: row, field, reason, then the row's values as in the file."""
    from openpyxl import Workbook

    from core.exports import sheet_append

    by_row: dict[int, list[dict]] = {}
    for error in job.errors:
        by_row.setdefault(error["row"], []).append(error)
    values = {number: cells for number, cells in read_rows(job) if number in by_row} if by_row else {}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Errors")))
    sheet_append(sheet, [str(_("Row")), str(_("Field")), str(_("Reason")), *job.headers])
    for number in sorted(by_row):
        for error in by_row[number]:
            sheet_append(sheet, [number, field_label(error["field"]), error["reason"], *values.get(number, [])])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
