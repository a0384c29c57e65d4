import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.audit import history_for
from core.models import HistoryAction, HistoryEntry
from org.choices import DepartmentKind
from org.services import departments as services

# Departments


def test_department_name_is_unique_per_store(world):
    with pytest.raises(ValidationError) as exc:
        services.department_create(actor=world.a.manager, store=world.a.store, kind="customer_service", name=" 客服部 ")
    assert "客服部" in exc.value.message_dict["name"][0]
    department = services.department_create(
        actor=world.a.manager, store=world.a.store, kind=DepartmentKind.RENEWAL, name="续保部"
    )
    assert HistoryEntry.objects.filter(object_id=department.pk, action=HistoryAction.CREATE).exists()
    with pytest.raises(ValidationError) as exc:
        services.department_update(
            actor=world.a.manager, department=department, kind=DepartmentKind.RENEWAL, name="客服部", active=True
        )
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.department_create(actor=world.a.manager, store=world.a.store, kind="nonsense", name="")
    assert set(exc.value.message_dict) == {"kind", "name"}


def test_department_update_records_history(world):
    services.department_update(
        actor=world.a.manager, department=world.a.lounge, kind=DepartmentKind.LEISURE, name="休闲中心", active=False
    )
    entry = history_for(world.a.lounge)[0]
    assert entry.changes["name"] == ["客户休息室", "休闲中心"]
    assert entry.changes["active"] == [True, False]
    with pytest.raises(PermissionDenied):
        services.department_update(
            actor=world.a.supervisor, department=world.a.lounge, kind="lounge", name="x", active=True
        )
