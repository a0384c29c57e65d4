"""Discipline records (S1.D1a–c, S1.D3, S1.D4): recorded, acknowledged or contested, decided — never deleted.

- A supervisor or manager records an incident (``discipline_record``), or confirms a draft computed from
  attendance (``discipline_confirm``; ``discipline_dismiss`` keeps a dismissed draft visible). The person is
  told at once and has ``ConductSettings.contest_days`` days to answer.
- The person acknowledges (``discipline_acknowledge``) or contests with a reason before the answer time
  (``discipline_contest``); a contest is a promise of the store manager to decide (PromiseKind
  DISCIPLINE_DECISION, due at the close of the third business day).
- The store manager (or a group administrator) upholds or withdraws a contested record with a reason
  (``discipline_decide``); the promise is kept. A withdrawn record stays visible as withdrawn.
- When a record starts to count and the person reaches one of the store's monthly thresholds (late
  arrivals, records), the store managers are told — once per person, month and threshold.

Notifications are rows in the bell (and a queued WeCom post, delivered by the worker): no network call here.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import history_record, history_save, snapshot
from core.images import photo_clean
from core.models import HistoryAction
from core.validators import field_error
from org.access import Right, deny_unless, has_right
from org.business_time import StoreCalendar
from org.models import Store, User
from org.selectors import store_managers
from promises.choices import NotificationKind, PromiseKind, PromiseState
from promises.models import Notification
from promises.services import notification_send, promise_keep, promise_make

from ..choices import DISCIPLINE_COUNTED, DISCIPLINE_RULES, DisciplineKind, DisciplineSource, DisciplineState
from ..models import AttendanceDay, DisciplineRecord, conduct_settings
from ..selectors.records import may_answer, may_decide_on, may_record, month_bounds

RECORD_FIELDS = ["kind", "rule_id", "state", "occurred_at", "minutes", "description"]
ANSWER_FIELDS = ["state", "answer_by", "answered_at", "contest_reason"]
DECISION_FIELDS = ["state", "decided_by", "decided_at", "decision_reason"]
HISTORY_FIELDS = RECORD_FIELDS + ["source", "recorded_by", "recorded_at"] + ANSWER_FIELDS + DECISION_FIELDS[1:]

# Kinds whose record says how many minutes (S1.D1a late arrival, early leave).
KINDS_WITH_MINUTES = (DisciplineKind.LATE, DisciplineKind.EARLY_LEAVE)
MINUTES_MAX = 24 * 60
TEXT_MAX = 500
DECISION_BUSINESS_DAYS = 3  # a contested record is decided by the close of the third business day
MANUAL_SOURCES = (DisciplineSource.MANUAL, DisciplineSource.SPOT_CHECK)


def record_url(record: DisciplineRecord) -> str:
    return reverse("conduct:record_detail", kwargs={"record_pk": record.pk})


def _text(value) -> str:
    return str(value or "").strip()


def _view(record: DisciplineRecord) -> dict:
    """The record as its history shows it: the photo as taken or not."""
    return snapshot(record, HISTORY_FIELDS) | {"photo": bool(record.photo)}


def _locked(record: DisciplineRecord) -> DisciplineRecord:
    return (
        DisciplineRecord.objects.select_for_update(of=("self",))
        .select_related("store", "person", "promise")
        .get(pk=record.pk)
    )


def _reason(value, field: str, message: str) -> str:
    reason = _text(value)
    if not reason:
        raise field_error(field, message, code="required")
    if len(reason) > TEXT_MAX:
        raise field_error(
            field, _("The reason can be at most %(limit)d characters.") % {"limit": TEXT_MAX}, code="max_length"
        )
    return reason


def _title(record: DisciplineRecord) -> str:
    when = timezone.localtime(record.occurred_at).strftime("%m-%d %H:%M")
    return f"{record.rule_id} {record.get_kind_display()} · {when}"


# --- Drafts from attendance ----------------------------------------------------------------------


def discipline_draft(
    *, attendance_day: AttendanceDay, kind: str, occurred_at: datetime, minutes: int | None, description: str
) -> DisciplineRecord | None:
    """A draft record computed from attendance, for the supervisor to confirm or dismiss (never automatic
    punishment), S1.D1a. None if the day already has a record of that kind (the same file imported again)."""
    try:
        with transaction.atomic():
            record = DisciplineRecord(
                store_id=attendance_day.store_id,
                person_id=attendance_day.person_id,
                kind=kind,
                rule_id=DISCIPLINE_RULES[kind],
                source=DisciplineSource.ATTENDANCE,
                state=DisciplineState.DRAFT,
                occurred_at=occurred_at,
                minutes=minutes,
                description=(description.strip() or str(DisciplineKind(kind).label))[:500],
                attendance_day=attendance_day,
            )
            if AttendanceDay.person.is_cached(attendance_day):
                record.person = attendance_day.person  # the history names the person without a query per draft
            record.save(force_insert=True)
            history_record(actor=None, obj=record, action=HistoryAction.CREATE, after=snapshot(record, RECORD_FIELDS))
    except IntegrityError:
        return None
    return record


# --- Recording -----------------------------------------------------------------------------------


def _incident_errors(*, kind, minutes, description, occurred_at, now) -> dict:
    """Every problem of an incident at once, each naming its field and the rule (S1.D1a–c, S1.D3, S1.D4)."""
    errors: dict[str, list] = {}
    if kind not in DisciplineKind.values:
        errors["kind"] = [ValidationError(_("Choose what happened."), code="invalid_choice")]
    elif kind in KINDS_WITH_MINUTES:
        if minutes is None:
            errors["minutes"] = [
                ValidationError(_("S1.D1a: for a late arrival or early leave, give how many minutes."), code="required")
            ]
        elif not 1 <= minutes <= MINUTES_MAX:
            errors["minutes"] = [
                ValidationError(
                    _("The minutes must be between 1 and %(limit)d.") % {"limit": MINUTES_MAX}, code="range"
                )
            ]
    elif minutes is not None:
        errors["minutes"] = [
            ValidationError(_("Minutes are only given for a late arrival or an early leave."), code="not_allowed")
        ]
    if not description:
        errors["description"] = [
            ValidationError(_("Write what was seen, for example 'on a personal call for 20 minutes'."), code="required")
        ]
    elif len(description) > TEXT_MAX:
        errors["description"] = [
            ValidationError(
                _("What was seen can be at most %(limit)d characters.") % {"limit": TEXT_MAX}, code="max_length"
            )
        ]
    if occurred_at is None:
        errors["occurred_at"] = [ValidationError(_("Give when it happened."), code="required")]
    elif occurred_at > now + timedelta(minutes=5):
        errors["occurred_at"] = [ValidationError(_("When it happened cannot be in the future."), code="future")]
    elif occurred_at < now - timedelta(days=90):
        errors["occurred_at"] = [
            ValidationError(_("An incident is recorded within 90 days of when it happened."), code="too_old")
        ]
    return errors


def _start_counting(record: DisciplineRecord, *, actor: User, now: datetime) -> None:
    """The record counts from now: the person is told and has the store's days to answer; thresholds checked."""
    days = conduct_settings(record.store).contest_days
    record.state = DisciplineState.RECORDED
    record.recorded_by = actor
    record.recorded_at = now
    record.answer_by = now + timedelta(days=days)
    url = record_url(record)
    notification_send(
        recipients=[record.person],
        store=record.store,
        title=_("A discipline record about you: %(title)s. Acknowledge or contest it by %(due)s.")
        % {"title": _title(record), "due": timezone.localtime(record.answer_by).strftime("%Y-%m-%d %H:%M")},
        kind=NotificationKind.INFO,
        url=url,
    )


@transaction.atomic
def discipline_record(
    *,
    actor: User,
    store: Store,
    person: User | None,
    kind: str,
    description: str,
    occurred_at: datetime | None = None,
    minutes: int | None = None,
    source: str = DisciplineSource.MANUAL,
    photo: UploadedFile | None = None,
    now: datetime | None = None,
) -> DisciplineRecord:
    """Record an incident of work discipline (S1.D1a–c, S1.D3, S1.D4): who, what (the rule follows from the
    kind), when, minutes for a late arrival or early leave, what was seen, an optional photo.

    Only the person's supervisors, the store's managers and the group's administrators (selectors.may_record);
    the person is told at once and may acknowledge or contest it within the store's days.
    """
    now = now or timezone.now()
    deny_unless(has_right(actor, Right.EDIT, store.pk))
    if person is None or person.store_id != store.pk:
        raise field_error(
            "person", _("Choose a person of the store."), code="required" if person is None else "invalid"
        )
    deny_unless(may_record(actor, person, store.pk))
    description = _text(description)
    occurred_at = occurred_at or now
    errors = _incident_errors(kind=kind, minutes=minutes, description=description, occurred_at=occurred_at, now=now)
    if source not in MANUAL_SOURCES:
        errors["source"] = [ValidationError(_("Say whether it was seen during a spot check."), code="invalid_choice")]
    checked_photo = None
    if photo:
        try:
            checked_photo = photo_clean(photo)
        except ValidationError as exc:
            errors.setdefault("photo", []).extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    User.objects.select_for_update().filter(pk=person.pk).first()  # one threshold check at a time per person
    record = DisciplineRecord(
        store=store,
        person=person,
        kind=kind,
        rule_id=DISCIPLINE_RULES[kind],
        source=source,
        occurred_at=occurred_at,
        minutes=minutes if kind in KINDS_WITH_MINUTES else None,
        description=description,
        created_at=now,
    )
    if checked_photo is not None:
        record.photo.save(checked_photo.name, checked_photo, save=False)
    record.full_clean(exclude=["state"])
    record.save()  # the id first: the notification links to the record
    _start_counting(record, actor=actor, now=now)
    record.full_clean()
    record.save()
    history_record(actor=actor, obj=record, action=HistoryAction.CREATE, after=_view(record))
    thresholds_check(record)
    return record


@transaction.atomic
def discipline_confirm(*, actor: User, record: DisciplineRecord, now: datetime | None = None) -> DisciplineRecord:
    """S1.D1a: a draft from attendance is confirmed by the person's supervisor or a manager: it counts from now,
    the person is told and the clock to answer starts."""
    record = _locked(record)
    deny_unless(may_record(actor, record.person, record.store_id))
    if record.state != DisciplineState.DRAFT:
        raise field_error("state", _("Only a draft can be confirmed."), code="state")
    now = now or timezone.now()
    User.objects.select_for_update().filter(pk=record.person_id).first()
    before = _view(record)
    _start_counting(record, actor=actor, now=now)
    history_save(
        record,
        actor=actor,
        before=before,
        fields=["state", "recorded_by", "recorded_at", "answer_by"],
        after=_view(record),
        note=_("Draft confirmed"),
    )
    _keep_promise(record, actor, now)
    thresholds_check(record)
    return record


@transaction.atomic
def discipline_dismiss(
    *, actor: User, record: DisciplineRecord, reason: str, now: datetime | None = None
) -> DisciplineRecord:
    """S1.D1a: a draft from attendance is dismissed with a reason (a swapped shift, a punch machine down …); it
    stays visible as dismissed and never counts."""
    record = _locked(record)
    deny_unless(may_record(actor, record.person, record.store_id))
    if record.state != DisciplineState.DRAFT:
        raise field_error("state", _("Only a draft can be dismissed."), code="state")
    reason = _reason(reason, "reason", _("Give the reason for dismissing the draft, for example 'shift swapped'."))
    now = now or timezone.now()
    before = _view(record)
    record.state = DisciplineState.DISMISSED
    record.decided_by = actor
    record.decided_at = now
    record.decision_reason = reason
    history_save(record, actor=actor, before=before, fields=DECISION_FIELDS, after=_view(record), note=reason)
    _keep_promise(record, actor, now)
    return record


def _keep_promise(record: DisciplineRecord, actor, now: datetime) -> None:
    if record.promise_id and record.promise.state == PromiseState.OPEN:
        record.promise = promise_keep(promise=record.promise, actor=actor, at=now)


# --- The person's answer -------------------------------------------------------------------------


def _require_answerable(actor: User, record: DisciplineRecord) -> None:
    deny_unless(record.person_id == actor.pk)
    if not may_answer(actor, record):
        raise field_error("state", _("The record has already been answered."), code="state")


@transaction.atomic
def discipline_acknowledge(*, actor: User, record: DisciplineRecord, now: datetime | None = None) -> DisciplineRecord:
    """The person agrees the record is right (S1.D1a–c, S1.D3, S1.D4); only they may, and only once."""
    record = _locked(record)
    _require_answerable(actor, record)
    now = now or timezone.now()
    before = _view(record)
    record.state = DisciplineState.ACKNOWLEDGED
    record.answered_at = now
    history_save(record, actor=actor, before=before, fields=["state", "answered_at"], after=_view(record))
    return record


def _decision_due(store: Store, now: datetime) -> datetime:
    """The close of the store's third business day after today (wall-clock days if it never opens)."""
    calendar = StoreCalendar(store)
    day = timezone.localtime(now).date()
    found = 0
    for _step in range(60):
        day += timedelta(days=1)
        span = calendar.interval(day)
        if span is not None:
            found += 1
            if found == DECISION_BUSINESS_DAYS:
                return span[1]
    return now + timedelta(days=DECISION_BUSINESS_DAYS)


@transaction.atomic
def discipline_contest(
    *, actor: User, record: DisciplineRecord, reason: str, now: datetime | None = None
) -> DisciplineRecord:
    """The person contests the record with a reason, before its answer time; the store manager is to decide
    within three business days (a DISCIPLINE_DECISION promise) and is told at once."""
    record = _locked(record)
    _require_answerable(actor, record)
    now = now or timezone.now()
    if record.answer_by is not None and now > record.answer_by:
        raise field_error(
            "reason",
            _("The time to contest this record ended on %(due)s; speak to your supervisor or store manager.")
            % {"due": timezone.localtime(record.answer_by).strftime("%Y-%m-%d %H:%M")},
            code="too_late",
        )
    reason = _reason(reason, "reason", _("Give the reason why the record is not right."))
    managers = [m for m in store_managers(record.store_id).order_by("id") if m.pk != record.person_id]
    owner = managers[0] if managers else (record.recorded_by if record.recorded_by_id != record.person_id else None)
    if owner is None:
        raise field_error(
            "reason", _("The store has no manager to decide the contest; ask the group to name one."), code="no_owner"
        )
    before = _view(record)
    record.state = DisciplineState.CONTESTED
    record.answered_at = now
    record.contest_reason = reason
    url = record_url(record)
    record.promise = promise_make(
        store=record.store,
        kind=PromiseKind.DISCIPLINE_DECISION,
        rule_id=record.rule_id,
        title=_("Decide the contested record of %(person)s: %(title)s")
        % {"person": record.person.name or record.person.username, "title": _title(record)},
        actor=actor,
        owner=owner,
        subject=record,
        url=url,
        due_at=_decision_due(record.store, now),
        now=now,
    )
    history_save(
        record,
        actor=actor,
        before=before,
        fields=["state", "answered_at", "contest_reason", "promise"],
        after=_view(record),
        note=reason,
    )
    notification_send(
        recipients=managers or [owner],
        store=record.store,
        title=_("%(person)s contests a discipline record: %(reason)s")
        % {"person": record.person.name or record.person.username, "reason": reason},
        kind=NotificationKind.ASSIGNED,
        promise=record.promise,
        url=url,
    )
    return record


# --- The decision --------------------------------------------------------------------------------


@transaction.atomic
def discipline_decide(
    *, actor: User, record: DisciplineRecord, outcome: str, reason: str, now: datetime | None = None
) -> DisciplineRecord:
    """The store manager (or a group administrator) upholds or withdraws a contested record, with a reason;
    the decision promise is kept and the person told. A withdrawn record stays visible and no longer counts."""
    record = _locked(record)
    deny_unless(may_decide_on(actor, record))
    if record.state != DisciplineState.CONTESTED:
        raise field_error("outcome", _("Only a contested record is decided."), code="state")
    if outcome not in (DisciplineState.UPHELD, DisciplineState.WITHDRAWN):
        raise field_error("outcome", _("Choose whether the record is upheld or withdrawn."), code="invalid_choice")
    reason = _reason(reason, "reason", _("Give the reason for the decision."))
    now = now or timezone.now()
    before = _view(record)
    record.state = outcome
    record.decided_by = actor
    record.decided_at = now
    record.decision_reason = reason
    history_save(record, actor=actor, before=before, fields=DECISION_FIELDS, after=_view(record), note=reason)
    _keep_promise(record, actor, now)
    told = [record.person] + ([record.recorded_by] if record.recorded_by_id else [])
    notification_send(
        recipients=[p for p in told if p.pk != actor.pk],
        store=record.store,
        title=(
            _("Discipline record upheld: %(title)s — %(reason)s")
            if outcome == DisciplineState.UPHELD
            else _("Discipline record withdrawn: %(title)s — %(reason)s")
        )
        % {"title": _title(record), "reason": reason},
        kind=NotificationKind.INFO,
        url=record_url(record),
    )
    return record


# --- Thresholds ----------------------------------------------------------------------------------


def _threshold_url(record: DisciplineRecord, month: str, kind: str = "") -> str:
    """The list of the person's records of the month (of the kind): the notification's link, and its mark."""
    url = reverse("conduct:record_list") + f"?store={record.store_id}&person={record.person_id}&month={month}"
    return url + (f"&kind={kind}" if kind else "")


def thresholds_check(record: DisciplineRecord) -> int:
    """When a record starts to count: has the person reached one of the store's thresholds in the calendar month
    of the record (late arrivals, S1.D1a; records of any kind)? The store managers are told once per person, month
    and threshold — the notification's link names all three and is looked for before telling again. Returns the
    number of notifications sent. Callers hold the person's row (one check at a time per person)."""
    settings = conduct_settings(record.store)
    month = timezone.localtime(record.occurred_at).strftime("%Y-%m")
    first, following = month_bounds(month)
    counted = DisciplineRecord.objects.filter(
        person_id=record.person_id,
        store_id=record.store_id,
        state__in=DISCIPLINE_COUNTED,
        occurred_at__gte=first,
        occurred_at__lt=following,
    )
    person = record.person.name or record.person.username
    checks = [(counted.count(), settings.records_per_month, "")]
    if record.kind == DisciplineKind.LATE:
        checks.append((counted.filter(kind=DisciplineKind.LATE).count(), settings.late_per_month, "late"))
    sent = 0
    managers = [m for m in store_managers(record.store_id) if m.pk != record.person_id]
    for count, limit, kind in checks:
        if count < limit:
            continue
        url = _threshold_url(record, month, kind)
        if Notification.objects.filter(store_id=record.store_id, url=url).exists():
            continue
        if kind:
            title = _("%(person)s has been late %(count)d times in %(month)s (threshold %(limit)d, S1.D1a).")
        else:
            title = _("%(person)s has %(count)d discipline records in %(month)s (threshold %(limit)d).")
        sent += notification_send(
            recipients=managers,
            store=record.store,
            title=title % {"person": person, "count": count, "month": month, "limit": limit},
            kind=NotificationKind.INFO,
            url=url,
        )
    return sent
