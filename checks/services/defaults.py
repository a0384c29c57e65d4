"""The standard templates of checks of people, made by a manager from the product and editable afterwards:
the morning grooming check (S6.1–S6.4, 班前检查) and the desk check (S1.D3).

A template is data like any other: the manager edits its items later; rounds already started keep the
items as they read when they started. Making a default twice changes nothing.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import history_record, snapshot
from core.models import HistoryAction
from org.access import Right, deny_unless, has_right
from org.models import Store

from ..choices import ItemKind, Purpose
from ..models import ChecklistTemplate, TemplateItem
from .templates import TEMPLATE_FIELDS

# Our own wording of S6.1–S6.4 (the morning grooming check); a failed item needs a photo or a note.
GROOMING = {
    "name": "班前仪容仪表检查",
    "description": "按服务人员仪容仪表规范 S6.1–S6.4，上岗前逐人检查。",
    "purpose": Purpose.GROOMING,
    "items": [
        ("S6.1", "工装整洁挺括，深色皮鞋"),
        ("S6.2", "男士头发不过耳、不留鬓角；女士头发不披散"),
        ("S6.3", "手部清洁，不留长指甲，女士指甲油为淡色"),
        ("S6.4", "上岗佩戴工牌"),
    ],
}

# Our own wording of S1.D3 (the desk check), per person or per desk.
DESK = {
    "name": "桌面检查",
    "description": "按工作纪律 S1.D3 检查桌面：无与工作无关物品，整洁，离开时电脑锁屏。",
    "purpose": Purpose.DESK,
    "items": [
        ("S1.D3", "桌面无与工作无关物品"),
        ("S1.D3", "桌面整洁，资料文具摆放整齐"),
        ("S1.D3", "离开座位时电脑锁屏"),
        ("S1.D3", "无食物、饮料放在键盘和资料旁"),
    ],
}

STANDARD_TEMPLATES = {"grooming": GROOMING, "desk": DESK}


@transaction.atomic
def template_standard(store: Store, *, kind: str, actor=None) -> ChecklistTemplate:
    """The standard grooming (S6.1–S6.4) or desk (S1.D3) template of the store, made from the product's
    wording; idempotent: a template of the same name already there is left as the managers made it."""
    deny_unless(actor is None or has_right(actor, Right.MANAGE_STORE, store.pk))
    spec = STANDARD_TEMPLATES[kind]
    Store.objects.select_for_update().filter(pk=store.pk).first()  # one default set-up at a time per store
    template = ChecklistTemplate.objects.filter(store=store, name=spec["name"]).first()
    if template is not None:
        return template
    now = timezone.now()
    template = ChecklistTemplate.objects.create(
        store=store,
        name=spec["name"],
        purpose=spec["purpose"],
        description=spec["description"],
        created_at=now,
        updated_at=now,
    )
    TemplateItem.objects.bulk_create(
        TemplateItem(template=template, position=index, rule_id=rule, text=text, kind=ItemKind.PASS_FAIL)
        for index, (rule, text) in enumerate(spec["items"], start=1)
    )
    history_record(
        actor=actor,
        obj=template,
        action=HistoryAction.CREATE,
        after=snapshot(template, TEMPLATE_FIELDS),
        note=_("Made from the standard"),
    )
    return template
