"""The attendance import's services (S1.D1a): days held against the roster or the business hours, grace,
drafts for the supervisor (never automatic punishment), idempotent re-import, notifications after commit."""

from datetime import date, time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from conduct.choices import BatchState, DisciplineKind, DisciplineSource, DisciplineState
from conduct.models import AttendanceBatch, AttendanceDay, ConductSettings, DisciplineRecord
from conduct.services import attendance as services
from core.models import HistoryEntry
from org.choices import RosterKind
from org.models import RosterDay, Shift
from promises.models import Notification, WebhookDelivery
from tests.clock import at

from .attendance_files import csv_upload, xlsx_upload

NOW = at("2026-12-01 10:00")


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def _rows(*rows):
    return [
        {"employee_no": no, "date": day, "clock_in": clock_in, "clock_out": clock_out}
        for no, day, clock_in, clock_out in rows
    ]


def _import(world, *rows, actor=None):
    return services.attendance_import_rows(actor=actor or world.a.manager, store=world.a.store, rows=_rows(*rows))


def _day(person, on="2026-11-03"):
    return AttendanceDay.objects.get(person=person, date=date.fromisoformat(on))


def test_s1_d1a_late_early_and_missing_against_the_business_hours(world):
    batch = _import(
        world,
        ("E1003", "2026-11-03", "08:52", "17:40"),  # 22 late, 20 early (08:30–18:00)
        ("E1003", "2026-11-04", "08:30:59", "18:00"),  # on time
        ("E1003", "2026-11-05", "未打卡", "18:10"),  # missing clock-in
        ("E1002", "2026-11-03", "", ""),  # nothing at all on a working day
    )
    late = _day(world.a.staff)
    assert (late.late_minutes, late.early_minutes, late.missing_punch) == (22, 20, False)
    assert late.shift_start == at("2026-11-03 08:30") and late.shift_end == at("2026-11-03 18:00")
    assert late.batch == batch
    on_time = _day(world.a.staff, "2026-11-04")
    assert (on_time.late_minutes, on_time.early_minutes, on_time.missing_punch) == (0, 0, False)
    assert _day(world.a.staff, "2026-11-05").missing_punch
    assert _day(world.a.supervisor).missing_punch
    kinds = sorted(DisciplineRecord.objects.values_list("person__employee_no", "kind", "minutes"))
    assert kinds == [
        ("E1002", DisciplineKind.MISSING_PUNCH, None),
        ("E1003", DisciplineKind.EARLY_LEAVE, 20),
        ("E1003", DisciplineKind.LATE, 22),
        ("E1003", DisciplineKind.MISSING_PUNCH, None),
    ]
    record = DisciplineRecord.objects.get(kind=DisciplineKind.LATE)
    assert record.state == DisciplineState.DRAFT and record.source == DisciplineSource.ATTENDANCE
    assert record.rule_id == "S1.D1a" and record.attendance_day == late and record.occurred_at == at("2026-11-03 08:52")
    assert "08:52" in record.description
    assert (batch.state, batch.days_written, batch.drafts_made, batch.rows) == (BatchState.IMPORTED, 4, 4, 4)
    assert (batch.first_date, batch.last_date) == (date(2026, 11, 3), date(2026, 11, 5))


def test_s1_d1a_the_roster_shift_decides_and_rest_or_leave_days_are_never_late(world):
    early_shift = Shift.objects.create(store=world.a.store, name="早班", starts=time(8, 0), ends=time(17, 0))
    RosterDay.objects.create(store=world.a.store, person=world.a.staff, date=date(2026, 11, 3), shift=early_shift)
    RosterDay.objects.create(store=world.a.store, person=world.a.staff, date=date(2026, 11, 4), kind=RosterKind.REST)
    RosterDay.objects.create(store=world.a.store, person=world.a.staff, date=date(2026, 11, 5), kind=RosterKind.LEAVE)
    _import(
        world,
        ("E1003", "2026-11-03", "08:20", "17:00"),  # 20 late against 早班 08:00, on time for business hours
        ("E1003", "2026-11-04", "10:00", ""),  # rest day
        ("E1003", "2026-11-05", "", ""),  # leave
    )
    assert _day(world.a.staff).late_minutes == 20 and _day(world.a.staff).shift_start == at("2026-11-03 08:00")
    for on in ("2026-11-04", "2026-11-05"):
        day = _day(world.a.staff, on)
        assert (day.shift_start, day.late_minutes, day.missing_punch) == (None, 0, False)
    assert list(DisciplineRecord.objects.values_list("kind", flat=True)) == [DisciplineKind.LATE]


def test_s1_d1a_minutes_within_the_grace_are_not_late(world):
    ConductSettings.objects.create(store=world.a.store, late_grace_minutes=5, early_grace_minutes=3)
    _import(
        world,
        ("E1003", "2026-11-03", "08:35", "17:57"),  # 5 late, 3 early: within the grace
        ("E1003", "2026-11-04", "08:36", "17:56"),  # 6 late, 4 early: counted from the shift start and end
    )
    assert (_day(world.a.staff).late_minutes, _day(world.a.staff).early_minutes) == (0, 0)
    day = _day(world.a.staff, "2026-11-04")
    assert (day.late_minutes, day.early_minutes) == (6, 4)


def test_s1_d1a_importing_the_same_rows_again_changes_nothing_and_makes_no_second_draft(world):
    rows = (("E1003", "2026-11-03", "08:52", "18:05"), ("E1002", "2026-11-03", "08:10", "18:30"))
    first = _import(world, *rows)
    day = _day(world.a.staff)
    again = _import(world, *rows)
    assert (again.days_written, again.drafts_made) == (0, 0)
    assert AttendanceDay.objects.count() == 2 and DisciplineRecord.objects.count() == 1
    assert _day(world.a.staff).batch == first and _day(world.a.staff).pk == day.pk
    corrected = _import(world, ("E1003", "2026-11-03", "08:40", "18:05"))
    assert corrected.days_written == 1 and corrected.drafts_made == 0  # the day's draft exists already
    assert _day(world.a.staff).late_minutes == 10 and _day(world.a.staff).batch == corrected
    assert AttendanceDay.objects.count() == 2


def test_s1_d1a_the_supervisors_are_told_once_per_batch_after_the_commit(world, django_capture_on_commit_callbacks):
    world.a.store.wecom_webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=test"
    world.a.store.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = _import(
            world,
            ("E1003", "2026-11-03", "08:52", "18:05"),
            ("E1003", "2026-11-04", "08:52", "17:00"),
            ("E1001", "2026-11-03", "09:00", "18:05"),  # the manager: no department, so the store managers
        )
    assert Notification.objects.count() == 0 and not WebhookDelivery.objects.exists()  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    # the WeCom posts are queued for the worker (no network call here), one per person told
    assert WebhookDelivery.objects.count() == 2
    told = {n.recipient_id: n for n in Notification.objects.all()}
    assert set(told) == {world.a.supervisor.pk, world.a.manager.pk}
    assert "3" in told[world.a.supervisor.pk].title and "1" in told[world.a.manager.pk].title
    assert told[world.a.supervisor.pk].url.endswith(f"/attendance/imports/{batch.pk}/")


def test_s1_d1a_api_rows_are_all_or_nothing_with_an_error_per_bad_row(world):
    with pytest.raises(ValidationError) as caught:
        _import(world, ("E1003", "2026-11-03", "08:52", "18:05"), ("E9999", "2026-11-03", "abc", ""))
    assert set(caught.value.message_dict) == {"rows[1].employee_no", "rows[1].clock_in"}
    assert not AttendanceDay.objects.exists() and not AttendanceBatch.objects.exists()


def test_s1_d1a_staff_and_auditors_may_not_import_and_a_manager_only_in_their_store(world):
    for person in (world.a.staff, world.a.auditor, world.b.manager):
        with pytest.raises(PermissionDenied):
            _import(world, ("E1003", "2026-11-03", "08:52", "18:05"), actor=person)
    _import(world, ("E1003", "2026-11-03", "08:52", "18:05"), actor=world.a.supervisor)


def test_s1_d1a_upload_checks_then_confirm_writes_the_good_rows_only(world):
    uploaded = csv_upload(
        [
            ["客服1", "E1003", "客服部", "2026-11-03 星期二", "08:52", "18:05"],
            ["无名氏", "", "客服部", "2026-11-03", "08:52", "18:05"],
        ]
    )
    batch = services.attendance_upload(actor=world.a.manager, store=world.a.store, uploaded=uploaded, source="dingtalk")
    assert (batch.state, batch.rows, batch.valid_rows) == (BatchState.CHECKED, 2, 1)
    assert batch.errors == [{"row": 5, "field": "name", "reason": batch.errors[0]["reason"]}]
    assert not AttendanceDay.objects.exists()
    stored = Path(settings.MEDIA_ROOT) / batch.file_path
    assert stored.exists()
    batch = services.attendance_confirm(actor=world.a.manager, batch=batch)
    assert (batch.state, batch.days_written, batch.drafts_made) == (BatchState.IMPORTED, 1, 1)
    assert not stored.exists() and batch.file_path == ""  # the file is not kept once imported
    assert HistoryEntry.objects.filter(object_id=batch.pk, content_type__model="attendancebatch").count() == 2
    with pytest.raises(ValidationError):
        services.attendance_confirm(actor=world.a.manager, batch=batch)


def test_s1_d1a_an_xlsx_upload_with_columns_chosen_again_and_then_refused(world):
    batch = services.attendance_upload(
        actor=world.a.supervisor,
        store=world.a.store,
        uploaded=xlsx_upload([["客服1", "E1003", "客服部", "2026-11-03", "08:52", "迟到", "18:05", "正常"]]),
    )
    assert batch.mapping["clock_in"] == 4 and batch.valid_rows == 1
    swapped = dict(batch.mapping, clock_in=6, clock_out=4)
    batch = services.attendance_set_mapping(actor=world.a.supervisor, batch=batch, mapping=swapped)
    assert batch.valid_rows == 0 and batch.errors[0]["field"] == "clock_out"
    with pytest.raises(ValidationError):
        services.attendance_confirm(actor=world.a.supervisor, batch=batch)
    with pytest.raises(ValidationError) as caught:
        services.attendance_set_mapping(actor=world.a.supervisor, batch=batch, mapping={"date": 3})
    assert "clock_in" in caught.value.message_dict
    batch = services.attendance_refuse(actor=world.a.supervisor, batch=batch)
    assert batch.state == BatchState.FAILED and not AttendanceDay.objects.exists()


@pytest.mark.parametrize(
    "name, data, words",
    [
        ("a.xls", b"\xd0\xcf\x11\xe0rest", ".xlsx"),
        ("a.pdf", b"%PDF", ".csv"),
        ("a.csv", b"", "empty"),
        ("a.csv", "客户,手机\r\n张三,138\r\n".encode(), "工号"),
        ("a.csv", "姓名,日期,上班打卡,下班打卡\r\n".encode(), "no data rows"),
    ],
)
def test_s1_d1a_a_file_that_cannot_be_read_is_refused_and_nothing_kept(world, name, data, words):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.attendance_upload(actor=world.a.manager, store=world.a.store, uploaded=SimpleUploadedFile(name, data))
    assert "file" in caught.value.message_dict and words in " ".join(caught.value.messages)
    assert not AttendanceBatch.objects.exists()
    assert not any((Path(settings.MEDIA_ROOT) / "attendance").glob("*"))


def test_s1_d1a_writing_asks_a_constant_number_of_queries_per_day(world, django_assert_max_num_queries):
    rows = [("E1003", f"2026-11-{d:02d}", "08:20", "18:05") for d in range(1, 29)]
    rows += [("E1002", f"2026-11-{d:02d}", "08:25", "18:10") for d in range(1, 29)]
    with django_assert_max_num_queries(30):
        batch = _import(world, *rows)
    assert batch.days_written == 56 and batch.drafts_made == 0
