"""Doing a round: the snapshot, answers, measured limits, photos, the score, corrective actions (S4.6–S4.10)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from checks.choices import ActionState, ItemKind, RoundState
from checks.models import CorrectiveAction, Round, RoundResult
from checks.services import actions, rounds, templates
from checks.services.rounds import Answer
from promises.choices import PromiseState
from tests.clock import at

from .helpers import answers_all_pass, done_round, lounge, png_upload


def _scheduled_round(world, now="2026-11-30 10:31"):
    """The lounge's round of the 10:30 slot (due 11:00) on a Monday, made by the worker."""
    _template, area = lounge(world.a)
    rounds.rounds_schedule(now=at(now))
    return Round.objects.get(area=area)


def _result(round, position) -> RoundResult:
    return round.results.get(position=position)


def test_start_copies_the_template_items_into_the_round(world):
    round = _scheduled_round(world)
    template = round.template
    round = rounds.round_start(actor=world.a.staff, round=round, now=at("2026-11-30 10:35"))
    results = list(round.results.order_by("position"))
    items = list(template.items.order_by("position"))
    assert round.started_at == at("2026-11-30 10:35") and round.item_count == len(items)
    assert [(r.text, r.rule_id, r.kind, r.max_value, r.photo_on_fail) for r in results] == [
        (i.text, i.rule_id, i.kind, i.max_value, i.photo_on_fail) for i in items
    ]
    # starting twice changes nothing
    again = rounds.round_start(actor=world.a.staff, round=round)
    assert again.started_at == at("2026-11-30 10:35") and again.results.count() == len(items)


def test_editing_the_template_never_changes_a_past_round(world):
    """A round done, then the ashtray limit and wording changed: the round keeps what it checked (S4.7)."""
    round = done_round(world.a, butts="3")
    ashtray = round.template.items.get(kind=ItemKind.MEASURED)
    templates.template_item_edit(
        actor=world.a.manager,
        item=ashtray,
        text="烟灰缸内烟头数(不超过 5 个)",
        rule_id="S4.7",
        kind=ItemKind.MEASURED,
        max_value=Decimal("5"),
        unit="个",
    )
    templates.template_item_remove(actor=world.a.manager, item=round.template.items.order_by("position").first())
    round.refresh_from_db()
    result = _result(round, 5)
    assert result.text == "烟灰缸内烟头数(不超过 2 个)" and result.max_value == 2 and result.passed is False
    assert round.results.count() == 13 and round.score == Decimal("92.3")


def test_all_passed_scores_100_on_time_and_keeps_the_promise(world):
    round = _scheduled_round(world)
    round = rounds.round_start(actor=world.a.staff, round=round, now=at("2026-11-30 10:40"))
    round = rounds.round_submit(
        actor=world.a.staff, round=round, answers=answers_all_pass(round), now=at("2026-11-30 10:50")
    )
    assert round.state == RoundState.DONE and round.score == 100 and round.failed_count == 0
    assert round.on_time is True and round.submitted_by == world.a.staff
    round.promise.refresh_from_db()
    assert round.promise.state == PromiseState.KEPT
    assert not CorrectiveAction.objects.exists()


def test_late_round_is_not_on_time(world):
    round = _scheduled_round(world)
    rounds.round_start(actor=world.a.staff, round=round, now=at("2026-11-30 11:10"))
    round = rounds.round_submit(
        actor=world.a.staff, round=round, answers=answers_all_pass(round), now=at("2026-11-30 11:15")
    )
    assert round.on_time is False
    round.promise.refresh_from_db()
    assert round.promise.state == PromiseState.LATE


@pytest.mark.parametrize(
    ("value", "passed"),
    [("0", True), ("2", True), ("2.5", False), ("3", False)],
)
def test_measured_value_fails_outside_the_limit(world, value, passed):
    """S4.7: the ashtray never holds more than two butts; 3 fails whatever was ticked."""
    _template, area = lounge(world.a)
    round = rounds.round_start_adhoc(actor=world.a.supervisor, area=area)
    answers = answers_all_pass(round, p5=Answer(value=Decimal(value), passed=True, photo=png_upload()))
    round = rounds.round_submit(actor=world.a.supervisor, round=round, answers=answers)
    assert _result(round, 5).passed is passed
    assert round.failed_count == (0 if passed else 1)


def test_lower_limit_fails_below_it(world):
    template = templates.template_create(actor=world.a.manager, store=world.a.store, name="温度")
    templates.template_item_add(
        actor=world.a.manager,
        template=template,
        text="室温",
        rule_id="S4.8",
        kind=ItemKind.MEASURED,
        min_value=Decimal("18"),
        max_value=Decimal("26"),
        unit="℃",
        photo_on_fail=False,
    )
    area = templates.area_create(
        actor=world.a.manager, store=world.a.store, name="大厅", template=template, department=world.a.lounge
    )
    for value, passed in (("17.5", False), ("18", True), ("26", True), ("26.1", False)):
        round = rounds.round_start_adhoc(actor=world.a.manager, area=area)
        result = round.results.get()
        round = rounds.round_submit(
            actor=world.a.manager, round=round, answers={result.pk: Answer(value=Decimal(value))}
        )
        assert round.results.get().passed is passed, value


def test_failed_item_with_the_photo_rule_needs_a_photo_and_nothing_is_saved(world):
    _template, area = lounge(world.a)
    round = rounds.round_start_adhoc(actor=world.a.supervisor, area=area)
    sofa = _result(round, 1)
    answers = answers_all_pass(round, p1=Answer(passed=False, comment="有褶皱"))
    with pytest.raises(ValidationError) as exc:
        rounds.round_submit(actor=world.a.supervisor, round=round, answers=answers)
    assert [e.code for e in exc.value.error_dict[f"results.{sofa.pk}.photo"]] == ["photo_required"]
    round.refresh_from_db()
    assert round.state == RoundState.OPEN and round.score is None
    assert not round.results.filter(passed__isnull=False).exists() and not CorrectiveAction.objects.exists()
    # the remote control item has no photo rule: it fails without one
    remote = round.results.get(photo_on_fail=False, position=7)
    round = rounds.round_submit(
        actor=world.a.supervisor, round=round, answers=answers_all_pass(round, p7=Answer(passed=False))
    )
    assert round.results.get(pk=remote.pk).passed is False and round.failed_count == 1


def test_every_item_must_be_answered(world):
    _template, area = lounge(world.a)
    round = rounds.round_start_adhoc(actor=world.a.supervisor, area=area)
    answers = answers_all_pass(round)
    sofa, ashtray = _result(round, 1), _result(round, 5)
    del answers[sofa.pk], answers[ashtray.pk]
    with pytest.raises(ValidationError) as exc:
        rounds.round_submit(actor=world.a.supervisor, round=round, answers=answers)
    assert set(exc.value.error_dict) == {f"results.{sofa.pk}.passed", f"results.{ashtray.pk}.value"}
    with pytest.raises(ValidationError) as exc:
        rounds.round_submit(actor=world.a.supervisor, round=round, answers=answers_all_pass(round) | {999999: Answer()})
    assert "results" in exc.value.error_dict


def test_bad_photos_are_refused(world, monkeypatch):
    _template, area = lounge(world.a)
    round = rounds.round_start_adhoc(actor=world.a.supervisor, area=area)
    sofa = _result(round, 1)
    not_image = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        rounds.round_submit(
            actor=world.a.supervisor,
            round=round,
            answers=answers_all_pass(round, p1=Answer(passed=False, photo=not_image)),
        )
    assert [e.code for e in exc.value.error_dict[f"results.{sofa.pk}.photo"]] == ["photo_format"]
    monkeypatch.setattr("core.images.PHOTO_MAX_BYTES", 100)
    with pytest.raises(ValidationError) as exc:
        rounds.round_submit(
            actor=world.a.supervisor,
            round=round,
            answers=answers_all_pass(round, p1=Answer(passed=False, photo=png_upload())),
        )
    assert [e.code for e in exc.value.error_dict[f"results.{sofa.pk}.photo"]] == ["photo_too_large"]


def test_failed_item_becomes_a_corrective_action_for_the_lounge_desk_with_a_clock(world):
    """A failed S4.7 item: the lounge desk owns the corrective action, due in two business hours."""
    with time_machine.travel(at("2026-11-30 10:00"), tick=False):
        round = done_round(world.a, butts="4")
    action = CorrectiveAction.objects.get()
    assert round.score == Decimal("92.3") and round.failed_count == 1 and round.on_time is None  # extra round
    assert action.result == _result(round, 5) and action.state == ActionState.OPEN
    assert action.owner is None and action.owner_department == world.a.lounge
    assert "4个" in action.description and "烟头未清" in action.description
    promise = action.promise
    assert (promise.kind, promise.rule_id, promise.owner_department) == ("check_correction", "S4.7", world.a.lounge)
    assert promise.due_at == at("2026-11-30 12:00") and promise.state == PromiseState.OPEN
    assert _result(round, 5).photo.name.endswith(".jpg")


def test_a_chosen_person_owns_the_corrective_actions(world):
    _template, area = lounge(world.a)
    round = rounds.round_start_adhoc(actor=world.a.supervisor, area=area)
    answers = answers_all_pass(round, p7=Answer(passed=False))
    with pytest.raises(ValidationError) as exc:
        rounds.round_submit(actor=world.a.supervisor, round=round, answers=answers, action_owner=world.b.staff)
    assert "action_owner" in exc.value.error_dict
    rounds.round_submit(actor=world.a.supervisor, round=round, answers=answers, action_owner=world.a.staff)
    action = CorrectiveAction.objects.get()
    assert action.owner == world.a.staff and action.owner_department is None
    assert action.promise.owner == world.a.staff
    assert world.a.staff.notifications.filter(promise=action.promise).exists()


def test_closing_a_corrective_action_keeps_its_promise(world):
    with time_machine.travel(at("2026-11-30 10:00"), tick=False):
        done_round(world.a)
    action = CorrectiveAction.objects.get()
    with pytest.raises(ValidationError) as exc:
        actions.action_close(actor=world.a.staff, action=action, note="  ")
    assert "note" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        actions.action_close(
            actor=world.a.staff, action=action, note="已清理", photo=SimpleUploadedFile("a.png", b"GIF89a-broken")
        )
    assert "photo" in exc.value.error_dict
    with pytest.raises(PermissionDenied):
        actions.action_close(actor=world.a.auditor, action=action, note="已清理")
    action = actions.action_close(
        actor=world.a.staff, action=action, note="已清空烟灰缸", photo=png_upload(), now=at("2026-11-30 10:20")
    )
    assert action.state == ActionState.DONE and action.done_by == world.a.staff and action.photo
    action.promise.refresh_from_db()
    assert action.promise.state == PromiseState.KEPT
    with pytest.raises(ValidationError):
        actions.action_close(actor=world.a.staff, action=action, note="再次")


def test_extra_rounds_are_for_supervisors_and_managers(world):
    _template, area = lounge(world.a)
    for person in (world.a.staff, world.a.auditor, world.b.manager):
        with pytest.raises(PermissionDenied):
            rounds.round_start_adhoc(actor=person, area=area)
    round = rounds.round_start_adhoc(actor=world.a.manager, area=area)
    assert round.scheduled_for is None and round.promise is None and round.started_at is not None


def test_auditors_do_not_do_rounds_and_missed_rounds_are_closed(world):
    round = _scheduled_round(world)
    with pytest.raises(PermissionDenied):
        rounds.round_start(actor=world.a.auditor, round=round)
    with pytest.raises(PermissionDenied):
        rounds.round_start(actor=world.b.staff, round=round)
    rounds.round_start(actor=world.a.staff, round=round, now=at("2026-11-30 10:40"))
    with pytest.raises(PermissionDenied):
        rounds.round_submit(actor=world.a.auditor, round=round, answers=answers_all_pass(round))
    Round.objects.filter(pk=round.pk).update(state=RoundState.MISSED)
    with pytest.raises(ValidationError):
        rounds.round_submit(actor=world.a.staff, round=round, answers=answers_all_pass(round))


def test_submitting_before_starting_is_refused(world):
    round = _scheduled_round(world)
    with pytest.raises(ValidationError) as exc:
        rounds.round_submit(actor=world.a.staff, round=round, answers={})
    assert exc.value.code == "not_started"


def test_photo_uploaded_before_submitting_counts_for_the_photo_rule(world):
    _template, area = lounge(world.a)
    round = rounds.round_start_adhoc(actor=world.a.supervisor, area=area)
    sofa = _result(round, 1)
    rounds.result_photo_set(actor=world.a.supervisor, result=sofa, photo=png_upload())
    round = rounds.round_submit(
        actor=world.a.supervisor, round=round, answers=answers_all_pass(round, p1=Answer(passed=False))
    )
    assert round.failed_count == 1
    with pytest.raises(ValidationError):  # the round is done: no more photos
        rounds.result_photo_set(actor=world.a.supervisor, result=sofa, photo=png_upload())


def test_template_without_items_cannot_start(world):
    template = templates.template_create(actor=world.a.manager, store=world.a.store, name="空")
    area = templates.area_create(
        actor=world.a.manager, store=world.a.store, name="空区", template=template, department=world.a.lounge
    )
    with pytest.raises(ValidationError) as exc:
        rounds.round_start_adhoc(actor=world.a.manager, area=area)
    assert exc.value.code == "no_items"
    assert not Round.objects.exists()


def test_score_is_passed_over_answered(world):
    _template, area = lounge(world.a)
    round = rounds.round_start_adhoc(actor=world.a.supervisor, area=area)
    answers = answers_all_pass(round, p7=Answer(passed=False), p11=Answer(passed=False), p2=Answer(passed=True))
    round = rounds.round_submit(actor=world.a.supervisor, round=round, answers=answers)
    assert (round.item_count, round.failed_count, round.score) == (13, 2, Decimal("84.6"))
    assert CorrectiveAction.objects.count() == 2
    assert round.submitted_at - round.started_at < timedelta(minutes=1)
