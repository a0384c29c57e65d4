"""A store's settings of checks of people (S6.1–S6.4, S1.D3): the correction clock, repeated failures, how
long photos of people are kept."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import history_record, snapshot
from core.models import HistoryAction
from org.access import Right, deny_unless, has_right
from org.models import Store

from ..models import CheckSettings

SETTINGS_FIELDS = ["correction_minutes", "repeat_failures", "repeat_window_days", "photo_retention_days"]


@transaction.atomic
def check_settings_update(
    *,
    actor,
    store: Store,
    correction_minutes: int,
    repeat_failures: int,
    repeat_window_days: int,
    photo_retention_days: int,
) -> CheckSettings:
    """Change the store's check settings (store managers); each value is held to its limits, named by field."""
    deny_unless(actor is None or has_right(actor, Right.MANAGE_STORE, store.pk))
    found = CheckSettings.objects.select_for_update().filter(store=store).first()
    settings = found or CheckSettings(store=store)
    before = snapshot(settings, SETTINGS_FIELDS) if found else None
    values = {
        "correction_minutes": correction_minutes,
        "repeat_failures": repeat_failures,
        "repeat_window_days": repeat_window_days,
        "photo_retention_days": photo_retention_days,
    }
    for name, value in values.items():
        setattr(settings, name, value)
    try:
        settings.full_clean(exclude=["store"])
    except ValidationError as exc:
        raise ValidationError(exc.error_dict) from None
    settings.save()
    history_record(
        actor=actor,
        obj=settings,
        action=HistoryAction.UPDATE if found else HistoryAction.CREATE,
        before=before,
        after=snapshot(settings, SETTINGS_FIELDS),
        store_id=store.pk,
    )
    return settings
