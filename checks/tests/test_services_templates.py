"""Checklist templates, their items and areas: what managers edit, each item naming its rule (S4.6–S4.10)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from checks.choices import ItemKind, Purpose
from checks.models import Area, ChecklistTemplate
from checks.services import templates
from core.models import HistoryEntry
from org.models import Department

from .helpers import lounge


def _codes(exc: ValidationError, field: str) -> list[str]:
    return [e.code for e in exc.error_dict[field]]


def test_default_lounge_template_covers_every_point_of_s4_6_to_s4_10(world):
    """S4.6–S4.10: every rule has items; the ashtray is measured with at most 2 butts (S4.7)."""
    template, area = lounge(world.a)
    items = list(template.items.order_by("position"))
    assert template.purpose == Purpose.LOUNGE_HYGIENE
    assert {i.rule_id for i in items} == {"S4.6", "S4.7", "S4.8", "S4.9", "S4.10"}
    assert [i.position for i in items] == list(range(1, len(items) + 1))
    ashtray = next(i for i in items if "烟" in i.text and i.kind == ItemKind.MEASURED)
    assert ashtray.rule_id == "S4.7" and ashtray.max_value == Decimal("2") and ashtray.min_value is None
    texts = " ".join(i.text for i in items)
    for point in (
        "沙发",
        "碎屑",
        "茶几",
        "纸巾",
        "水渍",
        "电视",
        "音响",
        "遥控器",
        "饮水机",
        "茶壶",
        "报刊架",
        "展示架",
        "展品",
    ):
        assert point in texts, point
    assert area.name == "客户休息区" and area.every_minutes == 60 and area.department == world.a.lounge


def test_default_lounge_template_is_idempotent_and_keeps_managers_edits(world):
    template, _area = lounge(world.a)
    first = template.items.order_by("position").first()
    templates.template_item_edit(
        actor=world.a.manager, item=first, text="沙发已整理", rule_id="S4.6", kind=ItemKind.PASS_FAIL
    )
    again = templates.template_default_lounge(world.a.store, actor=world.a.manager)
    assert again.pk == template.pk
    assert ChecklistTemplate.objects.filter(store=world.a.store).count() == 1
    assert Area.objects.filter(store=world.a.store).count() == 1
    assert again.items.order_by("position").first().text == "沙发已整理"


def test_default_lounge_template_without_a_lounge_department_makes_no_area(world):
    Department.objects.filter(pk=world.a.lounge.pk).update(active=False)
    template = templates.template_default_lounge(world.a.store)
    assert template.items.count() > 10
    assert not Area.objects.filter(store=world.a.store).exists()


def test_only_managers_edit_templates(world):
    with pytest.raises(PermissionDenied):
        templates.template_create(actor=world.a.staff, store=world.a.store, name="前台检查")
    with pytest.raises(PermissionDenied):
        templates.template_create(actor=world.a.auditor, store=world.a.store, name="前台检查")
    with pytest.raises(PermissionDenied):
        templates.template_default_lounge(world.a.store, actor=world.a.supervisor)


def test_template_names_are_unique_per_store(world):
    templates.template_create(actor=world.a.manager, store=world.a.store, name="前台检查")
    with pytest.raises(ValidationError) as exc:
        templates.template_create(actor=world.a.manager, store=world.a.store, name="前台检查")
    assert _codes(exc.value, "name") == ["duplicate"]
    templates.template_create(actor=world.b.manager, store=world.b.store, name="前台检查")  # another store may


def test_item_rule_must_be_a_rule_of_the_standards(world):
    template = templates.template_create(actor=world.a.manager, store=world.a.store, name="巡检")
    for bad, code in (("", "required"), ("S9.9", "unknown_rule"), ("4.7", "unknown_rule"), ("hello", "unknown_rule")):
        with pytest.raises(ValidationError) as exc:
            templates.template_item_add(actor=world.a.manager, template=template, text="茶几干净", rule_id=bad)
        assert _codes(exc.value, "rule_id") == [code]
    item = templates.template_item_add(actor=world.a.manager, template=template, text="茶几干净", rule_id=" s4.7 ")
    assert item.rule_id == "S4.7"
    assert templates.clean_rule_id("s1.d1a") == "S1.D1a"


def test_measured_item_needs_a_limit_in_order(world):
    """S4.7: "no more than two butts" is a measured value with an upper limit."""
    template = templates.template_create(actor=world.a.manager, store=world.a.store, name="巡检")
    kwargs = {"actor": world.a.manager, "template": template, "text": "烟头数", "rule_id": "S4.7"}
    with pytest.raises(ValidationError) as exc:
        templates.template_item_add(**kwargs, kind=ItemKind.MEASURED)
    assert _codes(exc.value, "max_value") == ["limit_required"]
    with pytest.raises(ValidationError) as exc:
        templates.template_item_add(**kwargs, kind=ItemKind.MEASURED, min_value=Decimal(5), max_value=Decimal(2))
    assert _codes(exc.value, "min_value") == ["limits_order"]
    with pytest.raises(ValidationError) as exc:
        templates.template_item_add(**kwargs, kind="guess")
    assert "kind" in exc.value.error_dict
    assert not template.items.exists()
    item = templates.template_item_add(**kwargs, kind=ItemKind.MEASURED, max_value=Decimal(2), unit="个")
    assert item.max_value == 2 and item.unit == "个"
    # a pass-or-fail item keeps no limits
    plain = templates.template_item_add(**kwargs | {"text": "茶几干净"}, max_value=Decimal(2), unit="个")
    assert plain.max_value is None and plain.unit == ""


def test_items_move_up_and_down_and_removal_renumbers(world):
    template, _area = lounge(world.a)
    first, second, third = template.items.order_by("position")[:3]
    templates.template_item_move(actor=world.a.manager, item=second, direction="up")
    assert list(template.items.order_by("position").values_list("pk", flat=True)[:3]) == [second.pk, first.pk, third.pk]
    templates.template_item_move(actor=world.a.manager, item=second, direction="up")  # already first: stays
    templates.template_item_move(actor=world.a.manager, item=first, direction="down")
    assert list(template.items.order_by("position").values_list("pk", flat=True)[:3]) == [second.pk, third.pk, first.pk]
    with pytest.raises(ValidationError):
        templates.template_item_move(actor=world.a.manager, item=first, direction="sideways")
    count = template.items.count()
    templates.template_item_remove(actor=world.a.manager, item=third)
    positions = list(template.items.order_by("position").values_list("position", flat=True))
    assert positions == list(range(1, count))
    entries = HistoryEntry.objects.filter(content_type__model="checklisttemplate", object_id=template.pk)
    assert entries.count() == 1 + 2 + 1  # made, moved twice (the move at the top wrote nothing), removed
    removed = entries.order_by("-at", "-id").first()
    assert removed.changes["text"] == [third.text, ""]


def test_area_schedule_rules(world):
    template, _area = lounge(world.a)
    base = {
        "actor": world.a.manager,
        "store": world.a.store,
        "name": "展厅",
        "template": template,
        "department": world.a.lounge,
    }
    with pytest.raises(ValidationError) as exc:
        templates.area_create(**base, every_minutes=30, due_within_minutes=45)
    assert _codes(exc.value, "due_within_minutes") == ["due_after_next"]
    with pytest.raises(ValidationError) as exc:
        templates.area_create(**base, every_minutes=5, due_within_minutes=5)
    assert "every_minutes" in exc.value.error_dict
    b_template, _b_area = lounge(world.b)
    with pytest.raises(ValidationError) as exc:
        templates.area_create(**base | {"template": b_template, "department": world.b.lounge})
    assert set(exc.value.error_dict) == {"template", "department"}
    with pytest.raises(ValidationError) as exc:
        templates.area_create(**base | {"name": "客户休息区"})
    assert _codes(exc.value, "name") == ["duplicate"]
    area = templates.area_create(**base, every_minutes=120, due_within_minutes=60)
    area = templates.area_update(
        actor=world.a.manager,
        area=area,
        name="展厅",
        template=template,
        department=world.a.cs,
        every_minutes=90,
        due_within_minutes=20,
        active=False,
    )
    assert (area.every_minutes, area.due_within_minutes, area.active, area.department) == (90, 20, False, world.a.cs)
    with pytest.raises(PermissionDenied):
        templates.area_update(
            actor=world.a.staff,
            area=area,
            name="展厅",
            template=template,
            department=world.a.cs,
            every_minutes=90,
            due_within_minutes=20,
            active=True,
        )
