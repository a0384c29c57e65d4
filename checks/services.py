"""The checklist engine: templates, areas, rounds on a schedule, results, corrective actions (S4.6–S4.10).

Every write goes through here, from the web pages and the API alike. A round copies its template's
items into its own results when it starts (a snapshot), so a template edited later never changes a
past round. Scheduled rounds and corrective actions are promises with clocks (promises app):
PromiseKind.CHECK_ROUND due a few minutes after its slot, PromiseKind.CHECK_CORRECTION due in business hours.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import history_record, snapshot
from core.images import photo_clean
from core.models import HistoryAction
from core.standards import STANDARDS
from org.access import Right, has_right, may_act_on, role_of, store_ids
from org.business_time import StoreCalendar
from org.choices import DepartmentKind, Role
from org.models import Department, Store
from promises.choices import NotificationKind, PromiseKind, PromiseState
from promises.services import notification_send, owners_of, promise_break, promise_keep, promise_make

from .choices import ActionState, ItemKind, Purpose, RoundState
from .models import Area, ChecklistTemplate, CorrectiveAction, Round, RoundResult, TemplateItem

# A failed item is to be put right within this many business minutes (the corrective action's clock).
CORRECTION_BUSINESS_MINUTES = settings.CHECKS_CORRECTION_BUSINESS_MINUTES

TEMPLATE_FIELDS = ["name", "purpose", "description", "active"]
ITEM_FIELDS = ["position", "text", "rule_id", "kind", "min_value", "max_value", "unit", "photo_on_fail"]
AREA_FIELDS = ["name", "template", "department", "every_minutes", "due_within_minutes", "active"]
ROUND_FIELDS = ["state", "started_at", "submitted_at", "submitted_by", "on_time", "item_count", "failed_count", "score"]
ACTION_FIELDS = ["state", "owner", "owner_department", "done_at", "done_by", "done_note"]

# Who may start a round that is not on the schedule (an extra, ad-hoc round).
ADHOC_ROLES = (Role.GROUP_ADMIN, Role.STORE_MANAGER, Role.SUPERVISOR)


# --- Who may act ---------------------------------------------------------------------------------


def _require(actor, right: Right, store_id: int) -> None:
    """A person acting on a store's checks needs the right in that store (the views ask the wall first)."""
    if actor is not None and not has_right(actor, right, store_id):
        raise PermissionDenied


def may_close_action(user, action: CorrectiveAction) -> bool:
    """Close a corrective action: its owner (or the owning desk's members), their supervisor, the store's
    managers (org.access.may_act_on) — not a colleague of another department, nor staff closing a manager's."""
    return may_act_on(
        user, store_id=action.store_id, owner_id=action.owner_id, department_id=action.owner_department_id
    )


def may_start_adhoc(user, store_id: int) -> bool:
    """An extra round outside the schedule: supervisors and managers of the store."""
    return role_of(user) in ADHOC_ROLES and has_right(user, Right.EDIT, store_id)


# --- Rule IDs ------------------------------------------------------------------------------------


def rule_choices() -> list[tuple[str, str]]:
    """Every rule of the six standards, as (ID, "ID — title"), in the catalogue's order."""
    return [(r.id, f"{r.id} — {r.title}") for s in STANDARDS for r in s.rules]


def clean_rule_id(value) -> str:
    """The rule ID as the standards spell it (S4.7), or ValidationError naming the field "rule_id"."""
    value = str(value or "").strip()
    if not value:
        raise ValidationError(
            {"rule_id": [ValidationError(_("Name the standard's rule this item checks, e.g. S4.7."), code="required")]}
        )
    known = {r.id.upper(): r.id for s in STANDARDS for r in s.rules}
    canonical = known.get(value.upper())
    if canonical is None:
        raise ValidationError(
            {
                "rule_id": [
                    ValidationError(
                        _("%(value)s is not a rule of the standards: use an ID such as S4.7."),
                        code="unknown_rule",
                        params={"value": value[:20]},
                    )
                ]
            }
        )
    return canonical


# --- Templates and their items -------------------------------------------------------------------


def _text(value, *, field: str, required_message: str, max_length: int) -> str:
    value = str(value or "").strip()
    if not value:
        raise ValidationError({field: [ValidationError(required_message, code="required")]})
    if len(value) > max_length:
        raise ValidationError(
            {
                field: [
                    ValidationError(_("At most %(limit)d characters."), code="max_length", params={"limit": max_length})
                ]
            }
        )
    return value


def _touch(template: ChecklistTemplate, now=None) -> None:
    template.updated_at = now or timezone.now()
    template.save(update_fields=["updated_at"])


@transaction.atomic
def template_create(
    *, actor, store: Store, name: str, purpose: str = Purpose.OTHER, description: str = "", active: bool = True
) -> ChecklistTemplate:
    """A new, empty checklist template of the store; items are added one by one."""
    _require(actor, Right.MANAGE_STORE, store.pk)
    name = _text(name, field="name", required_message=_("Give the template a name."), max_length=100)
    if ChecklistTemplate.objects.filter(store=store, name=name).exists():
        raise ValidationError(
            {"name": [ValidationError(_("The store already has a template of this name."), code="duplicate")]}
        )
    now = timezone.now()
    template = ChecklistTemplate(
        store=store,
        name=name,
        purpose=purpose or Purpose.OTHER,
        description=str(description or "").strip(),
        active=bool(active),
        created_at=now,
        updated_at=now,
    )
    template.full_clean()
    template.save()
    history_record(actor=actor, obj=template, action=HistoryAction.CREATE, after=snapshot(template, TEMPLATE_FIELDS))
    return template


@transaction.atomic
def template_update(
    *, actor, template: ChecklistTemplate, name: str, purpose: str, description: str = "", active: bool = True
) -> ChecklistTemplate:
    """Rename or describe a template, or take it out of use; past rounds keep what they checked."""
    _require(actor, Right.MANAGE_STORE, template.store_id)
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    before = snapshot(template, TEMPLATE_FIELDS)
    name = _text(name, field="name", required_message=_("Give the template a name."), max_length=100)
    if ChecklistTemplate.objects.filter(store_id=template.store_id, name=name).exclude(pk=template.pk).exists():
        raise ValidationError(
            {"name": [ValidationError(_("The store already has a template of this name."), code="duplicate")]}
        )
    template.name = name
    template.purpose = purpose or Purpose.OTHER
    template.description = str(description or "").strip()
    template.active = bool(active)
    template.updated_at = timezone.now()
    template.full_clean()
    template.save(update_fields=[*TEMPLATE_FIELDS, "updated_at"])
    history_record(
        actor=actor, obj=template, action=HistoryAction.UPDATE, before=before, after=snapshot(template, TEMPLATE_FIELDS)
    )
    return template


def _clean_item(*, text, rule_id, kind, min_value, max_value, unit, photo_on_fail) -> dict:
    """One item's input, each problem named by its field; limits only for a measured item."""
    errors: dict[str, list] = {}
    out: dict = {}
    try:
        out["text"] = _text(text, field="text", required_message=_("Say what is to be checked."), max_length=200)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    try:
        out["rule_id"] = clean_rule_id(rule_id)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    kind = kind or ItemKind.PASS_FAIL
    if kind not in ItemKind.values:
        errors["kind"] = [ValidationError(_("Choose how the item is answered."), code="invalid_choice")]
    out["kind"] = kind
    out["unit"] = str(unit or "").strip()[:20]
    out["photo_on_fail"] = bool(photo_on_fail)
    if kind == ItemKind.MEASURED:
        if min_value is None and max_value is None:
            errors["max_value"] = [
                ValidationError(
                    _("A measured item needs a limit: at most, at least, or both (e.g. at most 2 for S4.7)."),
                    code="limit_required",
                )
            ]
        elif min_value is not None and max_value is not None and min_value > max_value:
            errors["min_value"] = [
                ValidationError(_("The lower limit cannot be above the upper limit."), code="limits_order")
            ]
        out["min_value"] = min_value
        out["max_value"] = max_value
    else:
        out["min_value"] = None
        out["max_value"] = None
        out["unit"] = ""
    if errors:
        raise ValidationError(errors)
    return out


def _renumber(template: ChecklistTemplate) -> None:
    """Positions 1…n in the shown order, with no gaps."""
    for index, item in enumerate(template.items.order_by("position", "id"), start=1):
        if item.position != index:
            item.position = index
            item.save(update_fields=["position"])


@transaction.atomic
def template_item_add(
    *,
    actor,
    template: ChecklistTemplate,
    text: str,
    rule_id: str,
    kind: str = ItemKind.PASS_FAIL,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
    unit: str = "",
    photo_on_fail: bool = True,
) -> TemplateItem:
    """Add an item at the end of the template; rounds already started keep their own copy."""
    _require(actor, Right.MANAGE_STORE, template.store_id)
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    data = _clean_item(
        text=text,
        rule_id=rule_id,
        kind=kind,
        min_value=min_value,
        max_value=max_value,
        unit=unit,
        photo_on_fail=photo_on_fail,
    )
    last = template.items.aggregate(last=Max("position"))["last"] or 0
    item = TemplateItem(template=template, position=last + 1, **data)
    item.full_clean()
    item.save()
    item.refresh_from_db()
    _touch(template)
    history_record(
        actor=actor,
        obj=template,
        action=HistoryAction.UPDATE,
        after=snapshot(item, ITEM_FIELDS),
        note=_("Item added: %(text)s") % {"text": item.text},
    )
    return item


@transaction.atomic
def template_item_edit(
    *,
    actor,
    item: TemplateItem,
    text: str,
    rule_id: str,
    kind: str,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
    unit: str = "",
    photo_on_fail: bool = True,
) -> TemplateItem:
    """Change an item's wording, rule, limits or photo rule; past rounds keep what they checked."""
    _require(actor, Right.MANAGE_STORE, item.template.store_id)
    item = TemplateItem.objects.select_for_update(of=("self",)).select_related("template").get(pk=item.pk)
    before = snapshot(item, ITEM_FIELDS)
    data = _clean_item(
        text=text,
        rule_id=rule_id,
        kind=kind,
        min_value=min_value,
        max_value=max_value,
        unit=unit,
        photo_on_fail=photo_on_fail,
    )
    for key, value in data.items():
        setattr(item, key, value)
    item.full_clean()
    item.save(update_fields=list(data))
    item.refresh_from_db()  # the limits as stored (2.00), so the history compares like with like
    _touch(item.template)
    history_record(
        actor=actor,
        obj=item.template,
        action=HistoryAction.UPDATE,
        before=before,
        after=snapshot(item, ITEM_FIELDS),
        note=_("Item changed: %(text)s") % {"text": item.text},
    )
    return item


@transaction.atomic
def template_item_move(*, actor, item: TemplateItem, direction: str) -> TemplateItem:
    """Move an item one place up or down; at the top or bottom it stays where it is."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": [ValidationError(_("Move an item up or down."), code="invalid_choice")]})
    _require(actor, Right.MANAGE_STORE, item.template.store_id)
    template = ChecklistTemplate.objects.select_for_update().get(pk=item.template_id)
    _renumber(template)
    items = list(template.items.order_by("position", "id"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(items):
        return items[index]
    moved, other = items[index], items[target]
    before = moved.position
    moved.position, other.position = other.position, moved.position
    moved.save(update_fields=["position"])
    other.save(update_fields=["position"])
    _touch(template)
    history_record(
        actor=actor,
        obj=template,
        action=HistoryAction.UPDATE,
        before={"position": before},
        after={"position": moved.position},
        note=_("Item moved: %(text)s") % {"text": moved.text},
    )
    return moved


@transaction.atomic
def template_item_remove(*, actor, item: TemplateItem) -> None:
    """Take an item off the template; past rounds keep it in their results."""
    _require(actor, Right.MANAGE_STORE, item.template.store_id)
    template = ChecklistTemplate.objects.select_for_update().get(pk=item.template_id)
    item = TemplateItem.objects.get(pk=item.pk)
    before = snapshot(item, ITEM_FIELDS)
    item.delete()
    _renumber(template)
    _touch(template)
    history_record(
        actor=actor,
        obj=template,
        action=HistoryAction.UPDATE,
        before=before,
        after={},
        note=_("Item removed: %(text)s") % {"text": before["text"]},
    )


# --- Areas ---------------------------------------------------------------------------------------


def _clean_area(*, store: Store, name, template, department, every_minutes, due_within_minutes, exclude=None) -> dict:
    errors: dict[str, list] = {}
    out: dict = {}
    try:
        out["name"] = _text(name, field="name", required_message=_("Give the area a name."), max_length=100)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    else:
        clash = Area.objects.filter(store=store, name=out["name"])
        if exclude is not None:
            clash = clash.exclude(pk=exclude.pk)
        if clash.exists():
            errors["name"] = [ValidationError(_("The store already has an area of this name."), code="duplicate")]
    if template is None:
        errors["template"] = [ValidationError(_("Choose the checklist template of the area."), code="required")]
    elif template.store_id != store.pk:
        errors["template"] = [ValidationError(_("The template must be one of the store's."), code="invalid")]
    if department is None:
        errors["department"] = [
            ValidationError(_("Choose the department whose desk does the rounds."), code="required")
        ]
    elif department.store_id != store.pk:
        errors["department"] = [ValidationError(_("The department must be one of the store's."), code="invalid")]
    if every_minutes is not None and due_within_minutes is not None and due_within_minutes > every_minutes:
        errors["due_within_minutes"] = [
            ValidationError(
                _("A round must be due before the next one begins: at most %(every)d minutes."),
                code="due_after_next",
                params={"every": every_minutes},
            )
        ]
    if errors:
        raise ValidationError(errors)
    out |= {
        "template": template,
        "department": department,
        "every_minutes": every_minutes,
        "due_within_minutes": due_within_minutes,
    }
    return out


def _area_history(area: Area) -> dict:
    return snapshot(area, AREA_FIELDS)


@transaction.atomic
def area_create(
    *,
    actor,
    store: Store,
    name: str,
    template: ChecklistTemplate | None,
    department: Department | None,
    every_minutes: int = 60,
    due_within_minutes: int = 30,
    active: bool = True,
) -> Area:
    """A place checked on a schedule (S4.6–S4.10): a round every N minutes of business hours."""
    _require(actor, Right.MANAGE_STORE, store.pk)
    data = _clean_area(
        store=store,
        name=name,
        template=template,
        department=department,
        every_minutes=every_minutes,
        due_within_minutes=due_within_minutes,
    )
    area = Area(store=store, active=bool(active), **data)
    area.full_clean()
    area.save()
    history_record(actor=actor, obj=area, action=HistoryAction.CREATE, after=_area_history(area))
    return area


@transaction.atomic
def area_update(
    *,
    actor,
    area: Area,
    name: str,
    template: ChecklistTemplate | None,
    department: Department | None,
    every_minutes: int,
    due_within_minutes: int,
    active: bool,
) -> Area:
    """Change an area's template, desk or schedule; rounds already made keep their own times."""
    _require(actor, Right.MANAGE_STORE, area.store_id)
    area = Area.objects.select_for_update(of=("self",)).select_related("store").get(pk=area.pk)
    before = _area_history(area)
    data = _clean_area(
        store=area.store,
        name=name,
        template=template,
        department=department,
        every_minutes=every_minutes,
        due_within_minutes=due_within_minutes,
        exclude=area,
    )
    for key, value in data.items():
        setattr(area, key, value)
    area.active = bool(active)
    area.full_clean()
    area.save(update_fields=[*data, "active"])
    history_record(actor=actor, obj=area, action=HistoryAction.UPDATE, before=before, after=_area_history(area))
    return area


# --- The default lounge hygiene template (S4.6–S4.10) --------------------------------------------

DEFAULT_LOUNGE_TEMPLATE = "客户休息区卫生巡检"
DEFAULT_LOUNGE_DESCRIPTION = "按接待服务规范 S4.6–S4.10 逐项检查客户休息区的卫生与整洁。"
DEFAULT_LOUNGE_AREA = "客户休息区"

# (rule, what to check, kind, at most, unit, photo when failed) — our own wording of every point of S4.6–S4.10.
DEFAULT_LOUNGE_ITEMS = [
    ("S4.6", "沙发平整无褶皱(客人离开后已整理)", ItemKind.PASS_FAIL, None, "", True),
    ("S4.6", "沙发无食物碎屑、无污渍", ItemKind.PASS_FAIL, None, "", True),
    ("S4.7", "茶几上无烟灰、纸巾和杂物", ItemKind.PASS_FAIL, None, "", True),
    ("S4.7", "茶几台面水渍已擦干", ItemKind.PASS_FAIL, None, "", True),
    ("S4.7", "烟灰缸内烟头数(不超过 2 个)", ItemKind.MEASURED, Decimal("2"), "个", True),
    ("S4.8", "电视、音响表面无灰尘", ItemKind.PASS_FAIL, None, "", True),
    ("S4.8", "遥控器摆放在客人伸手可及处", ItemKind.PASS_FAIL, None, "", False),
    ("S4.8", "饮水机清洁,周围干燥无水渍", ItemKind.PASS_FAIL, None, "", True),
    ("S4.8", "茶壶清洁,摆放整齐", ItemKind.PASS_FAIL, None, "", True),
    ("S4.9", "报刊架无灰尘", ItemKind.PASS_FAIL, None, "", True),
    ("S4.9", "报纸、杂志摆放整齐", ItemKind.PASS_FAIL, None, "", False),
    ("S4.10", "展示架无灰尘", ItemKind.PASS_FAIL, None, "", True),
    ("S4.10", "展品摆放整齐", ItemKind.PASS_FAIL, None, "", True),
]


@transaction.atomic
def template_default_lounge(store: Store, *, actor=None) -> ChecklistTemplate:
    """The default lounge hygiene template covering every point of S4.6–S4.10, and an hourly lounge area.

    Idempotent: a template or area of the same name that already exists is left as the managers
    made it. The area is made only when the store has a lounge department (its desk owns the rounds).
    """
    if actor is not None:
        _require(actor, Right.MANAGE_STORE, store.pk)
    Store.objects.select_for_update().filter(pk=store.pk).first()  # one default set-up at a time per store
    template = ChecklistTemplate.objects.filter(store=store, name=DEFAULT_LOUNGE_TEMPLATE).first()
    if template is None:
        now = timezone.now()
        template = ChecklistTemplate.objects.create(
            store=store,
            name=DEFAULT_LOUNGE_TEMPLATE,
            purpose=Purpose.LOUNGE_HYGIENE,
            description=DEFAULT_LOUNGE_DESCRIPTION,
            created_at=now,
            updated_at=now,
        )
        TemplateItem.objects.bulk_create(
            TemplateItem(
                template=template,
                position=index,
                rule_id=rule,
                text=text,
                kind=kind,
                max_value=most,
                unit=unit,
                photo_on_fail=photo,
            )
            for index, (rule, text, kind, most, unit, photo) in enumerate(DEFAULT_LOUNGE_ITEMS, start=1)
        )
        history_record(
            actor=actor,
            obj=template,
            action=HistoryAction.CREATE,
            after=snapshot(template, TEMPLATE_FIELDS),
            note=_("Default lounge hygiene template (S4.6–S4.10)"),
        )
    department = Department.objects.filter(store=store, kind=DepartmentKind.LOUNGE, active=True).order_by("pk").first()
    if department is not None and not Area.objects.filter(store=store, name=DEFAULT_LOUNGE_AREA).exists():
        area = Area.objects.create(
            store=store,
            name=DEFAULT_LOUNGE_AREA,
            template=template,
            department=department,
            every_minutes=60,
            due_within_minutes=30,
        )
        history_record(actor=actor, obj=area, action=HistoryAction.CREATE, after=_area_history(area))
    return template


# --- The schedule --------------------------------------------------------------------------------


def area_slots(*, area: Area, day: date, calendar: StoreCalendar) -> list[datetime]:
    """The area's round times on a day: every N minutes from opening, while the store is open."""
    span = calendar.interval(day)
    if span is None:
        return []
    opens, closes = span
    step = timedelta(minutes=area.every_minutes)
    slots = []
    slot = opens
    while slot < closes:
        slots.append(slot)
        slot += step
    return slots


def current_slot(*, area: Area, now: datetime, calendar: StoreCalendar) -> datetime | None:
    """The slot that has begun and is not yet followed by the next one; None outside business hours."""
    local = timezone.localtime(now, calendar.tz)
    span = calendar.interval(local.date())
    if span is None or not span[0] <= local < span[1]:
        return None
    index = int((local - span[0]).total_seconds() // (area.every_minutes * 60))
    return span[0] + timedelta(minutes=area.every_minutes * index)


def next_slot_start(*, area: Area, slot: datetime, calendar: StoreCalendar) -> datetime:
    """When the slot after this one begins: later the same day, else at the store's next opening."""
    local = timezone.localtime(slot, calendar.tz)
    span = calendar.interval(local.date())
    candidate = local + timedelta(minutes=area.every_minutes)
    if span is not None and candidate < span[1]:
        return candidate
    close = span[1] if span is not None else candidate
    return calendar.next_open(close)


def _round_url(round: Round) -> str:
    return reverse("checks:round_detail", kwargs={"round_pk": round.pk})


def _round_title(round: Round, area: Area) -> str:
    return _("Round of %(area)s at %(slot)s: %(template)s") % {
        "template": round.template_name,
        "area": area.name,
        "slot": timezone.localtime(round.scheduled_for).strftime("%m-%d %H:%M"),
    }


def _schedule_area(area: Area, slot: datetime, rule_id: str, now: datetime) -> Round | None:
    """The round of one slot with its promise; None if another worker made it first."""
    due_at = slot + timedelta(minutes=area.due_within_minutes)
    if due_at <= now:
        return None  # the slot is already past its due time (the worker was not running): not made afterwards
    try:
        with transaction.atomic():
            round = Round.objects.create(
                store_id=area.store_id,
                area=area,
                template=area.template,
                template_name=area.template.name,
                purpose=area.template.purpose,
                scheduled_for=slot,
                due_at=due_at,
            )
            round.promise = promise_make(
                store=area.store,
                kind=PromiseKind.CHECK_ROUND,
                rule_id=rule_id,
                title=_round_title(round, area),
                owner_department=area.department,
                subject=round,
                url=_round_url(round),
                due_at=due_at,
                now=now,
            )
            round.save(update_fields=["promise"])
            history_record(
                actor=None,
                obj=round,
                action=HistoryAction.CREATE,
                after=snapshot(round, ["scheduled_for", "due_at", "state"]),
                note=_("Scheduled"),
            )
    except IntegrityError:
        return None  # made by another worker at the same moment (unique area + slot)
    return round


def _mark_missed(now: datetime, calendars: dict) -> int:
    """Open scheduled rounds whose next slot has begun are missed; their promise is broken."""
    missed = 0
    candidates = (
        Round.objects.filter(state=RoundState.OPEN, area__isnull=False, scheduled_for__lt=now)
        .select_related("area", "area__store")
        .order_by("scheduled_for")
    )
    for round in candidates:
        calendar = calendars.get(round.store_id) or calendars.setdefault(
            round.store_id, StoreCalendar(round.area.store)
        )
        if next_slot_start(area=round.area, slot=round.scheduled_for, calendar=calendar) > now:
            continue
        with transaction.atomic():
            locked = (
                Round.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=round.pk, state=RoundState.OPEN)
                .select_related("promise")
                .first()
            )
            if locked is None:
                continue  # done, missed, or held by another worker meanwhile
            before = snapshot(locked, ["state"])
            locked.state = RoundState.MISSED
            locked.save(update_fields=["state"])
            if locked.promise is not None and locked.promise.state == PromiseState.OPEN:
                promise_break(promise=locked.promise, reason=_("The round was not done before the next one began."))
            history_record(
                actor=None,
                obj=locked,
                action=HistoryAction.UPDATE,
                before=before,
                after=snapshot(locked, ["state"]),
                note=_("Missed"),
            )
            missed += 1
    return missed


def rounds_schedule(*, now: datetime | None = None) -> int:
    """The worker's job: make each active area's round for the current slot, mark earlier open ones missed.

    Safe in several workers at once: the unique (area, slot) makes a second creation fail and be
    skipped; a round being marked missed is locked. Returns how many rounds were made or missed.
    """
    now = now or timezone.now()
    first_rule = TemplateItem.objects.filter(template=OuterRef("template")).order_by("position", "id")
    areas = (
        Area.objects.filter(active=True, template__active=True, store__active=True)
        .select_related("store", "template", "department")
        .prefetch_related("store__business_hours")
        .annotate(first_rule=Subquery(first_rule.values("rule_id")[:1]))
    )
    calendars: dict[int, StoreCalendar] = {}
    made = 0
    for area in areas:
        if not area.first_rule:
            continue  # a template with no items has nothing to check
        calendar = calendars.get(area.store_id) or calendars.setdefault(area.store_id, StoreCalendar(area.store))
        slot = current_slot(area=area, now=now, calendar=calendar)
        if slot is None or Round.objects.filter(area=area, scheduled_for=slot).exists():
            continue
        if _schedule_area(area, slot, area.first_rule, now) is not None:
            made += 1
    return made + _mark_missed(now, calendars)


# --- Doing a round -------------------------------------------------------------------------------


def _locked_round(round: Round) -> Round:
    return (
        Round.objects.select_for_update(of=("self",))
        .select_related("store", "area", "area__department", "promise")
        .get(pk=round.pk)
    )


def _snapshot_items(round: Round, template: ChecklistTemplate) -> int:
    items = list(template.items.order_by("position", "id"))
    if not items:
        raise ValidationError(_("The template has no items to check: a manager adds them first."), code="no_items")
    RoundResult.objects.bulk_create(
        RoundResult(
            round=round,
            store_id=round.store_id,
            item=item,
            position=index,
            text=item.text,
            rule_id=item.rule_id,
            kind=item.kind,
            max_value=item.max_value,
            min_value=item.min_value,
            unit=item.unit,
            photo_on_fail=item.photo_on_fail,
        )
        for index, item in enumerate(items, start=1)
    )
    return len(items)


@transaction.atomic
def round_start(*, actor, round: Round, now: datetime | None = None) -> Round:
    """Start a round: its template's items are copied into its results as they read now (a snapshot).

    Starting a round already started changes nothing.
    """
    _require(actor, Right.EDIT, round.store_id)
    round = _locked_round(round)
    if round.state != RoundState.OPEN:
        raise ValidationError(_("Only a round still to do can be started."), code="not_open")
    if round.started_at is not None:
        return round
    template = ChecklistTemplate.objects.filter(pk=round.template_id).first()
    if template is None:
        raise ValidationError(_("The round's template no longer exists."), code="no_template")
    now = now or timezone.now()
    count = _snapshot_items(round, template)
    before = snapshot(round, ROUND_FIELDS)
    round.started_at = now
    round.item_count = count
    round.save(update_fields=["started_at", "item_count"])
    history_record(
        actor=actor, obj=round, action=HistoryAction.UPDATE, before=before, after=snapshot(round, ROUND_FIELDS)
    )
    return round


@transaction.atomic
def round_start_adhoc(*, actor, area: Area, now: datetime | None = None) -> Round:
    """An extra round outside the schedule, started at once by a supervisor or manager (no clock)."""
    if not may_start_adhoc(actor, area.store_id):
        raise PermissionDenied
    area = Area.objects.select_related("template").get(pk=area.pk)
    now = now or timezone.now()
    round = Round.objects.create(
        store_id=area.store_id,
        area=area,
        template=area.template,
        template_name=area.template.name,
        purpose=area.template.purpose,
    )
    history_record(
        actor=actor,
        obj=round,
        action=HistoryAction.CREATE,
        after=snapshot(round, ["state"]),
        note=_("Extra round"),
    )
    return round_start(actor=actor, round=round, now=now)


@dataclass
class Answer:
    """One item's answer: passed or failed (pass-or-fail items) or a value (measured), a comment, a photo."""

    passed: bool | None = None
    value: Decimal | None = None
    comment: str = ""
    photo: object | None = None  # an uploaded file; checked and scaled by core.images.photo_clean


def measured_passes(result, value: Decimal) -> bool:
    """A measured value passes when it is within the item's limits (S4.7: at most 2 butts)."""
    if result.min_value is not None and value < result.min_value:
        return False
    return not (result.max_value is not None and value > result.max_value)


def _field(result: RoundResult, name: str) -> str:
    return f"results.{result.pk}.{name}"


def _owner_ok(person, store_id: int) -> bool:
    return person.is_active and store_id in store_ids(person) and has_right(person, Right.EDIT, store_id)


@transaction.atomic
def result_photo_set(*, actor, result: RoundResult, photo) -> RoundResult:
    """Attach a photo to an item of a round being done (the API's upload; the page sends photos with the answers)."""
    _require(actor, Right.EDIT, result.store_id)
    round = _locked_round(result.round)
    if round.state != RoundState.OPEN or round.started_at is None:
        raise ValidationError(_("Photos are added only to a round being done."), code="not_open")
    try:
        cleaned = photo_clean(photo)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.error_list}) from None
    result = RoundResult.objects.select_for_update().get(pk=result.pk)
    result.photo.save(cleaned.name, cleaned, save=False)
    result.save(update_fields=["photo"])
    return result


@transaction.atomic
def round_submit(
    *,
    actor,
    round: Round,
    answers: dict[int, Answer],
    action_owner=None,
    now: datetime | None = None,
) -> Round:
    """Submit a round: every item answered, a photo for each failed item that requires one (S4.6–S4.10).

    Scores the round (passed ÷ answered × 100), says whether it was done on time, keeps its promise,
    and turns each failed item into a corrective action with an owner — the area's department desk,
    or the person chosen — and a clock. Nothing is saved unless everything is valid.
    """
    _require(actor, Right.EDIT, round.store_id)
    round = _locked_round(round)
    if round.state != RoundState.OPEN:
        raise ValidationError(_("This round is no longer to be done."), code="not_open")
    if round.started_at is None:
        raise ValidationError(_("Start the round first."), code="not_started")
    now = now or timezone.now()
    results = list(round.results.select_for_update().order_by("position", "id"))
    by_pk = {r.pk: r for r in results}
    errors: dict[str, list] = {}
    unknown = [pk for pk in answers if pk not in by_pk]
    if unknown:
        errors["results"] = [
            ValidationError(
                _("These are not items of this round: %(ids)s."),
                code="unknown_result",
                params={"ids": ", ".join(str(pk) for pk in unknown[:10])},
            )
        ]
    if action_owner is not None and not _owner_ok(action_owner, round.store_id):
        errors["action_owner"] = [
            ValidationError(_("The person putting failed items right must work in the store."), code="invalid")
        ]
    photos: dict[int, object] = {}
    for result in results:
        answer = answers.get(result.pk) or Answer()
        comment = str(answer.comment or "").strip()
        if len(comment) > 300:
            errors[_field(result, "comment")] = [
                ValidationError(_("At most %(limit)d characters."), code="max_length", params={"limit": 300})
            ]
        result.comment = comment[:300]
        if result.kind == ItemKind.MEASURED:
            if answer.value is None:
                errors[_field(result, "value")] = [
                    ValidationError(
                        _("%(rule)s: enter the measured value of “%(item)s”."),
                        code="required",
                        params={"rule": result.rule_id, "item": result.text},
                    )
                ]
                continue
            try:
                value = Decimal(answer.value)
            except (ArithmeticError, TypeError, ValueError):
                value = None
            if value is None or not value.is_finite() or abs(value) >= Decimal("1000000"):
                errors[_field(result, "value")] = [ValidationError(_("Enter a number."), code="invalid")]
                continue
            result.value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            result.passed = measured_passes(result, result.value)
        else:
            if answer.passed is None:
                errors[_field(result, "passed")] = [
                    ValidationError(
                        _("%(rule)s: say whether “%(item)s” passed or failed."),
                        code="required",
                        params={"rule": result.rule_id, "item": result.text},
                    )
                ]
                continue
            result.passed = bool(answer.passed)
            result.value = None
        if answer.photo:
            try:
                photos[result.pk] = photo_clean(answer.photo)
            except ValidationError as exc:
                errors[_field(result, "photo")] = exc.error_list
                continue
        if result.passed is False and result.photo_on_fail and not result.photo and result.pk not in photos:
            errors[_field(result, "photo")] = [
                ValidationError(
                    _("%(rule)s: “%(item)s” failed — take a photo of it."),
                    code="photo_required",
                    params={"rule": result.rule_id, "item": result.text},
                )
            ]
    if errors:
        raise ValidationError(errors)

    before = snapshot(round, ROUND_FIELDS)
    for result in results:
        if result.pk in photos:
            cleaned = photos[result.pk]
            result.photo.save(cleaned.name, cleaned, save=False)
        result.full_clean()
        result.save(update_fields=["passed", "value", "comment", "photo"])
    passed = sum(1 for r in results if r.passed)
    round.item_count = len(results)
    round.failed_count = len(results) - passed
    round.score = (Decimal(passed * 100) / Decimal(len(results))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
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
    for result in results:
        if result.passed is False:
            _action_open(round=round, result=result, owner=action_owner, actor=actor, now=now)
    return round


def _desk_of(round: Round):
    """The department that puts a failed item right: the area's, else the store's lounge desk."""
    if round.area is not None:
        return round.area.department
    return (
        Department.objects.filter(store_id=round.store_id, kind=DepartmentKind.LOUNGE, active=True)
        .order_by("pk")
        .first()
    )


def _action_url(action: CorrectiveAction) -> str:
    return reverse("checks:action_detail", kwargs={"action_pk": action.pk})


def _action_open(*, round: Round, result: RoundResult, owner, actor, now: datetime) -> CorrectiveAction:
    """A failed item becomes a corrective action with an owner and a clock (a promise)."""
    description = result.text
    if result.kind == ItemKind.MEASURED and result.value is not None:
        description = f"{description}({result.value.normalize():f}{result.unit})"
    if result.comment:
        description = f"{description} — {result.comment}"
    department = None if owner is not None else _desk_of(round)
    if owner is None and department is None:
        owner = actor
    action = CorrectiveAction(
        store_id=round.store_id,
        result=result,
        description=description[:300],
        owner=owner,
        owner_department=department,
        created_at=now,
    )
    action.full_clean()
    action.save()
    area_name = round.area.name if round.area is not None else round.template_name
    action.promise = promise_make(
        store=round.store,
        kind=PromiseKind.CHECK_CORRECTION,
        rule_id=result.rule_id,
        title=_("Put right (%(area)s): %(item)s") % {"area": area_name, "item": result.text},
        actor=actor,
        owner=owner,
        owner_department=department,
        subject=action,
        url=_action_url(action),
        business_minutes=CORRECTION_BUSINESS_MINUTES,
        now=now,
    )
    action.save(update_fields=["promise"])
    history_record(actor=actor, obj=action, action=HistoryAction.CREATE, after=snapshot(action, ACTION_FIELDS))
    notification_send(
        recipients=owners_of(action.promise),
        store=round.store,
        title=action.promise.title,
        kind=NotificationKind.ASSIGNED,
        promise=action.promise,
        url=action.promise.url,
    )
    return action


@transaction.atomic
def action_close(
    *, actor, action: CorrectiveAction, note: str, photo=None, now: datetime | None = None
) -> CorrectiveAction:
    """Close a corrective action with what was done (and a photo after, if taken); its promise is kept."""
    _require(actor, Right.EDIT, action.store_id)
    action = CorrectiveAction.objects.select_for_update(of=("self",)).select_related("promise").get(pk=action.pk)
    if actor is not None and not may_close_action(actor, action):
        raise PermissionDenied
    if action.state != ActionState.OPEN:
        raise ValidationError(_("This corrective action is already closed."), code="not_open")
    errors: dict[str, list] = {}
    note = str(note or "").strip()
    if not note:
        errors["note"] = [ValidationError(_("Say what was done to put it right."), code="required")]
    elif len(note) > 300:
        errors["note"] = [ValidationError(_("At most %(limit)d characters."), code="max_length", params={"limit": 300})]
    cleaned = None
    if photo:
        try:
            cleaned = photo_clean(photo)
        except ValidationError as exc:
            errors["photo"] = exc.error_list
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    before = snapshot(action, ACTION_FIELDS)
    action.state = ActionState.DONE
    action.done_at = now
    action.done_by = actor if getattr(actor, "pk", None) else None
    action.done_note = note
    if cleaned is not None:
        action.photo.save(cleaned.name, cleaned, save=False)
    action.full_clean()
    action.save(update_fields=["state", "done_at", "done_by", "done_note", "photo"])
    if action.promise is not None and action.promise.state == PromiseState.OPEN:
        promise_keep(promise=action.promise, actor=actor, at=now)
    history_record(
        actor=actor, obj=action, action=HistoryAction.UPDATE, before=before, after=snapshot(action, ACTION_FIELDS)
    )
    return action
