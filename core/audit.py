"""History of business records (who, when, before → after), written explicitly by services."""

import functools
import re
from collections.abc import Iterable
from datetime import date, datetime

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import formats, timezone, translation
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


def history_save(
    obj: models.Model, *, actor, before: dict, fields: list[str], after: dict, note: str = ""
) -> HistoryEntry | None:
    """Validate and save the named fields of a record, and write what changed to its history.

    `before` and `after` are the record as its history shows it, before and after the change (each
    service has its own view: a snapshot, photos as taken or not, a number masked …); `after` may
    hold lines that are not fields (a drink served). With no field named, nothing is saved and only
    the history entry is written.
    """
    if fields:
        obj.full_clean()
        obj.save(update_fields=fields)
    return history_record(actor=actor, obj=obj, action=HistoryAction.UPDATE, before=before, after=after, note=note)


def history_for(obj: models.Model):
    """Entries of one record, newest first, with field labels ready for display."""
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    entries = list(HistoryEntry.objects.filter(content_type=ct, object_id=obj.pk).select_related("actor"))
    labels = field_labels(type(obj))
    for entry in entries:
        add_change_rows(entry, labels)
    return entries


# Labels of history lines that are not fields of the model (a verification answered, a drink served),
# registered by the app that writes them: model → name → translated label.
_EXTRA_LABELS: dict[type, dict[str, object]] = {}


def register_history_labels(model, **labels) -> None:
    """Name the history lines a service writes for `model` under a key that is not one of its fields."""
    _EXTRA_LABELS.setdefault(model, {}).update(labels)


def field_labels(model) -> dict:
    """Field name → its translated label, to show history entries of the model."""
    labels = {f.name: f.verbose_name for f in model._meta.get_fields() if hasattr(f, "verbose_name")}
    return labels | _EXTRA_LABELS.get(model, {})


def add_change_rows(entry: HistoryEntry, labels: dict) -> None:
    """Give the entry `change_rows` (label, before, after) as shown now; a creation lists set values.

    Everything in the reader's language and the store's local time: the field's label (never its
    name), choices by their label, yes/no, times and dates in the reader's locale format.
    """
    model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
    own = field_labels(model) if model is not None else {}
    fields = _fields(model) if model is not None else {}
    entry.change_rows = [
        (
            labels.get(name) or own.get(name) or name.replace("_", " "),
            _shown(before, fields.get(name)),
            _shown(after, fields.get(name)),
        )
        for name, (before, after) in entry.changes.items()
        if not (entry.action != HistoryAction.UPDATE and after in ("", None, False))
    ]


def _fields(model) -> dict:
    return {f.name: f for f in model._meta.get_fields() if isinstance(f, models.Field)}


_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@functools.cache
def _choice_codes(model_label: str, field_name: str) -> dict:
    """Every way a choice was stored (its code, or its label in any of the site's languages) → its code.

    History keeps a choice as shown to the writer; the reader gets it in their own language.
    """
    field = apps.get_model(model_label)._meta.get_field(field_name)
    codes = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for code, label in field.flatchoices:
                codes.setdefault(str(label), code)
    for code, _label in field.flatchoices:
        codes[str(code)] = code
    return codes


def _shown(value, field: models.Field | None = None):
    """A stored history value as shown now, in the reader's language and the store's local time."""
    if value is True:
        return gettext("Yes")
    if value is False:
        return gettext("No")
    if not isinstance(value, str) or not value:
        return value
    if field is not None and field.choices:
        code = _choice_codes(field.model._meta.label, field.name).get(value)
        if code is not None:
            return str(dict(field.flatchoices)[code])
        return value
    if _ISO_DATETIME.match(value) and (isinstance(field, models.DateTimeField) or "T" in value):
        return _shown_datetime(value)
    if isinstance(field, models.DateField) and _ISO_DATE.match(value):
        try:
            return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    return value


def _shown_datetime(value: str) -> str:
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(at):
        at = timezone.localtime(at)  # the store's local time (settings.TIME_ZONE, Asia/Shanghai)
    return formats.date_format(at, "DATETIME_FORMAT")
