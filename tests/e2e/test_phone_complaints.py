"""Browser flows from the console to the records (S2.4, S2.6): an unknown caller becomes a customer, a
complaint call becomes a complaint on the customer's timeline, and the reply presets count business hours.

The server's clock is moved to a fixed moment for each test (time-machine, in the live server's process).
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from playwright.sync_api import expect

from complaints.models import Complaint
from customers.models import Customer
from phone.models import Call
from tests.factories import make_customer, make_vehicle

TZ = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)
MONDAY_LATE = datetime(2026, 11, 30, 23, 32, tzinfo=TZ)  # the store closed at 18:00


def test_unknown_caller_becomes_a_customer_from_the_console(page, live_server, world, sign_in):
    with time_machine.travel(MONDAY_10, tick=True):
        Call.objects.create(
            store=world.a.store,
            number="+8613900001111",
            number_digits="13900001111",
            caller_name="李先生",
            source="cdr",
            missed=True,
            outcome="missed",
            started_at=MONDAY_10.replace(hour=9),
        )
        sign_in(world.a.staff)
        page.goto(f"{live_server.url}/phone/")
        page.get_by_test_id("console-number").fill("139 0000 1111")
        page.get_by_test_id("console-number").press("Enter")
        expect(page.get_by_test_id("caller-unknown")).to_be_visible()
        expect(page.get_by_test_id("caller-id-name")).to_have_text("李先生")
        page.get_by_test_id("new-customer").click()

        expect(page.locator("#id_mobile")).to_have_value("139 0000 1111")
        expect(page.locator("#id_name")).to_have_value("李先生")
        page.locator("#id_name").fill("李大伟")
        page.locator("button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
        customer = Customer.objects.get(name="李大伟")
        assert customer.store == world.a.store and customer.mobile == "+8613900001111"

        page.goto(f"{live_server.url}/phone/?number=13900001111")
        expect(page.get_by_test_id("caller-name")).to_have_text("李大伟")
        expect(page.get_by_test_id("new-customer")).to_have_count(0)


def test_a_complaint_call_goes_on_to_the_complaint_and_the_customers_timeline(page, live_server, world, sign_in):
    with time_machine.travel(MONDAY_10, tick=True):
        customer = make_customer(world.a.store, name="王五", mobile="13700001234", actor=world.a.staff)
        make_vehicle(customer, plate="京N8K123", actor=world.a.staff)
        sign_in(world.a.staff)
        page.goto(f"{live_server.url}/phone/")
        page.get_by_test_id("console-number").fill("13700001234")
        page.get_by_test_id("console-number").press("Enter")
        expect(page.get_by_test_id("caller-name")).to_have_text("王五")
        form = page.get_by_test_id("call-form")
        form.locator("label[for=id_purpose_1]").click()  # 投诉
        form.locator("label[for=id_outcome_4]").click()  # 已登记投诉
        form.locator("#id_notes").fill("保养后发动机异响,前台说不是他们的事")
        page.get_by_test_id("call-save").click()

        # the console goes on to the complaint form, filled from the call
        expect(page).to_have_url(re.compile(r"/complaints/new/\?call=\d+$"))
        call = Call.objects.get()
        expect(page.locator("#id_customer_name")).to_have_value("王五")
        expect(page.locator("#id_contact_phone")).to_have_value("+8613700001234")
        expect(page.locator("#id_plate")).to_have_value("京N8K123")
        expect(page.locator("#id_course")).to_have_value("保养后发动机异响,前台说不是他们的事")
        expect(page.locator("#id_happened_at")).to_have_value("2026-11-30T10:00")
        expect(page.get_by_test_id("required-legend")).to_be_visible()
        expect(page.locator("label[for=id_place] .required-mark")).to_be_visible()
        page.fill("#id_vehicle_model", "卡罗拉")
        page.check("#id_staff_unknown")
        page.fill("#id_place", "服务前台")
        page.fill("#id_customer_wants", "查明异响原因并道歉")
        page.get_by_test_id("save-complaint").click()
        expect(page.get_by_test_id("complaint-state")).to_have_attribute("data-state", "logged")
        complaint = Complaint.objects.get()
        assert complaint.call == call and complaint.customer == customer

        page.goto(f"{live_server.url}/customers/{customer.pk}/")
        expect(page.get_by_test_id("timeline")).to_contain_text(complaint.number)


def test_reply_presets_at_a_late_hour_show_the_next_business_day(page, live_server, world, sign_in):
    """S2.6: at 23:32, "within 2 business hours" is 10:30 the next morning, shown and saved as such."""
    with time_machine.travel(MONDAY_LATE, tick=True):
        sign_in(world.a.staff)
        page.goto(f"{live_server.url}/complaints/new/")
        expect(page.get_by_test_id("preset-time-2h")).to_contain_text("12-01")
        expect(page.get_by_test_id("preset-time-2h")).to_contain_text("10:30")
        expect(page.get_by_test_id("preset-time-today_18")).to_contain_text("18:00")
        page.fill("#id_customer_name", "赵六")
        page.fill("#id_contact_phone", "13812345678")
        page.uncheck("#id_vehicle_involved")
        page.select_option("#id_department", str(world.a.cs.pk))
        page.check("#id_staff_unknown")
        page.fill("#id_happened_at", "2026-11-30T17:30")
        page.fill("#id_place", "展厅")
        page.fill("#id_course", "等待太久")
        page.fill("#id_customer_wants", "回电说明")
        page.get_by_test_id("reply-presets").locator("input[value='2h']").check()
        page.get_by_test_id("save-complaint").click()
        expect(page.get_by_test_id("complaint-state")).to_have_attribute("data-state", "logged")
        assert Complaint.objects.get().reply_promised_at == datetime(2026, 12, 1, 10, 30, tzinfo=TZ)
