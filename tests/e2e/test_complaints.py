"""Browser flow of a complaint (S2.4, S2.6): from the call to closure, across two departments."""

from playwright.sync_api import expect

from complaints.models import Complaint
from phone.models import Call
from tests.factories import make_user


def _as(page, live_server, user):
    """Switch the browser to another person: a fresh cookie jar with a session of their own."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    # let the last page finish and leave it: an answer still on its way would set the old session again
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")
    page.context.clear_cookies()
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_a_complaint_from_the_call_to_closure(page, live_server, world, sign_in):
    call = Call.objects.create(store=world.a.store, number="+8613812345678", department=world.a.cs)
    lounge_member = make_user("lounge1", role="staff", store=world.a.store, department=world.a.lounge)

    # customer service logs the complaint from the call
    _as(page, live_server, world.a.staff)
    page.goto(f"{live_server.url}/complaints/new/?call={call.pk}")
    expect(page.locator("#id_contact_phone")).to_have_value("+8613812345678")
    page.fill("#id_customer_name", "王五")
    page.fill("#id_vehicle_model", "凯美瑞")
    page.fill("#id_plate", "京A12345")
    page.check("#id_staff_unknown")
    page.fill("#id_place", "展厅")
    page.fill("#id_course", "等待两小时无人接待")
    page.fill("#id_customer_wants", "道歉并说明原因")
    page.select_option("#id_severity", "high")
    page.get_by_test_id("reply-presets").locator("input[value='24h']").check()
    page.get_by_test_id("save-complaint").click()
    expect(page.get_by_test_id("complaint-state")).to_have_attribute("data-state", "logged")
    complaint = Complaint.objects.get()
    assert complaint.call_id == call.pk

    # the supervisor acknowledges and asks the lounge to verify
    _as(page, live_server, world.a.supervisor)
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    page.get_by_test_id("acknowledge").click()
    expect(page.get_by_test_id("complaint-state")).to_have_attribute("data-state", "acknowledged")
    expect(page.get_by_test_id("ack-minutes")).to_be_visible()
    form = page.get_by_test_id("verify-form")
    form.locator(f"input[value='{world.a.lounge.pk}']").check()
    form.locator("textarea").fill("当天休息区谁在岗?")
    page.get_by_test_id("ask-verification").click()
    expect(page.get_by_test_id("complaint-state")).to_have_attribute("data-state", "verifying")

    # a member of the lounge answers in the department's inbox
    _as(page, live_server, lounge_member)
    page.goto(f"{live_server.url}/complaints/verifications/")
    item = page.locator(f"[data-testid=inbox-item][data-number='{complaint.number}']")
    item.locator("textarea").fill("李四在岗,已核实")
    with page.expect_navigation():
        item.locator("button").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("inbox-item")).to_have_count(0)

    # the supervisor replies to the customer
    _as(page, live_server, world.a.supervisor)
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    expect(page.get_by_test_id("verification-answer")).to_contain_text("李四在岗")
    reply = page.get_by_test_id("reply-form")
    reply.locator("select").select_option("phone")
    reply.locator("textarea").fill("已致电道歉并说明原因")
    page.get_by_test_id("reply").click()
    expect(page.get_by_test_id("complaint-state")).to_have_attribute("data-state", "replied")
    expect(page.get_by_test_id("reply-on-time")).to_have_attribute("data-on-time", "1")

    # customer service makes the satisfaction call
    _as(page, live_server, world.a.staff)
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    followup = page.get_by_test_id("followup-form")
    followup.locator("#id_satisfaction_score").select_option("5")
    followup.locator("textarea").fill("满意")
    page.get_by_test_id("follow-up").click()
    expect(page.get_by_test_id("satisfaction-score")).to_have_text("5")

    # the supervisor closes it
    _as(page, live_server, world.a.supervisor)
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    page.get_by_test_id("close").click()
    expect(page.get_by_test_id("complaint-state")).to_have_attribute("data-state", "closed")
    expect(page.get_by_test_id("history")).to_be_visible()
