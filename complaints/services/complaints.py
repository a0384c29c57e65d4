"""Complaints: logging one with every required fact, revealing its contact phone (S2.4, S2.6); the stages
after it are in complaints.services.stages.

Every write goes through here, from the web views and the API alike. Each stage is timestamped,
each change written to the complaint's history, and the two clocks of S2.6 — reported to the
superior at once, answered by the time promised to the customer — are promises (promises app).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import history_record, history_save, register_history_labels, snapshot
from core.models import HistoryAction
from core.validators import field_error, mask_phone, national_digits, normalize_any_phone, normalize_plate, text_value
from customers.selectors import customer_for_number
from customers.services.customers import phone_reveal_log
from org.access import Right, deny_unless, has_right, may_act_on, role_of, supervised_department_ids
from org.choices import Role
from org.models import Department, Store, User
from org.selectors import department_supervisors, store_managers
from promises.choices import NotificationKind, PromiseKind, PromiseState
from promises.services import notification_send, promise_keep, promise_make

from ..choices import Channel, Severity
from ..models import Complaint, Verification

# S2.6 "report to the superior at once": the acknowledgement clock, in business minutes.

ACK_BUSINESS_MINUTES = getattr(settings, "COMPLAINTS_ACK_BUSINESS_MINUTES", 30)
# S2.6 verification with a department: its answer clock, in business minutes.
VERIFY_BUSINESS_MINUTES = getattr(settings, "COMPLAINTS_VERIFY_BUSINESS_MINUTES", 120)
# S2.6: a reply promised further ahead than this is a typing slip, not a promise to a waiting customer.
REPLY_MAX_DAYS = getattr(settings, "COMPLAINTS_REPLY_MAX_DAYS", 30)
# S2.4: events longer ago than this are a typing slip in the date (a year 0226), not a complaint's facts.
HAPPENED_MAX_DAYS = getattr(settings, "COMPLAINTS_HAPPENED_MAX_DAYS", 365)
# Follow-up: after this many tries without reaching the customer, they are marked unreachable.
FOLLOWUP_MAX_ATTEMPTS = getattr(settings, "COMPLAINTS_FOLLOWUP_MAX_ATTEMPTS", 3)


LOG_FIELDS = [
    "number",
    "channel",
    "customer_name",
    "vehicle_involved",
    "vehicle_model",
    "plate",
    "department",
    "staff_involved",
    "staff_unknown",
    "happened_at",
    "place",
    "course",
    "customer_wants",
    "severity",
    "reply_promised_at",
    "state",
]
STAGE_FIELDS = [
    "state",
    "acknowledged_at",
    "acknowledged_by",
    "ack_minutes",
    "reply_at",
    "reply_by",
    "reply_channel",
    "reply_text",
    "reply_on_time",
    "reply_promised_at",
    "satisfaction_score",
    "satisfaction_comment",
    "followup_attempts",
    "unreachable",
    "closed_at",
    "closed_by",
    "reopened_count",
    "reopen_reason",
]


# --- Who may act ---------------------------------------------------------------------------------


# the history lines of a complaint that are not its fields (core.audit shows them under these labels)
register_history_labels(
    Complaint,
    verification=gettext_lazy("verification asked"),
    verification_answer=gettext_lazy("verification answer"),
)


def _is_manager(user, store_id: int) -> bool:
    return role_of(user) in (Role.GROUP_ADMIN, Role.STORE_MANAGER) and has_right(user, Right.EDIT, store_id)


def _supervises(user, department_id: int) -> bool:
    return department_id in supervised_department_ids(user)


def may_handle(user, complaint: Complaint) -> bool:
    """Acknowledge, ask departments, reply, close, reopen: the department's supervisors and managers."""
    if not has_right(user, Right.EDIT, complaint.store_id):
        return False
    return _is_manager(user, complaint.store_id) or _supervises(user, complaint.department_id)


def may_follow_up(user, complaint: Complaint) -> bool:
    """The satisfaction call: anyone of the store who may edit (customer service makes the calls)."""
    return has_right(user, Right.EDIT, complaint.store_id)


def may_answer(user, verification: Verification) -> bool:
    """A verification is answered by the asked department's members or supervisors, or a manager."""
    return may_act_on(user, store_id=verification.complaint.store_id, department_id=verification.department_id)


# --- Helpers -------------------------------------------------------------------------------------


def _url(complaint: Complaint) -> str:
    return reverse("complaints:complaint_detail", kwargs={"complaint_pk": complaint.pk})


def _history_view(complaint: Complaint, fields) -> dict:
    data = snapshot(complaint, fields)
    if "contact_phone" in data:
        data["contact_phone"] = mask_phone(complaint.contact_phone)  # PIPL: history shows it masked
    return data


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().select_related("store", "department").get(pk=complaint.pk)


def _next_number(store: Store, now: datetime) -> str:
    Store.objects.select_for_update().filter(pk=store.pk).first()  # one number at a time per store
    year = timezone.localtime(now).year
    prefix = f"C-{store.code}-{year}-"
    last = (
        Complaint.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


# --- Contact phone -------------------------------------------------------------------------------


@transaction.atomic
def complaint_reveal_phone(*, actor, complaint: Complaint) -> str:
    """The contact phone in full, logged like a customer's number: who saw it, when, on which complaint (PIPL)."""
    deny_unless(has_right(actor, Right.REVEAL_PHONE, complaint.store_id))
    if not complaint.contact_phone:
        raise ValidationError(
            {"contact_phone": [ValidationError(_("This complaint has no contact phone."), code="required")]}
        )
    phone_reveal_log(
        actor=actor,
        store_id=complaint.store_id,
        customer=complaint.customer,
        ref=complaint.number,
        detail=_("Contact phone of complaint %(number)s") % {"number": complaint.number},
    )
    return complaint.contact_phone


# --- Logging -------------------------------------------------------------------------------------


def _clean_log_input(*, store: Store, data: dict, now: datetime) -> dict:
    """Every required fact of S2.4 / S2.6, each problem named by its field and rule."""
    errors: dict[str, list] = {}
    out: dict = {}

    def need(key, message):
        value = text_value(data.get(key))
        if not value:
            errors.setdefault(key, []).append(ValidationError(message, code="required"))
        out[key] = value

    channel = data.get("channel") or Channel.PHONE
    if channel not in Channel.values:
        errors["channel"] = [ValidationError(_("Choose how the complaint came in."), code="invalid_choice")]
    out["channel"] = channel
    severity = data.get("severity") or ""
    if severity not in Severity.values:
        errors["severity"] = [ValidationError(_("S2.6: choose the severity of the complaint."), code="required")]
    out["severity"] = severity

    need("customer_name", _("S2.6: record the customer's name."))
    phone = text_value(data.get("contact_phone"))
    if not phone:
        errors["contact_phone"] = [
            ValidationError(_("S2.4: ask the customer for a contact number and record it."), code="required")
        ]
    else:
        try:
            phone = normalize_any_phone(phone)
        except ValidationError as exc:
            errors["contact_phone"] = exc.error_list
    out["contact_phone"] = phone

    involved = bool(data.get("vehicle_involved"))
    out["vehicle_involved"] = involved
    out["vehicle_model"] = text_value(data.get("vehicle_model"))
    plate = text_value(data.get("plate"))
    if involved:
        if not out["vehicle_model"]:
            errors["vehicle_model"] = [
                ValidationError(_("S2.6: record the vehicle model when a vehicle is involved."), code="required")
            ]
        if not plate:
            errors["plate"] = [
                ValidationError(_("S2.4: record the plate when a vehicle is involved."), code="required")
            ]
    if plate:
        try:
            plate = normalize_plate(plate)
        except ValidationError as exc:
            errors["plate"] = exc.error_list
    out["plate"] = plate

    department = data.get("department")
    if department is None:
        errors["department"] = [
            ValidationError(_("S2.6: choose the department the customer complains about."), code="required")
        ]
    elif department.store_id != store.pk:
        errors["department"] = [ValidationError(_("The department must be one of the store's."), code="invalid")]
    out["department"] = department

    staff = data.get("staff_involved")
    unknown = bool(data.get("staff_unknown"))
    if staff is None and not unknown:
        errors["staff_involved"] = [
            ValidationError(_("S2.6: name the staff involved, or mark them as unknown."), code="required")
        ]
    elif staff is not None and staff.store_id != store.pk:
        errors["staff_involved"] = [ValidationError(_("The staff member must work in the store."), code="invalid")]
    out["staff_involved"] = staff
    out["staff_unknown"] = unknown and staff is None

    happened = data.get("happened_at")
    if not happened:
        errors["happened_at"] = [ValidationError(_("S2.4: record when it happened."), code="required")]
    elif happened > now:
        errors["happened_at"] = [
            ValidationError(_("S2.4: the time of the events cannot be in the future."), code="future")
        ]
    elif happened < now - timedelta(days=HAPPENED_MAX_DAYS):
        errors["happened_at"] = [
            ValidationError(
                _("S2.4: the time of the events must be within the last %(days)d days: check the date."),
                code="too_old",
                params={"days": HAPPENED_MAX_DAYS},
            )
        ]
    out["happened_at"] = happened
    need("place", _("S2.4: record where it happened."))
    need("course", _("S2.4: record the course of events."))
    need("customer_wants", _("S2.6: record what the customer wants."))

    reply_at = data.get("reply_promised_at")
    reply_errors = _reply_time_errors(reply_at, now)
    if reply_errors:
        errors["reply_promised_at"] = reply_errors
    out["reply_promised_at"] = reply_at
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def complaint_log(
    *,
    actor,
    store: Store,
    customer_name: str = "",
    contact_phone: str = "",
    channel: str = Channel.PHONE,
    severity: str = "",
    vehicle_involved: bool = False,
    vehicle_model: str = "",
    plate: str = "",
    department: Department | None = None,
    staff_involved: User | None = None,
    staff_unknown: bool = False,
    happened_at: datetime | None = None,
    place: str = "",
    course: str = "",
    customer_wants: str = "",
    reply_promised_at: datetime | None = None,
    call=None,
    customer=None,
    vehicle=None,
    now: datetime | None = None,
) -> Complaint:
    """Log a complaint with every required fact; its supervisors and the duty manager are told at once (S2.6).

    A fact left out is refused by its rule (the field named), like one left empty."""
    now = now or timezone.now()
    data = {
        "customer_name": customer_name,
        "contact_phone": contact_phone,
        "channel": channel,
        "severity": severity,
        "vehicle_involved": vehicle_involved,
        "vehicle_model": vehicle_model,
        "plate": plate,
        "department": department,
        "staff_involved": staff_involved,
        "staff_unknown": staff_unknown,
        "happened_at": happened_at,
        "place": place,
        "course": course,
        "customer_wants": customer_wants,
        "reply_promised_at": reply_promised_at,
    }
    cleaned = _clean_log_input(store=store, data=data, now=now)
    if call is not None:
        if call.store_id != store.pk:
            raise field_error("call", _("The call must be one of the store's."))
        customer = customer or call.customer
    if customer is None:
        # the customer whose number the complaint gives (a caller made a customer after the call, say):
        # linked, so the complaint shows on their timeline
        customer = customer_for_number(store, national_digits(cleaned["contact_phone"]))
    for obj, key in ((customer, "customer"), (vehicle, "vehicle")):
        if obj is not None and obj.store_id != store.pk:
            raise field_error(key, _("The record must be one of the store's."))
    complaint = Complaint(
        store=store,
        number=_next_number(store, now),
        call=call,
        customer=customer,
        vehicle=vehicle,
        logged_at=now,
        logged_by=actor if getattr(actor, "pk", None) else None,
        **cleaned,
    )
    complaint.full_clean()
    complaint.save()
    url = _url(complaint)
    department = complaint.department
    complaint.ack_promise = promise_make(
        store=store,
        kind=PromiseKind.COMPLAINT_ACK,
        rule_id="S2.6",
        title=_("Acknowledge complaint %(number)s") % {"number": complaint.number},
        actor=actor,
        owner_department=department,
        subject=complaint,
        url=url,
        business_minutes=ACK_BUSINESS_MINUTES,
        now=now,
    )
    complaint.reply_promise = _reply_promise(complaint, actor, now)
    complaint.save(update_fields=["ack_promise", "reply_promise"])
    history_record(
        actor=actor,
        obj=complaint,
        action=HistoryAction.CREATE,
        after=_history_view(complaint, [*LOG_FIELDS, "contact_phone"]),
    )
    title = _("New complaint %(number)s about %(department)s: %(name)s") % {
        "number": complaint.number,
        "department": department.name,
        "name": complaint.customer_name,
    }
    notification_send(
        recipients=[*department_supervisors([department.pk]), *store_managers(store.pk)],
        store=store,
        title=title,
        kind=NotificationKind.ASSIGNED,
        promise=complaint.ack_promise,
        url=url,
    )
    return complaint


def _reply_promise(complaint: Complaint, actor, now):
    return promise_make(
        store=complaint.store,
        kind=PromiseKind.COMPLAINT_REPLY,
        rule_id="S2.6",
        title=_("Reply to complaint %(number)s") % {"number": complaint.number},
        actor=actor,
        owner_department=complaint.department,
        subject=complaint,
        url=_url(complaint),
        due_at=complaint.reply_promised_at,
        now=now,
    )


def _save_stage(complaint: Complaint, actor, before: dict, fields: list[str], note: str = "") -> None:
    history_save(
        complaint, actor=actor, before=before, fields=fields, after=_history_view(complaint, STAGE_FIELDS), note=note
    )


def _keep(promise, actor, at):
    if promise is not None and promise.state == PromiseState.OPEN:
        return promise_keep(promise=promise, actor=actor, at=at)
    return promise


def _reply_time_errors(reply_at, now) -> list | None:
    """S2.6: the reply time promised is required, in the future, and at most REPLY_MAX_DAYS ahead."""
    if not reply_at:
        return [
            ValidationError(_("S2.6: tell the customer when they will get an answer, and record it."), code="required")
        ]
    if reply_at <= now:
        return [ValidationError(_("S2.6: the reply time promised to the customer must be in the future."), code="past")]
    if reply_at > now + timedelta(days=REPLY_MAX_DAYS):
        return [
            ValidationError(
                _("S2.6: the reply time promised to the customer must be within %(days)d days from now."),
                code="too_far",
                params={"days": REPLY_MAX_DAYS},
            )
        ]
    return None
