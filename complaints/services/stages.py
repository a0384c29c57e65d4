"""The stages of a complaint after it is logged: acknowledge, verify, reply, follow up, close, reopen (S2.6).

Each stage is timestamped and written to the complaint's history; the two clocks of S2.6 — reported to
the superior at once, answered by the time promised to the customer — are promises (promises app).
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import history_record
from core.models import HistoryAction
from core.validators import field_error
from org.access import deny_unless
from org.models import User
from org.selectors import department_supervisors
from promises.choices import NotificationKind, PromiseKind
from promises.services import notification_send, promise_make

from ..choices import ComplaintState, ReplyChannel
from ..models import Complaint, Verification
from .complaints import (
    FOLLOWUP_MAX_ATTEMPTS,
    STAGE_FIELDS,
    VERIFY_BUSINESS_MINUTES,
    _history_view,
    _keep,
    _locked,
    _reply_promise,
    _reply_time_errors,
    _save_stage,
    may_answer,
    may_follow_up,
    may_handle,
)


@transaction.atomic
def complaint_acknowledge(*, actor, complaint: Complaint, now=None) -> Complaint:
    """The supervisor or duty manager takes the complaint; minutes from logging are measured (S2.6)."""
    complaint = _locked(complaint)
    deny_unless(may_handle(actor, complaint))
    if complaint.state != ComplaintState.LOGGED:
        raise field_error("state", _("Only a newly logged complaint can be acknowledged."), code="state")
    now = now or timezone.now()
    before = _history_view(complaint, STAGE_FIELDS)
    complaint.state = ComplaintState.ACKNOWLEDGED
    complaint.acknowledged_at = now
    complaint.acknowledged_by = actor
    complaint.ack_minutes = round(max(0.0, (now - complaint.logged_at).total_seconds()) / 60, 1)
    _save_stage(complaint, actor, before, ["state", "acknowledged_at", "acknowledged_by", "ack_minutes"])
    _keep(complaint.ack_promise, actor, now)
    return complaint


def _require_acknowledged(complaint: Complaint) -> None:
    if complaint.state == ComplaintState.LOGGED:
        raise field_error("state", _("Acknowledge the complaint first."), code="state")
    if complaint.state == ComplaintState.CLOSED:
        raise field_error("state", _("The complaint is closed; reopen it first."), code="state")


@transaction.atomic
def verification_request(*, actor, complaint: Complaint, departments, question: str, now=None) -> list[Verification]:
    """Ask one or more departments to verify the facts; each answers in its own inbox, on a clock (S2.6)."""
    complaint = _locked(complaint)
    deny_unless(may_handle(actor, complaint))
    _require_acknowledged(complaint)
    question = (question or "").strip()
    departments = list(departments or [])
    errors = {}
    if not departments:
        errors["departments"] = [
            ValidationError(_("S2.6: choose at least one department to verify with."), code="required")
        ]
    elif any(d.store_id != complaint.store_id for d in departments):
        errors["departments"] = [ValidationError(_("The department must be one of the store's."), code="invalid")]
    if not question:
        errors["question"] = [ValidationError(_("S2.6: write what the department should verify."), code="required")]
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    made = []
    for department in departments:
        verification = Verification(
            complaint=complaint, department=department, question=question, asked_at=now, asked_by=actor
        )
        verification.full_clean()
        verification.save()
        verification.promise = promise_make(
            store=complaint.store,
            kind=PromiseKind.COMPLAINT_VERIFICATION,
            rule_id="S2.6",
            title=_("Verify complaint %(number)s") % {"number": complaint.number},
            actor=actor,
            owner_department=department,
            subject=verification,
            url=reverse("complaints:verification_inbox"),
            business_minutes=VERIFY_BUSINESS_MINUTES,
            now=now,
        )
        verification.save(update_fields=["promise"])
        notification_send(
            recipients=[
                *User.objects.filter(department=department, is_active=True),
                *department_supervisors([department.pk]),
            ],
            store=complaint.store,
            title=_("Please verify complaint %(number)s") % {"number": complaint.number},
            kind=NotificationKind.ASSIGNED,
            promise=verification.promise,
            url=reverse("complaints:verification_inbox"),
        )
        made.append(verification)
    before = _history_view(complaint, STAGE_FIELDS)
    note = _("Verification asked of %(departments)s: %(question)s") % {
        "departments": "、".join(d.name for d in departments),
        "question": question,
    }
    if complaint.state == ComplaintState.ACKNOWLEDGED:
        complaint.state = ComplaintState.VERIFYING
        _save_stage(complaint, actor, before, ["state"], note=note)
    else:
        history_record(actor=actor, obj=complaint, action=HistoryAction.UPDATE, note=note, after={"verification": note})
    return made


@transaction.atomic
def verification_answer(*, actor, verification: Verification, answer: str, now=None) -> Verification:
    """The asked department answers; its promise is kept (on time or late)."""
    verification = Verification.objects.select_for_update().select_related("complaint").get(pk=verification.pk)
    deny_unless(may_answer(actor, verification))
    answer = (answer or "").strip()
    if not answer:
        raise field_error("answer", _("S2.6: write what the department found."), code="required")
    if verification.answered_at:
        raise field_error("answer", _("This verification has already been answered."), code="state")
    if verification.complaint.state == ComplaintState.CLOSED:
        raise field_error("state", _("The complaint is closed; reopen it first."), code="state")
    now = now or timezone.now()
    verification.answer = answer
    verification.answered_at = now
    verification.answered_by = actor
    verification.full_clean()
    verification.save(update_fields=["answer", "answered_at", "answered_by"])
    _keep(verification.promise, actor, now)
    history_record(
        actor=actor,
        obj=verification.complaint,
        action=HistoryAction.UPDATE,
        after={"verification_answer": f"{verification.department}: {answer}"[:500]},
        note=_("Verification answered"),
    )
    return verification


@transaction.atomic
def complaint_reply(*, actor, complaint: Complaint, channel: str, text: str, now=None) -> Complaint:
    """The reply given to the customer (how, what); the reply promise is kept on time or late (S2.6)."""
    complaint = _locked(complaint)
    deny_unless(may_handle(actor, complaint))
    _require_acknowledged(complaint)
    if complaint.state not in (ComplaintState.ACKNOWLEDGED, ComplaintState.VERIFYING):
        raise field_error("state", _("The customer has already been given a reply."), code="state")
    text = (text or "").strip()
    errors = {}
    if channel not in ReplyChannel.values:
        errors["reply_channel"] = [ValidationError(_("S2.6: choose how the reply was given."), code="required")]
    if not text:
        errors["reply_text"] = [ValidationError(_("S2.6: record what the customer was told."), code="required")]
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    before = _history_view(complaint, STAGE_FIELDS)
    complaint.state = ComplaintState.REPLIED
    complaint.reply_at = now
    complaint.reply_by = actor
    complaint.reply_channel = channel
    complaint.reply_text = text
    complaint.reply_on_time = now <= complaint.reply_promised_at
    _save_stage(
        complaint, actor, before, ["state", "reply_at", "reply_by", "reply_channel", "reply_text", "reply_on_time"]
    )
    _keep(complaint.reply_promise, actor, now)
    return complaint


@transaction.atomic
def complaint_followup(
    *, actor, complaint: Complaint, reached: bool, score: int | None = None, comment: str = "", now=None
) -> Complaint:
    """The satisfaction call: a score 1–5 and comment, or one more try without reaching the customer."""
    complaint = _locked(complaint)
    deny_unless(may_follow_up(actor, complaint))
    if complaint.state not in (ComplaintState.REPLIED, ComplaintState.FOLLOW_UP):
        raise field_error("state", _("Follow up after the reply has been given."), code="state")
    if complaint.satisfaction_score is not None or complaint.unreachable:
        raise field_error("state", _("The follow-up is already done."), code="state")
    before = _history_view(complaint, STAGE_FIELDS)
    complaint.state = ComplaintState.FOLLOW_UP
    if reached:
        if score is None or not 1 <= int(score) <= 5:
            raise field_error("satisfaction_score", _("Give the customer's score from 1 to 5."), code="range")
        complaint.satisfaction_score = int(score)
        complaint.satisfaction_comment = (comment or "").strip()
        fields = ["state", "satisfaction_score", "satisfaction_comment"]
    else:
        complaint.followup_attempts += 1
        complaint.unreachable = complaint.followup_attempts >= FOLLOWUP_MAX_ATTEMPTS
        fields = ["state", "followup_attempts", "unreachable"]
    _save_stage(complaint, actor, before, fields)
    return complaint


@transaction.atomic
def complaint_close(*, actor, complaint: Complaint, now=None) -> Complaint:
    """Close the complaint; never without a recorded reply (S2.6)."""
    complaint = _locked(complaint)
    deny_unless(may_handle(actor, complaint))
    if complaint.state == ComplaintState.CLOSED:
        raise field_error("state", _("The complaint is already closed."), code="state")
    if complaint.reply_at is None:
        raise field_error(
            "reply_text",
            _("S2.6: a complaint cannot be closed before the reply to the customer is recorded."),
            code="no_reply",
        )
    now = now or timezone.now()
    before = _history_view(complaint, STAGE_FIELDS)
    complaint.state = ComplaintState.CLOSED
    complaint.closed_at = now
    complaint.closed_by = actor
    _save_stage(complaint, actor, before, ["state", "closed_at", "closed_by"])
    return complaint


@transaction.atomic
def complaint_reopen(*, actor, complaint: Complaint, reason: str, reply_promised_at: datetime | None, now=None):
    """Reopen a closed complaint with a reason and a new reply time promised to the customer (S2.6)."""
    complaint = _locked(complaint)
    deny_unless(may_handle(actor, complaint))
    if complaint.state != ComplaintState.CLOSED:
        raise field_error("state", _("Only a closed complaint can be reopened."), code="state")
    now = now or timezone.now()
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = [ValidationError(_("Give the reason for reopening the complaint."), code="required")]
    reply_errors = _reply_time_errors(reply_promised_at, now)
    if reply_errors:
        errors["reply_promised_at"] = reply_errors
    if errors:
        raise ValidationError(errors)
    before = _history_view(complaint, STAGE_FIELDS)
    complaint.state = ComplaintState.ACKNOWLEDGED
    complaint.reopened_count += 1
    complaint.reopen_reason = reason[:200]
    complaint.reply_promised_at = reply_promised_at
    complaint.reply_at = None
    complaint.reply_by = None
    complaint.reply_channel = ""
    complaint.reply_text = ""
    complaint.reply_on_time = None
    complaint.satisfaction_score = None
    complaint.satisfaction_comment = ""
    complaint.followup_attempts = 0
    complaint.unreachable = False
    complaint.closed_at = None
    complaint.closed_by = None
    complaint.reply_promise = _reply_promise(complaint, actor, now)
    fields = [f for f in STAGE_FIELDS if f not in ("acknowledged_at", "acknowledged_by", "ack_minutes")]
    _save_stage(complaint, actor, before, [*fields, "reply_promise"], note=reason)
    return complaint
