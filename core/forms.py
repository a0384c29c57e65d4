from django import forms
from django.core.exceptions import ValidationError

from core.validators import parse_id


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
