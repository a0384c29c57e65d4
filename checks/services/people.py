"""Checks of people: the morning grooming check (S6.1–S6.4, 班前检查) and desk checks per person (S1.D3).

A round of an area that `checks_people` lists the department's people from the roster when it starts
(org.selectors.on_duty): those not working that day are marked absent with the reason and not checked;
each present person gets their own copy of the template's items (RoundResult.subject). The checker
answers one person at a time (all pass is one tap; a failed item needs a photo or a note); the round
is submitted when every present person is checked. Each failed item becomes a correction owned by
the person checked, due in CheckSettings.correction_minutes business minutes, confirmed by the checker
(checks.services.actions.correction_confirm). The same item failed repeatedly by one person is flagged
to the store managers once per streak. Photos of people are personal data: purged after the store's
retention period by the worker's `purge_people_photos` job.
"""

from collections import Counter
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import history_record, snapshot
from core.images import photo_clean
from core.models import HistoryAction
from core.validators import field_error
from org.access import deny_unless, store_ids
from org.choices import Role, RosterKind
from org.models import Store, User
from org.selectors import on_duty, store_managers, work_days
from promises.choices import NotificationKind, PromiseKind, PromiseState
from promises.services import notification_send, promise_keep

from ..choices import ItemKind, Purpose, RoundState
from ..links import round_url
from ..models import ChecklistTemplate, CorrectiveAction, Round, RoundResult, RoundSubject, check_settings
from .actions import action_open
from .rounds import ROUND_FIELDS, Answer, _locked_round, may_do_round, measured_passes

SUBJECT_FIELDS = ["absent", "absence", "checked_at", "failed_count"]
CHECKER_ROLES = (Role.GROUP_ADMIN, Role.STORE_MANAGER, Role.SUPERVISOR, Role.STAFF)


def absence_text(kind: str) -> str:
    """Why a person is not checked, from their roster day (S6: absent people are marked, not checked)."""
    return {
        RosterKind.REST: _("Rest day"),
        RosterKind.LEAVE: _("On leave"),
        "closed": _("Store closed"),
    }.get(kind, _("Not on duty"))


def round_day(round: Round) -> date:
    """The day a round of people checks: its slot's, else the day it started (an extra round)."""
    moment = round.scheduled_for or round.started_at or timezone.now()
    return timezone.localtime(moment).date()


def _copies(round: Round, person, sources, start: int) -> list[RoundResult]:
    """The person's own copy of each item (from the template, or from another person's copy in this round)."""
    return [
        RoundResult(
            round=round,
            store_id=round.store_id,
            item_id=source.item_id if isinstance(source, RoundResult) else source.pk,
            subject=person,
            position=start + index,
            text=source.text,
            rule_id=source.rule_id,
            kind=source.kind,
            max_value=source.max_value,
            min_value=source.min_value,
            unit=source.unit,
            photo_on_fail=source.photo_on_fail,
        )
        for index, source in enumerate(sources, start=1)
    ]


def subjects_start(round: Round, template: ChecklistTemplate, day: date) -> int:
    """The people of the area's department on the round (S6.1–S6.4, S1.D3): present ones with the template's
    items copied for each, the others absent with the roster's reason. Returns how many items were copied."""
    items = list(template.items.order_by("position", "id"))
    if not items:
        raise ValidationError(_("The template has no items to check: a manager adds them first."), code="no_items")
    subjects, results = [], []
    for index, (person, workday) in enumerate(on_duty(round.area.department, day), start=1):
        if workday.working:
            subjects.append(RoundSubject(round=round, store_id=round.store_id, person=person, position=index))
            results.extend(_copies(round, person, items, len(results)))
        else:
            subjects.append(
                RoundSubject(
                    round=round,
                    store_id=round.store_id,
                    person=person,
                    position=index,
                    absent=True,
                    absence=absence_text(workday.kind),
                )
            )
    RoundSubject.objects.bulk_create(subjects)
    RoundResult.objects.bulk_create(results)
    return len(results)


def is_people_round(round: Round) -> bool:
    """A round that checks people: started with subjects, or not yet started in an area that checks people."""
    if round.started_at is not None:
        return round.subjects.exists()
    return round.area_id is not None and round.area.checks_people


def _open_people_round(actor, round: Round) -> Round:
    deny_unless(actor is None or may_do_round(actor, round))
    round = _locked_round(round)
    if round.state != RoundState.OPEN or round.started_at is None:
        raise ValidationError(_("People are checked only while the round is being done."), code="not_open")
    if not round.subjects.exists():
        raise ValidationError(_("This round checks a place, not people."), code="not_people")
    return round


def _recount(round: Round) -> None:
    round.item_count = round.results.count()
    round.save(update_fields=["item_count"])


def _subject_of(round: Round, subject: RoundSubject) -> RoundSubject:
    found = RoundSubject.objects.select_for_update().select_related("person").filter(pk=subject.pk, round=round).first()
    if found is None:
        raise field_error("subject", _("This person is not on this round."), code="unknown_subject")
    return found


@transaction.atomic
def subject_absent(*, actor, round: Round, subject: RoundSubject, reason: str) -> RoundSubject:
    """Mark a person absent (S6.1–S6.4): not checked, their items taken off the round; the reason is required."""
    round = _open_people_round(actor, round)
    subject = _subject_of(round, subject)
    reason = str(reason or "").strip()
    if not reason:
        raise field_error("reason", _("Say why the person is not checked (e.g. on leave, out on a visit)."), "required")
    if len(reason) > 100:
        raise field_error("reason", _("At most %(limit)d characters."), code="max_length", params={"limit": 100})
    before = snapshot(subject, SUBJECT_FIELDS)
    RoundResult.objects.filter(round=round, subject=subject.person).delete()
    subject.absent, subject.absence, subject.checked_at, subject.failed_count = True, reason, None, 0
    subject.save(update_fields=SUBJECT_FIELDS)
    _recount(round)
    history_record(
        actor=actor,
        obj=round,
        action=HistoryAction.UPDATE,
        before=before,
        after=snapshot(subject, SUBJECT_FIELDS),
        note=_("Absent: %(person)s") % {"person": subject.person.name},
    )
    return subject


@transaction.atomic
def subject_add(*, actor, round: Round, person: User | None) -> RoundSubject:
    """Add a person of the store on duty that day to the round, or check again a person marked absent
    (S6.1–S6.4): they get the round's items (as the round copied them when it started)."""
    round = _open_people_round(actor, round)
    day = round_day(round)
    if person is None or not person.is_active or round.store_id not in store_ids(person):
        raise field_error("person", _("Choose a person who works in the store."), code="invalid")
    if person.role not in CHECKER_ROLES:
        raise field_error("person", _("Only the store's staff, supervisors and managers are checked."), code="invalid")
    workday = work_days(round.store, [person], day, day)[(person.pk, day)]
    if not workday.working:
        raise field_error(
            "person",
            _("%(person)s is not on duty that day (%(why)s)."),
            code="not_on_duty",
            params={"person": person.name, "why": absence_text(workday.kind)},
        )
    subject = RoundSubject.objects.select_for_update().filter(round=round, person=person).first()
    if subject is not None and not subject.absent:
        raise field_error("person", _("%(person)s is already on the round."), "duplicate", {"person": person.name})
    first = round.results.order_by("subject_id", "position").values_list("subject_id", flat=True).first()
    if first is not None:
        sources = list(round.results.filter(subject_id=first).order_by("position", "id"))
    else:
        template = ChecklistTemplate.objects.filter(pk=round.template_id).first()
        sources = list(template.items.order_by("position", "id")) if template is not None else []
    if not sources:
        raise ValidationError(_("The template has no items to check: a manager adds them first."), code="no_items")
    last = max(round.results.values_list("position", flat=True), default=0)
    RoundResult.objects.bulk_create(_copies(round, person, sources, last))
    before = snapshot(subject, SUBJECT_FIELDS) if subject is not None else None
    if subject is None:
        position = max(round.subjects.values_list("position", flat=True), default=0) + 1
        subject = RoundSubject.objects.create(round=round, store_id=round.store_id, person=person, position=position)
    else:
        subject.absent, subject.absence, subject.checked_at, subject.failed_count = False, "", None, 0
        subject.save(update_fields=SUBJECT_FIELDS)
    _recount(round)
    history_record(
        actor=actor,
        obj=round,
        action=HistoryAction.UPDATE,
        before=before,
        after=snapshot(subject, SUBJECT_FIELDS),
        note=_("Checked: %(person)s") % {"person": person.name},
    )
    return subject


def _field(result: RoundResult, name: str) -> str:
    return f"results.{result.pk}.{name}"


def _apply(result: RoundResult, answer: Answer, person_name: str, errors: dict, photos: dict) -> None:
    """One person's item answered: pass or fail (or a value); a failed item needs a photo or a note (S6)."""
    comment = str(answer.comment or "").strip()
    if len(comment) > 300:
        errors[_field(result, "comment")] = [
            ValidationError(_("At most %(limit)d characters."), code="max_length", params={"limit": 300})
        ]
        return
    params = {"person": person_name, "rule": result.rule_id, "item": result.text}
    if result.kind == ItemKind.MEASURED:
        try:
            value = Decimal(answer.value) if answer.value is not None else None
        except (ArithmeticError, TypeError, ValueError):
            value = None
        if value is None or not value.is_finite() or abs(value) >= Decimal("1000000"):
            errors[_field(result, "value")] = [
                ValidationError(_("%(person)s, %(rule)s: enter the measured value of “%(item)s”."), "required", params)
            ]
            return
        passed = measured_passes(result, value)
        value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    else:
        if answer.passed is None:
            errors[_field(result, "passed")] = [
                ValidationError(_("%(person)s, %(rule)s: say whether “%(item)s” passed or failed."), "required", params)
            ]
            return
        passed, value = bool(answer.passed), None
    if answer.photo:
        try:
            photos[result.pk] = photo_clean(answer.photo)
        except ValidationError as exc:
            errors[_field(result, "photo")] = exc.error_list
            return
    if passed is False and not comment and not result.photo and result.pk not in photos:
        errors[_field(result, "comment")] = [
            ValidationError(
                _("%(person)s, %(rule)s: “%(item)s” failed — take a photo or write a note of what is wrong."),
                "photo_or_note_required",
                params,
            )
        ]
        return
    result.passed, result.value, result.comment = passed, value, comment


def _answer(round: Round, subject: RoundSubject, answers: dict[int, Answer], now: datetime) -> RoundSubject:
    if subject.absent:
        raise field_error("subject", _("%(person)s is marked absent: add them back first."), "absent",
                          {"person": subject.person.name})  # fmt: skip
    results = list(round.results.select_for_update().filter(subject=subject.person).order_by("position", "id"))
    by_pk = {r.pk for r in results}
    unknown = [pk for pk in answers if pk not in by_pk]
    errors: dict[str, list] = {}
    if unknown:
        errors["results"] = [
            ValidationError(
                _("These are not items of %(person)s on this round: %(ids)s."),
                code="unknown_result",
                params={"person": subject.person.name, "ids": ", ".join(str(pk) for pk in unknown[:10])},
            )
        ]
    photos: dict[int, object] = {}
    for result in results:
        _apply(result, answers.get(result.pk) or Answer(), subject.person.name, errors, photos)
    if errors:
        raise ValidationError(errors)
    for result in results:
        if result.pk in photos:
            cleaned = photos[result.pk]
            result.photo.save(cleaned.name, cleaned, save=False)
            result.photo_deleted_at = None
        result.full_clean()
        result.save(update_fields=["passed", "value", "comment", "photo", "photo_deleted_at"])
    subject.checked_at = now
    subject.failed_count = sum(1 for r in results if r.passed is False)
    subject.save(update_fields=["checked_at", "failed_count"])
    return subject


@transaction.atomic
def subject_answer(
    *, actor, round: Round, subject: RoundSubject, answers: dict[int, Answer], now: datetime | None = None
) -> RoundSubject:
    """Answer every item of one person (S6.1–S6.4, S1.D3): pass or fail; a failed item needs a photo or a note,
    either is enough. Can be answered again until the round is submitted. Nothing is saved unless all is valid."""
    round = _open_people_round(actor, round)
    subject = _subject_of(round, subject)
    before = snapshot(subject, SUBJECT_FIELDS)
    subject = _answer(round, subject, answers, now or timezone.now())
    history_record(
        actor=actor,
        obj=round,
        action=HistoryAction.UPDATE,
        before=before,
        after=snapshot(subject, SUBJECT_FIELDS),
        note=_("Checked: %(person)s") % {"person": subject.person.name},
    )
    return subject


@transaction.atomic
def subject_all_pass(*, actor, round: Round, subject: RoundSubject, now: datetime | None = None) -> RoundSubject:
    """Every item of one person passed: one tap (S6.1–S6.4). A measured item still needs its value."""
    round = _open_people_round(actor, round)
    subject = _subject_of(round, subject)
    results = list(round.results.filter(subject=subject.person))
    measured = [r for r in results if r.kind == ItemKind.MEASURED]
    if measured:
        raise field_error(
            "subject",
            _("“%(item)s” is measured: enter its value for %(person)s."),
            "measured",
            {"item": measured[0].text, "person": subject.person.name},
        )
    return subject_answer(
        actor=actor, round=round, subject=subject, answers={r.pk: Answer(passed=True) for r in results}, now=now
    )


def _correction_kind(round: Round) -> str:
    return PromiseKind.GROOMING_CORRECTION if round.purpose == Purpose.GROOMING else PromiseKind.CHECK_CORRECTION


@transaction.atomic
def people_round_submit(
    *, actor, round: Round, answers: dict[int, Answer] | None = None, now: datetime | None = None
) -> Round:
    """Submit a round of people (S6.1–S6.4, S1.D3) once every present person is checked.

    `answers` (the API's one-call submit) are applied person by person first. The score is the share of
    items passed; each failed item becomes a correction owned by the person, due in the store's
    CheckSettings.correction_minutes business minutes; a person's repeated failure of the same item is
    flagged to the store managers once (after commit)."""
    round = _open_people_round(actor, round)
    now = now or timezone.now()
    subjects = list(round.subjects.select_for_update().select_related("person").order_by("position", "id"))
    errors: dict[str, list] = {}
    answers = answers or {}
    if answers:
        owners = dict(round.results.filter(pk__in=list(answers)).values_list("pk", "subject_id"))
        unknown = [pk for pk in answers if pk not in owners]
        if unknown:
            raise field_error(
                "results",
                _("These are not items of this round: %(ids)s."),
                "unknown_result",
                {"ids": ", ".join(str(pk) for pk in unknown[:10])},
            )
        for subject in subjects:
            mine = {pk: a for pk, a in answers.items() if owners[pk] == subject.person_id}
            if mine:
                try:
                    _answer(round, subject, mine, now)
                except ValidationError as exc:
                    errors.update(exc.error_dict)
    if not errors:
        for subject in subjects:
            if not subject.absent and subject.checked_at is None:
                errors[f"subjects.{subject.pk}"] = [
                    ValidationError(
                        _("%(person)s is not checked yet: answer their items or mark them absent."),
                        code="not_checked",
                        params={"person": subject.person.name},
                    )
                ]
    if errors:
        raise ValidationError(errors)
    results = list(round.results.select_related("subject").order_by("position", "id"))
    before = snapshot(round, ROUND_FIELDS)
    passed = sum(1 for r in results if r.passed)
    round.item_count = len(results)
    round.failed_count = len(results) - passed
    round.score = (
        (Decimal(passed * 100) / Decimal(len(results))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if results
        else None
    )
    round.submitted_at = now
    round.submitted_by = actor if getattr(actor, "pk", None) else None
    round.on_time = (now <= round.due_at) if round.due_at else None
    round.state = RoundState.DONE
    round.full_clean()
    round.save(update_fields=ROUND_FIELDS)
    if round.promise is not None and round.promise.state == PromiseState.OPEN:
        promise_keep(promise=round.promise, actor=actor, at=now)
    history_record(
        actor=actor, obj=round, action=HistoryAction.UPDATE, before=before, after=snapshot(round, ROUND_FIELDS)
    )
    minutes = check_settings(round.store).correction_minutes
    failed = [r for r in results if r.passed is False]
    for result in failed:
        action_open(
            round=round,
            result=result,
            owner=result.subject,
            actor=actor,
            now=now,
            kind=_correction_kind(round),
            business_minutes=minutes,
        )
    if failed:
        _repeat_failures_flag(round, failed, now)
    return round


# --- Repeated failures (S6.1–S6.4, S1.D3) ----------------------------------------------------------


def _repeat_key(item_id, text):
    return ("item", item_id) if item_id is not None else ("text", text)


def _repeat_failures_flag(round: Round, failed: list[RoundResult], now: datetime) -> int:
    """A person who has now failed the same item (the same template item, or the same wording if the item
    was deleted) `repeat_failures` times within `repeat_window_days` is flagged to the store managers:
    once for that streak — when the count reaches the threshold, not again while it stays above it."""
    settings = check_settings(round.store)
    since = now - timedelta(days=settings.repeat_window_days)
    people = {r.subject_id for r in failed}
    counts = Counter(
        (subject_id, _repeat_key(item_id, text))
        for subject_id, item_id, text in RoundResult.objects.filter(
            store_id=round.store_id,
            subject_id__in=people,
            passed=False,
            round__state=RoundState.DONE,
            round__submitted_at__gte=since,
            round__submitted_at__lte=now,
        ).values_list("subject_id", "item_id", "text")
    )
    flags = []
    seen = set()
    for result in failed:
        key = (result.subject_id, _repeat_key(result.item_id, result.text))
        if key in seen or counts[key] != settings.repeat_failures:
            continue
        seen.add(key)
        flags.append(
            _("Repeated failure: %(person)s failed “%(item)s” (%(rule)s) %(count)d times in %(days)d days.")
            % {
                "person": result.subject.name,
                "item": result.text,
                "rule": result.rule_id,
                "count": counts[key],
                "days": settings.repeat_window_days,
            }
        )
    if flags:
        store, url = round.store, round_url(round)

        def send():
            managers = list(store_managers(store.pk))
            for title in flags:
                notification_send(recipients=managers, store=store, title=title, kind=NotificationKind.INFO, url=url)

        transaction.on_commit(send)
    return len(flags)


# --- Photos of people are personal data (S6) ---------------------------------------------------------


def purge_people_photos(*, now: datetime | None = None) -> int:
    """The worker's job: delete the files of photos of people (a result of a people check, or its
    correction) older than the store's CheckSettings.photo_retention_days; the record keeps when the
    photo was deleted. Idempotent: a photo deleted is not found again. Returns how many were deleted."""
    now = now or timezone.now()
    deleted = 0
    for store in Store.objects.all().only("pk"):
        cutoff = now - timedelta(days=check_settings(store).photo_retention_days)
        results = RoundResult.objects.filter(store=store, subject__isnull=False, round__started_at__lt=cutoff).exclude(
            photo=""
        )
        for result in results.iterator():
            result.photo.delete(save=False)
            result.photo_deleted_at = now
            result.save(update_fields=["photo", "photo_deleted_at"])
            deleted += 1
        actions = CorrectiveAction.objects.filter(
            store=store, result__subject__isnull=False, created_at__lt=cutoff
        ).exclude(photo="")
        for action in actions.iterator():
            action.photo.delete(save=False)
            action.photo_deleted_at = now
            action.save(update_fields=["photo", "photo_deleted_at"])
            deleted += 1
    return deleted
