"""The simulated clock of the demo builders: what a builder writes at a simulated moment carries that moment.

The services take the moment of an action as `now=` (or `started_at`, `at=`), but the rows they write
on the side — history lines (core.audit), promise events, bell notifications and WeCom deliveries —
take their time from the field's default, `timezone.now`, i.e. the moment the demo is loaded. Inside
`at(moment)` those defaults give `moment` instead:

    with at(moment):
        visit_greet(actor=host, visit=visit, now=moment)

Nothing in the apps knows about it: for the time of the block the default of the stamped fields
(STAMPED) is swapped for the simulated clock, and put back after (nested blocks each restore the
one before). It costs no query, and covers rows made one by one and in bulk. It is meant for the
demo loader only (one thread: the swap holds for the whole process while the block runs); the
production `load_demo` cannot use time_machine, which is only a development dependency.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

from conduct.models import AttendanceBatch, DisciplineRecord
from core.models import HistoryEntry
from promises.models import Notification, PromiseEvent, WebhookDelivery

# The timestamp fields that default to the real clock and are written beside what a service is asked to do.
STAMPED = [
    (HistoryEntry, "at"),
    (PromiseEvent, "at"),
    (Notification, "created_at"),
    (WebhookDelivery, "created_at"),
    (AttendanceBatch, "created_at"),
    (DisciplineRecord, "created_at"),
]

_moment: ContextVar[datetime | None] = ContextVar("demo_moment", default=None)


def simulated_now() -> datetime:
    """The simulated moment inside `at(...)`, else the real clock."""
    return _moment.get() or timezone.now()


def _set_default(model, name: str, default) -> None:
    field = model._meta.get_field(name)
    field.default = default
    field.__dict__.pop("_get_default", None)  # Field caches the default's callable


@contextmanager
def at(moment: datetime) -> Iterator[datetime]:
    """Within the block, history lines, promise events, notifications and deliveries are stamped `moment`."""
    outer = _moment.get()
    token = _moment.set(moment)
    defaults = {} if outer is not None else {key: key[0]._meta.get_field(key[1]).default for key in STAMPED}
    for model, name in defaults:
        _set_default(model, name, simulated_now)
    try:
        yield moment
    finally:
        _moment.reset(token)
        for (model, name), default in defaults.items():
            _set_default(model, name, default)
