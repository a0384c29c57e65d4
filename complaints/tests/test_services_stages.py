"""Complaint services: the required facts, the clocks and the stages (S2.4, S2.6)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from complaints.choices import ComplaintState
from complaints.services import complaints, stages
from complaints.tests.wall import log_complaint
from core.audit import history_for
from customers.selectors import customer_timeline
from promises.choices import PromiseState
from promises.models import Notification
from promises.services import escalations_send_due
from tests.clock import at
from tests.factories import make_customer

SH = ZoneInfo("Asia/Shanghai")


REQUIRED = [
    ("customer_name", "", "S2.6"),
    ("contact_phone", "", "S2.4"),
    ("vehicle_model", "", "S2.6"),
    ("plate", "", "S2.4"),
    ("department", None, "S2.6"),
    ("staff_involved", None, "S2.6"),
    ("happened_at", None, "S2.4"),
    ("place", "", "S2.4"),
    ("course", "", "S2.4"),
    ("customer_wants", "", "S2.6"),
    ("severity", "", "S2.6"),
    ("reply_promised_at", None, "S2.6"),
]


@pytest.mark.parametrize("field,empty,rule", REQUIRED)
def test_each_required_fact_missing_is_refused_naming_field_and_rule(world, field, empty, rule):
    """S2.4, S2.6: the complaint form requires every fact."""
    with pytest.raises(ValidationError) as caught:
        log_complaint(world.a, **{field: empty})
    errors = caught.value.message_dict
    assert field in errors
    assert rule in " ".join(errors[field])


def test_plate_needed_only_when_a_vehicle_is_involved(world):
    complaint = log_complaint(world.a, vehicle_involved=False, plate="", vehicle_model="")
    assert complaint.plate == ""
    with pytest.raises(ValidationError) as caught:
        log_complaint(world.a, plate="")
    assert "S2.4" in caught.value.message_dict["plate"][0]  # the message names the rule


def test_staff_unknown_stands_for_the_staff_involved(world):
    complaint = log_complaint(world.a, staff_involved=None, staff_unknown=True)
    assert complaint.staff_unknown


def test_reply_time_must_be_in_the_future(world):
    with pytest.raises(ValidationError) as caught:
        log_complaint(world.a, reply_promised_at=timezone.now() - timedelta(minutes=1))
    assert "reply_promised_at" in caught.value.message_dict


def test_logging_numbers_normalises_and_notifies_supervisor_and_manager_at_once(world):
    """S2.6: report to the superior at once; the reply time becomes the store's promise."""
    complaint = log_complaint(world.a, contact_phone="138 1234 5678", plate="京a 12345")
    second = log_complaint(world.a)
    year = timezone.localtime().year
    assert complaint.number == f"C-S001-{year}-0001"
    assert second.number == f"C-S001-{year}-0002"
    assert complaint.contact_phone == "+8613812345678"
    assert complaint.plate == "京A12345"
    told = set(
        Notification.objects.filter(url__contains=f"/complaints/{complaint.pk}/").values_list("recipient", flat=True)
    )
    assert {world.a.supervisor.pk, world.a.manager.pk} <= told
    assert world.b.manager.pk not in told
    assert complaint.reply_promise.due_at == complaint.reply_promised_at
    assert complaint.reply_promise.rule_id == "S2.6"
    assert complaint.ack_promise.kind == "complaint_ack"
    assert history_for(complaint)[0].action == "create"


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


def test_complaint_is_on_the_customer_timeline(world):
    customer = make_customer(world.a.store)
    complaint = complaints.complaint_log(
        actor=world.a.staff,
        store=world.a.store,
        customer=customer,
        **{
            "customer_name": "张三",
            "contact_phone": "13812345678",
            "vehicle_involved": False,
            "department": world.a.cs,
            "staff_unknown": True,
            "happened_at": timezone.now(),
            "place": "前台",
            "course": "等待过久",
            "customer_wants": "道歉",
            "severity": "low",
            "reply_promised_at": timezone.now() + timedelta(hours=2),
        },
    )
    items = [i for i in customer_timeline(customer) if i.kind == "complaint"]
    assert items and complaint.number in items[0].title


# --- Contact phone reveal (PIPL) ----------------------------------------------------------------


def test_reveal_contact_phone_logs_who_when_and_which_complaint(world):
    from customers.choices import PersonalDataAction
    from customers.models import PersonalDataLog

    complaint = log_complaint(world.a)
    with time_machine.travel(at("2026-03-11 10:00")):
        number = complaints.complaint_reveal_phone(actor=world.a.staff, complaint=complaint)
    assert number == "+8613987654321"
    log = PersonalDataLog.objects.get()
    assert (log.actor, log.store, log.action) == (world.a.staff, world.a.store, PersonalDataAction.REVEAL)
    assert log.at == at("2026-03-11 10:00")
    assert log.customer is None and log.customer_ref == complaint.number and complaint.number in log.detail


def test_reveal_contact_phone_links_the_log_to_the_customer_when_known(world):
    from complaints.models import Complaint

    customer = make_customer(world.a.store, actor=world.a.staff)
    Complaint.objects.filter(pk=log_complaint(world.a).pk).update(customer=customer)
    complaint = Complaint.objects.select_related("customer").get()
    complaints.complaint_reveal_phone(actor=world.a.manager, complaint=complaint)
    (log,) = customer.personal_data_log.all()
    assert log.customer_ref == f"#{customer.pk}" and complaint.number in log.detail


def test_auditor_cannot_reveal_the_contact_phone(world):
    from customers.models import PersonalDataLog

    complaint = log_complaint(world.a)
    with pytest.raises(PermissionDenied):
        complaints.complaint_reveal_phone(actor=world.a.auditor, complaint=complaint)
    with pytest.raises(PermissionDenied):
        complaints.complaint_reveal_phone(actor=world.b.manager, complaint=complaint)
    assert not PersonalDataLog.objects.exists()


def test_reveal_without_a_contact_phone_is_refused_and_not_logged(world):
    from complaints.models import Complaint
    from customers.models import PersonalDataLog

    complaint = log_complaint(world.a)
    Complaint.objects.filter(pk=complaint.pk).update(contact_phone="")
    complaint.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        complaints.complaint_reveal_phone(actor=world.a.staff, complaint=complaint)
    assert exc.value.error_dict["contact_phone"][0].code == "required"
    assert not PersonalDataLog.objects.exists()


def test_a_refused_stage_names_its_field_and_rule_code(world):
    complaint = log_complaint(world.a)
    with pytest.raises(ValidationError) as exc:
        stages.complaint_reply(actor=world.a.supervisor, complaint=complaint, channel="phone", text="x")
    assert exc.value.error_dict["state"][0].code == "state"
    stages.complaint_acknowledge(actor=world.a.supervisor, complaint=complaint)
    with pytest.raises(ValidationError) as exc:
        stages.complaint_close(actor=world.a.supervisor, complaint=complaint)
    assert exc.value.error_dict["reply_text"][0].code == "no_reply"
