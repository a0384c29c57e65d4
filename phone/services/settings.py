"""Writes of a store's telephone settings (S2.1 ring time, S2.10 call-back time)."""

import math

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import history_record_saved, snapshot
from org.access import Right, deny_unless, has_right

from ..models import PhoneSettings

PHONE_SETTINGS_FIELDS = ["ring_cycle_seconds", "max_rings", "missed_callback_minutes"]
RING_CYCLE_RANGE = (1, 20)  # seconds: one ring with its pause (China 5 s, elsewhere 3–6 s)
MAX_RINGS_RANGE = (1, 10)
MISSED_CALLBACK_RANGE = (1, 1440)  # business minutes


def phone_settings_errors(*, ring_cycle_seconds, max_rings, missed_callback_minutes) -> dict:
    """Every field's problem at once, each message naming the field and the allowed range."""
    errors: dict[str, list] = {}
    low, high = RING_CYCLE_RANGE
    if ring_cycle_seconds is None or not math.isfinite(ring_cycle_seconds) or not low <= ring_cycle_seconds <= high:
        errors["ring_cycle_seconds"] = [
            _("The ring cycle must be between %(low)s and %(high)s seconds.") % {"low": low, "high": high}
        ]
    low, high = MAX_RINGS_RANGE
    if max_rings is None or not low <= max_rings <= high:
        errors["max_rings"] = [
            _("The number of rings to answer within must be between %(low)s and %(high)s.") % {"low": low, "high": high}
        ]
    low, high = MISSED_CALLBACK_RANGE
    if missed_callback_minutes is None or not low <= missed_callback_minutes <= high:
        errors["missed_callback_minutes"] = [
            _("The call-back time for missed calls must be between %(low)s and %(high)s minutes.")
            % {"low": low, "high": high}
        ]
    return errors


@transaction.atomic
def phone_settings_update(
    *, actor, store, ring_cycle_seconds: float, max_rings: int, missed_callback_minutes: int
) -> PhoneSettings:
    """Change a store's telephone settings; calls logged from now on use them. Kept in the history."""
    deny_unless(has_right(actor, Right.MANAGE_STORE, store.pk))
    errors = phone_settings_errors(
        ring_cycle_seconds=ring_cycle_seconds, max_rings=max_rings, missed_callback_minutes=missed_callback_minutes
    )
    if errors:
        raise ValidationError(errors)
    found = PhoneSettings.objects.select_for_update().filter(store=store).first()
    creating = found is None
    found = found or PhoneSettings(store=store)
    before = None if creating else snapshot(found, PHONE_SETTINGS_FIELDS)
    found.ring_cycle_seconds = float(ring_cycle_seconds)
    found.max_rings = max_rings
    found.missed_callback_minutes = missed_callback_minutes
    found.full_clean()
    found.save()
    history_record_saved(actor=actor, obj=found, fields=PHONE_SETTINGS_FIELDS, before=before)
    return found
