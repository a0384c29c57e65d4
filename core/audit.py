"""History of business records (who, when, before → after), written explicitly by services."""

from collections.abc import Iterable
from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext

from .models import HistoryAction, HistoryEntry
from .validators import mask_phone

# Fields whose values history keeps only masked (PIPL): the history is visible to everyone who
# may view the record, the full number only to those who reveal it.
MASKED_FIELDS = {"mobile", "landline"}


def _display(obj: models.Model, field: models.Field):
    value = getattr(obj, field.attname)
    if value is None or value == "":
        return ""
    if field.name in MASKED_FIELDS:
        return mask_phone(value)
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")())
    if isinstance(field, models.ForeignKey):
        related = getattr(obj, field.name)
        return str(related) if related is not None else ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    """The shown values of the named fields, to compare before and after a change."""
    return {name: _display(obj, obj._meta.get_field(name)) for name in fields}


def history_record(
    *,
    actor,
    obj: models.Model,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
    store_id: int | None = None,
) -> HistoryEntry | None:
    """Write one history entry; an update that changed nothing writes none."""
    before = before or {}
    after = after or {}
    changes = {
        key: [before.get(key, ""), after.get(key, "")]
        for key in sorted(set(before) | set(after))
        if before.get(key, "") != after.get(key, "")
    }
    if action == HistoryAction.UPDATE and not changes:
        return None
    return HistoryEntry.objects.create(
        store_id=store_id if store_id is not None else getattr(obj, "store_id", None),
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        changes=changes,
        note=note[:200],
    )


def history_record_saved(
    *, actor, obj: models.Model, fields: Iterable[str], before: dict | None
) -> HistoryEntry | None:
    """The history of a record just saved: its creation when there is no `before`, else what changed."""
    return history_record(
        actor=actor,
        obj=obj,
        action=HistoryAction.CREATE if before is None else HistoryAction.UPDATE,
        before=before,
        after=snapshot(obj, fields),
    )


def history_for(obj: models.Model):
    """Entries of one record, newest first, with field labels ready for display."""
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    entries = list(HistoryEntry.objects.filter(content_type=ct, object_id=obj.pk).select_related("actor"))
    labels = field_labels(type(obj))
    for entry in entries:
        add_change_rows(entry, labels)
    return entries


def field_labels(model) -> dict:
    """Field name → its translated label, to show history entries of the model."""
    return {f.name: f.verbose_name for f in model._meta.get_fields() if hasattr(f, "verbose_name")}


def add_change_rows(entry: HistoryEntry, labels: dict) -> None:
    """Give the entry `change_rows` (label, before, after) as shown now; a creation lists set values."""
    entry.change_rows = [
        (labels.get(name, name), _shown(before), _shown(after))
        for name, (before, after) in entry.changes.items()
        if not (entry.action != HistoryAction.UPDATE and after in ("", None, False))
    ]


def _shown(value):
    """A stored history value as shown now, in the reader's language."""
    if value is True:
        return gettext("Yes")
    if value is False:
        return gettext("No")
    return value
