"""What every checklist page shares: a day from the query string, the managed store, a form handed to a service."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError

from core.forms import add_service_errors
from org.access import Right, require

PAGE_SIZE = 25


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _managed(request, store):
    """The store chosen on a form, once the person is known to manage it (403 otherwise)."""
    require(request.user, Right.MANAGE_STORE, store.pk)
    return store


def _saved(request, form, save, success: str, *, show_errors=add_service_errors):
    """The form's valid input handed to a service: `save()` calls it and returns the record it wrote.

    Returns that record, with `success` shown on the next page; or None when the form was not sent, or
    its input or the service refused it (`show_errors(form, exc)` puts the service's errors on the form,
    each under its field), and the caller shows the form again.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        record = save()
    except ValidationError as exc:
        show_errors(form, exc)
        return None
    messages.success(request, success)
    return record
