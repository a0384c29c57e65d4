from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.validators import parse_id

STORE_FIRST = _("Choose a store to list its departments and people.")


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where the field exists."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Several records by id (checkboxes): an id that can be no record ("²", beyond the largest id) is refused
    as an invalid choice, like one not offered, before it reaches the database (where it would overflow)."""

    def _check_values(self, value):
        try:
            values = frozenset(value)
        except TypeError:
            raise ValidationError(self.error_messages["invalid_list"], code="invalid_list") from None
        for pk in values:
            if parse_id(pk if not isinstance(pk, str) else pk.strip()) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


def form_status(request) -> int:
    """The status of a form page: a POST that reaches the form again was refused (400); a GET is a plain 200."""
    return 400 if request.method == "POST" else 200


def show_options(field, keep) -> None:
    """Show only some of a choice field's options; the field still accepts all of them.

    A group's filters would otherwise list every department and person of its 50 stores (1,500 options:
    slow to render and useless to scroll). `keep` is a queryset for a ModelChoiceField, else a set of
    values; the empty option always stays.
    """
    if isinstance(field, forms.ModelChoiceField):
        options = field.iterator(field)
        options.queryset = keep
        field.widget.choices = options
    else:
        field.widget.choices = [
            (value, label) for value, label in field.choices if value in ("", None) or value in keep
        ]


def chosen_store(form, store_ids, field: str = "store") -> int | None:
    """The store a filter form asks for (one of `store_ids`), or the person's only store; None for all."""
    ids = set(store_ids)
    if len(ids) == 1:
        return next(iter(ids))
    wanted = parse_id(form.data.get(field)) if form.is_bound else None
    return wanted if wanted in ids else None


def show_store_options(form, store_ids, fields: dict[str, object], *, store_field: str = "store") -> None:
    """Department and person filters that list only the chosen store's (or the person's only store's)
    records, plus the one already chosen; with several stores and none chosen, they say to choose one.
    `fields` maps a field name to what it may take: a queryset (with `store_id`) or (value, store id) pairs."""
    store = chosen_store(form, store_ids, store_field)
    for name, allowed in fields.items():
        field = form.fields[name]
        picked = parse_id(form.data.get(name)) if form.is_bound else None
        if hasattr(allowed, "filter"):
            show_options(
                field,
                allowed.filter(Q(store_id=store) | Q(pk=picked or 0)) if store else allowed.filter(pk=picked or 0),
            )
        else:
            show_options(
                field, {value for value, store_id in allowed if value == picked or (store and store_id == store)}
            )
        if store is None:
            field.help_text = STORE_FIRST
