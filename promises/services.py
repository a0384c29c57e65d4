"""Promise clocks: make, keep, pause, resume, cancel — and the worker's reminders and escalations.

Every module makes its promises here (a call-back, a complaint reply, a refill …), so one clock,
one set of states and one "kept on time" figure serve the whole product (S1.4, S1.D2).
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import history_record, history_record_saved, snapshot
from core.db import save_or_conflict
from core.models import HistoryAction
from core.registry import Registry
from core.validators import field_error, webhook_url_allowed
from org.access import Right, deny_unless, has_right
from org.business_time import StoreCalendar
from org.models import User
from org.selectors import department_supervisors, store_managers

from .choices import NotificationKind, PromiseState
from .models import Notification, Promise, PromiseEvent, PromiseRule, WebhookDelivery
from .selectors import may_edit_default_rules, promise_kinds, rule_for

WEBHOOK_MAX_ATTEMPTS = 8


def _schedule(promise: Promise, start: datetime, calendar: StoreCalendar | None) -> None:
    """Reminder at the rule's share of the promised time; first escalation after the due time."""
    rule = rule_for(promise.store_id, promise.kind)
    if calendar is not None:
        total = calendar.elapsed(start, promise.due_at)
        promise.remind_at = calendar.add(start, total * rule.remind_at_percent / 100) if total else None
    else:
        span = (promise.due_at - start).total_seconds()
        promise.remind_at = start + timedelta(seconds=span * rule.remind_at_percent / 100) if span > 0 else None
    minutes = (
        rule.escalate_supervisor_after_minutes if promise.escalation_level == 0 else rule.escalate_manager_after_minutes
    )
    promise.next_escalation_at = promise.due_at + timedelta(minutes=minutes) if promise.escalation_level < 2 else None


def _event(promise: Promise, action: str, actor=None, note: str = "") -> None:
    PromiseEvent.objects.create(
        promise=promise, action=action, actor=actor if getattr(actor, "pk", None) else None, note=note[:200]
    )


@transaction.atomic
def promise_make(
    *,
    store,
    kind: str,
    rule_id: str,
    title: str,
    actor=None,
    owner=None,
    owner_department=None,
    subject=None,
    url: str = "",
    business_minutes: float | None = None,
    due_at: datetime | None = None,
    now: datetime | None = None,
) -> Promise:
    """Make a promise due `business_minutes` of the store's open time from now, or at `due_at`."""
    now = now or timezone.now()
    if (business_minutes is None) == (due_at is None):
        raise ValidationError(_("A promise needs either a time in business minutes or a due time."))
    if owner is None and owner_department is None:
        raise field_error("owner", _("A promise needs an owner: a person or a department."))
    if owner is not None and owner.store_id not in (None, store.pk) and store.pk not in _user_store_ids(owner):
        raise field_error("owner", _("The owner must work in the promise's store."))
    calendar = None
    if business_minutes is not None:
        if business_minutes < 0:
            raise field_error("due_at", _("The promised time cannot be negative."))
        calendar = StoreCalendar(store)
        due_at = calendar.add(now, business_minutes * 60)
    elif due_at <= now:
        raise field_error("due_at", _("The promised time must be in the future."))
    promise = Promise(
        store=store,
        kind=kind,
        rule_id=rule_id,
        title=title[:200],
        owner=owner,
        owner_department=owner_department,
        url=url,
        created_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
        business_time=calendar is not None,
        due_at=due_at,
    )
    if subject is not None:
        promise.subject_type = ContentType.objects.get_for_model(subject)
        promise.subject_id = subject.pk
    _schedule(promise, now, calendar)
    promise.full_clean()
    promise.save()
    _event(promise, "made", actor)
    return promise


def _user_store_ids(user) -> set[int]:
    from org.access import store_ids

    return set(store_ids(user))


def _locked(promise: Promise) -> Promise:
    return Promise.objects.select_for_update().get(pk=promise.pk)


@transaction.atomic
def promise_keep(*, promise: Promise, actor=None, at: datetime | None = None) -> Promise:
    """Mark the promise kept: on time, or late if after its due time. Keeping twice changes nothing."""
    promise = _locked(promise)
    if promise.state != PromiseState.OPEN:
        return promise
    at = at or timezone.now()
    promise.state = PromiseState.KEPT if at <= promise.due_at else PromiseState.LATE
    promise.kept_at = at
    promise.closed_by = actor if getattr(actor, "pk", None) else None
    promise.paused_at = None
    promise.save(update_fields=["state", "kept_at", "closed_by", "paused_at"])
    _event(promise, "kept", actor)
    return promise


@transaction.atomic
def promise_cancel(*, promise: Promise, actor, reason: str) -> Promise:
    """Cancel an open promise; a reason is required and kept."""
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Give the reason for cancelling the promise."))
    promise = _locked(promise)
    if promise.state != PromiseState.OPEN:
        raise ValidationError(_("Only an open promise can be cancelled."))
    promise.state = PromiseState.CANCELLED
    promise.close_reason = reason[:200]
    promise.closed_by = actor
    promise.save(update_fields=["state", "close_reason", "closed_by"])
    _event(promise, "cancelled", actor, reason)
    return promise


@transaction.atomic
def promise_break(*, promise: Promise, actor=None, reason: str = "") -> Promise:
    """Close an open promise as not kept (for example a customer who could not be reached)."""
    promise = _locked(promise)
    if promise.state != PromiseState.OPEN:
        raise ValidationError(_("Only an open promise can be closed."))
    promise.state = PromiseState.BROKEN
    promise.close_reason = reason[:200]
    promise.closed_by = actor if getattr(actor, "pk", None) else None
    promise.save(update_fields=["state", "close_reason", "closed_by"])
    _event(promise, "broken", actor, reason)
    return promise


@transaction.atomic
def promise_pause(*, promise: Promise, actor, reason: str, now: datetime | None = None) -> Promise:
    """Stop the clock (for example while waiting for the customer); the time left is kept."""
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Give the reason for pausing the clock."))
    promise = _locked(promise)
    if promise.state != PromiseState.OPEN or promise.paused_at:
        raise ValidationError(_("Only a running clock of an open promise can be paused."))
    now = now or timezone.now()
    if promise.business_time:
        remaining = StoreCalendar(promise.store).elapsed(now, promise.due_at)
    else:
        remaining = max(0.0, (promise.due_at - now).total_seconds())
    promise.paused_at = now
    promise.pause_reason = reason[:200]
    promise.remaining_seconds = remaining
    promise.save(update_fields=["paused_at", "pause_reason", "remaining_seconds"])
    _event(promise, "paused", actor, reason)
    return promise


@transaction.atomic
def promise_resume(*, promise: Promise, actor, now: datetime | None = None) -> Promise:
    """Restart a paused clock: the time that was left counts from now."""
    promise = _locked(promise)
    if promise.state != PromiseState.OPEN or not promise.paused_at:
        raise ValidationError(_("Only a paused clock can be resumed."))
    now = now or timezone.now()
    calendar = StoreCalendar(promise.store) if promise.business_time else None
    remaining = promise.remaining_seconds or 0
    promise.due_at = calendar.add(now, remaining) if calendar else now + timedelta(seconds=remaining)
    promise.paused_at = None
    promise.pause_reason = ""
    promise.remaining_seconds = None
    _schedule(promise, now, calendar)  # an owner already reminded is not reminded again (reminded_at)
    promise.save()
    _event(promise, "resumed", actor)
    return promise


# ---------------------------------------------------------------------------------------------
# Notifications: the bell, and the store's WeCom group robot


def wecom_payload(text: str) -> dict:
    """The WeCom group robot's documented text message."""
    return {"msgtype": "text", "text": {"content": text[:2000]}}


def notification_send(
    *, recipients, store, title: str, kind: str, promise: Promise | None = None, url: str = ""
) -> int:
    """Put a notification in each recipient's bell, and queue one post to the store's WeCom group."""
    seen = set()
    rows = []
    for person in recipients:
        if person is None or person.pk in seen or not person.is_active:
            continue
        seen.add(person.pk)
        rows.append(Notification(recipient=person, store=store, promise=promise, kind=kind, title=title[:200], url=url))
    Notification.objects.bulk_create(rows)
    if rows and store.wecom_webhook_url and webhook_url_allowed(store.wecom_webhook_url):
        names = "、".join(r.recipient.name or r.recipient.username for r in rows)
        WebhookDelivery.objects.create(
            store=store,
            url=store.wecom_webhook_url,
            payload=wecom_payload(f"{title}\n→ {names}"),
            next_attempt_at=timezone.now(),
        )
    return len(rows)


def owners_of(promise: Promise) -> list:
    """Who keeps the promise: its owner, or the members of the owning department."""
    if promise.owner_id:
        return [promise.owner]
    return list(User.objects.filter(department_id=promise.owner_department_id, is_active=True))


def supervisors_of(promise: Promise) -> list:
    departments = set()
    if promise.owner_department_id:
        departments.add(promise.owner_department_id)
    if promise.owner_id and promise.owner.department_id:
        departments.add(promise.owner.department_id)
    people = list(department_supervisors(departments)) if departments else []
    return [p for p in people if p.pk != promise.owner_id] or list(store_managers(promise.store_id))


def _due_text(promise: Promise) -> str:
    return timezone.localtime(promise.due_at).strftime("%m-%d %H:%M")


def _pick(qs, limit: int):
    """Rows to work on, locked; rows another worker holds are skipped (PostgreSQL), never done twice."""
    return list(qs.select_for_update(skip_locked=True, of=("self",))[:limit])


def _one_at_a_time(due, work, limit: int) -> int:
    """Do `work(row)` for up to `limit` rows of `due`, each in its own short transaction.

    A row is taken, locked (others skip it on PostgreSQL) and worked on, and the transaction ends
    before the next one: a long round never holds SQLite's write lock, and a killed worker loses at
    most the row it was on. A row done in this round is not taken again in it.
    """
    done: list[int] = []
    while len(done) < limit:
        with transaction.atomic():
            rows = _pick(due.exclude(pk__in=done), 1)
            if not rows:
                break
            work(rows[0])
        done.append(rows[0].pk)
    return len(done)


def reminders_send_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Remind owners of open promises whose reminder time has come; each promise once."""
    now = now or timezone.now()
    due = (
        Promise.objects.filter(state=PromiseState.OPEN, reminded_at=None, paused_at=None, remind_at__lte=now)
        .select_related("store", "owner")
        .order_by("remind_at", "pk")
    )

    def remind(promise: Promise) -> None:
        title = _("Reminder: %(title)s — due %(due)s") % {"title": promise.title, "due": _due_text(promise)}
        notification_send(
            recipients=owners_of(promise),
            store=promise.store,
            title=title,
            kind=NotificationKind.REMINDER,
            promise=promise,
            url=promise.url,
        )
        promise.reminded_at = now
        promise.save(update_fields=["reminded_at"])
        _event(promise, "reminded")

    return _one_at_a_time(due, remind, limit)


def escalations_send_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Escalate overdue open promises: first to the owner's supervisor, then to the store manager."""
    now = now or timezone.now()
    due = (
        Promise.objects.filter(
            state=PromiseState.OPEN, paused_at=None, next_escalation_at__lte=now, escalation_level__lt=2
        )
        .select_related("store", "owner", "owner_department")
        .order_by("next_escalation_at", "pk")
    )

    def escalate(promise: Promise) -> None:
        level = promise.escalation_level + 1
        recipients = supervisors_of(promise) if level == 1 else list(store_managers(promise.store_id))
        owner = promise.owner or promise.owner_department
        title = _("Overdue since %(due)s: %(title)s (owner: %(owner)s)") % {
            "due": _due_text(promise),
            "title": promise.title,
            "owner": owner,
        }
        notification_send(
            recipients=recipients,
            store=promise.store,
            title=title,
            kind=NotificationKind.ESCALATION,
            promise=promise,
            url=promise.url,
        )
        promise.escalation_level = level
        rule = rule_for(promise.store_id, promise.kind)
        promise.next_escalation_at = (
            promise.due_at + timedelta(minutes=rule.escalate_manager_after_minutes) if level < 2 else None
        )
        if promise.next_escalation_at and promise.next_escalation_at <= now and level < 2:
            promise.next_escalation_at = now  # the next level is due at once; the next round sends it
        promise.save(update_fields=["escalation_level", "next_escalation_at"])
        _event(promise, f"escalated_{level}")

    return _one_at_a_time(due, escalate, limit)


def _webhook_due(now: datetime):
    """Queued posts whose time has come and that no live worker holds (no claim, or its lease ran out)."""
    return WebhookDelivery.objects.filter(
        Q(claimed_until=None) | Q(claimed_until__lte=now),
        delivered_at=None,
        next_attempt_at__lte=now,
        attempts__lt=WEBHOOK_MAX_ATTEMPTS,
    )


def _webhook_claim(now: datetime) -> WebhookDelivery | None:
    """Claim the next due post in a short transaction of its own: counted as an attempt, held for the lease.

    The claim is a conditional update, so of two workers (or a worker and a stale read) only one
    wins a post; a worker killed after claiming leaves a claim that runs out after the lease, and
    the post is tried again once then.
    """
    lease = timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
    while True:
        with transaction.atomic():
            rows = _pick(_webhook_due(now).order_by("next_attempt_at", "pk"), 1)
            if not rows:
                return None
            delivery = rows[0]
            won = (
                _webhook_due(now)
                .filter(pk=delivery.pk, attempts=delivery.attempts)
                .update(attempts=F("attempts") + 1, claimed_until=now + lease)
            )
        if won:
            delivery.attempts += 1
            delivery.claimed_until = now + lease
            return delivery


def _webhook_record(delivery: WebhookDelivery, error: str, now: datetime, *, give_up: bool = False) -> None:
    """Record a post's result in a short transaction of its own; a post marked delivered is never sent again."""
    if error:
        changes = {"last_error": error[:300], "claimed_until": None}
        if give_up:
            changes["attempts"] = WEBHOOK_MAX_ATTEMPTS
        else:
            changes["next_attempt_at"] = now + timedelta(seconds=30 * 2 ** (delivery.attempts - 1))
    else:
        changes = {"delivered_at": now, "last_error": "", "claimed_until": None}
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk, delivered_at=None).update(**changes)


def webhooks_deliver(*, now: datetime | None = None, limit: int = 50, post=None) -> int:
    """Post queued WeCom messages; a failure is retried later with back-off and never raises.

    Each post is claimed in one short transaction, posted outside any transaction and its result
    recorded in another, so a slow or unreachable WeCom never holds a lock anyone else waits for,
    and a post recorded as delivered is never sent again (see _webhook_claim for a killed worker).
    """
    from . import wecom  # post_json looked up at each call, so a test can stand in for it

    post = post or wecom.post_json
    sent = 0
    for _n in range(limit):
        moment = now or timezone.now()
        delivery = _webhook_claim(moment)
        if delivery is None:
            break
        if not webhook_url_allowed(delivery.url):
            # the address was changed behind the form's back (or the allowed hosts were): never post it
            _webhook_record(delivery, "webhook address not allowed", moment, give_up=True)
            continue
        error = post(delivery.url, delivery.payload)
        _webhook_record(delivery, error, now or timezone.now())
        sent += not error
    return sent


# Other apps' scheduled work, run by the worker after the promises' own (e.g. checks schedules the
# rounds that fall due). Each is ``(name, fn)`` with ``fn(*, now) -> int``, safe to run in several
# workers at once and idempotent. Registered in AppConfig.ready with WORKER_JOBS.register(name, fn).
WORKER_JOBS: Registry[Callable[..., int]] = Registry("worker jobs")


def worker_tick(*, now: datetime | None = None) -> dict:
    """One round of the worker: other apps' scheduled jobs, then reminders, escalations, webhook posts."""
    done = {name: fn(now=now) for name, fn in WORKER_JOBS.items()}
    return done | {
        "reminders": reminders_send_due(now=now),
        "escalations": escalations_send_due(now=now),
        "webhooks": webhooks_deliver(now=now),
    }


@transaction.atomic
def notifications_mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at=None)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


# ---------------------------------------------------------------------------------------------
# Promise rules: a store's own rule for a kind of promise, or the default for every store

PROMISE_RULE_FIELDS = ["remind_at_percent", "escalate_supervisor_after_minutes", "escalate_manager_after_minutes"]
REMIND_PERCENT_RANGE = (1, 99)
ESCALATION_MAX_MINUTES = 7 * 24 * 60


def _may_edit_rule(user, store) -> bool:
    return has_right(user, Right.MANAGE_STORE, store.pk) if store is not None else may_edit_default_rules(user)


def promise_rule_errors(
    *, remind_at_percent, escalate_supervisor_after_minutes, escalate_manager_after_minutes
) -> dict:
    """Every field's problem at once, each message naming the field and the rule."""
    errors: dict[str, list] = {}
    low, high = REMIND_PERCENT_RANGE
    if remind_at_percent is None or not low <= remind_at_percent <= high:
        errors["remind_at_percent"] = [
            _("The reminder must come at %(low)s to %(high)s percent of the promised time.")
            % {"low": low, "high": high}
        ]
    for field, value in (
        ("escalate_supervisor_after_minutes", escalate_supervisor_after_minutes),
        ("escalate_manager_after_minutes", escalate_manager_after_minutes),
    ):
        if value is None or value < 0:
            errors[field] = [_("Escalation minutes cannot be negative: enter 0 (at the due time) or more.")]
        elif value > ESCALATION_MAX_MINUTES:
            errors[field] = [
                _("Escalation must come within %(minutes)s minutes (one week) of the due time.")
                % {"minutes": ESCALATION_MAX_MINUTES}
            ]
    escalation_ok = not errors.keys() & {"escalate_supervisor_after_minutes", "escalate_manager_after_minutes"}
    if escalation_ok and escalate_manager_after_minutes <= escalate_supervisor_after_minutes:
        errors["escalate_manager_after_minutes"] = [
            _("The store manager must be told later than the supervisor: enter more than %(minutes)s minutes.")
            % {"minutes": escalate_supervisor_after_minutes}
        ]
    return errors


@transaction.atomic
def promise_rule_save(
    *,
    actor,
    store,
    kind: str,
    remind_at_percent: int,
    escalate_supervisor_after_minutes: int,
    escalate_manager_after_minutes: int,
) -> PromiseRule:
    """Set the store's own rule for a kind of promise (store None: the default for every store).

    Promises made from now on follow it; a kept history records the change.
    """
    deny_unless(_may_edit_rule(actor, store))
    store_id = store.pk if store is not None else None
    existing = PromiseRule.objects.select_for_update().filter(store_id=store_id, kind=kind).first()
    if existing is None and kind not in promise_kinds(
        PromiseRule.objects.filter(store=None).values_list("kind", flat=True)
    ):
        raise field_error("kind", _("Choose a kind of promise from the list."))
    errors = promise_rule_errors(
        remind_at_percent=remind_at_percent,
        escalate_supervisor_after_minutes=escalate_supervisor_after_minutes,
        escalate_manager_after_minutes=escalate_manager_after_minutes,
    )
    if errors:
        raise ValidationError(errors)
    rule = existing or PromiseRule(store=store, kind=kind)
    before = snapshot(rule, PROMISE_RULE_FIELDS) if existing else None
    rule.remind_at_percent = remind_at_percent
    rule.escalate_supervisor_after_minutes = escalate_supervisor_after_minutes
    rule.escalate_manager_after_minutes = escalate_manager_after_minutes
    rule.full_clean()
    save_or_conflict(
        rule,
        field="kind",
        message=_("Someone else saved this rule at the same moment. Open the page again and check it."),
    )
    history_record_saved(actor=actor, obj=rule, fields=PROMISE_RULE_FIELDS, before=before)
    return rule


@transaction.atomic
def promise_rule_delete(*, actor, rule: PromiseRule) -> None:
    """Remove a store's own rule (the default is in force again), or a default (the built-in values are)."""
    deny_unless(_may_edit_rule(actor, rule.store))
    rule = PromiseRule.objects.select_for_update().filter(pk=rule.pk).first()
    if rule is None:
        return
    history_record(
        actor=actor,
        obj=rule,
        action=HistoryAction.DELETE,
        before=snapshot(rule, PROMISE_RULE_FIELDS),
    )
    rule.delete()
