"""complaints.services.complaints: logging a complaint with every required fact, its clocks, and the contact
phone's reveal (S2.4, S2.6)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from complaints.models import Complaint
from complaints.services import complaints
from complaints.tests.wall import log_complaint
from core.audit import history_for
from customers.selectors import customer_timeline
from promises.models import Notification
from tests.clock import at
from tests.factories import make_customer

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


def test_the_service_refuses_far_replies_and_long_past_events(world, noon):
    with pytest.raises(ValidationError) as caught:
        complaints.complaint_log(
            actor=world.a.staff,
            store=world.a.store,
            **{
                "customer_name": "王五",
                "contact_phone": "13812345678",
                "vehicle_involved": False,
                "department": world.a.cs,
                "staff_unknown": True,
                "happened_at": noon - timedelta(days=400),
                "place": "展厅",
                "course": "态度差",
                "customer_wants": "道歉",
                "severity": "medium",
                "reply_promised_at": noon + timedelta(days=45),
            },
        )
    codes = {field: [e.code for e in errors] for field, errors in caught.value.error_dict.items()}
    assert codes == {"happened_at": ["too_old"], "reply_promised_at": ["too_far"]}
    assert not Complaint.objects.exists()


def test_a_complaint_without_a_call_links_the_customer_of_its_number(world, noon):
    customer = make_customer(world.a.store, name="赵六", mobile="13700002222")
    make_customer(world.b.store, name="别店客户", mobile="13600003333")
    complaint = log_complaint(world.a, contact_phone="13700002222")
    assert complaint.customer == customer
    other = log_complaint(world.a, contact_phone="13600003333")  # another store's customer: never linked
    assert other.customer is None


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
