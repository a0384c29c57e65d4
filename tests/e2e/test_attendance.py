"""Browser flow of the attendance import (S1.D1a) on a phone: a file with a bad row shows the row's error and
is refused; a good DingTalk workbook is imported and its late arrival becomes a draft for the supervisor."""

import pytest
import time_machine
from playwright.sync_api import expect

from conduct.models import AttendanceDay, DisciplineRecord
from conduct.tests.attendance_files import csv_bytes, dingtalk_xlsx
from tests.clock import at

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at("2026-12-01 10:00"), tick=True):
        yield


def _idle(page):
    page.wait_for_load_state("networkidle")


def test_supervisor_imports_attendance_bad_row_then_good_file(page, live_server, world, sign_in, tmp_path):
    page.set_viewport_size(PHONE)
    sign_in(world.a.supervisor)

    bad = tmp_path / "钉钉考勤.csv"
    bad.write_bytes(
        csv_bytes(
            [
                ["客服1", "E1003", "客服部", "2026-11-03 星期二", "08:52", "18:05"],
                ["客服1", "E1003", "客服部", "2026-11-04 星期三", "08:20", "8点05"],
            ],
            encoding="gb18030",
        )
    )
    page.goto(f"{live_server.url}/conduct/attendance/import/")
    _idle(page)
    page.select_option("#id_source", "dingtalk")
    page.set_input_files("#id_file", str(bad))
    page.get_by_test_id("attendance-upload").click()
    error = page.locator('[data-testid="attendance-error"][data-row="5"]')
    expect(error).to_have_attribute("data-field", "clock_out")
    expect(error).to_contain_text("8点05")
    expect(page.get_by_test_id("attendance-batch-state")).to_have_attribute("data-state", "checked")
    _idle(page)
    page.get_by_test_id("attendance-refuse").click()
    expect(page.get_by_test_id("attendance-batch-state")).to_have_attribute("data-state", "failed")
    assert not AttendanceDay.objects.exists()

    good = tmp_path / "钉钉考勤.xlsx"
    good.write_bytes(
        dingtalk_xlsx(
            [
                ["客服1", "E1003", "客服部", "2026-11-03", "08:52", "迟到", "18:05", "正常"],
                ["客服1", "E1003", "客服部", "2026-11-04", "08:20", "正常", "18:05", "正常"],
            ]
        )
    )
    page.goto(f"{live_server.url}/conduct/attendance/import/")
    _idle(page)
    page.set_input_files("#id_file", str(good))
    page.get_by_test_id("attendance-upload").click()
    expect(page.get_by_test_id("attendance-errors")).to_have_count(0)
    _idle(page)
    page.get_by_test_id("attendance-confirm").click()
    expect(page.get_by_test_id("attendance-batch-state")).to_have_attribute("data-state", "imported")
    expect(page.get_by_test_id("attendance-result")).to_be_visible()
    draft = page.locator('[data-testid="attendance-draft"][data-kind="late"]')
    expect(draft).to_contain_text("08:52")
    assert AttendanceDay.objects.count() == 2
    assert DisciplineRecord.objects.get().state == "draft"

    # the month's list shows who was late when
    _idle(page)
    page.goto(f"{live_server.url}/conduct/attendance/?month=2026-11")
    expect(page.locator('[data-testid="attendance-day"][data-date="2026-11-03"] [data-testid="late"]')).to_be_visible()
    expect(page.get_by_test_id("attendance-summary-row")).to_contain_text("客服1")
