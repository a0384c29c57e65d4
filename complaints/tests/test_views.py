"""Complaint pages: the three people on every page, the stages through the browser's forms."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

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
    from complaints.services import stages

    client.force_login(world.a.manager)

    def ask():
        c = log_complaint(world.a)
        stages.complaint_acknowledge(actor=world.a.manager, complaint=c)
        stages.verification_request(actor=world.a.manager, complaint=c, departments=[world.a.lounge], question="?")

    ask()
    with CaptureQueriesContext(connection) as few:
        client.get("/complaints/verifications/")
    for _ in range(4):
        ask()
    with CaptureQueriesContext(connection) as many:
        client.get("/complaints/verifications/")
    assert len(many) == len(few)


# --- Contact phone, shown in full on request and logged (PIPL) ------------------------------------


def test_detail_shows_the_contact_phone_masked_with_a_show_button(client, world):
    complaint = log_complaint(world.a)
    client.force_login(world.a.staff)
    body = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "139****4321" in body and "13987654321" not in body
    assert 'data-testid="reveal-contact-phone"' in body
    client.force_login(world.a.auditor)
    body = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "139****4321" in body and 'data-testid="reveal-contact-phone"' not in body


def test_reveal_contact_phone_is_logged(client, world):
    from customers.choices import PersonalDataAction
    from customers.models import PersonalDataLog

    complaint = log_complaint(world.a)
    client.force_login(world.a.staff)
    response = client.post(f"/complaints/{complaint.pk}/reveal-phone/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "139 8765 4321" in response.content.decode()
    assert 'data-testid="revealed-contact-phone"' in response.content.decode()
    log = PersonalDataLog.objects.get()
    assert (log.actor, log.store, log.action) == (world.a.staff, world.a.store, PersonalDataAction.REVEAL)
    assert log.customer is None and log.customer_ref == complaint.number
    assert complaint.number in log.detail


def test_reveal_of_a_known_customers_complaint_shows_in_their_log(client, world):
    from tests.factories import make_customer

    customer = make_customer(world.a.store, actor=world.a.staff)
    complaint = log_complaint(world.a)
    Complaint.objects.filter(pk=complaint.pk).update(customer=customer)
    client.force_login(world.a.supervisor)
    assert client.post(f"/complaints/{complaint.pk}/reveal-phone/").status_code == 200
    (log,) = customer.personal_data_log.all()
    assert log.actor == world.a.supervisor and complaint.number in log.detail


@pytest.mark.parametrize("who,status", [("auditor", 403), ("b_manager", 404)])
def test_reveal_contact_phone_refused_to_auditor_and_other_store(client, world, who, status):
    from customers.models import PersonalDataLog

    complaint = log_complaint(world.a)
    client.force_login({"auditor": world.a.auditor, "b_manager": world.b.manager}[who])
    assert client.post(f"/complaints/{complaint.pk}/reveal-phone/").status_code == status
    assert client.get(f"/complaints/{complaint.pk}/reveal-phone/").status_code in (404, 405)
    assert not PersonalDataLog.objects.exists()


# --- Stage forms: errors under the field, nothing saved -----------------------------------------


def _acknowledged(world):
    from complaints.services import stages

    complaint = log_complaint(world.a)
    stages.complaint_acknowledge(actor=world.a.supervisor, complaint=complaint)
    return complaint


def _form_html(body: str, testid: str) -> str:
    start = body.index(f'data-testid="{testid}"')
    return body[start : body.index("</form>", start)]


def test_bad_reply_comes_back_with_the_error_under_what_was_said(client, world):
    """S2.6: an empty 'what the customer was told' is named under that field; nothing is saved."""
    from core.models import HistoryEntry

    complaint = _acknowledged(world)
    entries = HistoryEntry.objects.count()
    client.force_login(world.a.supervisor)
    response = client.post(f"/complaints/{complaint.pk}/reply/", {"reply_channel": "phone", "reply_text": "  "})
    assert response.status_code == 400
    form = _form_html(response.content.decode(), "reply-form")
    assert 'data-field="reply_text"' in form and "is-invalid" in form
    assert 'data-field="reply_channel"' not in form
    assert 'value="phone" selected' in form  # what was chosen stays chosen
    assert 'data-testid="stage-error"' in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.ACKNOWLEDGED and complaint.reply_at is None
    assert HistoryEntry.objects.count() == entries
    assert complaint.reply_promise.state == "open"


@pytest.mark.parametrize(
    "url,data,testid,field",
    [
        ("verifications", {"question": "核实"}, "verify-form", "departments"),
        ("verifications", {"departments": ["999999"], "question": "核实"}, "verify-form", "departments"),
        ("verifications", {"departments": "lounge", "question": " "}, "verify-form", "question"),
        ("reply", {"reply_channel": "fax", "reply_text": "已处理"}, "reply-form", "reply_channel"),
    ],
)
def test_bad_stage_input_is_named_under_its_field(client, world, url, data, testid, field):
    complaint = _acknowledged(world)
    if data.get("departments") == "lounge":
        data = data | {"departments": [world.a.lounge.pk]}
    client.force_login(world.a.supervisor)
    response = client.post(f"/complaints/{complaint.pk}/{url}/", data)
    assert response.status_code == 400
    assert f'data-field="{field}"' in _form_html(response.content.decode(), testid)
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.ACKNOWLEDGED and not complaint.verifications.exists()


@pytest.mark.parametrize(
    "data,field",
    [
        ({"reached": "1"}, "satisfaction_score"),
        ({"reached": "1", "satisfaction_score": "9"}, "satisfaction_score"),
        ({"reached": "maybe"}, "reached"),
    ],
)
def test_bad_follow_up_is_named_under_its_field(client, world, data, field):
    from complaints.services import stages

    complaint = _acknowledged(world)
    stages.complaint_reply(actor=world.a.supervisor, complaint=complaint, channel="phone", text="已处理")
    client.force_login(world.a.staff)
    response = client.post(f"/complaints/{complaint.pk}/follow-up/", data)
    assert response.status_code == 400
    assert f'data-field="{field}"' in _form_html(response.content.decode(), "followup-form")
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.REPLIED and complaint.followup_attempts == 0


@pytest.mark.parametrize(
    "data,fields",
    [
        ({"reason": "", "reply_promised_at": ""}, {"reason", "reply_promised_at"}),
        ({"reason": "客户不满意", "reply_promised_at": "tomorrow"}, {"reply_promised_at"}),
        ({"reason": "客户不满意", "reply_promised_at": "2020-01-01T10:00"}, {"reply_promised_at"}),
    ],
)
def test_bad_reopen_is_named_under_its_fields(client, world, data, fields):
    from complaints.services import stages

    complaint = _acknowledged(world)
    stages.complaint_reply(actor=world.a.supervisor, complaint=complaint, channel="phone", text="已处理")
    stages.complaint_close(actor=world.a.supervisor, complaint=complaint)
    client.force_login(world.a.supervisor)
    response = client.post(f"/complaints/{complaint.pk}/reopen/", data)
    assert response.status_code == 400
    form = _form_html(response.content.decode(), "reopen-form")
    for field in fields:
        assert f'data-field="{field}"' in form
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.CLOSED and complaint.reopened_count == 0


def test_a_stage_refused_for_the_complaint_as_a_whole_is_shown_above_the_stages(client, world):
    complaint = _acknowledged(world)
    client.force_login(world.a.supervisor)
    response = client.post(f"/complaints/{complaint.pk}/acknowledge/")
    assert response.status_code == 400
    body = response.content.decode()
    with translation.override("zh-hans"):
        message = gettext("Only a newly logged complaint can be acknowledged.")
    assert 'data-testid="stage-error"' in body and message in body
    response = client.post(f"/complaints/{complaint.pk}/close/")  # no reply yet
    assert response.status_code == 400 and 'data-testid="stage-error"' in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.ACKNOWLEDGED


def test_bad_stage_input_for_another_stores_complaint_is_404(client, world):
    complaint = _acknowledged(world)
    client.force_login(world.b.manager)
    assert client.post(f"/complaints/{complaint.pk}/reply/", {"reply_text": ""}).status_code == 404


def test_empty_answer_from_the_complaint_page_is_named_under_it(client, world):
    from complaints.services import stages

    complaint = _acknowledged(world)
    (verification,) = stages.verification_request(
        actor=world.a.supervisor, complaint=complaint, departments=[world.a.cs], question="核实"
    )
    client.force_login(world.a.staff)
    response = client.post(f"/complaints/verifications/{verification.pk}/answer/", {"answer": " ", "next": "detail"})
    assert response.status_code == 400
    form = _form_html(response.content.decode(), "answer-form")
    assert 'data-field="answer"' in form and f'id="id_v{verification.pk}_answer"' in form
    response = client.post(f"/complaints/verifications/{verification.pk}/answer/", {"answer": " "})
    assert response.status_code == 400
    assert 'data-field="answer"' in response.content.decode()
    verification.refresh_from_db()
    assert verification.answered_at is None


# --- The list's filters: period, severity, department, person, stage ---------------------------


def _logged(complaint, *args):
    Complaint.objects.filter(pk=complaint.pk).update(logged_at=datetime(*args, tzinfo=ZoneInfo("Asia/Shanghai")))
    return complaint


def _numbers(response):
    return {c.number for c in response.context["page"]}


def test_list_filters_by_logged_period_in_the_stores_time_zone(client, world):
    first = _logged(log_complaint(world.a), 2026, 3, 1, 0, 0)
    last = _logged(log_complaint(world.a), 2026, 3, 31, 23, 59)
    before = _logged(log_complaint(world.a), 2026, 2, 28, 23, 59)
    after = _logged(log_complaint(world.a), 2026, 4, 1, 0, 0)
    client.force_login(world.a.manager)
    response = client.get("/complaints/", {"logged_from": "2026-03-01", "logged_to": "2026-03-31"})
    assert _numbers(response) == {first.number, last.number}
    assert _numbers(client.get("/complaints/", {"logged_to": "2026-02-28"})) == {before.number}
    assert _numbers(client.get("/complaints/", {"logged_from": "2026-04-01"})) == {after.number}


def test_list_filters_by_severities_department_person_and_stage(client, world):
    from complaints.services import stages

    high = log_complaint(world.a, severity="high")
    critical = log_complaint(world.a, severity="critical", staff_involved=world.a.supervisor)
    low = log_complaint(world.a, severity="low", department=world.a.lounge)
    stages.complaint_acknowledge(actor=world.a.manager, complaint=low)
    client.force_login(world.a.manager)
    assert _numbers(client.get("/complaints/", {"severity": ["high", "critical"]})) == {high.number, critical.number}
    assert _numbers(client.get("/complaints/", {"department": world.a.lounge.pk})) == {low.number}
    assert _numbers(client.get("/complaints/", {"staff": world.a.supervisor.pk})) == {critical.number}
    assert _numbers(client.get("/complaints/", {"stage": "acknowledged"})) == {low.number}


@pytest.mark.parametrize(
    "params,field",
    [
        ({"logged_from": "yesterday"}, "logged_from"),
        ({"logged_to": "2026-02-30"}, "logged_to"),
        ({"logged_from": "2026-03-31", "logged_to": "2026-03-01"}, "logged_to"),
        ({"severity": "urgent"}, "severity"),
        ({"department": "abc"}, "department"),
        ({"department": "B_CS"}, "department"),
        ({"staff": "B_STAFF"}, "staff"),
        ({"store": "B_STORE"}, "store"),
        ({"stage": "everything"}, "stage"),
        ({"state": "lost"}, "state"),
    ],
)
def test_bad_list_filters_are_named_and_list_nothing(client, world, params, field):
    log_complaint(world.a)
    log_complaint(world.b)
    names = {"B_CS": world.b.cs.pk, "B_STAFF": world.b.staff.pk, "B_STORE": world.b.store.pk}
    params = {k: names.get(v, v) for k, v in params.items()}
    client.force_login(world.admin if field == "store" else world.a.manager)
    if field == "store":  # the group administrator has both stores; a store of another group is refused
        params = {"store": 999999}
    response = client.get("/complaints/", params)
    assert response.status_code == 200
    assert f'data-field="{field}"' in response.content.decode()
    assert response.context["page"].paginator.count == 0
    htmx = client.get("/complaints/", params, headers={"HX-Request": "true"})
    assert htmx.content.decode().startswith('<div id="complaint-list-body">')
    assert f'data-field="{field}"' in htmx.content.decode()


def test_list_query_count_does_not_grow_with_filters(client, world):
    client.force_login(world.a.manager)
    params = {"logged_from": "2020-01-01", "department": world.a.cs.pk, "staff": world.a.staff.pk, "severity": "high"}
    log_complaint(world.a)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/complaints/", params).status_code == 200
    for _ in range(5):
        log_complaint(world.a)
    with CaptureQueriesContext(connection) as many:
        client.get("/complaints/", params)
    assert len(many) == len(few)
