"""Browser: the web keeps the same text limits as the API, and a post over the size limit gets a clear page
(issue 8, section 4)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from playwright.sync_api import expect

from customers.models import Customer

TZ = ZoneInfo("Asia/Shanghai")


def test_long_texts_stop_at_the_shared_limit_and_too_much_gets_a_clear_page(
    page, live_server, world, sign_in, settings
):
    with time_machine.travel(datetime(2026, 6, 10, 10, 0, tzinfo=TZ), tick=True):
        sign_in(world.a.staff)
        page.goto(f"{live_server.url}/customers/new/")
        # the notes box takes what the API takes, no more (core.validators.text_max_length)
        expect(page.locator("#id_notes")).to_have_attribute("maxlength", "2000")
        page.goto(f"{live_server.url}/phone/")
        expect(page.locator("#id_text")).to_have_attribute("maxlength", "2000")

        # a post over DATA_UPLOAD_MAX_MEMORY_SIZE: a page that says what happened, not a bare "Bad Request"
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
        page.goto(f"{live_server.url}/customers/new/")
        page.locator("#id_name").fill("张三")
        page.locator("#id_notes").fill("很" * 1500)  # 4,500 bytes
        page.locator("main form button[type=submit]").last.click()
        expect(page.get_by_test_id("request-too-big")).to_contain_text("发送的内容过大：一次最多 1 KB")
        expect(page.get_by_test_id("request-too-big")).to_contain_text("未保存任何内容")
        assert not Customer.objects.exists()
