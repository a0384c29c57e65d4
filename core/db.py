"""Small database helpers every app's services share."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

SAVED_MEANWHILE = _("Someone else saved this at the same moment. Open the page again and check it.")


def save_or_conflict(
    obj: models.Model,
    *,
    field: str,
    message=SAVED_MEANWHILE,
    recheck: Callable[[], None] | None = None,
    **save_kwargs,
) -> None:
    """Save in a savepoint. A unique constraint broken by a save made at the same moment is never a server
    error: `recheck` (when given) raises the field's own message ("this plate is already …"), else the
    ValidationError on `field` says someone else saved it meanwhile."""
    try:
        with transaction.atomic():
            obj.save(**save_kwargs)
    except IntegrityError:
        if recheck is not None:
            recheck()
        raise ValidationError({field: [ValidationError(message, code="conflict")]}) from None
