"""A store's lounge settings: the clocks of the greeting, refills, help and fixes (S4.1, S4.2, S4.5, S4.11).

Changed by the store's managers; clocks started from then on use them. Each change is kept in the history.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import history_record_saved, snapshot
from core.validators import field_error
from org.access import Right, deny_unless, has_right
from org.models import Department, Store, User

from ..models import LoungeSettings

SETTINGS_FIELDS = [
    "greet_within_seconds",
    "refill_every_minutes",
    "help_within_minutes",
    "fix_within_hours",
    "requests_per_seat_per_10_minutes",
    "maintenance_department",
]


@transaction.atomic
def lounge_settings_update(
    *,
    actor: User,
    store: Store,
    greet_within_seconds: int,
    refill_every_minutes: int,
    help_within_minutes: int,
    fix_within_hours: int,
    requests_per_seat_per_10_minutes: int,
    maintenance_department: Department | None = None,
) -> LoungeSettings:
    """Change a store's lounge clocks (managers); clocks started from now on use them. Kept in the history."""
    deny_unless(has_right(actor, Right.MANAGE_STORE, store.pk))
    if maintenance_department is not None and (
        maintenance_department.store_id != store.pk or not maintenance_department.active
    ):
        raise field_error("maintenance_department", _("Choose an active department of this store."))
    found = LoungeSettings.objects.select_for_update().filter(store=store).first()
    creating = found is None
    found = found or LoungeSettings(store=store)
    before = None if creating else snapshot(found, SETTINGS_FIELDS)
    found.greet_within_seconds = greet_within_seconds
    found.refill_every_minutes = refill_every_minutes
    found.help_within_minutes = help_within_minutes
    found.fix_within_hours = fix_within_hours
    found.requests_per_seat_per_10_minutes = requests_per_seat_per_10_minutes
    found.maintenance_department = maintenance_department
    found.full_clean()
    found.save()
    history_record_saved(actor=actor, obj=found, fields=SETTINGS_FIELDS, before=before)
    return found
