"""Discipline record services (S1.D1a–c, S1.D3, S1.D4): recording, the person's answer, the store manager's
decision, drafts from attendance, the monthly thresholds — every transition and its refusals."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from conduct.choices import DisciplineKind, DisciplineSource, DisciplineState
from conduct.models import AttendanceDay, ConductSettings, DisciplineRecord
from conduct.selectors.records import (
    discipline_get_for_user,
    discipline_list,
    drafts_to_review,
    may_record,
    recordable_people,
)
from conduct.services import discipline as services
from core.audit import history_for
from org.choices import Role
from promises.choices import PromiseKind, PromiseState
from promises.models import Notification
from tests.clock import at
from tests.factories import make_user

NOW = "2026-11-24 10:00"  # a Tuesday


def record(world, *, actor=None, person=None, kind=DisciplineKind.PERSONAL_CALL, minutes=None, when=NOW, **extra):
    with time_machine.travel(at(when), tick=False):
        return services.discipline_record(
            actor=actor or world.a.supervisor,
            store=world.a.store,
            person=person or world.a.staff,
            kind=kind,
            minutes=minutes,
            description=extra.pop("description", "私人电话20分钟"),
            **extra,
        )


def draft(world, *, person=None, day=date(2026, 11, 23), kind=DisciplineKind.LATE, minutes=12):
    attendance = AttendanceDay.objects.create(store=world.a.store, person=person or world.a.staff, date=day)
    return services.discipline_draft(
        attendance_day=attendance, kind=kind, occurred_at=at(f"{day} 08:42"), minutes=minutes, description="迟到12分钟"
    )


# --- Recording -----------------------------------------------------------------------------------


def test_s1_d1b_a_supervisor_records_an_incident_and_the_person_is_told(world):
    r = record(world)
    assert r.state == DisciplineState.RECORDED and r.rule_id == "S1.D1b"
    assert r.recorded_by == world.a.supervisor and r.recorded_at == at(NOW)
    assert r.answer_by == at(NOW) + timedelta(days=3)  # ConductSettings.contest_days by default
    assert r.occurred_at == at(NOW) and r.source == DisciplineSource.MANUAL
    note = Notification.objects.get(recipient=world.a.staff)
    assert f"/conduct/records/{r.pk}/" == note.url
    assert [e.action for e in history_for(r)] == ["create"]


def test_s1_d1a_the_store_days_to_answer_are_used(world):
    ConductSettings.objects.create(store=world.a.store, contest_days=7)
    assert record(world).answer_by == at(NOW) + timedelta(days=7)


def test_s1_d1a_minutes_are_required_for_a_late_arrival(world):
    with pytest.raises(ValidationError) as exc:
        record(world, kind=DisciplineKind.LATE)
    assert "minutes" in exc.value.message_dict and "S1.D1a" in exc.value.message_dict["minutes"][0]
    assert not DisciplineRecord.objects.exists()


def test_s1_d1a_minutes_are_refused_for_other_kinds_and_out_of_range(world):
    with pytest.raises(ValidationError) as exc:
        record(world, kind=DisciplineKind.NOISE, minutes=5)
    assert "minutes" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        record(world, kind=DisciplineKind.EARLY_LEAVE, minutes=0)
    assert "minutes" in exc.value.message_dict
    assert record(world, kind=DisciplineKind.EARLY_LEAVE, minutes=30).minutes == 30


def test_bad_input_names_every_field_and_saves_nothing(world):
    with pytest.raises(ValidationError) as exc:
        record(world, kind="dancing", description="  ", occurred_at=at("2026-11-25 10:00"))
    assert {"kind", "description", "occurred_at"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        record(world, description="x" * 501)
    assert "description" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        record(world, source=DisciplineSource.ATTENDANCE)
    assert "source" in exc.value.message_dict
    assert not DisciplineRecord.objects.exists() and not Notification.objects.exists()


def test_a_bad_photo_is_refused_on_its_field(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as exc:
        record(world, photo=SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg"))
    assert "photo" in exc.value.message_dict


def test_who_may_record(world):
    """The person's supervisors, store managers and group admins; never the person, plain staff or auditors,
    a supervisor of another department, or anyone of another store."""
    other_sup = make_user("sup_lounge", role=Role.SUPERVISOR, store=world.a.store, department=world.a.lounge)
    lounge_staff = make_user("lounge_staff", role=Role.STAFF, store=world.a.store, department=world.a.lounge)
    staff, sup = world.a.staff, world.a.supervisor
    assert may_record(sup, staff) and may_record(world.a.manager, staff) and may_record(world.admin, staff)
    assert may_record(world.a.manager, sup) and not may_record(sup, world.a.manager)
    assert not may_record(staff, staff) and not may_record(lounge_staff, staff)
    assert not may_record(world.a.auditor, staff) and not may_record(other_sup, staff)
    assert not may_record(world.b.manager, staff) and not may_record(sup, lounge_staff)
    for actor in (staff, lounge_staff, world.a.auditor, other_sup, world.b.manager):
        with pytest.raises(PermissionDenied):
            record(world, actor=actor)
    with pytest.raises(PermissionDenied):
        record(world, actor=staff, person=lounge_staff)
    assert list(recordable_people(sup, world.a.store.pk)) == [staff]
    assert lounge_staff in recordable_people(world.a.manager, world.a.store.pk)


def test_a_person_of_another_store_cannot_be_recorded(world):
    with pytest.raises(ValidationError) as exc:
        record(world, actor=world.admin, person=world.b.staff)
    assert "person" in exc.value.message_dict


# --- The person's answer -------------------------------------------------------------------------


def test_the_person_acknowledges(world):
    r = record(world)
    with time_machine.travel(at("2026-11-24 11:00"), tick=False):
        r = services.discipline_acknowledge(actor=world.a.staff, record=r)
    assert r.state == DisciplineState.ACKNOWLEDGED and r.answered_at == at("2026-11-24 11:00")
    with pytest.raises(ValidationError):  # only once
        services.discipline_acknowledge(actor=world.a.staff, record=r)


def test_only_the_person_answers(world):
    r = record(world)
    for actor in (world.a.supervisor, world.a.manager, world.admin):
        with pytest.raises(PermissionDenied):
            services.discipline_acknowledge(actor=actor, record=r)
        with pytest.raises(PermissionDenied):
            services.discipline_contest(actor=actor, record=r, reason="不对")


def test_a_contest_makes_a_decision_promise_for_the_store_manager(world):
    r = record(world)
    with time_machine.travel(at("2026-11-24 15:00"), tick=False):
        r = services.discipline_contest(actor=world.a.staff, record=r, reason="当时在给客户回电")
    assert r.state == DisciplineState.CONTESTED and r.contest_reason == "当时在给客户回电"
    promise = r.promise
    assert promise.kind == PromiseKind.DISCIPLINE_DECISION and promise.owner == world.a.manager
    assert promise.due_at == at("2026-11-27 18:00")  # the close of the third business day
    assert Notification.objects.filter(recipient=world.a.manager, promise=promise).exists()


def test_a_contest_needs_a_reason(world):
    r = record(world)
    with pytest.raises(ValidationError) as exc:
        services.discipline_contest(actor=world.a.staff, record=r, reason="  ")
    assert "reason" in exc.value.message_dict
    r.refresh_from_db()
    assert r.state == DisciplineState.RECORDED and r.promise is None


def test_a_contest_after_the_answer_time_is_refused(world):
    r = record(world)
    with time_machine.travel(at("2026-11-27 10:01"), tick=False), pytest.raises(ValidationError) as exc:
        services.discipline_contest(actor=world.a.staff, record=r, reason="不对")
    assert exc.value.error_dict["reason"][0].code == "too_late"
    with time_machine.travel(at("2026-11-27 10:01"), tick=False):  # acknowledging late is still possible
        assert services.discipline_acknowledge(actor=world.a.staff, record=r).state == DisciplineState.ACKNOWLEDGED


# --- The decision --------------------------------------------------------------------------------


def _contested(world):
    r = record(world)
    with time_machine.travel(at("2026-11-24 15:00"), tick=False):
        return services.discipline_contest(actor=world.a.staff, record=r, reason="当时在给客户回电")


def test_the_store_manager_withdraws_with_a_reason_and_the_promise_is_kept(world):
    r = _contested(world)
    with time_machine.travel(at("2026-11-25 09:00"), tick=False):
        r = services.discipline_decide(
            actor=world.a.manager, record=r, outcome=DisciplineState.WITHDRAWN, reason="核实为客户回电"
        )
    assert r.state == DisciplineState.WITHDRAWN and r.decided_by == world.a.manager
    assert r.promise.state == PromiseState.KEPT
    assert DisciplineRecord.objects.filter(pk=r.pk, state=DisciplineState.WITHDRAWN).exists()  # kept, visible
    assert Notification.objects.filter(recipient=world.a.staff, title__contains="核实为客户回电").exists()


def test_a_group_admin_upholds(world):
    r = _contested(world)
    r = services.discipline_decide(actor=world.admin, record=r, outcome=DisciplineState.UPHELD, reason="有录音")
    assert r.state == DisciplineState.UPHELD


def test_a_decision_by_a_non_manager_is_refused(world):
    r = _contested(world)
    for actor in (world.a.supervisor, world.a.staff, world.a.auditor, world.b.manager):
        with pytest.raises(PermissionDenied):
            services.discipline_decide(actor=actor, record=r, outcome=DisciplineState.UPHELD, reason="x")


def test_a_decision_needs_an_outcome_a_reason_and_a_contested_record(world):
    r = _contested(world)
    with pytest.raises(ValidationError) as exc:
        services.discipline_decide(actor=world.a.manager, record=r, outcome=DisciplineState.UPHELD, reason="")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.discipline_decide(actor=world.a.manager, record=r, outcome=DisciplineState.DRAFT, reason="x")
    assert "outcome" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.discipline_decide(actor=world.a.manager, record=record(world), outcome="upheld", reason="x")


# --- Drafts from attendance ----------------------------------------------------------------------


def test_s1_d1a_a_draft_is_confirmed_and_counts_from_then(world):
    d = draft(world)
    assert d.state == DisciplineState.DRAFT and d.rule_id == "S1.D1a"
    assert list(drafts_to_review(world.a.supervisor)) == [d]
    assert list(drafts_to_review(world.a.staff)) == []
    with time_machine.travel(at(NOW), tick=False):
        d = services.discipline_confirm(actor=world.a.supervisor, record=d)
    assert d.state == DisciplineState.RECORDED and d.recorded_by == world.a.supervisor
    assert d.answer_by == at(NOW) + timedelta(days=3)
    assert Notification.objects.filter(recipient=world.a.staff).exists()
    with pytest.raises(ValidationError):
        services.discipline_confirm(actor=world.a.supervisor, record=d)


def test_s1_d1a_a_draft_is_dismissed_with_a_reason_and_stays_visible(world):
    d = draft(world)
    with pytest.raises(ValidationError) as exc:
        services.discipline_dismiss(actor=world.a.manager, record=d, reason="")
    assert "reason" in exc.value.message_dict
    d = services.discipline_dismiss(actor=world.a.manager, record=d, reason="调班")
    assert d.state == DisciplineState.DISMISSED and d.decision_reason == "调班"
    assert d in discipline_list(world.a.staff)
    assert not Notification.objects.exists()


def test_drafts_are_reviewed_only_by_supervisors_and_managers(world):
    d = draft(world)
    for actor in (world.a.staff, world.a.auditor, world.b.manager):
        with pytest.raises(PermissionDenied):
            services.discipline_confirm(actor=actor, record=d)
        with pytest.raises(PermissionDenied):
            services.discipline_dismiss(actor=actor, record=d, reason="x")


def test_the_same_attendance_day_makes_one_draft(world):
    d = draft(world)
    again = services.discipline_draft(
        attendance_day=d.attendance_day, kind=DisciplineKind.LATE, occurred_at=d.occurred_at, minutes=3, description=""
    )
    assert again is None and DisciplineRecord.objects.count() == 1


# --- Who sees a record ---------------------------------------------------------------------------


def test_a_colleague_cannot_see_a_record(world):
    """The person, their supervisor, managers, auditors and group admins see it; a colleague or a supervisor of
    another department, and anyone of another store, get a 404."""
    r = record(world)
    colleague = make_user("colleague", role=Role.STAFF, store=world.a.store, department=world.a.cs)
    other_sup = make_user("sup_lounge", role=Role.SUPERVISOR, store=world.a.store, department=world.a.lounge)
    for reader in (world.a.staff, world.a.supervisor, world.a.manager, world.a.auditor, world.admin):
        assert discipline_get_for_user(reader, r.pk) == r
    for stranger in (colleague, other_sup, world.b.manager, world.b.staff):
        with pytest.raises(Http404):
            discipline_get_for_user(stranger, r.pk)
        assert r not in discipline_list(stranger)


# --- Thresholds ----------------------------------------------------------------------------------


def test_s1_d1a_the_late_threshold_notifies_the_managers_once_a_month(world):
    ConductSettings.objects.create(store=world.a.store, late_per_month=3, records_per_month=10)

    def late(day):
        return record(world, kind=DisciplineKind.LATE, minutes=10, when=f"2026-11-{day:02d} 09:00")

    def told():
        return Notification.objects.filter(recipient=world.a.manager, url__contains="kind=late").count()

    late(2)
    late(3)
    assert told() == 0
    late(4)
    assert told() == 1
    late(5)
    late(6)
    assert told() == 1  # not again for the 4th, 5th … in the same month
    record(world, kind=DisciplineKind.LATE, minutes=10, when="2026-12-01 09:00", occurred_at=at("2026-11-30 09:00"))
    assert told() == 1
    for day in ("01", "02", "03"):
        record(world, kind=DisciplineKind.LATE, minutes=10, when=f"2026-12-{day} 09:30")
    assert told() == 2  # a new month


def test_the_records_threshold_counts_only_counted_records(world):
    ConductSettings.objects.create(store=world.a.store, records_per_month=2)
    first = record(world)
    services.discipline_dismiss(actor=world.a.manager, record=draft(world), reason="调班")
    assert not Notification.objects.filter(recipient=world.a.manager).exists()
    record(world, kind=DisciplineKind.NOISE, when="2026-11-24 11:00")
    assert (
        Notification.objects.filter(recipient=world.a.manager, url__contains=f"person={first.person_id}").count() == 1
    )
