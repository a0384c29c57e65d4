"""Writes to stores, their business hours and closure days.

Each write checks the actor's right behind the store wall (``deny_unless``), validates every field at once
(a ValidationError dict naming the fields), saves inside one transaction and keeps the history.
"""

import re
from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import history_record, history_record_saved, snapshot
from core.db import save_or_conflict
from core.models import HistoryAction
from core.validators import (
    field_error,
    format_phone,
    normalize_any_phone,
    text_value,
    webhook_hosts,
    webhook_url_allowed,
)

from ..access import Right, deny_unless, has_right
from ..choices import Weekday
from ..models import BusinessHours, DealerGroup, Store, StoreClosure, User

STORE_FIELDS = [
    "code",
    "name",
    "brand",
    "city",
    "address",
    "phone",
    "active",
    "open_on_public_holidays",
    "wecom_webhook_url",
]
HOURS_FIELDS = ["closed", "opens", "closes"]
CLOSURE_FIELDS = ["date", "reason"]
DEFAULT_OPENS = time(8, 30)
DEFAULT_CLOSES = time(18, 0)

_STORE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,9}$")


def _given(values: dict) -> dict:
    """The fields an update names: None leaves a field as it is."""
    return {key: value for key, value in values.items() if value is not None}


# Stores


def _group_for(actor, group: DealerGroup | None) -> DealerGroup:
    if actor.group_id:
        if group is not None and group.pk != actor.group_id:
            raise field_error("group", _("You can create stores only in your own dealer group."))
        return actor.group
    if group is not None:
        return group
    groups = list(DealerGroup.objects.all()[:2])
    if len(groups) == 1:
        return groups[0]
    raise field_error("group", _("Choose the dealer group the store belongs to."))


def _clean_store_input(data: dict, *, exclude_pk: int | None = None) -> dict:
    errors: dict[str, list] = {}
    cleaned = {key: text_value(data.get(key)) for key in ("code", "name", "brand", "city", "address", "phone")}
    cleaned["code"] = cleaned["code"].upper()
    cleaned["active"] = bool(data.get("active", True))
    cleaned["open_on_public_holidays"] = bool(data.get("open_on_public_holidays", False))
    cleaned["wecom_webhook_url"] = text_value(data.get("wecom_webhook_url"))
    if cleaned["wecom_webhook_url"]:
        if not webhook_url_allowed(cleaned["wecom_webhook_url"]):
            errors["wecom_webhook_url"] = [
                _(
                    "WeCom group robot webhook: only the robot's address as WeCom shows it is accepted, "
                    "https://%(host)s/cgi-bin/webhook/send?key=…, with its key; other addresses are refused."
                )
                % {"host": (webhook_hosts() or ["qyapi.weixin.qq.com"])[0]}
            ]
    if not cleaned["code"]:
        errors["code"] = [_("Enter the store code, for example S001.")]
    elif not _STORE_CODE.match(cleaned["code"]):
        errors["code"] = [_("A store code has 1 to 10 capital letters, digits or hyphens, for example S001.")]
    elif Store.objects.filter(code__iexact=cleaned["code"]).exclude(pk=exclude_pk).exists():
        errors["code"] = [_("Another store already has the code %(code)s.") % {"code": cleaned["code"]}]
    for key, message in (
        ("name", _("Enter the store's name.")),
        ("brand", _("Enter the brand the store sells, for example 一汽丰田.")),
        ("city", _("Enter the city the store is in.")),
    ):
        if not cleaned[key]:
            errors[key] = [message]
    if cleaned["phone"]:
        try:
            cleaned["phone"] = format_phone(normalize_any_phone(cleaned["phone"]))
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def store_create(
    *,
    actor: User,
    code: str,
    name: str,
    brand: str,
    city: str,
    address: str = "",
    phone: str = "",
    active: bool = True,
    open_on_public_holidays: bool = False,
    wecom_webhook_url: str = "",
    group: DealerGroup | None = None,
) -> Store:
    """Open a store in the actor's dealer group, with the default hours 08:30–18:00 every day."""
    deny_unless(has_right(actor, Right.MANAGE_GROUP))
    group = _group_for(actor, group)
    data = {
        "code": code,
        "name": name,
        "brand": brand,
        "city": city,
        "address": address,
        "phone": phone,
        "active": active,
        "open_on_public_holidays": open_on_public_holidays,
        "wecom_webhook_url": wecom_webhook_url,
    }
    cleaned = _clean_store_input(data)
    store = Store(group=group, **cleaned)
    store.full_clean()
    save_or_conflict(store, field="code", recheck=lambda: _clean_store_input(data))
    BusinessHours.objects.bulk_create(
        [BusinessHours(store=store, weekday=day, opens=DEFAULT_OPENS, closes=DEFAULT_CLOSES) for day in Weekday.values]
    )
    history_record(
        actor=actor, obj=store, action=HistoryAction.CREATE, after=snapshot(store, STORE_FIELDS), store_id=store.pk
    )
    return store


@transaction.atomic
def store_update(
    *,
    actor: User,
    store: Store,
    code: str | None = None,
    name: str | None = None,
    brand: str | None = None,
    city: str | None = None,
    address: str | None = None,
    phone: str | None = None,
    active: bool | None = None,
    open_on_public_holidays: bool | None = None,
    wecom_webhook_url: str | None = None,
) -> Store:
    """Change a store's details (a field left None stays as it is); its code and whether it is active are
    the group's to change."""
    deny_unless(has_right(actor, Right.MANAGE_STORE, store.pk))
    store = Store.objects.select_for_update().get(pk=store.pk)
    given = {
        "code": code,
        "name": name,
        "brand": brand,
        "city": city,
        "address": address,
        "phone": phone,
        "active": active,
        "open_on_public_holidays": open_on_public_holidays,
        "wecom_webhook_url": wecom_webhook_url,
    }
    merged = {key: getattr(store, key) for key in STORE_FIELDS} | _given(given)
    cleaned = _clean_store_input(merged, exclude_pk=store.pk)
    if not has_right(actor, Right.MANAGE_GROUP):
        errors = {}
        if cleaned["code"] != store.code:
            errors["code"] = [_("Only a group administrator can change a store's code.")]
        if cleaned["active"] != store.active:
            errors["active"] = [_("Only a group administrator can close or reopen a store.")]
        if errors:
            raise ValidationError(errors)
    before = snapshot(store, STORE_FIELDS)
    for key in STORE_FIELDS:
        setattr(store, key, cleaned[key])
    store.full_clean()
    save_or_conflict(store, field="code", recheck=lambda: _clean_store_input(merged, exclude_pk=store.pk))
    history_record(
        actor=actor,
        obj=store,
        action=HistoryAction.UPDATE,
        before=before,
        after=snapshot(store, STORE_FIELDS),
        store_id=store.pk,
    )
    return store


# Business hours and closure days


def _as_time(value) -> time | None:
    if value in (None, ""):
        return None
    if isinstance(value, time):
        return value
    return time.fromisoformat(str(value).strip())


@transaction.atomic
def business_hours_set(*, actor, store: Store, hours: dict[int, dict]) -> list[BusinessHours]:
    """Set the opening hours of the given weekdays: each day is closed, or opens before it closes.

    `hours` maps a weekday (0 = Monday) to {"closed": bool, "opens": time, "closes": time}.
    Errors name the fields `opens_<weekday>` and `closes_<weekday>`.
    """
    deny_unless(has_right(actor, Right.MANAGE_STORE, store.pk))
    store = Store.objects.select_for_update().get(pk=store.pk)
    errors: dict[str, list] = {}
    plan = []
    for weekday, values in sorted(hours.items()):
        if weekday not in Weekday.values:
            raise ValidationError(_("Unknown weekday."))
        day = Weekday(weekday).label
        closed = bool(values.get("closed"))
        times = {}
        for key in ("opens", "closes"):
            try:
                times[key] = _as_time(values.get(key))
            except ValueError:
                errors[f"{key}_{weekday}"] = [_("%(day)s: enter the time as HH:MM.") % {"day": day}]
                times[key] = None
        opens, closes = times["opens"], times["closes"]
        if closed:
            opens = closes = None
        elif not errors.get(f"opens_{weekday}") and not errors.get(f"closes_{weekday}"):
            if opens is None:
                errors[f"opens_{weekday}"] = [
                    _("%(day)s: enter the opening time, or mark the day as closed.") % {"day": day}
                ]
            if closes is None:
                errors[f"closes_{weekday}"] = [
                    _("%(day)s: enter the closing time, or mark the day as closed.") % {"day": day}
                ]
            if opens is not None and closes is not None and closes <= opens:
                errors[f"closes_{weekday}"] = [
                    _("%(day)s: the closing time %(closes)s must be later than the opening time %(opens)s.")
                    % {"day": day, "closes": f"{closes:%H:%M}", "opens": f"{opens:%H:%M}"}
                ]
        plan.append((weekday, closed, opens, closes))
    if errors:
        raise ValidationError(errors)
    existing = {row.weekday: row for row in store.business_hours.all()}
    saved = []
    for weekday, closed, opens, closes in plan:
        row = existing.get(weekday) or BusinessHours(store=store, weekday=weekday)
        creating = row.pk is None
        before = None if creating else snapshot(row, HOURS_FIELDS)
        row.closed, row.opens, row.closes = closed, opens, closes
        row.full_clean()
        row.save()
        history_record_saved(actor=actor, obj=row, fields=HOURS_FIELDS, before=before)
        saved.append(row)
    return saved


@transaction.atomic
def closure_add(*, actor, store: Store, date: date | None, reason: str = "") -> StoreClosure:
    """Add a day on which the store is closed; a day is added once."""
    deny_unless(has_right(actor, Right.MANAGE_STORE, store.pk))
    if isinstance(date, str):
        try:
            date = _parse_date(date)
        except ValueError:
            raise field_error("date", _("Enter the date as YYYY-MM-DD."))
    if date is None:
        raise field_error("date", _("Enter the date on which the store is closed."))

    def duplicate():
        if StoreClosure.objects.filter(store=store, date=date).exists():
            raise ValidationError(
                {"date": [_("The store is already closed on %(date)s.") % {"date": date.isoformat()}]}
            )

    duplicate()
    closure = StoreClosure(store=store, date=date, reason=(reason or "").strip())
    closure.full_clean(validate_constraints=False)
    save_or_conflict(closure, field="date", recheck=duplicate)
    history_record(actor=actor, obj=closure, action=HistoryAction.CREATE, after=snapshot(closure, CLOSURE_FIELDS))
    return closure


def _parse_date(value: str) -> date | None:
    value = value.strip()
    return date.fromisoformat(value) if value else None


@transaction.atomic
def closure_remove(*, actor, closure: StoreClosure) -> None:
    """Remove a closure day: the store is open that day after all (the removal is kept)."""
    deny_unless(has_right(actor, Right.MANAGE_STORE, closure.store_id))
    history_record(actor=actor, obj=closure, action=HistoryAction.DELETE, before=snapshot(closure, CLOSURE_FIELDS))
    closure.delete()
