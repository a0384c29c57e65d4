"""complaints.services.stages: acknowledge, verify, reply, follow up, close and reopen, on their clocks (S2.6)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from complaints.choices import ComplaintState
from complaints.models import Complaint
from complaints.services import stages
from complaints.tests.wall import log_complaint
from core.audit import history_for
from promises.choices import PromiseState
from promises.models import Notification
from promises.services import escalations_send_due
from tests.clock import at

SH = ZoneInfo("Asia/Shanghai")


def test_acknowledgement_time_is_measured(world):
    """S2.6: the reported-to-superior delay is measured."""
    with time_machine.travel(at("2026-12-01 10:00"), tick=False):
        complaint = log_complaint(world.a)
    with time_machine.travel(at("2026-12-01 10:12"), tick=False):
        complaint = stages.complaint_acknowledge(actor=world.a.supervisor, complaint=complaint)
    assert complaint.state == ComplaintState.ACKNOWLEDGED
    assert complaint.ack_minutes == 12.0
    complaint.ack_promise.refresh_from_db()
    assert complaint.ack_promise.state == PromiseState.KEPT


def test_staff_cannot_acknowledge(world):
    complaint = log_complaint(world.a)
    with pytest.raises(PermissionDenied):
        stages.complaint_acknowledge(actor=world.a.staff, complaint=complaint)


def test_late_acknowledgement_escalates_to_supervisor_then_manager(world):
    """S2.6: a complaint not acknowledged in time escalates up the line."""
    with time_machine.travel(at("2026-12-01 10:00"), tick=False):
        complaint = log_complaint(world.a, reply_promised_at=at("2026-12-02 10:00"))
    Notification.objects.all().delete()
    with time_machine.travel(at("2026-12-01 10:31"), tick=False):
        assert escalations_send_due() == 1
    assert Notification.objects.filter(recipient=world.a.supervisor, kind="escalation").exists()
    with time_machine.travel(at("2026-12-01 11:31"), tick=False):
        escalations_send_due()
    assert Notification.objects.filter(recipient=world.a.manager, kind="escalation").exists()
    complaint.ack_promise.refresh_from_db()
    assert complaint.ack_promise.escalation_level == 2


def _replied(world, when, promised):
    with time_machine.travel(at("2026-12-01 10:00"), tick=False):
        complaint = log_complaint(world.a, reply_promised_at=promised)
        complaint = stages.complaint_acknowledge(actor=world.a.supervisor, complaint=complaint)
    with time_machine.travel(when, tick=False):
        return stages.complaint_reply(actor=world.a.supervisor, complaint=complaint, channel="phone", text="已补漆")


def test_reply_on_time_keeps_the_promise(world):
    complaint = _replied(world, at("2026-12-01 11:00"), at("2026-12-01 12:00"))
    complaint.reply_promise.refresh_from_db()
    assert complaint.reply_on_time is True
    assert complaint.reply_promise.state == PromiseState.KEPT


def test_reply_late_is_kept_late(world):
    complaint = _replied(world, at("2026-12-01 13:00"), at("2026-12-01 12:00"))
    complaint.reply_promise.refresh_from_db()
    assert complaint.reply_on_time is False
    assert complaint.reply_promise.state == PromiseState.LATE


def test_verification_is_answered_by_the_asked_department_only(world):
    complaint = log_complaint(world.a)
    stages.complaint_acknowledge(actor=world.a.supervisor, complaint=complaint)
    from tests.factories import make_user

    lounge_member = make_user("lounge1", role="staff", store=world.a.store, department=world.a.lounge)
    (verification,) = stages.verification_request(
        actor=world.a.supervisor, complaint=complaint, departments=[world.a.lounge], question="当天谁接待?"
    )
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.VERIFYING
    with pytest.raises(PermissionDenied):
        stages.verification_answer(actor=world.a.staff, verification=verification, answer="不知道")
    with pytest.raises(ValidationError):
        stages.verification_answer(actor=lounge_member, verification=verification, answer="")
    verification = stages.verification_answer(actor=lounge_member, verification=verification, answer="李四接待")
    verification.promise.refresh_from_db()
    assert verification.promise.state == PromiseState.KEPT


def test_close_refused_without_reply(world):
    """S2.6: a complaint cannot close without a recorded reply."""
    complaint = log_complaint(world.a)
    stages.complaint_acknowledge(actor=world.a.supervisor, complaint=complaint)
    with pytest.raises(ValidationError) as caught:
        stages.complaint_close(actor=world.a.supervisor, complaint=complaint)
    assert set(caught.value.message_dict) == {"reply_text"}  # names the missing reply


def test_follow_up_unreachable_after_three_tries_then_close_and_reopen(world):
    complaint = log_complaint(world.a)
    stages.complaint_acknowledge(actor=world.a.supervisor, complaint=complaint)
    stages.complaint_reply(actor=world.a.supervisor, complaint=complaint, channel="phone", text="已处理")
    for n in range(1, 4):
        complaint = stages.complaint_followup(actor=world.a.staff, complaint=complaint, reached=False)
        assert complaint.followup_attempts == n
    assert complaint.unreachable
    complaint = stages.complaint_close(actor=world.a.supervisor, complaint=complaint)
    assert complaint.state == ComplaintState.CLOSED
    with pytest.raises(ValidationError) as caught:
        stages.complaint_reopen(actor=world.a.supervisor, complaint=complaint, reason="", reply_promised_at=None)
    assert {"reason", "reply_promised_at"} <= set(caught.value.message_dict)
    new_time = timezone.now() + timedelta(hours=3)
    complaint = stages.complaint_reopen(
        actor=world.a.supervisor, complaint=complaint, reason="客户再次来电", reply_promised_at=new_time
    )
    assert complaint.state == ComplaintState.ACKNOWLEDGED
    assert complaint.reopened_count == 1
    assert complaint.reply_at is None
    assert complaint.reply_promise.due_at == new_time
    assert len(history_for(complaint)) >= 7


def test_follow_up_score_must_be_one_to_five(world):
    complaint = log_complaint(world.a)
    stages.complaint_acknowledge(actor=world.a.supervisor, complaint=complaint)
    stages.complaint_reply(actor=world.a.supervisor, complaint=complaint, channel="phone", text="已处理")
    with pytest.raises(ValidationError):
        stages.complaint_followup(actor=world.a.staff, complaint=complaint, reached=True, score=6)
    complaint = stages.complaint_followup(actor=world.a.staff, complaint=complaint, reached=True, score=5, comment="好")
    assert complaint.satisfaction_score == 5


# --- Contact phone reveal (PIPL) ----------------------------------------------------------------


def test_a_refused_stage_names_its_field_and_rule_code(world):
    complaint = log_complaint(world.a)
    with pytest.raises(ValidationError) as exc:
        stages.complaint_reply(actor=world.a.supervisor, complaint=complaint, channel="phone", text="x")
    assert exc.value.error_dict["state"][0].code == "state"
    stages.complaint_acknowledge(actor=world.a.supervisor, complaint=complaint)
    with pytest.raises(ValidationError) as exc:
        stages.complaint_close(actor=world.a.supervisor, complaint=complaint)
    assert exc.value.error_dict["reply_text"][0].code == "no_reply"


def test_reopening_with_a_reply_too_far_ahead_is_refused(world, noon):
    complaint = log_complaint(world.a)
    Complaint.objects.filter(pk=complaint.pk).update(state=ComplaintState.CLOSED)
    with pytest.raises(ValidationError) as caught:
        stages.complaint_reopen(
            actor=world.a.supervisor,
            complaint=complaint,
            reason="客户不满意",
            reply_promised_at=noon + timedelta(days=31),
        )
    assert caught.value.error_dict["reply_promised_at"][0].code == "too_far"
    assert Complaint.objects.get(pk=complaint.pk).state == ComplaintState.CLOSED
