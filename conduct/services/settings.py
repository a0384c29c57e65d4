"""Writes of a store's discipline settings (S1.D1a–c, S1.D3, S1.D4): the days to answer a record, what counts
as late, and the monthly thresholds that tell the store manager."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import history_record_saved, snapshot
from org.access import Right, deny_unless, has_right
from org.models import Store, User

from ..models import ConductSettings

CONDUCT_SETTINGS_FIELDS = [
    "contest_days",
    "late_grace_minutes",
    "early_grace_minutes",
    "late_per_month",
    "records_per_month",
]


@transaction.atomic
def conduct_settings_update(*, actor: User, store: Store, **values) -> ConductSettings:
    """Change the store's discipline settings (Right.MANAGE_STORE); each value is checked by the model's
    validators, every problem named at once on its field; records already made keep their answer time."""
    deny_unless(has_right(actor, Right.MANAGE_STORE, store.pk))
    unknown = set(values) - set(CONDUCT_SETTINGS_FIELDS)
    if unknown:
        raise ValidationError({name: [ValidationError(_("Unknown setting."), code="unknown")] for name in unknown})
    found = ConductSettings.objects.select_for_update().filter(store=store).first()
    before = snapshot(found, CONDUCT_SETTINGS_FIELDS) if found is not None else None
    found = found or ConductSettings(store=store)
    for name, value in values.items():
        setattr(found, name, value)
    found.full_clean()
    found.save()
    history_record_saved(actor=actor, obj=found, fields=CONDUCT_SETTINGS_FIELDS, before=before)
    return found
