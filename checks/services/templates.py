"""Checklist templates, their items and the areas checked on a schedule (S4.6–S4.10).

Every write goes through here, from the web pages and the API alike. A round copies its template's
items into its own results when it starts (a snapshot), so a template edited later never changes a
past round.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import history_record, snapshot
from core.models import HistoryAction
from core.standards import STANDARDS
from core.validators import field_error
from org.access import Right, deny_unless, has_right
from org.choices import DepartmentKind
from org.models import Department, Store

from ..choices import ItemKind, Purpose, Schedule
from ..models import Area, ChecklistTemplate, TemplateItem

TEMPLATE_FIELDS = ["name", "purpose", "description", "active"]
ITEM_FIELDS = ["position", "text", "rule_id", "kind", "min_value", "max_value", "unit", "photo_on_fail"]
AREA_FIELDS = [
    "name",
    "template",
    "department",
    "schedule",
    "checks_people",
    "every_minutes",
    "due_within_minutes",
    "active",
]


# --- Rule IDs ------------------------------------------------------------------------------------


def clean_rule_id(value) -> str:
    """The rule ID as the standards spell it (S4.7), or ValidationError naming the field "rule_id"."""
    value = str(value or "").strip()
    if not value:
        raise field_error("rule_id", _("Name the standard's rule this item checks, e.g. S4.7."), code="required")
    known = {r.id.upper(): r.id for s in STANDARDS for r in s.rules}
    canonical = known.get(value.upper())
    if canonical is None:
        raise field_error(
            "rule_id",
            _("%(value)s is not a rule of the standards: use an ID such as S4.7."),
            code="unknown_rule",
            params={"value": value[:20]},
        )
    return canonical


# --- Templates and their items -------------------------------------------------------------------


def _text(value, *, field: str, required_message: str, max_length: int) -> str:
    value = str(value or "").strip()
    if not value:
        raise field_error(field, required_message, code="required")
    if len(value) > max_length:
        raise field_error(field, _("At most %(limit)d characters."), code="max_length", params={"limit": max_length})
    return value


def _template_name(name, *, store_id: int, exclude: ChecklistTemplate | None = None) -> str:
    """The template's name, given and not the name of another template of the store."""
    name = _text(name, field="name", required_message=_("Give the template a name."), max_length=100)
    clash = ChecklistTemplate.objects.filter(store_id=store_id, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise field_error("name", _("The store already has a template of this name."), code="duplicate")
    return name


def _touch(template: ChecklistTemplate, now=None) -> None:
    template.updated_at = now or timezone.now()
    template.save(update_fields=["updated_at"])


@transaction.atomic
def template_create(
    *, actor, store: Store, name: str, purpose: str = Purpose.OTHER, description: str = "", active: bool = True
) -> ChecklistTemplate:
    """A new, empty checklist template of the store; items are added one by one."""
    deny_unless(actor is None or has_right(actor, Right.MANAGE_STORE, store.pk))
    name = _template_name(name, store_id=store.pk)
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
    deny_unless(actor is None or has_right(actor, Right.MANAGE_STORE, template.store_id))
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    before = snapshot(template, TEMPLATE_FIELDS)
    name = _template_name(name, store_id=template.store_id, exclude=template)
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


def _clean_item(text, rule_id, kind, min_value, max_value, unit, photo_on_fail, /) -> dict:
    """One item's input, each problem named by its field; limits only for a measured item.

    The arguments come in the order of template_item_add's and template_item_edit's own.
    """
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


def _item_save(*, actor, item: TemplateItem, data: dict, before: dict | None, note: str) -> TemplateItem:
    """Save an item (new when there is no `before`) with its cleaned input; its template is touched and
    the change kept in the template's history under `note` (which names the item's %(text)s)."""
    for key, value in data.items():
        setattr(item, key, value)
    item.full_clean()
    if before is None:
        item.save()
    else:
        item.save(update_fields=list(data))
    item.refresh_from_db()  # the limits as stored (2.00), so the history compares like with like
    _touch(item.template)
    history_record(
        actor=actor,
        obj=item.template,
        action=HistoryAction.UPDATE,
        before=before,
        after=snapshot(item, ITEM_FIELDS),
        note=note % {"text": item.text},
    )
    return item


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
    deny_unless(actor is None or has_right(actor, Right.MANAGE_STORE, template.store_id))
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    data = _clean_item(text, rule_id, kind, min_value, max_value, unit, photo_on_fail)
    last = template.items.aggregate(last=Max("position"))["last"] or 0
    item = TemplateItem(template=template, position=last + 1)
    return _item_save(actor=actor, item=item, data=data, before=None, note=_("Item added: %(text)s"))


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
    deny_unless(actor is None or has_right(actor, Right.MANAGE_STORE, item.template.store_id))
    item = TemplateItem.objects.select_for_update(of=("self",)).select_related("template").get(pk=item.pk)
    before = snapshot(item, ITEM_FIELDS)
    data = _clean_item(text, rule_id, kind, min_value, max_value, unit, photo_on_fail)
    return _item_save(actor=actor, item=item, data=data, before=before, note=_("Item changed: %(text)s"))


@transaction.atomic
def template_item_move(*, actor, item: TemplateItem, direction: str) -> TemplateItem:
    """Move an item one place up or down; at the top or bottom it stays where it is."""
    if direction not in ("up", "down"):
        raise field_error("direction", _("Move an item up or down."), code="invalid_choice")
    deny_unless(actor is None or has_right(actor, Right.MANAGE_STORE, item.template.store_id))
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
    deny_unless(actor is None or has_right(actor, Right.MANAGE_STORE, item.template.store_id))
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


def _clean_area(
    *,
    store: Store,
    name,
    template,
    department,
    every_minutes,
    due_within_minutes,
    schedule=Schedule.EVERY,
    checks_people=False,
    exclude=None,
) -> dict:
    """An area's input, each problem named by its field: a round every N minutes needs N (S4.6–S4.10); a check
    of people (S6.1–S6.4, S1.D3) needs the department whose people are checked."""
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
    schedule = schedule or Schedule.EVERY
    if schedule not in Schedule.values:
        errors["schedule"] = [ValidationError(_("Choose how often the area is checked."), code="invalid_choice")]
    if department is None and checks_people:
        errors["department"] = [
            ValidationError(_("A check of people needs the department whose people are checked."), code="required")
        ]
    elif department is None:
        errors["department"] = [
            ValidationError(_("Choose the department whose desk does the rounds."), code="required")
        ]
    elif department.store_id != store.pk:
        errors["department"] = [ValidationError(_("The department must be one of the store's."), code="invalid")]
    if schedule == Schedule.EVERY and every_minutes is None:
        errors["every_minutes"] = [ValidationError(_("Say every how many minutes a round is made."), code="required")]
    if due_within_minutes is None:
        errors["due_within_minutes"] = [
            ValidationError(_("Say within how many minutes a round is to be done."), code="required")
        ]
    if (
        schedule == Schedule.EVERY
        and every_minutes is not None
        and due_within_minutes is not None
        and due_within_minutes > every_minutes
    ):
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
        "schedule": schedule,
        "checks_people": bool(checks_people),
        "due_within_minutes": due_within_minutes,
    }
    if every_minutes is not None:
        out["every_minutes"] = every_minutes
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
    every_minutes: int | None = 60,
    due_within_minutes: int = 30,
    active: bool = True,
    schedule: str = Schedule.EVERY,
    checks_people: bool = False,
) -> Area:
    """A place checked on a schedule (S4.6–S4.10): a round every N minutes of business hours; or the people of
    a department checked each working day (S6.1–S6.4) or once a week (S1.D3)."""
    deny_unless(actor is None or has_right(actor, Right.MANAGE_STORE, store.pk))
    data = _clean_area(
        store=store,
        name=name,
        template=template,
        department=department,
        every_minutes=every_minutes,
        due_within_minutes=due_within_minutes,
        schedule=schedule,
        checks_people=checks_people,
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
    every_minutes: int | None,
    due_within_minutes: int,
    active: bool,
    schedule: str = Schedule.EVERY,
    checks_people: bool = False,
) -> Area:
    """Change an area's template, desk or schedule; rounds already made keep their own times."""
    deny_unless(actor is None or has_right(actor, Right.MANAGE_STORE, area.store_id))
    area = Area.objects.select_for_update(of=("self",)).select_related("store").get(pk=area.pk)
    before = _area_history(area)
    data = _clean_area(
        store=area.store,
        name=name,
        template=template,
        department=department,
        every_minutes=every_minutes,
        due_within_minutes=due_within_minutes,
        schedule=schedule,
        checks_people=checks_people,
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
    deny_unless(actor is None or has_right(actor, Right.MANAGE_STORE, store.pk))
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
