"""The telephone figures' rollups: calls, messages and promises per store, day, department and person.

The conditions are the figures' own (``insights.figures.telephone``): a rolled-up day counts exactly what
the figure counts from the records. A promise is rolled up by its due day with its closed states only;
an open promise is overdue depending on "now", so it is always read from the records (the partial index
``promise_open_due`` keeps that cheap).
"""

from django.db.models import F, Q

from phone.models import Call, Message
from promises.choices import PromiseState
from promises.models import Promise

from ..figures.telephone import CALL_FIGURES, MESSAGE_FIGURES, PROMISE_CLOSED
from .base import Family

CALLS = Family(
    name="call",
    model=Call,
    day_field="started_at",
    counts=CALL_FIGURES,
    sums={"scored": F("script_score")},  # S1.4: the script check's average
    department="department_id",
    person="answered_by_id",
)

MESSAGES = Family(
    name="message",
    model=Message,
    day_field="taken_at",
    counts=MESSAGE_FIGURES,
    department="for_department_id",
    person="for_user_id",
)

PROMISES = Family(
    name="promise",
    model=Promise,
    day_field="due_at",
    counts={"due_closed": PROMISE_CLOSED, "kept": Q(state=PromiseState.KEPT)},
    department="owner_department_id",
    person="owner_id",
    kind="kind",
)

FAMILIES = (CALLS, MESSAGES, PROMISES)
