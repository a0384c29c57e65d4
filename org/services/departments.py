"""Writes to a store's departments: add, rename, re-kind, close or reopen; a name is unique in its store."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import history_record, snapshot
from core.db import save_or_conflict
from core.models import HistoryAction

from ..access import Right, deny_unless, has_right
from ..choices import DepartmentKind
from ..models import Department, Store

DEPARTMENT_FIELDS = ["kind", "name", "active"]


# Departments


def _clean_department(*, store: Store, kind: str, name: str, exclude_pk: int | None = None) -> tuple[str, str]:
    errors: dict[str, list] = {}
    name = (name or "").strip()
    if kind not in DepartmentKind.values:
        errors["kind"] = [_("Choose one of the offered kinds of department.")]
    if not name:
        errors["name"] = [_("Enter the department's name as callers hear it, for example 客服部.")]
    elif Department.objects.filter(store=store, name__iexact=name).exclude(pk=exclude_pk).exists():
        errors["name"] = [
            _("The store %(store)s already has a department named %(name)s.") % {"store": store.code, "name": name}
        ]
    if errors:
        raise ValidationError(errors)
    return kind, name


@transaction.atomic
def department_create(*, actor, store: Store, kind: str, name: str) -> Department:
    """Add a department to a store; its name is unique in the store."""
    deny_unless(has_right(actor, Right.MANAGE_STORE, store.pk))
    kind, name = _clean_department(store=store, kind=kind, name=name)
    department = Department(store=store, kind=kind, name=name)
    department.full_clean(validate_constraints=False)
    save_or_conflict(department, field="name", recheck=lambda: _clean_department(store=store, kind=kind, name=name))
    history_record(
        actor=actor, obj=department, action=HistoryAction.CREATE, after=snapshot(department, DEPARTMENT_FIELDS)
    )
    return department


@transaction.atomic
def department_update(*, actor, department: Department, kind: str, name: str, active: bool) -> Department:
    """Rename, re-kind, close or reopen a department."""
    deny_unless(has_right(actor, Right.MANAGE_STORE, department.store_id))
    department = Department.objects.select_for_update().select_related("store").get(pk=department.pk)
    kind, name = _clean_department(store=department.store, kind=kind, name=name, exclude_pk=department.pk)
    before = snapshot(department, DEPARTMENT_FIELDS)
    department.kind, department.name, department.active = kind, name, bool(active)
    department.full_clean(validate_constraints=False)
    save_or_conflict(
        department,
        field="name",
        recheck=lambda: _clean_department(store=department.store, kind=kind, name=name, exclude_pk=department.pk),
    )
    history_record(
        actor=actor,
        obj=department,
        action=HistoryAction.UPDATE,
        before=before,
        after=snapshot(department, DEPARTMENT_FIELDS),
    )
    return department
