"""Small database helpers every app's services share."""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

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


# --- Reads that may go to the read replica ----------------------------------------------------------------

_figures_reads: ContextVar[bool] = ContextVar("figures_reads", default=False)


@contextmanager
def figures_reads():
    """Reads inside this block may go to the read replica (`DATABASE_REPLICA_URL`, core.db_router), writes still go
    to the primary. For the figures pages, whose counts may lag the primary by the replica's delay. Usable as a
    decorator too; querysets must be evaluated inside it (render the template inside, not a lazy TemplateResponse)."""
    token = _figures_reads.set(True)
    try:
        yield
    finally:
        _figures_reads.reset(token)


def in_figures_reads() -> bool:
    """Whether the caller is inside `figures_reads()` (in this thread or task)."""
    return _figures_reads.get()
