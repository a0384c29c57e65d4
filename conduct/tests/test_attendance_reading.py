"""Reading attendance exports (S1.D1a): title rows, merged two-row headers, GBK CSV, odd date and time cells."""

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError

from conduct.imports.checking import BadTime, parse_date, parse_time
from conduct.imports.columns import clean_mapping, guess_mapping
from conduct.imports.reading import read_table
from tests.clock import at

from .attendance_files import csv_bytes, dingtalk_xlsx


def _table(tmp_path, data: bytes, kind: str):
    path = tmp_path / f"export.{kind}"
    path.write_bytes(data)
    return read_table(path, kind)


def test_s1_d1a_csv_header_found_below_the_title_rows(tmp_path):
    table = _table(tmp_path, csv_bytes([["客服3", "E1003", "客服部", "2026-11-03 星期二", "08:52", "18:05"]]), "csv")
    assert table.headers[:4] == ["姓名", "工号", "部门", "日期"]
    assert table.header_row == 3
    assert guess_mapping(table.headers) == {
        "employee_no": 1,
        "name": 0,
        "date": 3,
        "clock_in": 4,
        "clock_out": 5,
    }
    assert [(n, cells[0]) for n, cells in table.rows] == [(4, "客服3")]


def test_s1_d1a_gbk_csv_is_read(tmp_path):
    data = csv_bytes([["客服1", "E1003", "客服部", "2026/11/3", "缺卡", "次日 00:10"]], encoding="gbk")
    table = _table(tmp_path, data, "csv")
    assert table.encoding == "GBK"
    assert next(table.rows)[1][4:] == ["缺卡", "次日 00:10"]


def test_s1_d1a_xlsx_with_merged_two_row_header_maps_the_punch_times_not_their_results(tmp_path):
    data = dingtalk_xlsx([["客服1", "E1003", "客服部", datetime(2026, 11, 3), "08:52", "正常", "18:05", "正常"]])
    table = _table(tmp_path, data, "xlsx")
    assert table.headers[4:8] == ["上班1打卡时间", "上班1打卡结果", "下班1打卡时间", "下班1打卡结果"]
    assert table.header_row == 4
    mapping = guess_mapping(table.headers)
    assert mapping["clock_in"] == 4 and mapping["clock_out"] == 6 and mapping["date"] == 3
    number, cells = next(table.rows)
    assert number == 5 and cells[3] == "2026-11-03"


def test_s1_d1a_wecom_names_are_recognised():
    headers = ["姓名", "员工UserID", "部门", "考勤日期", "上班时间", "下班时间", "打卡结果"]
    assert guess_mapping(headers) == {"employee_no": 1, "name": 0, "date": 3, "clock_in": 4, "clock_out": 5}


def test_s1_d1a_a_file_without_an_attendance_header_is_refused(tmp_path):
    with pytest.raises(ValidationError) as caught:
        _table(tmp_path, "客户,手机\r\n张三,13812345678\r\n".encode(), "csv")
    assert "上班打卡" in " ".join(caught.value.messages)


def test_s1_d1a_the_mapping_needs_a_person_a_date_and_both_clock_times():
    with pytest.raises(ValidationError) as caught:
        clean_mapping(["姓名", "日期"], {"date": 1, "clock_in": 1})
    errors = caught.value.message_dict
    assert set(errors) == {"employee_no", "clock_in", "clock_out"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-11-03 星期二", date(2026, 11, 3)),
        ("26-11-03", date(2026, 11, 3)),
        ("2026/11/3", date(2026, 11, 3)),
        ("2026年11月3日", date(2026, 11, 3)),
        ("20261103", date(2026, 11, 3)),
        ("2026-11-03 08:00:00", date(2026, 11, 3)),
        ("46329", date(2026, 11, 3)),
        ("2026-02-30", None),
        ("下周一", None),
        ("", None),
    ],
)
def test_s1_d1a_dates_of_the_exports(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("08:52", "2026-11-03 08:52"),
        ("08:52:13", "2026-11-03 08:52:13"),
        ("8:05", "2026-11-03 08:05"),
        ("2026-11-03 08:52", "2026-11-03 08:52"),
        ("2026-11-04 00:10:00", "2026-11-04 00:10"),
        ("次日 00:10", "2026-11-04 00:10"),
        ("次日00:10", "2026-11-04 00:10"),
        ("08:52 正常", "2026-11-03 08:52"),
        ("09:10(迟到)", "2026-11-03 09:10"),
        ("0.375", "2026-11-03 09:00"),
    ],
)
def test_s1_d1a_odd_time_formats_are_read(text, expected):
    assert parse_time(text, date(2026, 11, 3)) == at(expected)


@pytest.mark.parametrize("text", ["", "未打卡", "缺卡", "--", "  ", "休息"])
def test_s1_d1a_a_missing_punch_is_none(text):
    assert parse_time(text, date(2026, 11, 3)) is None


@pytest.mark.parametrize("text", ["25:00", "8点半", "08:61", "2026-11-09 08:00", "abc"])
def test_s1_d1a_a_bad_time_is_refused(text):
    with pytest.raises(BadTime):
        parse_time(text, date(2026, 11, 3))
