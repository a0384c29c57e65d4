"""Browser flows of the call console: a message through to the call-back (S2.3), the incoming-call pop-up."""

import json
import urllib.request
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from playwright.sync_api import expect

from core.api_auth import api_token_create
from phone.models import Message
from promises.choices import PromiseState
from tests.factories import make_customer, make_vehicle

TZ = ZoneInfo("Asia/Shanghai")


def test_message_for_absent_colleague_through_to_the_call_back(page, live_server, world, sign_in):
    """S2.3: staff take a message; the colleague sees the promise on their home page and calls back."""
    # a Monday morning in business hours, so the two-hour call-back is due today
    with time_machine.travel(datetime(2026, 11, 30, 10, 0, tzinfo=TZ), tick=True):
        sign_in(world.a.staff)
        page.goto(f"{live_server.url}/phone/")
        expect(page.get_by_test_id("console-number")).to_be_focused()
        page.get_by_test_id("console-number").fill("13812345678")
        page.get_by_test_id("console-number").press("Enter")
        expect(page.get_by_test_id("caller-unknown")).to_be_visible()
        page.keyboard.press("Alt+3")
        expect(page.get_by_test_id("script-absent")).to_be_visible()
        form = page.get_by_test_id("message-form")
        form.locator("#id_recipient").select_option(f"u{world.a.supervisor.pk}")
        form.locator("#id_caller_name").fill("李先生")
        expect(form.locator("#id_caller_number")).to_have_value("13812345678")
        form.locator("#id_text").fill("保养预约的事,请回电")
        form.locator("#id_callback_wanted").check()
        page.get_by_test_id("message-save").click()
        expect(page.get_by_test_id("message-saved")).to_be_visible()
        message = Message.objects.get()
        assert message.promise.owner == world.a.supervisor

        page.context.clear_cookies()
        sign_in(world.a.supervisor)
        page.goto(f"{live_server.url}/")
        expect(page.get_by_test_id("my-day")).to_contain_text("李先生")
        page.goto(f"{live_server.url}/phone/messages/")
        row = page.locator(f"[data-message='{message.pk}']")
        expect(row).to_have_attribute("data-called-back", "no")
        row.get_by_test_id("message-call-back").click()
        expect(page.locator(f"[data-message='{message.pk}']")).to_have_attribute("data-called-back", "yes")
        message.refresh_from_db()
        assert message.promise.state == PromiseState.KEPT
        assert message.callback_call.answered_by == world.a.supervisor


def test_incoming_call_pops_up_on_the_console_without_reload(page, live_server, world, sign_in):
    customer = make_customer(world.a.store, name="王五", mobile="13700001234", actor=world.a.staff)
    make_vehicle(customer, plate="京N8K123", actor=world.a.staff)
    token = api_token_create(user=world.a.supervisor)[1]
    sign_in(world.a.staff)
    page.goto(f"{live_server.url}/phone/")
    expect(page.get_by_test_id("console-number")).to_be_focused()
    expect(page.get_by_test_id("incoming-call")).to_have_count(0)

    request = urllib.request.Request(
        f"{live_server.url}/api/v1/calls/incoming",
        data=json.dumps({"number": "137 0000 1234", "extension": "8011"}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 201

    expect(page.get_by_test_id("incoming-caller")).to_have_text("王五")
    page.get_by_test_id("incoming-take").click()
    expect(page.get_by_test_id("caller-name")).to_have_text("王五")
    expect(page.get_by_test_id("caller-vehicles")).to_contain_text("京N8K123")
    page.locator("label[for=id_purpose_4]").click()
    page.get_by_test_id("call-save").click()
    expect(page.get_by_test_id("call-saved")).to_be_visible()
    expect(page.get_by_test_id("incoming-call")).to_have_count(0)


def test_a_common_call_is_logged_from_the_keyboard(page, live_server, world, sign_in):
    """S2.1, S2.2: number, Enter, the purpose has the focus, Tab to the ring time, Ctrl+Enter saves."""
    from phone.models import Call

    customer = make_customer(world.a.store, name="赵六", mobile="13700005678", actor=world.a.staff)
    sign_in(world.a.staff)
    page.goto(f"{live_server.url}/phone/")
    number = page.get_by_test_id("console-number")
    expect(number).to_be_focused()
    page.keyboard.type("13700005678")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("caller-name")).to_have_text("赵六")
    expect(page.locator("#call-form-box input[name='purpose']:focus")).to_have_count(1)
    page.locator("#id_ring_seconds").fill("6")
    page.locator("#id_notes").fill("询问保养价格")
    page.locator("#id_notes").press("Control+Enter")
    expect(page.get_by_test_id("call-saved")).to_be_visible()
    call = Call.objects.get()
    assert (call.customer, call.ring_seconds, call.notes, call.answered_by) == (
        customer,
        6.0,
        "询问保养价格",
        world.a.staff,
    )


def test_numbers_are_masked_until_shown_and_each_reveal_is_logged(page, live_server, world, sign_in):
    """PIPL (issue 8 §3): the call page and a message row show the number masked; 显示 reveals it, logged."""
    from customers.models import PersonalDataLog
    from phone.services.calls import call_log
    from phone.services.messages import message_take

    with time_machine.travel(datetime(2026, 11, 30, 10, 0, tzinfo=TZ), tick=True):
        call = call_log(
            actor=world.a.staff,
            store=world.a.store,
            number="13950165436",
            outcome="dropped",
            purpose="enquiry",
            ring_seconds=3,
        )
        message = message_take(
            actor=world.a.staff,
            store=world.a.store,
            for_user=world.a.staff,
            caller_name="赵先生",
            caller_number="13812340001",
            text="请回电",
            callback_wanted=True,
        )
        sign_in(world.a.staff)
        page.goto(f"{live_server.url}/phone/calls/{call.pk}/")
        number = page.get_by_test_id("call-number")
        expect(number).to_contain_text("139****5436")
        expect(page.locator("body")).not_to_contain_text("5016")
        number.get_by_role("button", name="显示").click()
        expect(page.get_by_test_id("revealed-call-number")).to_have_text("139 5016 5436")
        expect(page.get_by_test_id("reveal-call-number")).to_have_count(0)
        assert PersonalDataLog.objects.filter(actor=world.a.staff, action="reveal").count() == 1

        page.goto(f"{live_server.url}/phone/messages/")
        row = page.locator(f"[data-message='{message.pk}']")
        expect(row.get_by_test_id("message-number")).to_contain_text("138****0001")
        expect(row).not_to_contain_text("1234")
        row.get_by_role("button", name="显示").click()
        expect(row.get_by_test_id("revealed-message-number")).to_have_text("138 1234 0001")
        assert PersonalDataLog.objects.filter(actor=world.a.staff, action="reveal").count() == 2
