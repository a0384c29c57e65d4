"""Customers' requests from their table's QR code or the board, answered on a clock (S4.2, S4.5); seats and codes.

Every write goes through here, from the customer's page, the staff pages and the API alike. A request
makes a promise (kind ``lounge_request``) owned by the store's lounge desk, due when the store's lounge
settings say someone must be on the way; taking the request ("on my way") keeps it, so the response
time is ``acknowledged_at - created_at``. Requests from a table's QR code are limited per table and per
sender so that a code left on a table cannot be used to flood the desk.

Reads (the access functions behind the store wall, the lists, the customer's code and receipt look-ups,
who may answer a request) are in lounge.selectors.requests.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from core.audit import history_record, history_save, snapshot
from core.models import HistoryAction
from core.validators import field_error
from org.access import Right, deny_unless, has_right
from org.models import Store, User
from org.selectors import store_managers
from promises.choices import NotificationKind, PromiseKind, PromiseState
from promises.services import notification_send, promise_cancel, promise_keep, promise_make

from ..choices import FaultSource, RequestKind, RequestSource, RequestState
from ..links import request_list_url
from ..models import Drink, Facility, LoungeRequest, Seat, Visit, lounge_settings, new_seat_token
from ..selectors.requests import OPEN_STATES, may_answer, request_summary
from ..selectors.visits import lounge_department

LIMIT_WINDOW = timedelta(minutes=10)
# Requests from one sender (a phone: its browser's table cookie, else its address) in LIMIT_WINDOW, over all
# the store's tables; and the looser ceiling for one network address (a store's Wi-Fi behind NAT is one address).
QR_REQUESTS_PER_SENDER = settings.LOUNGE_QR_REQUESTS_PER_SENDER_PER_10_MINUTES
QR_REQUESTS_PER_ADDRESS = settings.LOUNGE_QR_REQUESTS_PER_ADDRESS_PER_10_MINUTES
NOTE_MAX_LENGTH = LoungeRequest._meta.get_field("note").max_length
LABEL_MAX_LENGTH = Seat._meta.get_field("label").max_length

SEAT_FIELDS = ["label", "active"]  # never the token: history is readable by every colleague
REQUEST_FIELDS = ["kind", "seat", "visit", "drink", "facility", "note", "source", "state"]
STAGE_FIELDS = ["state", "acknowledged_at", "acknowledged_by", "done_at", "done_by"]


class RequestLimitReached(ValidationError):
    """Too many requests from one table, or one sender, in ten minutes: the customer is asked to wait or ask staff."""


# --- Helpers -------------------------------------------------------------------------------------


def sender_key(address: str | None) -> str:
    """A keyed hash of the customer's address (or browser id): enough to count their requests, never the value."""
    if not address:
        return ""
    return salted_hmac("lounge.request.sender", address).hexdigest()[:32]


def browser_key(browser_id: str | None) -> str:
    """A keyed hash of the random id in a phone's table cookie (see lounge.public.views): one phone's allowance."""
    return sender_key(f"browser:{browser_id}") if browser_id else ""


# --- Seats and their codes -------------------------------------------------------------------------


def _clean_label(store: Store, label, *, exclude_pk=None) -> str:
    label = " ".join(str(label or "").split())
    if not label:
        raise field_error(
            "label", _("Give the seat or table a name, as printed on its card (for example A3)."), "required"
        )
    if len(label) > LABEL_MAX_LENGTH:
        raise field_error(
            "label",
            _("Keep the seat's name to %(limit)d characters.") % {"limit": LABEL_MAX_LENGTH},
            "max_length",
        )
    taken = Seat.objects.filter(store=store, label__iexact=label).exclude(pk=exclude_pk)
    if taken.exists():
        raise field_error("label", _("The store already has a seat of this name."), "duplicate")
    return label


@transaction.atomic
def seat_create(*, actor: User, store: Store, label: str, now: datetime | None = None) -> Seat:
    """A new seat or table of the store's lounge, with its own QR code."""
    deny_unless(has_right(actor, Right.MANAGE_STORE, store.pk))
    seat = Seat(store=store, label=_clean_label(store, label), issued_at=now or timezone.now())
    seat.full_clean()
    seat.save()
    history_record(actor=actor, obj=seat, action=HistoryAction.CREATE, after=snapshot(seat, SEAT_FIELDS))
    return seat


@transaction.atomic
def seat_update(*, actor: User, seat: Seat, label: str | None = None, active: bool | None = None) -> Seat:
    """Rename a seat, or take it out of use (its code then gets the customer a polite "not in use" page)."""
    seat = Seat.objects.select_for_update().get(pk=seat.pk)
    deny_unless(has_right(actor, Right.MANAGE_STORE, seat.store_id))
    before = snapshot(seat, SEAT_FIELDS)
    fields = []
    if label is not None:
        seat.label = _clean_label(seat.store, label, exclude_pk=seat.pk)
        fields.append("label")
    if active is not None:
        seat.active = bool(active)
        fields.append("active")
    if not fields:
        return seat
    seat.full_clean()
    seat.save(update_fields=fields)
    history_record(actor=actor, obj=seat, action=HistoryAction.UPDATE, before=before, after=snapshot(seat, SEAT_FIELDS))
    return seat


@transaction.atomic
def seat_reissue(*, actor: User, seat: Seat, now: datetime | None = None) -> Seat:
    """A new code for the seat: the old printed card stops working at once; print the new one."""
    seat = Seat.objects.select_for_update().get(pk=seat.pk)
    deny_unless(has_right(actor, Right.MANAGE_STORE, seat.store_id))
    before = {"issued_at": _shown_time(seat.issued_at)}
    seat.token = new_seat_token()
    seat.issued_at = now or timezone.now()
    seat.full_clean()
    seat.save(update_fields=["token", "issued_at"])
    history_record(
        actor=actor,
        obj=seat,
        action=HistoryAction.UPDATE,
        before=before,
        after={"issued_at": _shown_time(seat.issued_at)},
        note=_("New code issued; the old printed code no longer works."),
    )
    return seat


def _shown_time(at: datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")


# --- Requests ------------------------------------------------------------------------------------


def _check_limits(*, seat: Seat, client_key: str, address_key: str, store: Store, now: datetime) -> None:
    """S4.5 safe on a table: at most the store's number per table, a fixed number per sender (phone) and a
    looser number per network address, in 10 minutes."""
    since = now - LIMIT_WINDOW
    allowed = lounge_settings(store).requests_per_seat_per_10_minutes
    recent = LoungeRequest.objects.filter(source=RequestSource.QR, created_at__gt=since)
    if recent.filter(seat=seat).count() >= allowed:
        raise RequestLimitReached(
            _("This table has sent %(count)d requests in the last 10 minutes; please wait, or ask a member of staff.")
            % {"count": allowed},
            code="rate_limited",
        )
    if (client_key and recent.filter(client_key=client_key).count() >= QR_REQUESTS_PER_SENDER) or (
        address_key and recent.filter(address_key=address_key).count() >= QR_REQUESTS_PER_ADDRESS
    ):
        raise RequestLimitReached(
            _("Too many requests have been sent from this phone; please wait, or ask a member of staff."),
            code="rate_limited",
        )


def _clean_request(*, store, kind, seat, visit, drink, facility, note, source) -> dict:
    """Each problem named by its field; nothing of another store is accepted."""
    errors: dict[str, list] = {}

    def add(field, message, code):
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    if kind not in RequestKind.values:
        add("kind", _("Choose what the customer asks for."), "invalid_choice")
    if source not in RequestSource.values:
        add("source", _("Choose where the request came from."), "invalid_choice")
    if seat is not None and seat.store_id != store.pk:
        add("seat", _("The seat must be one of the store's."), "invalid")
    elif source == RequestSource.QR and (seat is None or not seat.active):
        add("seat", _("A request from a QR code needs a seat in use."), "invalid")
    if visit is not None:
        if visit.store_id != store.pk:
            add("visit", _("The visit must be one of the store's."), "invalid")
        elif visit.departed_at is not None:
            add("visit", _("The customer has already left the lounge."), "departed")
    if drink is not None and (drink.store_id != store.pk or not drink.active):
        add("drink", _("Choose a drink from the store's menu."), "invalid")
    elif drink is not None and not drink.available:
        add("drink", _("That drink has run out; please choose another."), "unavailable")
    elif kind == RequestKind.DRINK and drink is None:
        add("drink", _("S4.2: choose a drink from the menu."), "required")
    if kind == RequestKind.FAULT:
        if facility is None:
            add("facility", _("S4.11: choose what is broken."), "required")
        elif facility.store_id != store.pk or not facility.active:
            add("facility", _("Choose one of the lounge's facilities."), "invalid")
    note = " ".join(str(note or "").split())
    if len(note) > NOTE_MAX_LENGTH:
        add("note", _("Keep the note to %(limit)d characters.") % {"limit": NOTE_MAX_LENGTH}, "max_length")
    if errors:
        raise ValidationError(errors)
    return {"note": note}


def _promise_title(req: LoungeRequest) -> str:
    what = request_summary(req)
    if req.seat_id:
        return _("Seat %(seat)s asks for: %(what)s") % {"seat": req.seat.label, "what": what}
    return _("A lounge customer asks for: %(what)s") % {"what": what}


def _make_promise(req: LoungeRequest, store: Store, actor, now: datetime):
    """S4.5: someone on the way within the store's minutes; the lounge desk owns it (else a store manager)."""
    desk = lounge_department(store)
    manager = None if desk is not None else store_managers(store.pk).order_by("pk").first()
    if desk is None and manager is None:
        return None, []
    minutes = lounge_settings(store).help_within_minutes
    promise = promise_make(
        store=store,
        kind=PromiseKind.LOUNGE_REQUEST,
        rule_id="S4.2" if req.kind in (RequestKind.REFILL, RequestKind.DRINK) else "S4.5",
        title=_promise_title(req),
        actor=actor,
        owner=manager,
        owner_department=desk,
        subject=req,
        url=request_list_url(),
        due_at=now + timedelta(minutes=minutes),
        now=now,
    )
    recipients = list(User.objects.filter(department=desk, is_active=True)) if desk is not None else [manager]
    return promise, recipients or list(store_managers(store.pk))


def _report_fault(req: LoungeRequest, actor) -> None:
    """S4.11: a customer's "something is broken" becomes a maintenance ticket (or is added to the open one)."""
    from .faults import fault_report

    seat = req.seat.label if req.seat_id else "-"
    description = req.note or _("Reported by a customer at seat %(seat)s.") % {"seat": seat}
    fault_report(
        store=req.store,
        facility=req.facility,
        description=description,
        source=FaultSource(req.source),
        actor=actor if getattr(actor, "pk", None) else None,
        request=req,
        now=req.created_at,
    )


@transaction.atomic
def request_create(
    *,
    store: Store,
    kind: str,
    seat: Seat | None = None,
    visit: Visit | None = None,
    drink: Drink | None = None,
    facility: Facility | None = None,
    note: str = "",
    source: str,
    actor: User | None = None,
    client_key: str = "",
    address_key: str = "",
    now: datetime | None = None,
) -> LoungeRequest:
    """A request from a table's QR code (no actor) or entered by staff; the lounge desk is told at once (S4.5).

    It is linked to the visit at that seat if one is open; a drink must be on the store's menu and
    available (S4.2); "something is broken" needs one of the store's facilities and becomes a fault
    ticket (S4.11). QR requests are limited per table, per sender (``client_key``: the phone) and per network
    address (``address_key``, a looser ceiling) (``RequestLimitReached``).
    """
    now = now or timezone.now()
    if source != RequestSource.QR or getattr(actor, "pk", None):
        deny_unless(has_right(actor, Right.EDIT, store.pk))
    if seat is not None and source == RequestSource.QR:
        seat = Seat.objects.select_for_update().filter(pk=seat.pk).first()  # one table's requests one at a time
    if kind != RequestKind.DRINK and kind != RequestKind.REFILL:
        drink = None
    if kind != RequestKind.FAULT:
        facility = None
    cleaned = _clean_request(
        store=store, kind=kind, seat=seat, visit=visit, drink=drink, facility=facility, note=note, source=source
    )
    if source == RequestSource.QR:
        _check_limits(seat=seat, client_key=client_key, address_key=address_key, store=store, now=now)
    if visit is None and seat is not None:
        visit = Visit.objects.filter(store=store, seat=seat, departed_at=None).order_by("-arrived_at", "-pk").first()
    if seat is None and visit is not None:
        seat = visit.seat
    req = LoungeRequest(
        store=store,
        seat=seat,
        visit=visit,
        kind=kind,
        drink=drink,
        facility=facility,
        note=cleaned["note"],
        source=source,
        created_at=now,
        client_key=client_key if source == RequestSource.QR else "",
        address_key=address_key if source == RequestSource.QR else "",
    )
    req.full_clean()
    req.save()
    history_record(
        actor=actor, obj=req, action=HistoryAction.CREATE, after=snapshot(req, REQUEST_FIELDS), store_id=store.pk
    )
    if facility is not None:
        _report_fault(req, actor)
    req.promise, recipients = _make_promise(req, store, actor, now)
    if req.promise is not None:
        req.save(update_fields=["promise"])
        notification_send(
            recipients=recipients,
            store=store,
            title=req.promise.title,
            kind=NotificationKind.ASSIGNED,
            promise=req.promise,
            url=request_list_url(),
        )
    return req


def _locked(req: LoungeRequest) -> LoungeRequest:
    return (
        LoungeRequest.objects.select_for_update(of=("self",))
        .select_related("store", "seat", "visit", "drink", "facility", "promise")
        .get(pk=req.pk)
    )


def _answering(actor, request: LoungeRequest) -> LoungeRequest:
    """The request locked for a stage, once the actor may edit in its store and answer it (403 otherwise)."""
    req = _locked(request)
    deny_unless(has_right(actor, Right.EDIT, req.store_id))
    deny_unless(may_answer(actor, req))
    return req


def _keep(req: LoungeRequest, actor, at: datetime) -> None:
    if req.promise is not None and req.promise.state == PromiseState.OPEN:
        promise_keep(promise=req.promise, actor=actor, at=at)


def _closed_error(req: LoungeRequest) -> ValidationError:
    if req.state == RequestState.DONE:
        return field_error("state", _("The request is already done."), "state")
    return field_error("state", _("The request was cancelled."), "state")


@transaction.atomic
def request_acknowledge(*, actor: User, request: LoungeRequest, now: datetime | None = None) -> LoungeRequest:
    """Someone is on the way: the customer's page shows it, and the promise is kept (S4.5 response time)."""
    req = _answering(actor, request)
    if req.state == RequestState.ON_WAY:
        raise field_error("state", _("Someone is already on the way."), "state")
    if req.state != RequestState.OPEN:
        raise _closed_error(req)
    now = now or timezone.now()
    before = snapshot(req, STAGE_FIELDS)
    req.state = RequestState.ON_WAY
    req.acknowledged_at = now
    req.acknowledged_by = actor
    history_save(
        req,
        actor=actor,
        before=before,
        fields=["state", "acknowledged_at", "acknowledged_by"],
        after=snapshot(req, STAGE_FIELDS),
    )
    _keep(req, actor, now)
    return req


def _serve(req: LoungeRequest, actor, now: datetime) -> str:
    """S4.2: a refill or drink brought to a customer whose visit is open is a serving on that visit.

    The request is done all the same when the visit cannot take the serving (not greeted yet, the
    drink ran out meanwhile): the reason is returned for the request's history.
    """
    if req.visit is None or req.visit.departed_at is not None:
        return ""
    from .visits import visit_serve

    refill = True if req.kind == RequestKind.REFILL else None
    try:
        visit_serve(actor=actor, visit=req.visit, drink=req.drink, refill=refill, now=now)
    except ValidationError as exc:  # its savepoint is rolled back; the request stays done
        return _("Not recorded as served on the visit: %(reason)s") % {"reason": " ".join(exc.messages)}
    return ""


@transaction.atomic
def request_done(*, actor: User, request: LoungeRequest, now: datetime | None = None) -> LoungeRequest:
    """Done: a refill or drink is also recorded on the customer's visit (S4.2); done at once also keeps the clock."""
    req = _answering(actor, request)
    if req.state not in OPEN_STATES:
        raise _closed_error(req)
    now = now or timezone.now()
    before = snapshot(req, STAGE_FIELDS)
    fields = ["state", "done_at", "done_by"]
    if req.acknowledged_at is None:  # someone went and did it straight away
        req.acknowledged_at = now
        req.acknowledged_by = actor
        fields += ["acknowledged_at", "acknowledged_by"]
    req.state = RequestState.DONE
    req.done_at = now
    req.done_by = actor
    note = _serve(req, actor, now) if req.kind in (RequestKind.REFILL, RequestKind.DRINK) else ""
    history_save(req, actor=actor, before=before, fields=fields, after=snapshot(req, STAGE_FIELDS), note=note)
    _keep(req, actor, req.acknowledged_at)
    return req


@transaction.atomic
def request_cancel(
    *, actor: User, request: LoungeRequest, reason: str = "", now: datetime | None = None
) -> LoungeRequest:
    """Cancel a request that needs nothing more (sent twice, the customer left); its clock is cancelled."""
    req = _answering(actor, request)
    if req.state not in OPEN_STATES:
        raise _closed_error(req)
    reason = " ".join(str(reason or "").split())[:200] or _("The request was cancelled.")
    before = snapshot(req, STAGE_FIELDS)
    req.state = RequestState.CANCELLED
    history_save(req, actor=actor, before=before, fields=["state"], after=snapshot(req, STAGE_FIELDS), note=reason)
    if req.promise is not None and req.promise.state == PromiseState.OPEN:
        promise_cancel(promise=req.promise, actor=actor, reason=reason)
    return req
