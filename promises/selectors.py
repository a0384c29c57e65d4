"""Reads of promises: which are the person's to watch, their day (due today, overdue, carried over), the bell."""

from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.http import Http404
from django.utils import timezone

from core.audit import add_change_rows, field_labels
from core.models import HistoryEntry
from org.access import Right, deny_unless, get_for_user, has_right, may_act_on, role_of, store_ids
from org.choices import Role
from org.models import DealerGroup, Department

from .choices import PROMISE_KIND_RULES, PromiseKind, PromiseState
from .models import Notification, Promise, PromiseRule

# How many open promises a list shows at most (the overdue ones first): a page, not the archive.
WATCH_LIMIT = 200


def watched(user) -> tuple[Q, Q | None, str]:
    """Which promises are the person's to watch: (mine, my team's or None, what the team is).

    Mine: the promises they own, and their department desk's (owned by the department, no person):
    anyone of the department may keep those. The team's, for those who answer for others' promises
    (they are escalated to them, S1.4): a store manager (and a group admin) watches every promise of
    their stores, a supervisor the promises of the departments they supervise and of their own
    department, owned by the desk or by a member. Staff and auditors have no team here. Always
    within the person's stores (the store wall): callers filter on `store_ids(user)`.
    """
    mine = Q(owner=user)
    if user.department_id:
        mine |= Q(owner__isnull=True, owner_department_id=user.department_id)
    role = role_of(user)
    if role in (Role.STORE_MANAGER, Role.GROUP_ADMIN):
        return mine, Q(pk__isnull=False), WATCH_STORE
    if role == Role.SUPERVISOR:
        departments = Department.objects.filter(Q(supervisors=user) | Q(pk=user.department_id or 0)).values("pk")
        return mine, Q(owner_department_id__in=departments) | Q(owner__department_id__in=departments), WATCH_DEPARTMENTS
    return mine, None, ""


WATCH_STORE = "store"
WATCH_DEPARTMENTS = "departments"


def _watched_open(user, end: datetime):
    """Open promises due before `end` that the person watches, each marked `is_mine` (one query)."""
    mine, team, _team_kind = watched(user)
    condition = mine | team if team is not None else mine
    return (
        Promise.objects.filter(condition, store_id__in=store_ids(user), state=PromiseState.OPEN, due_at__lt=end)
        .annotate(is_mine=Case(When(mine, then=Value(True)), default=Value(False), output_field=BooleanField()))
        .select_related("owner", "owner_department", "store")
        .order_by("due_at", "pk")
    )


def day_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    now = timezone.localtime(now or timezone.now())
    start = datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)
    return start, start + timedelta(days=1)


def my_day(user, now: datetime | None = None) -> dict:
    """The promises the person watches (see `watched`): overdue and due today, theirs apart from their
    team's or store's, and what of theirs carries over (S1.D2). Two queries, whatever the numbers."""
    now = now or timezone.now()
    start, end = day_bounds(now)
    _mine, team, team_kind = watched(user)
    found = list(_watched_open(user, end)[:WATCH_LIMIT])
    overdue = [p for p in found if p.is_mine and p.due_at < now]
    today = [p for p in found if p.is_mine and p.due_at >= now]
    kept_today = Promise.objects.filter(
        _mine, store_id__in=store_ids(user), kept_at__gte=start, kept_at__lt=end
    ).count()
    return {
        "overdue": overdue,
        "today": today,
        "carried_over": overdue + today,  # what is still open at the end of the day goes to tomorrow
        "kept_today": kept_today,
        "team": team_kind,  # "store", "departments" or "" (nobody else's promises to watch)
        "team_overdue": [p for p in found if not p.is_mine and p.due_at < now],
        "team_today": [p for p in found if not p.is_mine and p.due_at >= now],
        "now": now,
    }


def watch_counts(user, now: datetime | None = None) -> dict:
    """For the bell: how many watched promises are overdue or due later today, mine and my team's (one query)."""
    now = now or timezone.now()
    _start, end = day_bounds(now)
    mine, team, team_kind = watched(user)
    condition = mine | team if team is not None else mine
    counting = {
        "overdue": Count("pk", filter=mine & Q(due_at__lt=now)),
        "today": Count("pk", filter=mine & Q(due_at__gte=now)),
    }
    if team is not None:
        counting["team_overdue"] = Count("pk", filter=~mine & Q(due_at__lt=now))
    counts = Promise.objects.filter(
        condition, store_id__in=store_ids(user), state=PromiseState.OPEN, due_at__lt=end
    ).aggregate(**counting)
    return {"team_overdue": 0} | counts | {"team": team_kind}


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).count()


def recent_notifications(user, limit: int = 10):
    return list(Notification.objects.filter(recipient=user).select_related("store")[:limit])


# ---------------------------------------------------------------------------------------------
# Promise rules: a store's own rule for a kind of promise, or the default for every store

DEFAULT_RULE = PromiseRule(remind_at_percent=80, escalate_supervisor_after_minutes=0, escalate_manager_after_minutes=60)

# The kinds of promise the modules make: label and rule ID.
PROMISE_KINDS = {kind: (kind.label, PROMISE_KIND_RULES[kind]) for kind in PromiseKind}


def rule_for(store_id: int, kind: str) -> PromiseRule:
    """The store's own rule for the kind, else the default rule, else the built-in default."""
    rules = {r.store_id: r for r in PromiseRule.objects.filter(Q(store_id=store_id) | Q(store=None), kind=kind)}
    return rules.get(store_id) or rules.get(None) or DEFAULT_RULE


def promise_kind_label(kind: str) -> str:
    """A kind of promise in the reader's language (the code itself for a kind set up only in the admin)."""
    return str(PROMISE_KINDS.get(kind, (kind,))[0])


def promise_kinds(default_kinds=()) -> dict[str, tuple]:
    """The known kinds, then any other kind that has a default rule (set up in the admin)."""
    kinds = dict(PROMISE_KINDS)
    for kind in sorted(default_kinds):
        kinds.setdefault(kind, (kind, ""))
    return kinds


def rules_in_force(store_id: int | None) -> list[dict]:
    """Per kind of promise: the store's own rule, the default rule, and which one is in force (one query).

    Without a store: the defaults only.
    """
    condition = Q(store=None) | Q(store_id=store_id) if store_id else Q(store=None)
    found = {(rule.store_id, rule.kind): rule for rule in PromiseRule.objects.filter(condition)}
    rows = []
    for kind, (label, rule_id) in promise_kinds(k for s, k in found if s is None).items():
        own = found.get((store_id, kind)) if store_id else None
        default = found.get((None, kind))
        rows.append(
            {
                "kind": kind,
                "label": label,
                "rule_id": rule_id,
                "own": own,
                "default": default,
                "in_force": own or default or DEFAULT_RULE,
                "fallback": default or DEFAULT_RULE,  # what holds without the store's own rule
                "source": "store" if own else ("default" if default else "built_in"),
            }
        )
    return rows


def rule_history(store_id: int | None, limit: int = 30) -> list:
    """Changes to the store's own rules (without a store: to the defaults), newest first (one query)."""
    entries = list(
        HistoryEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(PromiseRule), store_id=store_id
        ).select_related("actor")[:limit]
    )
    labels = field_labels(PromiseRule)
    for entry in entries:
        add_change_rows(entry, labels)
        entry.kind_label = promise_kind_label(entry.object_repr)
    return entries


def may_edit_default_rules(user) -> bool:
    """Whether the person may change the defaults (store empty), which hold for every store here.

    A group admin may, as long as no other dealer group has stores in this installation; with
    several groups only an operator (a superuser without a group) may, so no group sets another's.
    """
    if not has_right(user, Right.MANAGE_GROUP):
        return False
    if user.is_superuser and not user.group_id:
        return True
    return not DealerGroup.objects.exclude(pk=user.group_id).filter(stores__isnull=False).exists()


# ---------------------------------------------------------------------------------------------
# One access function per record type: the page and the API both call it


def promise_get_for_user(user, pk, *, right: Right = Right.VIEW) -> Promise:
    """The promise behind the person's wall: 404 outside it or for a bad id, 403 when the role lacks the right."""
    return get_for_user(
        Promise.objects.select_related("store", "owner", "owner_department", "created_by"), user, right=right, pk=pk
    )


def promise_may_act(user, promise: Promise) -> bool:
    """Keep, pause, resume or cancel: the owner (or a member of the owning desk), their supervisor, the store's
    managers (org.access.may_act_on) — not a supervisor of another department, whose "kept" would stop the
    escalation of a promise that is not theirs."""
    return may_act_on(
        user, store_id=promise.store_id, owner_id=promise.owner_id, department_id=promise.owner_department_id
    )


def promise_rule_get_for_user(user, store, kind: str) -> PromiseRule:
    """A store's own rule for a kind (store behind the wall, MANAGE_STORE), or with store None a default rule
    (only for those who may edit the defaults); 404 when there is no such rule, 403 without the right."""
    if store is None:
        deny_unless(may_edit_default_rules(user))
        rule = PromiseRule.objects.filter(store=None, kind=kind).first()
        if rule is None:
            raise Http404
        return rule
    return get_for_user(PromiseRule.objects.all(), user, right=Right.MANAGE_STORE, store=store, kind=kind)


def notification_get_for_user(user, pk) -> Notification:
    """One of the person's own notifications: anyone else's, or a bad id, is a 404."""
    return get_for_user(Notification.objects.filter(recipient=user), user, pk=pk)
