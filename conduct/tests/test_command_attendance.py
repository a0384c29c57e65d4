"""manage.py import_attendance (S1.D1a): counts and row errors printed, non-zero exit on a refused file."""

from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation

from conduct.models import AttendanceBatch, AttendanceDay
from tests.clock import at

from .attendance_files import csv_bytes, dingtalk_xlsx

GOOD = ["客服1", "E1003", "客服部", "2026-11-03", "08:52", "18:05"]
BAD = ["无名氏", "", "客服部", "2026-11-04", "08:52", "18:05"]


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(at("2026-12-01 10:00"), tick=False), translation.override("en"):
        yield


def _run(*args):
    out = StringIO()
    call_command("import_attendance", *args, stdout=out)
    return out.getvalue()


def test_s1_d1a_imports_the_good_rows_and_prints_the_bad_ones(world, tmp_path):
    path = tmp_path / "考勤.csv"
    path.write_bytes(csv_bytes([GOOD, BAD], encoding="gb18030"))
    out = _run("--store", "S001", "--source", "dingtalk", str(path))
    assert "row 5, Name:" in out and "2 rows: 1 good, 1 with errors." in out
    assert "1 days written, 1 draft records made." in out
    assert AttendanceBatch.objects.get().source == "dingtalk" and AttendanceDay.objects.count() == 1


def test_s1_d1a_dry_run_writes_nothing(world, tmp_path):
    path = tmp_path / "考勤.xlsx"
    path.write_bytes(dingtalk_xlsx([["客服1", "E1003", "客服部", "2026-11-03", "08:52", "迟到", "18:05", "正常"]]))
    out = _run("--store", "S001", "--dry-run", str(path))
    assert "1 rows: 1 good, 0 with errors." in out and "Dry run" in out
    assert not AttendanceBatch.objects.exists() and not AttendanceDay.objects.exists()


def test_s1_d1a_a_refused_file_exits_non_zero(world, tmp_path):
    path = tmp_path / "考勤.csv"
    path.write_bytes(csv_bytes([GOOD, BAD]))
    with pytest.raises(CommandError, match="refused"):
        _run("--store", "S001", "--all-or-nothing", str(path))
    bad_only = tmp_path / "bad.csv"
    bad_only.write_bytes(csv_bytes([BAD]))
    with pytest.raises(CommandError, match="refused"):
        _run("--store", "S001", str(bad_only))
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"a,b\r\n1,2\r\n")
    with pytest.raises(CommandError, match="工号"):
        _run("--store", "S001", str(junk))
    assert not AttendanceDay.objects.exists()


def test_s1_d1a_the_user_must_be_a_manager_or_supervisor_of_the_store(world, tmp_path):
    path = tmp_path / "考勤.csv"
    path.write_bytes(csv_bytes([GOOD]))
    with pytest.raises(CommandError, match="may not import"):
        _run("--store", "S001", "--user", "staff1", str(path))
    with pytest.raises(CommandError, match="No store"):
        _run("--store", "S999", str(path))
    assert "1 days written" in _run("--store", "S001", "--user", "supervisor1", str(path))
