"""Checks of people on the checklist engine: the morning grooming check (S6.1–S6.4) and desk checks (S1.D3).

The test stores open 08:30–18:00 every day; the customer-service department has the supervisor and two staff
(客服甲, 客服乙) in these tests.
"""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from checks.choices import ActionState, RoundState
from checks.models import CheckSettings, CorrectiveAction, Round, RoundResult, RoundSubject
from checks.services import actions, people, rounds
from promises.choices import PromiseKind, PromiseState
from promises.models import Notification
from tests.clock import at

from .helpers import grooming, png_upload, rest_day

MONDAY = "2026-11-30"


def _started(world, *, now=f"{MONDAY} 08:10", **kwargs):
    area, made = grooming(world.a, **kwargs)
    rounds.rounds_schedule(now=at(now))
    round = Round.objects.get(area=area)
    return rounds.round_start(actor=world.a.supervisor, round=round, now=at(now)), made


def _subject(round, person) -> RoundSubject:
    return RoundSubject.objects.get(round=round, person=person)


def _items(round, person) -> list[RoundResult]:
    return list(round.results.filter(subject=person).order_by("position"))


def test_s6_subjects_from_the_roster_absent_marked_with_the_reason(world):
    """S6.1–S6.4: the department's people on duty are listed with their own items; one on leave is absent."""
    area, made = grooming(world.a)
    rest_day(world.a, made[1], date(2026, 11, 30), kind="leave")
    rounds.rounds_schedule(now=at(f"{MONDAY} 08:05"))
    round = rounds.round_start(actor=world.a.supervisor, round=Round.objects.get(area=area), now=at(f"{MONDAY} 08:06"))
    subjects = {s.person_id: s for s in round.subjects.all()}
    assert set(subjects) == {world.a.supervisor.pk, made[0].pk, made[1].pk}
    assert subjects[made[1].pk].absent and subjects[made[1].pk].absence == people.absence_text("leave") == "请假"
    assert not subjects[made[0].pk].absent
    assert [r.rule_id for r in _items(round, made[0])] == ["S6.1", "S6.2", "S6.3", "S6.4"]
    assert _items(round, made[1]) == []
    assert round.item_count == 8  # two present people × four items


def test_s6_all_pass_is_one_tap_and_a_fail_needs_a_photo_or_a_note(world):
    round, made = _started(world)
    people.subject_all_pass(actor=world.a.supervisor, round=round, subject=_subject(round, made[0]))
    assert all(r.passed for r in _items(round, made[0]))
    items = _items(round, made[1])
    answers = {r.pk: rounds.Answer(passed=True) for r in items}
    answers[items[1].pk] = rounds.Answer(passed=False)
    with pytest.raises(ValidationError) as caught:
        people.subject_answer(actor=world.a.supervisor, round=round, subject=_subject(round, made[1]), answers=answers)
    key = f"results.{items[1].pk}.comment"
    assert key in caught.value.error_dict and "S6.2" in caught.value.error_dict[key][0].message % (
        caught.value.error_dict[key][0].params
    )
    assert _subject(round, made[1]).checked_at is None  # nothing half-saved
    answers[items[1].pk] = rounds.Answer(passed=False, comment="头发过耳")
    subject = people.subject_answer(
        actor=world.a.supervisor, round=round, subject=_subject(round, made[1]), answers=answers
    )
    assert subject.failed_count == 1 and subject.checked_at is not None
    answers[items[1].pk] = rounds.Answer(passed=False, photo=png_upload())  # a photo alone is enough too
    people.subject_answer(actor=world.a.supervisor, round=round, subject=_subject(round, made[1]), answers=answers)
    assert RoundResult.objects.get(pk=items[1].pk).photo


def test_s6_every_item_must_be_answered(world):
    round, made = _started(world)
    items = _items(round, made[0])
    with pytest.raises(ValidationError) as caught:
        people.subject_answer(
            actor=world.a.supervisor,
            round=round,
            subject=_subject(round, made[0]),
            answers={items[0].pk: rounds.Answer(passed=True)},
        )
    assert f"results.{items[1].pk}.passed" in caught.value.error_dict


def test_s6_submitted_only_when_every_present_person_is_checked(world):
    round, made = _started(world)
    people.subject_all_pass(actor=world.a.supervisor, round=round, subject=_subject(round, made[0]))
    with pytest.raises(ValidationError) as caught:
        rounds.round_submit(actor=world.a.supervisor, round=round, answers={}, now=at(f"{MONDAY} 08:40"))
    keys = set(caught.value.error_dict)
    assert keys == {f"subjects.{_subject(round, made[1]).pk}", f"subjects.{_subject(round, world.a.supervisor).pk}"}
    people.subject_absent(
        actor=world.a.supervisor, round=round, subject=_subject(round, world.a.supervisor), reason="外出"
    )
    people.subject_all_pass(actor=world.a.supervisor, round=round, subject=_subject(round, made[1]))
    round = rounds.round_submit(actor=world.a.supervisor, round=round, answers={}, now=at(f"{MONDAY} 08:45"))
    assert round.state == RoundState.DONE and round.score == 100 and round.item_count == 8 and round.on_time
    round.promise.refresh_from_db()
    assert round.promise.kind == PromiseKind.GROOMING_CHECK and round.promise.state == PromiseState.KEPT


def test_s6_mark_absent_needs_a_reason_and_a_person_can_be_added_back(world):
    round, made = _started(world)
    subject = _subject(round, made[0])
    with pytest.raises(ValidationError) as caught:
        people.subject_absent(actor=world.a.supervisor, round=round, subject=subject, reason="  ")
    assert "reason" in caught.value.error_dict
    people.subject_absent(actor=world.a.supervisor, round=round, subject=subject, reason="病假")
    round.refresh_from_db()
    assert round.item_count == 8 and _items(round, made[0]) == []
    people.subject_add(actor=world.a.supervisor, round=round, person=made[0])
    round.refresh_from_db()
    assert round.item_count == 12 and len(_items(round, made[0])) == 4 and not _subject(round, made[0]).absent


def test_s6_adding_a_person_of_the_store_on_duty_but_not_one_on_leave_or_of_another_store(world):
    round, _made = _started(world)
    people.subject_add(actor=world.a.supervisor, round=round, person=world.a.staff)  # the lounge desk, on duty
    assert len(_items(round, world.a.staff)) == 4
    with pytest.raises(ValidationError) as caught:
        people.subject_add(actor=world.a.supervisor, round=round, person=world.a.staff)
    assert caught.value.error_dict["person"][0].code == "duplicate"
    with pytest.raises(ValidationError) as caught:
        people.subject_add(actor=world.a.supervisor, round=round, person=world.b.staff)
    assert "person" in caught.value.error_dict
    rest_day(world.a, world.a.manager, date(2026, 11, 30), kind="rest")
    with pytest.raises(ValidationError) as caught:
        people.subject_add(actor=world.a.supervisor, round=round, person=world.a.manager)
    assert caught.value.error_dict["person"][0].code == "not_on_duty"


def test_s6_failed_items_become_corrections_owned_by_the_person_with_the_store_clock(world):
    """S6.1: a failed item is a GROOMING_CORRECTION owned by the person, due in correction_minutes business minutes;
    the checker confirms it with a tap and the promise is kept."""
    CheckSettings.objects.create(store=world.a.store, correction_minutes=20)
    round, made = _started(world)
    for person in (world.a.supervisor, made[1]):
        people.subject_all_pass(actor=world.a.supervisor, round=round, subject=_subject(round, person))
    items = _items(round, made[0])
    answers = {r.pk: rounds.Answer(passed=True) for r in items}
    answers[items[3].pk] = rounds.Answer(passed=False, comment="未戴工牌")
    people.subject_answer(actor=world.a.supervisor, round=round, subject=_subject(round, made[0]), answers=answers)
    round = rounds.round_submit(actor=world.a.supervisor, round=round, answers={}, now=at(f"{MONDAY} 08:40"))
    assert round.failed_count == 1 and float(round.score) == pytest.approx(91.7)
    action = CorrectiveAction.objects.get()
    assert action.owner == made[0] and action.owner_department is None
    assert action.promise.kind == PromiseKind.GROOMING_CORRECTION and action.promise.owner == made[0]
    assert action.promise.due_at == at(f"{MONDAY} 09:00")  # submitted 08:40 + 20 business minutes
    assert action.promise.rule_id == "S6.4"
    assert not actions.may_confirm_correction(made[0], action)  # not the person themself
    assert not actions.may_confirm_correction(made[1], action)  # nor a colleague
    with pytest.raises(PermissionDenied):
        actions.correction_confirm(actor=made[0], action=action)
    action = actions.correction_confirm(
        actor=world.a.supervisor, action=action, photo=png_upload(), now=at(f"{MONDAY} 08:45")
    )
    assert action.state == ActionState.DONE and action.photo and action.done_by == world.a.supervisor
    action.promise.refresh_from_db()
    assert action.promise.state == PromiseState.KEPT
    with pytest.raises(ValidationError):
        actions.correction_confirm(actor=world.a.manager, action=action)


def test_s6_a_manager_confirms_a_correction_late_and_the_clock_says_so(world):
    round, made = _started(world)
    for person in (world.a.supervisor, made[1]):
        people.subject_all_pass(actor=world.a.supervisor, round=round, subject=_subject(round, person))
    items = _items(round, made[0])
    answers = {r.pk: rounds.Answer(passed=r.position != items[0].position, comment="皮鞋不是深色") for r in items}
    people.subject_answer(actor=world.a.supervisor, round=round, subject=_subject(round, made[0]), answers=answers)
    rounds.round_submit(actor=world.a.supervisor, round=round, answers={}, now=at(f"{MONDAY} 08:40"))
    action = CorrectiveAction.objects.get()
    action = actions.correction_confirm(actor=world.a.manager, action=action, now=at(f"{MONDAY} 10:00"))
    action.promise.refresh_from_db()
    assert action.promise.state == PromiseState.LATE


def _fail_once(world, area, person, day, text_position=1):
    rounds.rounds_schedule(now=at(f"{day} 08:05"))
    round = rounds.round_start(
        actor=world.a.supervisor, round=Round.objects.get(area=area, state=RoundState.OPEN), now=at(f"{day} 08:06")
    )
    for subject in round.subjects.filter(absent=False):
        items = _items(round, subject.person)
        answers = {r.pk: rounds.Answer(passed=True) for r in items}
        if subject.person_id == person.pk:
            answers[items[text_position - 1].pk] = rounds.Answer(passed=False, comment="工装有褶皱")
        people.subject_answer(actor=world.a.supervisor, round=round, subject=subject, answers=answers)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda fn, *a, **k: fn())
        rounds.round_submit(actor=world.a.supervisor, round=round, answers={}, now=at(f"{day} 08:40"))


def test_s6_repeated_failure_of_the_same_item_notifies_the_managers_once(world):
    """S6.1: the same item failed 3 times within 30 days by one person is flagged to the store manager once."""
    area, made = grooming(world.a)
    flagged = Notification.objects.filter(recipient=world.a.manager, kind="info", title__contains=made[0].name)
    for day in ("2026-11-02", "2026-11-10"):
        _fail_once(world, area, made[0], day)
    assert not flagged.exists()
    _fail_once(world, area, made[0], "2026-11-20")
    assert flagged.count() == 1 and made[0].name in flagged.get().title
    _fail_once(world, area, made[0], "2026-11-24")  # the streak goes on: not flagged again
    assert flagged.count() == 1
    assert not Notification.objects.filter(recipient=world.b.manager, kind="info").exists()


def test_s6_repeated_failure_counts_only_within_the_window(world):
    area, made = grooming(world.a)
    for day in ("2026-09-01", "2026-11-10", "2026-11-20"):
        _fail_once(world, area, made[0], day)
    assert not Notification.objects.filter(kind="info", title__contains=made[0].name).exists()


def test_s6_the_template_is_data_items_edited_later_do_not_change_a_started_round(world):
    from checks.services.templates import template_item_edit

    round, made = _started(world)
    item = round.area.template.items.get(rule_id="S6.2")
    template_item_edit(actor=world.a.manager, item=item, text="头发整洁，无夸张发型", rule_id="S6.2", kind="pass_fail")
    assert _items(round, made[0])[1].text == "男士头发不过耳、不留鬓角；女士头发不披散"


def test_s1_d3_desk_check_per_place_and_per_person(world):
    """S1.D3: the desk template checks a desk (a place) or each person, scheduled weekly or ad hoc."""
    from checks.models import Area
    from checks.services.defaults import template_standard

    template = template_standard(world.a.store, kind="desk")
    assert template_standard(world.a.store, kind="desk") == template  # made once
    assert set(template.items.values_list("rule_id", flat=True)) == {"S1.D3"}
    desk = Area.objects.create(store=world.a.store, name="前台", template=template, department=world.a.cs)
    round = rounds.round_start_adhoc(actor=world.a.supervisor, area=desk, now=at(f"{MONDAY} 10:00"))
    assert not round.subjects.exists() and round.results.filter(subject__isnull=True).count() == 4
    desk.checks_people = True
    desk.save(update_fields=["checks_people"])
    round = rounds.round_start_adhoc(actor=world.a.supervisor, area=desk, now=at(f"{MONDAY} 10:05"))
    assert round.subjects.count() == 1 and round.results.filter(subject=world.a.supervisor).count() == 4


def test_s6_only_the_departments_checkers_start_answer_and_submit_a_check_of_people(world):
    """S6: the department's supervisor (or whom the store names by giving them the department to supervise) and
    the managers check people — never the people being checked, nor a supervisor of another department."""
    from org.choices import Role
    from tests.factories import make_user

    area, made = grooming(world.a)
    rounds.rounds_schedule(now=at(f"{MONDAY} 08:05"))
    round = Round.objects.get(area=area)
    lounge_supervisor = make_user(
        "a-lounge-sup", role=Role.SUPERVISOR, store=world.a.store, department=world.a.lounge, name="休息室主管"
    )
    refused = [made[0], world.a.staff, lounge_supervisor, world.a.auditor, world.b.manager]
    for who in refused:
        assert not rounds.may_do_round(who, round), who
        assert not rounds.may_start_extra(who, area), who
        with pytest.raises(PermissionDenied):
            rounds.round_start(actor=who, round=round, now=at(f"{MONDAY} 08:06"))
        with pytest.raises(PermissionDenied):
            rounds.round_start_adhoc(actor=who, area=area, now=at(f"{MONDAY} 08:06"))
    assert Round.objects.get(pk=round.pk).started_at is None  # nothing started by those refused

    round = rounds.round_start(actor=world.a.manager, round=round, now=at(f"{MONDAY} 08:06"))
    with pytest.raises(PermissionDenied):  # answering and submitting are refused alike
        people.subject_all_pass(actor=made[0], round=round, subject=_subject(round, made[0]))
    with pytest.raises(PermissionDenied):
        rounds.round_submit(actor=made[0], round=round, answers={})
    assert _subject(round, made[0]).checked_at is None

    # The store names a checker: a staff member given the department to supervise on their account.
    made[1].supervised_departments.add(world.a.cs)
    made[1] = type(made[1]).objects.get(pk=made[1].pk)  # a fresh object: the supervised departments are cached
    assert rounds.may_do_round(made[1], round) and rounds.may_start_extra(made[1], area)
    subject = people.subject_all_pass(actor=made[1], round=round, subject=_subject(round, made[0]))
    assert subject.checked_at is not None


def test_s4_a_round_of_a_place_stays_everyday_work_of_the_store(world):
    """A round of a place (S4.6–S4.10) is still done by anyone who works in the store; an extra one by a
    supervisor or manager only."""
    from .helpers import lounge

    _template, area = lounge(world.a)
    rounds.rounds_schedule(now=at(f"{MONDAY} 10:31"))
    round = Round.objects.filter(area=area).first()
    assert rounds.may_do_round(world.a.staff, round)
    assert not rounds.may_start_extra(world.a.staff, area) and rounds.may_start_extra(world.a.supervisor, area)
    assert not rounds.may_do_round(world.b.staff, round)
