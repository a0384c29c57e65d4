"""Complaint pages: the three people on every page, the stages through the browser's forms."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.choices import ComplaintState
from complaints.models import Complaint
from complaints.tests.wall import log_complaint


def _post_new(client, world, **overrides):
    now = timezone.localtime()
    data = {
        "store": world.a.store.pk,
        "channel": "walk_in",
        "customer_name": "王五",
        "contact_phone": "13812345678",
        "vehicle_involved": "on",
        "vehicle_model": "凯美瑞",
        "plate": "京A12345",
        "department": world.a.cs.pk,
        "staff_unknown": "on",
        "happened_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "展厅",
        "course": "态度差",
        "customer_wants": "道歉",
        "severity": "medium",
        "reply_preset": "24h",
    } | overrides
    return client.post("/complaints/new/", data)


def test_staff_logs_a_complaint_from_the_form(client, world):
    client.force_login(world.a.staff)
    assert client.get("/complaints/new/").status_code == 200
    response = _post_new(client, world)
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response.url == f"/complaints/{complaint.pk}/"
    assert complaint.channel == "walk_in" and complaint.staff_unknown


def test_missing_plate_is_shown_naming_the_rule(client, world):
    client.force_login(world.a.staff)
    response = _post_new(client, world, plate="")
    assert response.status_code == 400
    assert 'data-field="plate"' in response.content.decode()
    assert not Complaint.objects.exists()


def test_custom_reply_time_in_the_past_is_refused(client, world):
    client.force_login(world.a.staff)
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = _post_new(client, world, reply_preset="custom", reply_custom=past)
    assert response.status_code == 400
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("who,status", [("staff", 200), ("auditor", 403), ("b_staff", 404)])
def test_form_prefilled_from_a_call_of_the_store(client, world, who, status):
    from phone.models import Call

    call = Call.objects.create(store=world.a.store, number="+8613812345678", department=world.a.cs)
    user = {"staff": world.a.staff, "auditor": world.a.auditor, "b_staff": world.b.staff}[who]
    client.force_login(user)
    response = client.get(f"/complaints/new/?call={call.pk}")
    assert response.status_code == status
    if status == 200:
        assert "+8613812345678" in response.content.decode()


@pytest.mark.parametrize("who,status", [("supervisor", 200), ("auditor", 200), ("b_manager", 404)])
def test_detail_three_people(client, world, who, status):
    complaint = log_complaint(world.a)
    user = {"supervisor": world.a.supervisor, "auditor": world.a.auditor, "b_manager": world.b.manager}[who]
    client.force_login(user)
    response = client.get(f"/complaints/{complaint.pk}/")
    assert response.status_code == status
    if who == "supervisor":
        assert 'data-testid="acknowledge"' in response.content.decode()
    if who == "auditor":
        assert 'data-testid="acknowledge"' not in response.content.decode()


@pytest.mark.parametrize("who,status", [("supervisor", 302), ("staff", 403), ("auditor", 403), ("b_manager", 404)])
def test_acknowledge_three_people(client, world, who, status):
    complaint = log_complaint(world.a)
    user = {
        "supervisor": world.a.supervisor,
        "staff": world.a.staff,
        "auditor": world.a.auditor,
        "b_manager": world.b.manager,
    }[who]
    client.force_login(user)
    response = client.post(f"/complaints/{complaint.pk}/acknowledge/")
    assert response.status_code == status
    complaint.refresh_from_db()
    assert (complaint.state == ComplaintState.ACKNOWLEDGED) == (status == 302)


def test_stages_through_the_pages_and_close_refused_without_reply(client, world):
    complaint = log_complaint(world.a)
    client.force_login(world.a.supervisor)
    client.post(f"/complaints/{complaint.pk}/acknowledge/")
    client.post(f"/complaints/{complaint.pk}/close/")
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.ACKNOWLEDGED
    client.post(f"/complaints/{complaint.pk}/verifications/", {"departments": [world.a.lounge.pk], "question": "核实"})
    verification = complaint.verifications.get()
    client.force_login(world.a.staff)  # customer service, not the lounge
    assert client.post(f"/complaints/verifications/{verification.pk}/answer/", {"answer": "x"}).status_code == 403
    client.force_login(world.a.supervisor)
    client.post(f"/complaints/{complaint.pk}/reply/", {"reply_channel": "phone", "reply_text": "已安排补漆"})
    client.force_login(world.a.staff)
    client.post(f"/complaints/{complaint.pk}/follow-up/", {"reached": "1", "satisfaction_score": "4"})
    client.force_login(world.a.supervisor)
    client.post(f"/complaints/{complaint.pk}/close/")
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.CLOSED
    assert complaint.satisfaction_score == 4
    reopen = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/complaints/{complaint.pk}/reopen/", {"reason": "客户不满意", "reply_promised_at": reopen})
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.ACKNOWLEDGED and complaint.reopened_count == 1


@pytest.mark.parametrize("who", ["supervisor", "auditor", "b_staff"])
def test_list_and_inbox_show_only_own_store(client, world, who):
    mine = log_complaint(world.a)
    theirs = log_complaint(world.b)
    user = {"supervisor": world.a.supervisor, "auditor": world.a.auditor, "b_staff": world.b.staff}[who]
    client.force_login(user)
    body = client.get("/complaints/").content.decode()
    assert (mine.number in body) == (who != "b_staff")
    assert (theirs.number in body) == (who == "b_staff")
    assert client.get("/complaints/verifications/").status_code == 200


def test_list_filters(client, world):
    high = log_complaint(world.a, severity="high")
    low = log_complaint(world.a, severity="low")
    client.force_login(world.a.manager)
    body = client.get("/complaints/", {"severity": "low"}).content.decode()
    assert low.number in body and high.number not in body
    body = client.get("/complaints/", {"overdue": "1"}).content.decode()
    assert low.number not in body


def test_list_query_count_does_not_grow(client, world):
    client.force_login(world.a.manager)
    log_complaint(world.a)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/complaints/").status_code == 200
    for _ in range(5):
        log_complaint(world.a)
    with CaptureQueriesContext(connection) as many:
        client.get("/complaints/")
    assert len(many) == len(few)


def test_inbox_query_count_does_not_grow(client, world):
    from complaints import services

    client.force_login(world.a.manager)

    def ask():
        c = log_complaint(world.a)
        services.complaint_acknowledge(actor=world.a.manager, complaint=c)
        services.verification_request(actor=world.a.manager, complaint=c, departments=[world.a.lounge], question="?")

    ask()
    with CaptureQueriesContext(connection) as few:
        client.get("/complaints/verifications/")
    for _ in range(4):
        ask()
    with CaptureQueriesContext(connection) as many:
        client.get("/complaints/verifications/")
    assert len(many) == len(few)
