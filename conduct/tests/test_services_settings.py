"""A store's discipline settings (S1.D1a–c, S1.D3, S1.D4): managers change them within the model's ranges,
every problem named on its field, the change in the history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from conduct.models import ConductSettings, conduct_settings
from conduct.services.settings import conduct_settings_update
from core.audit import history_for

VALUES = {
    "contest_days": 5,
    "late_grace_minutes": 3,
    "early_grace_minutes": 0,
    "late_per_month": 2,
    "records_per_month": 4,
}


def test_a_manager_changes_the_settings_and_the_history_keeps_it(world):
    found = conduct_settings_update(actor=world.a.manager, store=world.a.store, **VALUES)
    assert conduct_settings(world.a.store).contest_days == 5 and found.late_per_month == 2
    conduct_settings_update(actor=world.a.manager, store=world.a.store, **(VALUES | {"contest_days": 7}))
    assert [e.action for e in history_for(found)] == ["update", "create"]


def test_only_managers_of_the_store(world):
    for actor in (world.a.supervisor, world.a.staff, world.a.auditor, world.b.manager):
        with pytest.raises(PermissionDenied):
            conduct_settings_update(actor=actor, store=world.a.store, **VALUES)
    conduct_settings_update(actor=world.admin, store=world.a.store, **VALUES)


def test_out_of_range_values_are_named_in_chinese_and_nothing_saved(world):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        conduct_settings_update(
            actor=world.a.manager,
            store=world.a.store,
            **(VALUES | {"contest_days": 0, "late_per_month": 40, "late_grace_minutes": 61}),
        )
    errors = exc.value.message_dict
    assert {"contest_days", "late_per_month", "late_grace_minutes"} <= set(errors)
    assert "1" in errors["contest_days"][0] and "确保" in errors["contest_days"][0]
    assert not ConductSettings.objects.exists()
