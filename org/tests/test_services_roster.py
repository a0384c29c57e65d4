"""The roster's services (S1.D1a: who works which shift on which day): shifts, days set one by one, in a
batch, and imported from Excel or CSV — with the bad input each refuses and the history each keeps."""

import io
from datetime import date, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from core.audit import history_for
from core.models import HistoryAction, HistoryEntry
from org.choices import Role, RosterKind
from org.models import RosterDay, Shift
from org.selectors import roster_may_edit, work_days
from org.services import roster as services
from tests.factories import make_user

DEC = date(2026, 12, 1)


@pytest.fixture
def shifts(world):
    early = services.shift_create(
        actor=world.a.manager, store=world.a.store, name="早班", starts=time(8, 0), ends=time(17, 0)
    )
    late = services.shift_create(
        actor=world.a.manager, store=world.a.store, name="晚班", starts=time(13, 0), ends=time(22, 0)
    )
    return early, late


# Shifts


def test_s1_d1a_shift_name_is_required_unique_per_store_and_start_differs_from_end(world, shifts):
    with pytest.raises(ValidationError) as exc:
        services.shift_create(actor=world.a.manager, store=world.a.store, name=" ", starts=time(8), ends=time(8))
    assert set(exc.value.message_dict) == {"name", "ends"}
    with pytest.raises(ValidationError) as exc:
        services.shift_create(actor=world.a.manager, store=world.a.store, name="早班", starts=time(7), ends=time(9))
    assert "早班" in exc.value.message_dict["name"][0]
    # the same name in another store is another shift
    other = services.shift_create(actor=world.b.manager, store=world.b.store, name="早班", starts=time(7), ends=time(9))
    assert other.store == world.b.store
    with pytest.raises(ValidationError) as exc:
        services.shift_create(actor=world.a.manager, store=world.a.store, name="夜班", starts=None, ends="x")
    assert set(exc.value.message_dict) == {"starts", "ends"}


def test_s1_d1a_a_shift_past_midnight_is_allowed_and_ends_the_next_day(world):
    night = services.shift_create(
        actor=world.a.manager, store=world.a.store, name="夜班", starts=time(22, 0), ends=time(6, 0)
    )
    services.roster_set(
        actor=world.a.manager, store=world.a.store, person=world.a.staff, day=DEC, kind="work", shift=night
    )
    day = work_days(world.a.store, [world.a.staff], DEC, DEC)[(world.a.staff.pk, DEC)]
    assert day.shift_name == "夜班" and day.end.date() == date(2026, 12, 2)


def test_s1_d1a_only_managers_keep_shifts_and_updates_keep_history(world, shifts):
    early, _late = shifts
    with pytest.raises(PermissionDenied):
        services.shift_create(
            actor=world.a.supervisor, store=world.a.store, name="中班", starts=time(10), ends=time(19)
        )
    with pytest.raises(PermissionDenied):
        services.shift_create(actor=world.b.manager, store=world.a.store, name="中班", starts=time(10), ends=time(19))
    services.shift_update(
        actor=world.a.manager, shift=early, name="早班", starts=time(8, 30), ends=time(17), active=False
    )
    entry = history_for(early)[0]
    assert entry.action == HistoryAction.UPDATE and entry.changes["active"] == [True, False]
    with pytest.raises(ValidationError) as exc:
        services.shift_update(
            actor=world.a.manager, shift=early, name="晚班", starts=time(8), ends=time(17), active=True
        )
    assert "name" in exc.value.message_dict


# One day


def test_s1_d1a_supervisor_sets_a_day_and_history_is_kept(world, shifts):
    early, _late = shifts
    row = services.roster_set(
        actor=world.a.supervisor, store=world.a.store, person=world.a.staff, day=DEC, kind="work", shift=early
    )
    assert row.shift == early and row.updated_by == world.a.supervisor
    services.roster_set(actor=world.a.supervisor, store=world.a.store, person=world.a.staff, day=DEC, kind="rest")
    row.refresh_from_db()
    assert row.kind == RosterKind.REST and row.shift is None
    assert [e.action for e in history_for(row)] == [HistoryAction.UPDATE, HistoryAction.CREATE]
    # back to the default: the entry goes, its removal is in the history
    assert (
        services.roster_set(
            actor=world.a.supervisor, store=world.a.store, person=world.a.staff, day=DEC, kind=services.DEFAULT
        )
        is None
    )
    assert not RosterDay.objects.exists()
    assert HistoryEntry.objects.filter(object_id=row.pk, action=HistoryAction.DELETE).exists()
    day = work_days(world.a.store, [world.a.staff], DEC, DEC)[(world.a.staff.pk, DEC)]
    assert not day.rostered and day.working


def test_s1_d1a_who_may_set_a_day(world, shifts):
    a = world.a
    lounge_person = make_user("lounge1", role=Role.STAFF, store=a.store, department=a.lounge)
    assert roster_may_edit(a.manager, store_id=a.store.pk, department_id=a.lounge.pk)
    assert roster_may_edit(world.admin, store_id=a.store.pk, department_id=a.cs.pk)
    assert roster_may_edit(a.supervisor, store_id=a.store.pk, department_id=a.cs.pk)
    assert not roster_may_edit(a.supervisor, store_id=a.store.pk, department_id=a.lounge.pk)
    assert not roster_may_edit(a.staff, store_id=a.store.pk, department_id=a.cs.pk)
    assert not roster_may_edit(a.auditor, store_id=a.store.pk, department_id=a.cs.pk)
    assert not roster_may_edit(world.b.manager, store_id=a.store.pk, department_id=a.cs.pk)
    for actor, person in ((a.staff, a.staff), (a.supervisor, lounge_person), (a.auditor, a.staff)):
        with pytest.raises(PermissionDenied):
            services.roster_set(actor=actor, store=a.store, person=person, day=DEC, kind="rest")
    assert not RosterDay.objects.exists()


def test_s1_d1a_bad_days_are_refused_naming_the_field(world, shifts):
    early, _late = shifts
    b_shift = services.shift_create(
        actor=world.b.manager, store=world.b.store, name="B班", starts=time(9), ends=time(18)
    )
    a = world.a
    cases = [
        ({"person": world.b.staff, "kind": "rest"}, "person"),
        ({"person": a.staff, "kind": "holiday"}, "kind"),
        ({"person": a.staff, "kind": "rest", "shift": early}, "shift"),
        ({"person": a.staff, "kind": "work", "shift": b_shift}, "shift"),
    ]
    for arguments, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.roster_set(actor=a.manager, store=a.store, day=DEC, **arguments)
        assert field in exc.value.message_dict, arguments
    early = services.shift_update(
        actor=a.manager, shift=early, name="早班", starts=early.starts, ends=early.ends, active=False
    )
    with pytest.raises(ValidationError) as exc:
        services.roster_set(actor=a.manager, store=a.store, person=a.staff, day=DEC, kind="work", shift=early)
    assert "早班" in exc.value.message_dict["shift"][0]
    assert not RosterDay.objects.exists()


def test_s1_d1a_a_batch_is_all_or_nothing_and_names_each_bad_entry(world, shifts):
    early, late = shifts
    a = world.a
    entries = [
        services.RosterEntry(person=a.staff, day=DEC, kind="work", shift=early),
        services.RosterEntry(person=world.b.staff, day=DEC, kind="rest"),
        services.RosterEntry(person=a.supervisor, day=DEC, kind="leave", shift=late),
        services.RosterEntry(person=a.staff, day=DEC, kind="rest"),
    ]
    with pytest.raises(ValidationError) as exc:
        services.roster_set_many(actor=a.manager, store=a.store, entries=entries)
    assert set(exc.value.message_dict) == {"entries.1.person", "entries.2.shift", "entries.3.date"}
    assert not RosterDay.objects.exists()
    saved = services.roster_set_many(
        actor=a.manager,
        store=a.store,
        entries=[entries[0], entries[2].__class__(person=a.supervisor, day=DEC, kind="leave")],
    )
    assert len(saved) == 2 and RosterDay.objects.count() == 2
    with pytest.raises(PermissionDenied):
        services.roster_set_many(actor=a.auditor, store=a.store, entries=[entries[0]])


# Import


def _csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def test_s1_d1a_import_a_month_from_gbk_csv_with_day_numbers(world, shifts):
    a = world.a
    data = _csv("工号,姓名,1,2,3\nE1003,客服1,早班,休,\n,主管1,晚班,假,早班\n", "gbk")
    found = services.roster_import(actor=a.manager, store=a.store, month=DEC, data=data, file_name="12月.csv")
    assert found.errors == [] and found.rows == 2 and found.days == 6
    days = work_days(a.store, [a.staff, a.supervisor], DEC, date(2026, 12, 3))
    assert days[(a.staff.pk, DEC)].shift_name == "早班"
    assert days[(a.staff.pk, date(2026, 12, 2))].kind == RosterKind.REST
    assert not days[(a.staff.pk, date(2026, 12, 3))].rostered
    assert days[(a.supervisor.pk, date(2026, 12, 2))].kind == RosterKind.LEAVE
    assert HistoryEntry.objects.filter(action=HistoryAction.IMPORT).count() == 5


def test_s1_d1a_import_from_xlsx_with_dates_as_headers(world, shifts):
    a = world.a
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "部门", date(2026, 12, 1), "12-02", "12月3日"])
    sheet.append(["客服1", "客服部", "早班", "休", "假"])
    out = io.BytesIO()
    book.save(out)
    found = services.roster_import(
        actor=a.supervisor, store=a.store, month=DEC, data=out.getvalue(), file_name="排班.xlsx", department=a.cs
    )
    assert found.errors == [] and found.days == 3
    assert RosterDay.objects.get(person=a.staff, date=date(2026, 12, 3)).kind == RosterKind.LEAVE


def test_s1_d1a_import_with_errors_saves_nothing_and_names_row_and_column(world, shifts):
    a = world.a
    lounge_person = make_user("lounge1", role=Role.STAFF, store=a.store, department=a.lounge, name="休息室小李")
    data = _csv(
        "工号,姓名,1,2\n"
        "E1003,客服1,早班,休\n"  # good
        ",王五,早班,\n"  # unknown person
        "E2003,,早班,\n"  # another store's person
        ",客服1,中班,\n"  # twice, and an unknown shift
        f",{lounge_person.name},休,\n"  # a department the supervisor does not look after
    )
    found = services.roster_import(actor=a.supervisor, store=a.store, month=DEC, data=data, file_name="r.csv")
    by_row = {e["row"]: e for e in found.errors}
    assert set(by_row) == {3, 4, 5, 6}
    assert "王五" in by_row[3]["message"] and by_row[3]["column"] == "B"
    assert "another store" in by_row[4]["message"] or "其他门店" in by_row[4]["message"]
    assert "2" in by_row[5]["message"]  # already in row 2
    assert found.days == 0 and not RosterDay.objects.exists()
    # an unknown shift is named with its column
    found = services.roster_import(
        actor=a.manager, store=a.store, month=DEC, data=_csv("姓名,1,2\n客服1,早班,中班\n"), file_name="r.csv"
    )
    assert found.errors[0]["row"] == 2 and found.errors[0]["column"] == "C 2" and "中班" in found.errors[0]["message"]
    assert not RosterDay.objects.exists()


def test_s1_d1a_import_refuses_bad_day_columns_and_bad_files(world, shifts):
    a = world.a
    for header in ("32", "2026-11-30", "2月30日", "13-01"):
        found = services.roster_import(
            actor=a.manager,
            store=a.store,
            month=DEC,
            data=_csv(f"姓名,1,{header}\n客服1,早班,早班\n"),
            file_name="r.csv",
        )
        assert found.errors and found.errors[0]["row"] == 1 and found.errors[0]["column"].startswith("C"), header
    found = services.roster_import(
        actor=a.manager, store=a.store, month=DEC, data=_csv("部门,1\n客服部,早班\n"), file_name="r.csv"
    )
    assert "姓名" in found.errors[0]["message"]
    for data, name in (
        (b"", "r.csv"),
        (b"x", "r.xls"),
        (b"x", "r.txt"),
        (_csv("姓名,1\n"), "r.csv"),
        (b"PK\x03\x04xx", "r.xlsx"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.roster_import(actor=a.manager, store=a.store, month=DEC, data=data, file_name=name)
        assert "file" in exc.value.message_dict, name
    with pytest.raises(ValidationError) as exc:
        services.roster_import(
            actor=a.manager,
            store=a.store,
            month=DEC,
            data=_csv("姓名,1\n客服1,休\n"),
            file_name="r.csv",
            department=world.b.cs,
        )
    assert "department" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.roster_import(
            actor=a.auditor, store=a.store, month=DEC, data=_csv("姓名,1\n客服1,休\n"), file_name="r.csv"
        )
    assert not RosterDay.objects.exists()


def test_s1_d1a_import_of_a_person_of_another_department_is_a_row_error(world, shifts):
    a = world.a
    found = services.roster_import(
        actor=a.manager,
        store=a.store,
        month=DEC,
        data=_csv("姓名,1\n主管1,休\n经理1,休\n"),
        file_name="r.csv",
        department=a.cs,
    )
    assert [e["row"] for e in found.errors] == [3]
    assert not Shift.objects.filter(store=world.b.store).exists()


def test_s1_d1a_import_skips_a_title_above_the_header_and_a_row_of_weekdays(world, shifts):
    a = world.a
    data = _csv("2026年12月客服部排班表,,,\n工号,姓名,1,2\n,,二,三\nE1003,客服1,早班,休\n")
    found = services.roster_import(actor=a.manager, store=a.store, month=DEC, data=data, file_name="r.csv")
    assert found.errors == [] and found.rows == 1 and found.days == 2
    with pytest.raises(PermissionDenied):
        services.roster_import(actor=a.staff, store=a.store, month=DEC, data=data, file_name="r.csv")
