"""Browser flows of the foundation: sign in, search as you type, customer form, language, reveal."""

import re

from playwright.sync_api import expect

from customers.models import Customer, PersonalDataLog
from tests.factories import PASSWORD, make_customer, make_vehicle


def test_sign_in_with_employee_number_and_bad_password(page, live_server, world):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/signin/"))
    page.fill("#id_username", "E1003")
    page.fill("#id_password", "wrong password")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("不匹配")
    page.fill("#id_username", "E1003")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("客服1")


def test_search_by_plate_as_you_type(page, live_server, world, sign_in):
    customer = make_customer(world.a.store, name="王五", mobile="13700001234", actor=world.a.staff)
    make_vehicle(customer, plate="京N8K123", actor=world.a.staff)
    sign_in(world.a.staff)
    page.goto(f"{live_server.url}/")
    page.locator("#global-search").press_sequentially("n8k", delay=40)
    results = page.get_by_test_id("search-results")
    expect(results).to_contain_text("京N8K123")
    expect(results).to_contain_text("137****1234")
    results.get_by_text("京N8K123").click()
    expect(page.locator("h1")).to_contain_text("王五")


def test_create_customer_with_invalid_plate_shows_message_and_saves_nothing(page, live_server, world, sign_in):
    sign_in(world.a.staff)
    page.goto(f"{live_server.url}/customers/new/")
    page.fill("#id_name", "赵六")
    page.fill("#id_mobile", "13600001111")
    page.fill("#id_vehicle-plate", "京AI2345")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("form-error")).to_be_visible()
    expect(page.locator("[data-field=plate]")).to_contain_text("车牌")
    assert not Customer.objects.filter(name="赵六").exists()
    page.fill("#id_vehicle-plate", "京a 23456")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("赵六")
    expect(page.get_by_test_id("vehicles")).to_contain_text("京A23456")


def test_switch_language_to_english_and_back(page, live_server, world, sign_in):
    sign_in(world.a.staff)
    page.goto(f"{live_server.url}/customers/")
    expect(page.locator("h1")).to_have_text("客户")
    page.get_by_test_id("language-switch").click()
    expect(page.locator("h1")).to_have_text("Customers")
    world.a.staff.refresh_from_db()
    assert world.a.staff.language == "en"
    page.get_by_test_id("language-switch").click()
    expect(page.locator("h1")).to_have_text("客户")


def test_reveal_a_masked_number_is_logged(page, live_server, world, sign_in):
    customer = make_customer(world.a.store, name="孙七", mobile="13512345678", actor=world.a.staff)
    sign_in(world.a.supervisor)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.locator("#phone-mobile")).to_contain_text("135****5678")
    page.get_by_test_id("reveal-mobile").click()
    expect(page.get_by_test_id("revealed-mobile")).to_have_text("135 1234 5678")
    log = PersonalDataLog.objects.get(customer=customer)
    assert log.actor == world.a.supervisor
    page.reload()
    expect(page.get_by_test_id("personal-data-log")).to_contain_text("主管1")


def test_import_a_gbk_file_with_bad_rows(page, live_server, world, sign_in, tmp_path):
    """Upload a GBK CSV with two bad rows: the errors are listed, the valid rows imported on choice."""
    rows = [
        "姓名,手机号,车牌号,车架号,品牌,车型",
        "周八,13811112222,京B12345,,一汽丰田,卡罗拉",
        "吴九,1381111,京B22222,,一汽丰田,凯美瑞",  # bad mobile
        "郑十,13833334444,京BI2345,,一汽丰田,亚洲龙",  # bad plate
        "冯一,13855556666,京BD12345,,一汽丰田,bZ3",
    ]
    path = tmp_path / "export.csv"
    path.write_bytes("\r\n".join(rows).encode("gbk"))
    sign_in(world.a.manager)
    page.goto(f"{live_server.url}/customers/import/")
    page.set_input_files("input[type=file]", str(path))
    page.locator("form button[type=submit]").first.click()
    expect(page.get_by_test_id("import-preview")).to_contain_text("周八")
    page.locator("form button[type=submit]").first.click()
    expect(page.get_by_test_id("import-choice")).to_be_visible()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("3")  # the bad mobile is on line 3
    expect(errors).to_contain_text("4")
    expect(page.get_by_test_id("error-report")).to_be_visible()
    page.get_by_test_id("import-valid").click()
    expect(page.get_by_test_id("import-result")).to_be_visible()
    assert set(Customer.objects.values_list("name", flat=True)) == {"周八", "冯一"}
