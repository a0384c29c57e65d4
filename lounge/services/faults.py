"""Facilities and their faults (S4.11: all facilities working; anything broken reported to maintenance at once).

Every write goes through here, from the pages, the API, the lounge board, a failed round item and the
customer's QR page alike. A reported fault becomes a maintenance ticket with an owner and a clock — a
promise of kind ``fault_fix`` due in the store's ``fix_within_hours`` *business* hours — and its owner
is told at once. The facility is out of order while it has a ticket open or in progress
(lounge.selectors.faults.OPEN_STATES). Each change is written to the record's history (core.audit).

A second report of a facility that already has an open ticket does not open another ticket: it is
added to the open one as a note in its history (and its photo, round item or customer request are
linked when the open ticket lacks them), and the owner is told. One broken coffee machine is one
ticket with one clock, whoever noticed it first; nobody who reports it — least of all a customer at
a table — is turned away. The returned ticket then has ``appended = True``.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from checks.models import RoundResult
from core.audit import history_record, history_record_saved, history_save, snapshot
from core.images import photo_clean
from core.models import HistoryAction
from core.validators import field_error
from org.access import Right, deny_unless, has_right, may_act_on, role_of, store_ids
from org.choices import Role
from org.models import Store, User
from org.selectors import store_managers
from promises.choices import NotificationKind, PromiseKind, PromiseState
from promises.models import Promise
from promises.services import notification_send, owners_of, promise_cancel, promise_keep, promise_make

from ..choices import FacilityKind, FaultSource, FaultState
from ..links import fault_url
from ..models import Facility, FaultTicket, LoungeRequest, lounge_settings
from ..selectors.faults import OPEN_STATES, fault_department

RULE_ID = "S4.11"
DESCRIPTION_MAX = 300
NOTE_MAX = 300
REASON_MAX = 200

FACILITY_FIELDS = ["name", "kind", "location", "active"]
FAULT_FIELDS = [
    "facility",
    "description",
    "source",
    "reported_by",
    "request",
    "round_result",
    "owner",
    "owner_department",
    "state",
    "started_at",
    "fixed_at",
    "fixed_by",
    "fix_note",
    "close_reason",
]
PHOTO_FIELDS = ["photo", "fix_photo"]

# The usual register of a lounge (S4.8, S4.11): name, kind, where. Names are the store's own data,
# in the store's language, and may be renamed on the facilities page.
DEFAULT_FACILITIES = [
    ("电视", FacilityKind.TV, "休息区"),
    ("音响", FacilityKind.AUDIO, "休息区"),
    ("饮水机", FacilityKind.WATER_DISPENSER, "水吧"),
    ("咖啡机", FacilityKind.COFFEE_MACHINE, "水吧"),
    ("空调", FacilityKind.AIR_CONDITIONING, "休息区"),
    ("Wi-Fi", FacilityKind.WIFI, "全区"),
    ("充电口", FacilityKind.CHARGING, "座位区"),
    ("按摩椅", FacilityKind.MASSAGE_CHAIR, "休息区"),
]


# --- Who may act ---------------------------------------------------------------------------------


def may_manage_register(user, store_id: int) -> bool:
    """Add, rename, deactivate facilities: the store's configuration (Right.MANAGE_STORE)."""
    return has_right(user, Right.MANAGE_STORE, store_id)


def may_work(user, store_id: int) -> bool:
    """Report a fault, start and fix it: everyday work (Right.EDIT)."""
    return has_right(user, Right.EDIT, store_id)


def may_work_on(user, fault: FaultTicket) -> bool:
    """Start and fix a ticket: its owner (or the owning desk's members), their supervisor, the store's managers
    (org.access.may_act_on) — not a colleague of another department."""
    return may_act_on(user, store_id=fault.store_id, owner_id=fault.owner_id, department_id=fault.owner_department_id)


def may_close_unfixed(user, store_id: int, fault: FaultTicket | None = None) -> bool:
    """Close a ticket without a fix (it cancels the clock): store managers, group admins and supervisors — of
    the ticket's own department when the ticket is given."""
    allowed = may_work(user, store_id) and role_of(user) in (Role.GROUP_ADMIN, Role.STORE_MANAGER, Role.SUPERVISOR)
    return allowed and (fault is None or may_work_on(user, fault))


# --- Helpers -------------------------------------------------------------------------------------


def _text(value) -> str:
    return str(value or "").strip()


def _photo(upload, field: str, errors: dict):
    """The checked photo (core.images.photo_clean), or None; a bad one is an error on `field`."""
    if not upload:
        return None
    try:
        return photo_clean(upload)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.error_list)
        return None


def _fault_view(fault: FaultTicket) -> dict:
    """The ticket as its history shows it: the photos as taken or not (their file names say nothing)."""
    return snapshot(fault, FAULT_FIELDS) | {name: bool(getattr(fault, name)) for name in PHOTO_FIELDS}


def _locked(fault: FaultTicket) -> FaultTicket:
    return (
        FaultTicket.objects.select_for_update(of=("self",))
        .select_related("store", "facility", "promise", "owner", "owner_department")
        .get(pk=fault.pk)
    )


def _works_in(user, store: Store) -> bool:
    return user is not None and user.is_active and store.pk in store_ids(user)


def _recipients(fault: FaultTicket, promise: Promise | None) -> list:
    """Who is told of a ticket: the promise's owners (the person, or the department's members);
    with nobody there, the store managers, so a report never goes unheard (S4.11 "at once")."""
    people = owners_of(promise) if promise is not None else []
    return people or list(store_managers(fault.store_id))


# --- The register --------------------------------------------------------------------------------


@transaction.atomic
def facility_save(
    *,
    actor: User | None,
    store: Store,
    name: str,
    kind: str = FacilityKind.OTHER,
    location: str = "",
    active: bool = True,
    facility: Facility | None = None,
) -> Facility:
    """Add a facility to the store's register, or change one (S4.11); the name is unique in the store.

    A facility with an open fault cannot be taken out of use: fix it or close its ticket first.
    """
    if actor is not None:
        deny_unless(may_manage_register(actor, store.pk))
    if facility is not None:
        facility = Facility.objects.select_for_update().get(pk=facility.pk)
        if facility.store_id != store.pk:
            raise field_error("store", _("The facility is not one of the store's."))
    name = _text(name)
    location = _text(location)
    errors: dict[str, list] = {}
    if not name:
        errors["name"] = [ValidationError(_("Give the facility a name, for example 咖啡机."), code="required")]
    elif len(name) > 50:
        errors["name"] = [ValidationError(_("The name can be at most 50 characters."), code="max_length")]
    else:
        same = Facility.objects.filter(store=store, name__iexact=name)
        if facility is not None:
            same = same.exclude(pk=facility.pk)
        if same.exists():
            errors["name"] = [ValidationError(_("The store already has a facility with this name."), code="duplicate")]
    if kind not in FacilityKind.values:
        errors["kind"] = [ValidationError(_("Choose what kind of facility it is."), code="invalid_choice")]
    if len(location) > 50:
        errors["location"] = [ValidationError(_("Where can be at most 50 characters."), code="max_length")]
    active = bool(active)
    if (
        facility is not None
        and facility.active
        and not active
        and facility.faults.filter(state__in=OPEN_STATES).exists()
    ):
        errors["active"] = [
            ValidationError(
                _("S4.11: the facility has an open fault; fix it or close the ticket before taking it out of use."),
                code="open_fault",
            )
        ]
    if errors:
        raise ValidationError(errors)
    before = snapshot(facility, FACILITY_FIELDS) if facility is not None else None
    if facility is None:
        facility = Facility(store=store)
    facility.name = name
    facility.kind = kind
    facility.location = location
    facility.active = active
    facility.full_clean()
    facility.save()
    history_record_saved(actor=actor, obj=facility, fields=FACILITY_FIELDS, before=before)
    return facility


@transaction.atomic
def facility_defaults(*, store: Store, actor: User | None = None) -> list[Facility]:
    """Add the usual lounge facilities (TV, audio, water dispenser, coffee machine, air conditioning,
    Wi-Fi, charging points, massage chair) the store does not have yet; running it again adds nothing.

    For the demo loader (actor None) and the managers' button on the facilities page. Returns those added.
    """
    if actor is not None:
        deny_unless(may_manage_register(actor, store.pk))
    Store.objects.select_for_update().filter(pk=store.pk).first()  # one run at a time per store
    existing = {n.lower() for n in Facility.objects.filter(store=store).values_list("name", flat=True)}
    added = []
    for name, kind, location in DEFAULT_FACILITIES:
        if name.lower() in existing:
            continue
        facility = Facility(store=store, name=name, kind=kind, location=location)
        facility.full_clean()
        facility.save()
        history_record(
            actor=actor,
            obj=facility,
            action=HistoryAction.CREATE,
            after=snapshot(facility, FACILITY_FIELDS),
            note=_("The usual lounge facilities added"),
        )
        added.append(facility)
    return added


# --- Reporting -----------------------------------------------------------------------------------


@transaction.atomic
def fault_report(
    *,
    store: Store,
    facility: Facility | None,
    description: str,
    source: str,
    actor: User | None = None,
    request: LoungeRequest | None = None,
    round_result: RoundResult | None = None,
    photo: UploadedFile | None = None,
    owner: User | None = None,
    now: datetime | None = None,
) -> FaultTicket:
    """Report a broken facility: a maintenance ticket with an owner and a clock to fix it (S4.11).

    - `actor` is the person reporting; None for a customer at a table (QR code, source QR).
    - `photo`: an upload from the phone's camera, checked and scaled by core.images.photo_clean.
    - `owner`: a person of the store; by default the store's maintenance department
      (LoungeSettings.maintenance_department), else its lounge department, else its managers.
    - The clock: a ``fault_fix`` promise due in ``fix_within_hours`` business hours of the store.
    - A facility that already has an open ticket: the report is added to it (see the module's
      docstring) and that ticket is returned with ``appended = True``.
    """
    now = now or timezone.now()
    if actor is not None:
        deny_unless(may_work(actor, store.pk))
    description = _text(description)
    errors: dict[str, list] = {}
    if facility is None:
        errors["facility"] = [ValidationError(_("S4.11: choose the facility that is broken."), code="required")]
    elif facility.store_id != store.pk:
        errors["facility"] = [ValidationError(_("The facility must be one of the store's."), code="invalid")]
    elif not Facility.objects.filter(pk=facility.pk, active=True).exists():
        errors["facility"] = [
            ValidationError(_("The facility is no longer in use; choose another one."), code="inactive")
        ]
    if not description:
        errors["description"] = [
            ValidationError(_("S4.11: describe what is wrong, for example 'no hot water'."), code="required")
        ]
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = [
            ValidationError(
                _("What is wrong can be at most %(limit)d characters.") % {"limit": DESCRIPTION_MAX},
                code="max_length",
            )
        ]
    if source not in FaultSource.values:
        errors["source"] = [ValidationError(_("Say where the fault was reported from."), code="invalid_choice")]
    if request is not None and request.store_id != store.pk:
        errors["request"] = [ValidationError(_("The customer's request must be one of the store's."), code="invalid")]
    if round_result is not None and round_result.store_id != store.pk:
        errors["round_result"] = [ValidationError(_("The round item must be one of the store's."), code="invalid")]
    if owner is not None and not (_works_in(owner, store) and has_right(owner, Right.EDIT)):
        errors["owner"] = [
            ValidationError(_("The owner must be a colleague of the store who may do the work."), code="invalid")
        ]
    checked_photo = _photo(photo, "photo", errors)
    if errors:
        raise ValidationError(errors)

    Facility.objects.select_for_update().filter(pk=facility.pk).first()  # one report at a time per facility
    open_one = (
        FaultTicket.objects.select_for_update()
        .filter(facility=facility, state__in=OPEN_STATES)
        .order_by("reported_at", "id")
        .first()
    )
    if open_one is not None:
        return _append_report(
            open_one,
            actor=actor,
            description=description,
            source=source,
            request=request,
            round_result=round_result,
            photo=checked_photo,
        )

    department = None if owner is not None else fault_department(store)
    if owner is None and department is None:
        owner = store_managers(store.pk).order_by("id").first()
        if owner is None:
            raise field_error(
                "owner",
                _(
                    "The store has no lounge or maintenance department and no manager to own the ticket; set one up first."
                ),
                code="no_owner",
            )
    fault = FaultTicket(
        store=store,
        facility=facility,
        description=description,
        source=source,
        reported_at=now,
        reported_by=actor if getattr(actor, "pk", None) else None,
        request=request,
        round_result=round_result,
        owner=owner,
        owner_department=department,
        state=FaultState.OPEN,
    )
    if checked_photo is not None:
        fault.photo.save(checked_photo.name, checked_photo, save=False)
    fault.full_clean()
    fault.save()
    url = fault_url(fault)
    hours = lounge_settings(store).fix_within_hours
    fault.promise = promise_make(
        store=store,
        kind=PromiseKind.FAULT_FIX,
        rule_id=RULE_ID,
        title=_("Fix %(facility)s: %(description)s") % {"facility": facility.name, "description": description},
        actor=actor,
        owner=owner,
        owner_department=department,
        subject=fault,
        url=url,
        business_minutes=hours * 60,
        now=now,
    )
    fault.save(update_fields=["promise"])
    history_record(actor=actor, obj=fault, action=HistoryAction.CREATE, after=_fault_view(fault))
    notification_send(
        recipients=_recipients(fault, fault.promise),
        store=store,
        title=_("Broken: %(facility)s — %(description)s") % {"facility": facility.name, "description": description},
        kind=NotificationKind.ASSIGNED,
        promise=fault.promise,
        url=url,
    )
    fault.appended = False
    return fault


def _append_report(fault, *, actor, description, source, request, round_result, photo) -> FaultTicket:
    """A second report of a facility with an open ticket: a note in the ticket's history, nothing lost."""
    before = _fault_view(fault)
    fields = []
    if photo is not None and not fault.photo:
        fault.photo.save(photo.name, photo, save=False)
        fields.append("photo")
    if request is not None and fault.request_id is None:
        fault.request = request
        fields.append("request")
    if round_result is not None and fault.round_result_id is None:
        fault.round_result = round_result
        fields.append("round_result")
    # The report itself, under its own heading (stored in the reporter's language, like every note).
    history_save(
        fault,
        actor=actor,
        before=before,
        fields=fields,
        after=_fault_view(fault) | {_("Reported again"): description},
        note=str(FaultSource(source).label),
    )
    notification_send(
        recipients=_recipients(fault, fault.promise),
        store=fault.store,
        title=_("Reported again: %(facility)s — %(description)s")
        % {"facility": fault.facility.name, "description": description},
        kind=NotificationKind.INFO,
        promise=fault.promise,
        url=fault_url(fault),
    )
    fault.appended = True
    return fault


# --- Working on it -------------------------------------------------------------------------------


def _require_open(fault: FaultTicket, field: str = "state") -> None:
    if fault.state == FaultState.FIXED:
        raise field_error(field, _("The fault is already fixed."), code="state")
    if fault.state == FaultState.CANCELLED:
        raise field_error(field, _("The ticket is closed."), code="state")


@transaction.atomic
def fault_start(
    *, actor: User, fault: FaultTicket, assignee: User | None = None, now: datetime | None = None
) -> FaultTicket:
    """Work on the fault starts (state: being fixed); optionally it is given to one person, who then
    owns the ticket and its clock and is told at once (S4.11)."""
    fault = _locked(fault)
    deny_unless(may_work_on(actor, fault))
    _require_open(fault)
    if fault.state != FaultState.OPEN:
        raise field_error("state", _("Work on this fault has already started."), code="state")
    if assignee is not None and not (_works_in(assignee, fault.store) and has_right(assignee, Right.EDIT)):
        raise field_error("assignee", _("Give it to a colleague of the store who may do the work."))
    now = now or timezone.now()
    before = _fault_view(fault)
    fault.state = FaultState.IN_PROGRESS
    fault.started_at = now
    fields = ["state", "started_at"]
    if assignee is not None and assignee.pk != fault.owner_id:
        fault.owner = assignee
        fields.append("owner")
        if fault.promise_id and fault.promise.state == PromiseState.OPEN:
            # The clock follows the ticket: reminders and escalations now go to the person it was given to.
            Promise.objects.filter(pk=fault.promise_id).update(owner=assignee)
            fault.promise.owner = assignee
    history_save(fault, actor=actor, before=before, fields=fields, after=_fault_view(fault))
    if assignee is not None and assignee.pk != getattr(actor, "pk", None):
        notification_send(
            recipients=[assignee],
            store=fault.store,
            title=_("Fault given to you: %(facility)s — %(description)s")
            % {"facility": fault.facility.name, "description": fault.description},
            kind=NotificationKind.ASSIGNED,
            promise=fault.promise,
            url=fault_url(fault),
        )
    return fault


@transaction.atomic
def fault_fix(
    *, actor: User, fault: FaultTicket, note: str, photo: UploadedFile | None = None, now: datetime | None = None
) -> FaultTicket:
    """The facility works again: what was done (required), an optional photo; the clock is kept, on time
    or late, and the facility is back in order (S4.11)."""
    fault = _locked(fault)
    deny_unless(may_work_on(actor, fault))
    _require_open(fault)
    note = _text(note)
    errors: dict[str, list] = {}
    if not note:
        errors["note"] = [ValidationError(_("S4.11: write what was done to fix it."), code="required")]
    elif len(note) > NOTE_MAX:
        errors["note"] = [
            ValidationError(
                _("What was done can be at most %(limit)d characters.") % {"limit": NOTE_MAX}, code="max_length"
            )
        ]
    checked_photo = _photo(photo, "photo", errors)
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    before = _fault_view(fault)
    fault.state = FaultState.FIXED
    fault.fixed_at = now
    fault.fixed_by = actor
    fault.fix_note = note
    fields = ["state", "fixed_at", "fixed_by", "fix_note"]
    if fault.started_at is None:
        fault.started_at = now
        fields.append("started_at")
    if checked_photo is not None:
        fault.fix_photo.save(checked_photo.name, checked_photo, save=False)
        fields.append("fix_photo")
    history_save(fault, actor=actor, before=before, fields=fields, after=_fault_view(fault))
    if fault.promise_id and fault.promise.state == PromiseState.OPEN:
        fault.promise = promise_keep(promise=fault.promise, actor=actor, at=now)
    return fault


@transaction.atomic
def fault_close_unfixed(*, actor: User, fault: FaultTicket, reason: str) -> FaultTicket:
    """Close a ticket without a fix (reported by mistake, the facility is being replaced …): the reason
    is required and cancels the clock; the facility is back in the register's normal state."""
    fault = _locked(fault)
    deny_unless(may_close_unfixed(actor, fault.store_id, fault))
    _require_open(fault)
    reason = _text(reason)
    if not reason:
        raise field_error("reason", _("Give the reason for closing the ticket without a fix."), code="required")
    if len(reason) > REASON_MAX:
        raise field_error(
            "reason", _("The reason can be at most %(limit)d characters.") % {"limit": REASON_MAX}, code="max_length"
        )
    before = _fault_view(fault)
    fault.state = FaultState.CANCELLED
    fault.close_reason = reason
    history_save(
        fault, actor=actor, before=before, fields=["state", "close_reason"], after=_fault_view(fault), note=reason
    )
    if fault.promise_id and fault.promise.state == PromiseState.OPEN:
        fault.promise = promise_cancel(promise=fault.promise, actor=actor, reason=reason)
    return fault
