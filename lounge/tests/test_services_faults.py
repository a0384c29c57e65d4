"""Facility and fault services (S4.11): the register, a report becomes a ticket with an owner and a clock
in business hours, the owner told at once, the fix kept on time or late, a close without a fix."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.audit import history_for
from core.models import HistoryAction
from lounge.choices import FacilityKind, FaultSource, FaultState, RequestKind
from lounge.models import Facility, FaultTicket, LoungeRequest, lounge_settings
from lounge.selectors.faults import facilities_out_of_order, fault_list, fix_minutes
from lounge.services import faults as services
from lounge.tests.wall import failed_round_result, jpeg_upload, make_facility, report_fault
from org.choices import DepartmentKind, Role
from org.models import Department, User
from promises.choices import NotificationKind, PromiseState
from promises.models import Notification, Promise
from tests.clock import at
from tests.factories import make_user

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def lounge_member(world):
    return make_user("lounge_a", role=Role.STAFF, store=world.a.store, department=world.a.lounge, name="休息区甲")


def _media_files(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- Reporting: the ticket, its clock and owner --------------------------------------------------


def test_report_makes_a_fix_promise_due_in_business_hours(world):
    """S4.11: a Tuesday 16:00 report with 8 business hours (store open 8:30–18:00) is due Wednesday 14:30."""
    facility = make_facility(world.a.store)
    with time_machine.travel(at("2026-03-10 16:00"), tick=False):
        fault = services.fault_report(
            store=world.a.store,
            facility=facility,
            description="出不了热水",
            source=FaultSource.PAGE,
            actor=world.a.staff,
        )
    promise = fault.promise
    assert promise.kind == "fault_fix" and promise.rule_id == "S4.11"
    assert promise.business_time is True
    assert promise.due_at == at("2026-03-11 14:30")
    assert promise.owner_department == world.a.lounge and promise.owner is None
    assert fault.state == FaultState.OPEN and fault.owner_department == world.a.lounge
    assert fault.reported_by == world.a.staff and fault.appended is False
    assert promise.subject == fault and promise.url == f"/lounge/faults/{fault.pk}/"


def test_the_clock_follows_the_stores_fix_within_hours(world):
    """S4.11: the store sets how many business hours a fix may take."""
    settings = lounge_settings(world.a.store)
    settings.fix_within_hours = 2
    settings.save()
    with time_machine.travel(at("2026-03-10 17:00"), tick=False):
        fault = report_fault(world.a)
    assert fault.promise.due_at == at("2026-03-11 09:30")


def test_report_notifies_the_lounge_department_at_once(world, lounge_member):
    """S4.11: reported to maintenance at once — the owning desk's members are told."""
    fault = report_fault(world.a)
    note = Notification.objects.get(recipient=lounge_member)
    assert note.kind == NotificationKind.ASSIGNED and note.promise == fault.promise
    assert "咖啡机" in note.title and note.url == f"/lounge/faults/{fault.pk}/"
    assert not Notification.objects.filter(store=world.b.store).exists()


def test_the_stores_maintenance_department_owns_the_ticket_when_set(world, lounge_member):
    workshop = Department.objects.create(store=world.a.store, kind=DepartmentKind.WORKSHOP, name="维修部")
    mechanic = make_user("mechanic", role=Role.STAFF, store=world.a.store, department=workshop)
    settings = lounge_settings(world.a.store)
    settings.maintenance_department = workshop
    settings.save()
    fault = report_fault(world.a)
    assert fault.owner_department == workshop and fault.promise.owner_department == workshop
    assert Notification.objects.filter(recipient=mechanic).count() == 1
    assert not Notification.objects.filter(recipient=lounge_member).exists()


def test_a_person_given_as_owner_owns_the_ticket_and_is_told(world, lounge_member):
    fault = report_fault(world.a, owner=world.a.supervisor)
    assert fault.owner == world.a.supervisor and fault.owner_department is None
    assert fault.promise.owner == world.a.supervisor
    assert Notification.objects.filter(recipient=world.a.supervisor).count() == 1
    assert not Notification.objects.filter(recipient=lounge_member).exists()


def test_an_owner_of_another_store_or_an_auditor_is_refused(world):
    for owner in (world.b.staff, world.a.auditor):
        with pytest.raises(ValidationError) as exc:
            report_fault(world.a, owner=owner)
        assert "owner" in exc.value.message_dict
    assert not FaultTicket.objects.exists()


def test_without_a_lounge_department_a_store_manager_owns_it(world):
    """Nobody to own it would mean nobody told: the store manager then owns the ticket."""
    Department.objects.filter(pk=world.a.lounge.pk).update(active=False)
    fault = report_fault(world.a)
    assert fault.owner == world.a.manager and fault.owner_department is None
    assert Notification.objects.filter(recipient=world.a.manager).count() == 1


def test_a_department_without_members_still_gets_someone_told(world):
    """S4.11 "at once": with nobody in the owning desk, the store managers are told."""
    User.objects.filter(department=world.a.lounge).update(department=world.a.cs)
    report_fault(world.a)
    assert Notification.objects.filter(recipient=world.a.manager).count() == 1


def test_a_customer_reports_from_the_qr_page_without_an_actor(world, lounge_member):
    """The QR page's request of kind "fault" becomes a ticket; no person reported it."""
    request = LoungeRequest.objects.create(store=world.a.store, kind=RequestKind.FAULT, note="电视没有信号")
    fault = services.fault_report(
        store=world.a.store,
        facility=make_facility(world.a.store, name="电视", kind=FacilityKind.TV),
        description="电视没有信号",
        source=FaultSource.QR,
        request=request,
    )
    assert fault.reported_by is None and fault.source == FaultSource.QR and fault.request == request
    assert fault.promise.created_by is None
    assert Notification.objects.filter(recipient=lounge_member).exists()
    (entry,) = history_for(fault)
    assert entry.action == HistoryAction.CREATE and entry.actor is None


def test_a_failed_round_item_is_linked(world):
    result = failed_round_result(world.a.store)
    fault = report_fault(world.a, round_result=result, source=FaultSource.ROUND)
    assert fault.round_result == result and result.faults.get() == fault


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("facility", {"facility": None}),
        ("description", {"description": "  "}),
        ("description", {"description": "坏" * 301}),
        ("source", {"source": "phone"}),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(world, field, kwargs):
    data = {
        "store": world.a.store,
        "facility": make_facility(world.a.store),
        "description": "出不了热水",
        "source": FaultSource.PAGE,
        "actor": world.a.staff,
    } | kwargs
    with pytest.raises(ValidationError) as exc:
        services.fault_report(**data)
    assert field in exc.value.message_dict
    assert not FaultTicket.objects.exists() and not Promise.objects.exists() and not Notification.objects.exists()


def test_a_facility_of_another_store_or_out_of_use_is_refused(world):
    other = make_facility(world.b.store)
    old = make_facility(world.a.store, name="旧电视", active=False)
    for facility in (other, old):
        with pytest.raises(ValidationError) as exc:
            report_fault(world.a, facility=facility)
        assert "facility" in exc.value.message_dict
    result = failed_round_result(world.b.store)
    with pytest.raises(ValidationError) as exc:
        report_fault(world.a, round_result=result)
    assert "round_result" in exc.value.message_dict
    assert not FaultTicket.objects.exists()


def test_an_auditor_cannot_report(world):
    with pytest.raises(PermissionDenied):
        report_fault(world.a, actor=world.a.auditor)
    with pytest.raises(PermissionDenied):
        report_fault(world.a, actor=world.b.staff)


# --- Photos --------------------------------------------------------------------------------------


def test_the_photo_is_stored_as_a_scaled_jpeg(world):
    fault = report_fault(world.a, photo=jpeg_upload(size=(3000, 2000)))
    from PIL import Image

    with fault.photo.open("rb") as handle, Image.open(handle) as image:
        assert image.format == "JPEG" and max(image.size) == 1600
    assert fault.photo.name.startswith(f"lounge/{world.a.store.pk}/")


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_saved(world, settings):
    upload = SimpleUploadedFile("photo.jpg", b"this is not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        report_fault(world.a, photo=upload)
    assert exc.value.error_dict["photo"][0].code == "photo_format"
    assert not FaultTicket.objects.exists() and not Promise.objects.exists()
    assert _media_files(settings) == []


def test_an_oversized_photo_is_refused_and_nothing_saved(world, settings, monkeypatch):
    monkeypatch.setattr("core.images.PHOTO_MAX_BYTES", 1000)
    with pytest.raises(ValidationError) as exc:
        report_fault(world.a, photo=jpeg_upload(size=(400, 400)))
    assert exc.value.error_dict["photo"][0].code == "photo_too_large"
    assert not FaultTicket.objects.exists()
    assert _media_files(settings) == []


# --- A second report of the same facility --------------------------------------------------------


def test_a_second_report_is_added_to_the_open_ticket(world, lounge_member):
    """One broken machine, one ticket and one clock: the second report is a note in its history."""
    facility = make_facility(world.a.store)
    first = report_fault(world.a, facility=facility)
    request = LoungeRequest.objects.create(store=world.a.store, kind=RequestKind.FAULT)
    second = services.fault_report(
        store=world.a.store,
        facility=facility,
        description="咖啡机漏水",
        source=FaultSource.QR,
        request=request,
        photo=jpeg_upload(),
    )
    assert second.pk == first.pk and second.appended is True
    assert FaultTicket.objects.count() == 1 and Promise.objects.count() == 1
    second.refresh_from_db()
    assert second.request == request and second.photo  # what the first report lacked is added
    entry = history_for(second)[0]
    assert entry.actor is None and entry.note == str(FaultSource.QR.label)
    assert "咖啡机漏水" in [after for _label, _before, after in entry.change_rows]
    info = Notification.objects.filter(recipient=lounge_member, kind=NotificationKind.INFO).get()
    assert "咖啡机漏水" in info.title


def test_after_the_fix_a_new_report_opens_a_new_ticket(world):
    facility = make_facility(world.a.store)
    first = report_fault(world.a, facility=facility)
    services.fault_fix(actor=world.a.staff, fault=first, note="清洗水路")
    second = report_fault(world.a, facility=facility, description="又坏了")
    assert second.pk != first.pk and second.appended is False


# --- Start, fix, close ---------------------------------------------------------------------------


def test_start_puts_it_in_progress_and_can_give_it_to_a_colleague(world, lounge_member):
    fault = report_fault(world.a)
    told = Notification.objects.filter(recipient=world.a.staff, kind=NotificationKind.ASSIGNED).count()
    fault = services.fault_start(actor=world.a.supervisor, fault=fault, assignee=world.a.staff)
    assert fault.state == FaultState.IN_PROGRESS and fault.started_at is not None
    assert fault.owner == world.a.staff
    assert Promise.objects.get(pk=fault.promise_id).owner == world.a.staff  # reminders go to them now
    assert Notification.objects.filter(recipient=world.a.staff, kind=NotificationKind.ASSIGNED).count() == told + 1
    with pytest.raises(ValidationError) as exc:
        services.fault_start(actor=world.a.staff, fault=fault)
    assert exc.value.error_dict["state"][0].code == "state"


def test_start_refuses_a_colleague_of_another_store(world):
    fault = report_fault(world.a)
    with pytest.raises(ValidationError) as exc:
        services.fault_start(actor=world.a.staff, fault=fault, assignee=world.b.staff)
    assert "assignee" in exc.value.message_dict
    fault.refresh_from_db()
    assert fault.state == FaultState.OPEN and fault.owner is None


def test_fix_on_time_keeps_the_promise_and_the_facility_is_back_in_order(world):
    """S4.11: measured — time to fix, kept on time."""
    with time_machine.travel(at("2026-03-10 10:00"), tick=False):
        fault = report_fault(world.a)
    assert [f.pk for f in facilities_out_of_order({world.a.store.pk})] == [fault.facility_id]
    with time_machine.travel(at("2026-03-10 11:30"), tick=False):
        fault = services.fault_fix(actor=world.a.staff, fault=fault, note="更换加热管", photo=jpeg_upload())
    assert fault.state == FaultState.FIXED and fault.fixed_by == world.a.staff
    assert fault.fixed_at == at("2026-03-10 11:30") and fault.fix_note == "更换加热管"
    assert fault.started_at == fault.fixed_at and fault.fix_photo
    assert fault.promise.state == PromiseState.KEPT
    assert fix_minutes(fault) == 90.0
    assert facilities_out_of_order({world.a.store.pk}) == []


def test_fix_after_the_clock_ran_out_is_late(world):
    with time_machine.travel(at("2026-03-10 10:00"), tick=False):
        fault = report_fault(world.a)
    with time_machine.travel(at("2026-03-11 09:00"), tick=False):
        fault = services.fault_fix(actor=world.a.staff, fault=fault, note="修好了")
    assert fault.promise.state == PromiseState.LATE


def test_fix_needs_what_was_done_and_a_real_photo(world):
    fault = report_fault(world.a)
    with pytest.raises(ValidationError) as exc:
        services.fault_fix(actor=world.a.staff, fault=fault, note="", photo=SimpleUploadedFile("a.jpg", b"xx"))
    assert set(exc.value.message_dict) == {"note", "photo"}
    fault.refresh_from_db()
    assert fault.state == FaultState.OPEN and fault.promise.state == PromiseState.OPEN
    services.fault_fix(actor=world.a.staff, fault=fault, note="好了")
    with pytest.raises(ValidationError) as exc:
        services.fault_fix(actor=world.a.staff, fault=fault, note="再修")
    assert exc.value.error_dict["state"][0].code == "state"


def test_an_auditor_cannot_start_or_fix(world):
    fault = report_fault(world.a)
    with pytest.raises(PermissionDenied):
        services.fault_start(actor=world.a.auditor, fault=fault)
    with pytest.raises(PermissionDenied):
        services.fault_fix(actor=world.a.auditor, fault=fault, note="x")
    with pytest.raises(PermissionDenied):
        services.fault_fix(actor=world.b.staff, fault=fault, note="x")


def test_close_without_a_fix_cancels_the_clock_with_the_reason(world):
    fault = report_fault(world.a)
    with pytest.raises(ValidationError) as exc:
        services.fault_close_unfixed(actor=world.a.supervisor, fault=fault, reason=" ")
    assert "reason" in exc.value.message_dict
    fault = services.fault_close_unfixed(actor=world.a.supervisor, fault=fault, reason="误报，设备正常")
    assert fault.state == FaultState.CANCELLED and fault.close_reason == "误报，设备正常"
    assert fault.promise.state == PromiseState.CANCELLED and fault.promise.close_reason == "误报，设备正常"
    assert facilities_out_of_order({world.a.store.pk}) == []
    with pytest.raises(ValidationError):
        services.fault_fix(actor=world.a.staff, fault=fault, note="x")


def test_only_managers_and_supervisors_close_without_a_fix(world):
    fault = report_fault(world.a)
    with pytest.raises(PermissionDenied):
        services.fault_close_unfixed(actor=world.a.staff, fault=fault, reason="不修了")
    services.fault_close_unfixed(actor=world.a.manager, fault=fault, reason="设备更换")


def test_every_change_is_in_the_history(world):
    fault = report_fault(world.a)
    services.fault_start(actor=world.a.staff, fault=fault)
    services.fault_fix(actor=world.a.staff, fault=fault, note="好了")
    entries = history_for(fault)
    assert [e.action for e in entries] == [HistoryAction.UPDATE, HistoryAction.UPDATE, HistoryAction.CREATE]
    assert all(e.actor == world.a.staff for e in entries)
    with translation.override("en"):
        changed = {str(label) for label, _b, _a in entries[0].change_rows}
    assert {"state", "fixed at", "what was done"} <= changed


# --- Out of order --------------------------------------------------------------------------------


def test_out_of_order_while_open_or_in_progress_per_store(world, django_assert_max_num_queries):
    a1 = report_fault(world.a, facility=make_facility(world.a.store, name="电视"))
    a2 = report_fault(world.a, facility=make_facility(world.a.store, name="空调"))
    services.fault_start(actor=world.a.staff, fault=a2)
    a3 = report_fault(world.a, facility=make_facility(world.a.store, name="音响"))
    services.fault_fix(actor=world.a.staff, fault=a3, note="好了")
    report_fault(world.b)
    with django_assert_max_num_queries(1):
        broken = facilities_out_of_order([world.a.store.pk])
        assert {f.name: f.open_fault.pk for f in broken} == {"电视": a1.pk, "空调": a2.pk}
        assert broken[1].open_fault.promise.due_at is not None


def test_fault_list_puts_open_tickets_first_nearest_clock_first(world):
    with time_machine.travel(at("2026-03-10 10:00"), tick=False):
        early = report_fault(world.a, facility=make_facility(world.a.store, name="电视"))
        fixed = report_fault(world.a, facility=make_facility(world.a.store, name="音响"))
        services.fault_fix(actor=world.a.staff, fault=fixed, note="好了")
    with time_machine.travel(at("2026-03-10 12:00"), tick=False):
        late = report_fault(world.a, facility=make_facility(world.a.store, name="空调"))
    assert list(fault_list(world.a.staff)) == [early, late, fixed]
    assert list(fault_list(world.a.staff, open_only=True)) == [early, late]
    assert list(fault_list(world.a.staff, state=FaultState.FIXED)) == [fixed]
    assert list(fault_list(world.b.staff)) == []


# --- The register --------------------------------------------------------------------------------


def test_facility_names_are_unique_in_the_store(world):
    services.facility_save(actor=world.a.manager, store=world.a.store, name="咖啡机", kind=FacilityKind.COFFEE_MACHINE)
    with pytest.raises(ValidationError) as exc:
        services.facility_save(actor=world.a.manager, store=world.a.store, name=" 咖啡机 ", kind=FacilityKind.OTHER)
    assert exc.value.error_dict["name"][0].code == "duplicate"
    services.facility_save(actor=world.b.manager, store=world.b.store, name="咖啡机", kind=FacilityKind.OTHER)
    with pytest.raises(ValidationError) as exc:
        services.facility_save(actor=world.a.manager, store=world.a.store, name="", kind="toaster", location="x" * 51)
    assert set(exc.value.message_dict) == {"name", "kind", "location"}
    assert Facility.objects.filter(store=world.a.store).count() == 1


def test_a_facility_is_renamed_and_taken_out_of_use_with_history(world):
    facility = services.facility_save(actor=world.a.manager, store=world.a.store, name="电视", kind=FacilityKind.TV)
    facility = services.facility_save(
        actor=world.a.manager, store=world.a.store, facility=facility, name="大电视", kind=FacilityKind.TV, active=False
    )
    assert facility.name == "大电视" and facility.active is False
    entries = history_for(facility)
    assert [e.action for e in entries] == [HistoryAction.UPDATE, HistoryAction.CREATE]


def test_a_facility_with_an_open_fault_stays_in_use(world):
    fault = report_fault(world.a)
    with pytest.raises(ValidationError) as exc:
        services.facility_save(
            actor=world.a.manager, store=world.a.store, facility=fault.facility, name="咖啡机", active=False
        )
    assert exc.value.error_dict["active"][0].code == "open_fault"


def test_only_managers_keep_the_register(world):
    for actor in (world.a.staff, world.a.supervisor, world.a.auditor, world.b.manager):
        with pytest.raises(PermissionDenied):
            services.facility_save(actor=actor, store=world.a.store, name="电视")
        with pytest.raises(PermissionDenied):
            services.facility_defaults(store=world.a.store, actor=actor)


def test_the_usual_facilities_are_added_once(world):
    make_facility(world.a.store, name="咖啡机")
    added = services.facility_defaults(store=world.a.store)
    names = {f.name for f in added}
    assert {"电视", "音响", "饮水机", "空调", "Wi-Fi", "充电口"} <= names and "咖啡机" not in names
    assert services.facility_defaults(store=world.a.store, actor=world.a.manager) == []
    assert Facility.objects.filter(store=world.a.store).count() == len(services.DEFAULT_FACILITIES)
    assert not Facility.objects.filter(store=world.b.store).exists()


def test_reminder_and_escalation_reach_the_owner_then_above(world, lounge_member):
    """The clock is a normal promise: reminded at 80 %, escalated after the due time (S4.11 enforce)."""
    from promises.services import escalations_send_due, reminders_send_due

    with time_machine.travel(at("2026-03-10 09:00"), tick=False):
        fault = report_fault(world.a)
    with time_machine.travel(at("2026-03-10 16:00"), tick=False):
        assert reminders_send_due() == 1
    assert Notification.objects.filter(recipient=lounge_member, kind=NotificationKind.REMINDER).exists()
    with time_machine.travel(fault.promise.due_at + timedelta(minutes=1), tick=False):
        assert escalations_send_due() == 1
