"""Lounge visits, step by step (S4.1–S4.4), the drink menu and the lounge settings.

Every write goes through here, from the board, the visit page and the API alike. Each step is one
call: arrival, greeting (S4.1, a clock of seconds), a drink offered and served and refilled (S4.2, a
refill clock renewed by every serving), the service introduction for a first-time customer (S4.3),
the farewell (S4.4) and the departure, which closes the clocks still open. Each change is written to
the visit's history (core.audit); the clocks are promises (promises app) owned by the store's lounge
desk, so the reminders reach the attendants on duty through the bell.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import history_record, history_record_saved, history_save, register_history_labels, snapshot
from core.db import save_or_conflict
from core.models import HistoryAction
from core.validators import clean_number, field_error, normalize_plate
from customers.models import Customer, Vehicle
from customers.selectors import customer_for_number
from org.access import Right, deny_unless, has_right
from org.models import Store, User
from promises.choices import PromiseKind, PromiseState
from promises.models import Promise
from promises.services import promise_break, promise_cancel, promise_keep, promise_make

from ..links import board_url
from ..models import Drink, Seat, Serving, Visit, lounge_settings
from ..selectors.visits import lounge_department

VISIT_FIELDS = [
    "customer",
    "vehicle",
    "guest_name",
    "seat",
    "first_visit",
    "repair_order",
    "service_status",
    "arrived_at",
]
UPDATE_FIELDS = ["seat", "repair_order", "service_status", "first_visit"]
DRINK_FIELDS = ["name", "position", "available", "active"]
NOT_ON_MENU = gettext_lazy("Choose a drink from this store's menu.")


# --- Helpers -------------------------------------------------------------------------------------


# a drink served is a history line of the visit under "serving" (core.audit shows it with this label)
register_history_labels(Visit, serving=gettext_lazy("drink served"))


def _hhmm(at: datetime) -> str:
    return timezone.localtime(at).strftime("%H:%M")


def _person(user) -> str:
    return (user.name or user.username) if user else "—"


def _clock(*, visit: Visit, kind: str, rule_id: str, title: str, actor, due_at: datetime, now: datetime) -> Promise:
    """A wall-clock promise about the visit, owned by the lounge desk (or the actor if the store has none)."""
    department = lounge_department(visit.store)
    return promise_make(
        store=visit.store,
        kind=kind,
        rule_id=rule_id,
        title=title,
        actor=actor,
        owner=None if department else actor,
        owner_department=department,
        subject=visit,
        url=board_url(visit.store_id, visit.pk),
        due_at=due_at,
        now=now,
    )


def _close_clock(promise: Promise | None, *, actor, now: datetime, reason: str) -> None:
    """An open clock the customer no longer needs: cancelled if not yet due, broken if already overdue."""
    if promise is None or promise.state != PromiseState.OPEN:
        return
    if promise.due_at < now:
        promise_break(promise=promise, actor=actor, reason=reason)
    else:
        promise_cancel(promise=promise, actor=actor, reason=reason)


def _locked(visit: Visit) -> Visit:
    return (
        Visit.objects.select_for_update(of=("self",))
        .select_related("store", "customer", "greet_promise", "refill_promise", "greeted_by", "introduced_by")
        .select_related("farewell_by")
        .get(pk=visit.pk)
    )


def _still_here(visit: Visit) -> None:
    if visit.departed_at is not None:
        raise ValidationError(
            _("%(name)s left the lounge at %(time)s; nothing more can be recorded for this visit.")
            % {"name": visit.display_name, "time": _hhmm(visit.departed_at)},
            code="departed",
        )


def _step_start(actor, visit: Visit) -> Visit:
    """A step of a visit: the right to record it, the visit locked, the customer still in the lounge."""
    deny_unless(has_right(actor, Right.EDIT, visit.store_id))
    visit = _locked(visit)
    _still_here(visit)
    return visit


def _done_once(
    visit: Visit, actor: User, *, step: str, at: datetime, already: str, code: str, note: str, also: dict | None = None
) -> None:
    """A step one person does once per visit (greeting, introduction, farewell): `<step>_at` and `<step>_by`
    set, with the fields in `also`, and written to the history. Done already is refused, `already` naming
    who did it and when."""
    at_field, by_field = f"{step}_at", f"{step}_by"
    done_at = getattr(visit, at_field)
    if done_at is not None:
        person = _person(getattr(visit, by_field))
        raise ValidationError(
            already % {"name": visit.display_name, "person": person, "time": _hhmm(done_at)}, code=code
        )
    values = {at_field: at, by_field: actor, **(also or {})}
    before = snapshot(visit, values)
    for name, value in values.items():
        setattr(visit, name, value)
    history_save(visit, actor=actor, before=before, fields=list(values), after=snapshot(visit, values), note=note)


# --- Arrival -------------------------------------------------------------------------------------


def _customer_by_plate(store: Store, plate: str) -> Vehicle:
    try:
        plate = normalize_plate(plate)
    except ValidationError as exc:
        raise ValidationError({"plate": exc.error_list}) from None
    vehicle = (
        Vehicle.objects.filter(store=store, plate=plate, owner__erased_at__isnull=True).select_related("owner").first()
    )
    if vehicle is None:
        raise field_error(
            "plate",
            _(
                "No vehicle with the plate %(plate)s in this store: choose the customer from the "
                "search, or record a walk-in."
            ),
            code="not_found",
            params={"plate": plate},
        )
    return vehicle


def _customer_by_phone(store: Store, phone: str) -> Customer:
    try:
        _number, digits = clean_number(phone, field="phone")
    except ValidationError as exc:
        raise ValidationError({"phone": exc.message_dict["phone"]}) from None
    customer = customer_for_number(store, digits)
    if customer is None:
        raise field_error(
            "phone",
            _(
                "No customer with the number %(number)s in this store: choose the customer from the "
                "search, or record a walk-in."
            ),
            code="not_found",
            params={"number": phone.strip()},
        )
    return customer


def _check_seat(store: Store, seat: Seat | None) -> dict:
    if seat is None:
        return {}
    if seat.store_id != store.pk:
        return {"seat": [ValidationError(_("Choose a seat of this store's lounge."), code="invalid")]}
    if not seat.active:
        return {
            "seat": [
                ValidationError(
                    _("Seat %(seat)s is not in use; choose another seat."), code="inactive", params={"seat": seat.label}
                )
            ]
        }
    return {}


@transaction.atomic
def visit_arrive(
    *,
    actor: User,
    store: Store,
    customer: Customer | None = None,
    vehicle: Vehicle | None = None,
    plate: str = "",
    phone: str = "",
    guest_name: str = "",
    seat: Seat | None = None,
    first_visit: bool | None = None,
    repair_order: str = "",
    service_status: str = "",
    now: datetime | None = None,
) -> Visit:
    """A customer enters the lounge (S4.1): found on file (by choice, plate or phone) or a walk-in.

    A customer on file with no earlier visit in this store is flagged first-time at once (S4.3); a
    walk-in is flagged by hand. The greeting clock starts: due in the store's greeting seconds.
    """
    deny_unless(has_right(actor, Right.EDIT, store.pk))
    now = now or timezone.now()
    errors: dict[str, list] = {}
    if customer is None and vehicle is None and (plate or "").strip():
        vehicle = _customer_by_plate(store, plate)
    if customer is None and vehicle is None and (phone or "").strip():
        customer = _customer_by_phone(store, phone)
    if vehicle is not None:
        if vehicle.store_id != store.pk or vehicle.owner.erased_at is not None:
            errors["vehicle"] = [ValidationError(_("Choose a vehicle of this store."), code="invalid")]
        elif customer is None:
            customer = vehicle.owner
        elif vehicle.owner_id != customer.pk:
            errors["vehicle"] = [
                ValidationError(
                    _("The vehicle belongs to another customer; choose one of %(name)s's vehicles."),
                    code="not_owner",
                    params={"name": customer.name},
                )
            ]
    if customer is not None:
        if customer.store_id != store.pk or customer.erased_at is not None:
            errors["customer"] = [ValidationError(_("Choose a customer of this store."), code="invalid")]
        else:
            here = Visit.objects.filter(store=store, customer=customer, departed_at=None).first()
            if here is not None:
                errors["customer"] = [
                    ValidationError(
                        _("%(name)s is already in the lounge (arrived at %(time)s)."),
                        code="already_here",
                        params={"name": customer.name, "time": _hhmm(here.arrived_at)},
                    )
                ]
    errors |= _check_seat(store, seat)
    if errors:
        raise ValidationError(errors)

    earlier = customer is not None and Visit.objects.filter(store=store, customer=customer, arrived_at__lt=now).exists()
    visit = Visit(
        store=store,
        customer=customer,
        vehicle=vehicle,
        guest_name="" if customer is not None else (guest_name or "").strip(),
        seat=seat,
        first_visit=bool(first_visit) or (customer is not None and not earlier),
        repair_order=(repair_order or "").strip(),
        service_status=(service_status or "").strip(),
        arrived_at=now,
        arrival_recorded_by=actor,
    )
    visit.full_clean()
    visit.save()
    settings = lounge_settings(store)
    visit.greet_promise = _clock(
        visit=visit,
        kind=PromiseKind.LOUNGE_GREET,
        rule_id="S4.1",
        title=_("Greet %(name)s in the lounge") % {"name": visit.display_name},
        actor=actor,
        due_at=now + timedelta(seconds=settings.greet_within_seconds),
        now=now,
    )
    visit.save(update_fields=["greet_promise"])
    history_record(actor=actor, obj=visit, action=HistoryAction.CREATE, after=snapshot(visit, VISIT_FIELDS))
    return visit


# --- The steps -----------------------------------------------------------------------------------


@transaction.atomic
def visit_greet(*, actor: User, visit: Visit, now: datetime | None = None) -> Visit:
    """S4.1: the customer is greeted; by whom and how many seconds after arrival. Keeps the greeting clock."""
    visit = _step_start(actor, visit)
    at = max(now or timezone.now(), visit.arrived_at)
    _done_once(
        visit,
        actor,
        step="greeted",
        at=at,
        already=_("%(name)s was already greeted by %(person)s at %(time)s."),
        code="already_greeted",
        note="S4.1",
        also={"greet_seconds": int((at - visit.arrived_at).total_seconds())},
    )
    if visit.greet_promise is not None:
        promise_keep(promise=visit.greet_promise, actor=actor, at=visit.greeted_at)
    return visit


def _require_greeted(visit: Visit, message: str) -> None:
    if visit.greeted_at is None:
        raise ValidationError(message, code="not_greeted")


@transaction.atomic
def visit_offer_drink(*, actor: User, visit: Visit, now: datetime | None = None) -> Visit:
    """S4.2: the customer was asked what they would like to drink."""
    visit = _step_start(actor, visit)
    _require_greeted(visit, _("Greet the customer first (S4.1), then offer a drink."))
    if visit.drink_offered_at is not None:
        raise ValidationError(
            _("A drink was already offered to %(name)s at %(time)s.")
            % {"name": visit.display_name, "time": _hhmm(visit.drink_offered_at)},
            code="already_offered",
        )
    now = now or timezone.now()
    before = snapshot(visit, ["drink_offered_at"])
    visit.drink_offered_at = now
    history_save(
        visit,
        actor=actor,
        before=before,
        fields=["drink_offered_at"],
        after=snapshot(visit, ["drink_offered_at"]),
        note="S4.2",
    )
    return visit


@transaction.atomic
def visit_serve(
    *,
    actor: User,
    visit: Visit,
    drink: Drink | None = None,
    refill: bool | None = None,
    now: datetime | None = None,
) -> Serving:
    """S4.2: a drink from the store's menu served: the first one, or a refill (on time or late).

    Without a drink, the last drink served on the visit is served again (the board's refill button,
    a customer's refill request). ``refill`` None: every serving after the first is a refill. Every
    serving keeps the refill clock running before it and starts the next one, due in the store's
    refill minutes.
    """
    visit = _step_start(actor, visit)
    _require_greeted(visit, _("Greet the customer first (S4.1), then serve the drink."))
    last = visit.servings.select_related("drink").order_by("-served_at", "-id").first()
    if drink is None and last is not None and last.drink is not None:
        drink = last.drink
    drink = Drink.objects.select_for_update().filter(pk=drink.pk).first() if drink is not None else None
    if drink is None or drink.store_id != visit.store_id or not drink.active:
        raise field_error("drink", NOT_ON_MENU)
    if not drink.available:
        raise field_error(
            "drink",
            _("%(drink)s has run out: choose another drink, or mark it available again on the drink menu."),
            code="out_of_stock",
            params={"drink": drink.name},
        )
    now = now or timezone.now()
    previous = visit.refill_promise
    refill = (last is not None) if refill is None else bool(refill)
    on_time = None
    if refill and previous is not None and previous.state == PromiseState.OPEN:
        on_time = now <= previous.due_at
    serving = Serving(
        visit=visit,
        store_id=visit.store_id,
        drink=drink,
        drink_name=drink.name,
        refill=refill,
        served_at=now,
        served_by=actor,
        on_time=on_time,
    )
    serving.full_clean()
    serving.save()
    if previous is not None:
        promise_keep(promise=previous, actor=actor, at=now)
    settings = lounge_settings(visit.store)
    before = snapshot(visit, ["drink_offered_at"])
    if visit.drink_offered_at is None:
        visit.drink_offered_at = now  # serving a drink answers the offer
    visit.refill_promise = _clock(
        visit=visit,
        kind=PromiseKind.LOUNGE_REFILL,
        rule_id="S4.2",
        title=_("Refill for %(name)s") % {"name": visit.display_name},
        actor=actor,
        due_at=now + timedelta(minutes=settings.refill_every_minutes),
        now=now,
    )
    if not refill:
        note = _("Served: %(drink)s.") % {"drink": drink.name}
    elif on_time is None:
        note = _("Refill: %(drink)s.") % {"drink": drink.name}
    elif on_time:
        note = _("Refill: %(drink)s, on time.") % {"drink": drink.name}
    else:
        note = _("Refill: %(drink)s, late.") % {"drink": drink.name}
    # the serving itself is a history line of the visit ("serving" is labelled by lounge.selectors.visits.visit_history)
    extra = {"serving": f"{drink.name} {timezone.localtime(now):%H:%M:%S}"}
    history_save(
        visit,
        actor=actor,
        before=before,
        fields=["drink_offered_at", "refill_promise"],
        after=snapshot(visit, ["drink_offered_at"]) | extra,
        note=note,
    )
    return serving


@transaction.atomic
def visit_introduce(*, actor: User, visit: Visit, now: datetime | None = None) -> Visit:
    """S4.3: the services introduced to a first-time customer, and the customer shown around."""
    visit = _step_start(actor, visit)
    if not visit.first_visit:
        raise ValidationError(
            _(
                "The service introduction is for first-time customers (S4.3); mark the visit as a first visit "
                "if this customer is new."
            ),
            code="not_first_visit",
        )
    _require_greeted(visit, _("Greet the customer first (S4.1), then introduce the services."))
    _done_once(
        visit,
        actor,
        step="introduced",
        at=now or timezone.now(),
        already=_("The services were already introduced to %(name)s by %(person)s at %(time)s."),
        code="already_introduced",
        note="S4.3",
    )
    return visit


@transaction.atomic
def visit_farewell(*, actor: User, visit: Visit, now: datetime | None = None) -> Visit:
    """S4.4: the customer seen off (您慢走)."""
    visit = _step_start(actor, visit)
    _done_once(
        visit,
        actor,
        step="farewell",
        at=now or timezone.now(),
        already=_("%(name)s was already seen off by %(person)s at %(time)s."),
        code="already_seen_off",
        note="S4.4",
    )
    return visit


@transaction.atomic
def visit_depart(*, actor: User, visit: Visit, now: datetime | None = None) -> Visit:
    """The customer has left the lounge: the clocks still open are closed with the reason "customer left".

    A clock not yet due is cancelled (nothing was owed any more); one already overdue is closed as
    not kept, so a missed greeting or refill still counts as missed.
    """
    visit = _step_start(actor, visit)
    now = max(now or timezone.now(), visit.arrived_at)
    before = snapshot(visit, ["departed_at"])
    visit.departed_at = now
    history_save(visit, actor=actor, before=before, fields=["departed_at"], after=snapshot(visit, ["departed_at"]))
    reason = _("customer left")
    _close_clock(visit.greet_promise, actor=actor, now=now, reason=reason)
    _close_clock(visit.refill_promise, actor=actor, now=now, reason=reason)
    return visit


@transaction.atomic
def visit_update(
    *,
    actor: User,
    visit: Visit,
    seat: Seat | None = None,
    repair_order: str | None = None,
    service_status: str | None = None,
    first_visit: bool | None = None,
    clear_seat: bool = False,
) -> Visit:
    """Change the seat, the repair order number, the service status or the first-visit flag.

    An argument left at None stays unchanged; ``clear_seat`` takes the seat away.
    """
    deny_unless(has_right(actor, Right.EDIT, visit.store_id))
    visit = _locked(visit)
    errors = _check_seat(visit.store, seat)
    if errors:
        raise ValidationError(errors)
    before = snapshot(visit, UPDATE_FIELDS)
    if (seat is not None and seat.pk != visit.seat_id) or (clear_seat and visit.seat_id):
        _still_here(visit)  # a seat only while the customer is in the lounge
        visit.seat = seat
    if repair_order is not None:
        visit.repair_order = repair_order.strip()
    if service_status is not None:
        visit.service_status = service_status.strip()
    if first_visit is not None:
        if not first_visit and visit.introduced_at is not None:
            raise field_error(
                "first_visit",
                _("The services were already introduced on this visit; it stays a first visit."),
                code="introduced",
            )
        visit.first_visit = first_visit
    history_save(visit, actor=actor, before=before, fields=UPDATE_FIELDS, after=snapshot(visit, UPDATE_FIELDS))
    return visit


# --- The drink menu ------------------------------------------------------------------------------


@transaction.atomic
def drink_save(
    *,
    actor: User,
    store: Store,
    name: str,
    drink: Drink | None = None,
    position: int | None = None,
    active: bool = True,
) -> Drink:
    """Add a drink to the store's menu, or rename, reorder or take it off the menu (managers)."""
    deny_unless(has_right(actor, Right.MANAGE_STORE, store.pk))
    if drink is not None and drink.store_id != store.pk:
        raise field_error("drink", NOT_ON_MENU)
    name = (name or "").strip()
    if not name:
        raise field_error("name", _("Give the drink a name."), code="required")
    clash = Drink.objects.filter(store=store, name=name).exclude(pk=getattr(drink, "pk", None)).exists()
    if clash:
        raise field_error(
            "name",
            _("%(drink)s is already on the menu; give the drink another name."),
            code="duplicate",
            params={"drink": name},
        )
    creating = drink is None
    if creating:
        drink = Drink(store=store)
        if position is None:
            top = Drink.objects.filter(store=store).aggregate(top=Max("position"))["top"]
            position = 0 if top is None else top + 1
    else:
        drink = Drink.objects.select_for_update().get(pk=drink.pk)
    before = None if creating else snapshot(drink, DRINK_FIELDS)
    drink.name = name
    if position is not None:
        drink.position = position
    drink.active = active
    drink.full_clean()
    save_or_conflict(
        drink,
        field="name",
        message=_("Someone else saved this drink at the same moment. Open the page again and check it."),
    )
    history_record_saved(actor=actor, obj=drink, fields=DRINK_FIELDS, before=before)
    return drink


@transaction.atomic
def drink_toggle_available(*, actor: User, drink: Drink, available: bool | None = None) -> Drink:
    """Mark a drink out of stock, or available again (any attendant); None flips it."""
    deny_unless(has_right(actor, Right.EDIT, drink.store_id))
    drink = Drink.objects.select_for_update().get(pk=drink.pk)
    before = snapshot(drink, ["available"])
    drink.available = (not drink.available) if available is None else bool(available)
    drink.save(update_fields=["available"])
    history_record(
        actor=actor, obj=drink, action=HistoryAction.UPDATE, before=before, after=snapshot(drink, ["available"])
    )
    return drink
