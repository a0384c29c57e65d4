"""The lounge figures' rollups: visits, refills, refill promises, requests, rounds and their items per store and day.

The conditions are the figures' own (``insights.figures.lounge``). Two of them depend on a store's lounge
clocks (greeted within ``greet_within_seconds``, answered within ``help_within_minutes``): a store's days are
rolled up with its clocks of the moment, and changing the clocks marks every rolled-up day of the store
changed (``settings_changed``), so they are read from the records until the worker has redone them.

Read from the records, never rolled up: what depends on "now" (open refill promises and rounds past their
due time; open faults) and the faults (few). The 90th percentile of the time to greet comes from a histogram
(family ``greet``: how many greetings took each whole number of seconds, per store, day and person), exact:
the nearest rank of the merged counts is the nearest rank of the times themselves.
"""

from datetime import timedelta

from django.db.models import F, Q

from checks.choices import Purpose, RoundState
from checks.models import Round, RoundResult
from lounge.models import LoungeRequest, Serving, Visit
from promises.models import Promise

from ..figures import lounge as figures
from ..models import DirtyDay, RollupState
from .base import Family


def _microseconds(value) -> float:
    return float(value // timedelta(microseconds=1)) if isinstance(value, timedelta) else float(value)


def families(limits: "figures.Limits") -> tuple[Family, ...]:
    """The lounge's families, with the given stores' clocks."""
    return (
        Family(
            name="visit",
            model=Visit,
            day_field="arrived_at",
            counts={
                "greeted": figures.GREETED,
                "greeted_in_time": figures.GREETED & limits.greeted_in_time(),
                "not_greeted": figures.NOT_GREETED,
                "first": figures.FIRST_VISIT,
                "introduced": figures.INTRODUCED,
            },
            sums={"greeted": F("greet_seconds")},  # S4.1: the average time to greet
            person="greeted_by_id",
        ),
        Family(  # S4.1: how many greetings took each number of seconds, for the 90th percentile
            name="greet",
            model=Visit,
            day_field="arrived_at",
            base=figures.GREETED,
            counts={},
            person="greeted_by_id",
            kind="greet_seconds",
        ),
        Family(
            name="refill",
            model=Serving,
            day_field="served_at",
            base=Q(refill=True),
            counts={"on_time": figures.REFILL_ON_TIME},
            person="served_by_id",
        ),
        Family(  # a refill promise counts for its owner …
            name="refill_promise",
            model=Promise,
            day_field="due_at",
            base=Q(kind=figures.LOUNGE_REFILL),
            counts={"overdue_closed": figures.REFILL_OVERDUE_CLOSED},
            person="owner_id",
        ),
        Family(  # … and for whoever closed it, when that is someone else (a person's figures only)
            name="refill_promise_closer",
            model=Promise,
            day_field="due_at",
            base=Q(kind=figures.LOUNGE_REFILL, closed_by__isnull=False)
            & (Q(owner__isnull=True) | ~Q(owner_id=F("closed_by_id"))),
            counts={"overdue_closed": figures.REFILL_OVERDUE_CLOSED},
            person="closed_by_id",
        ),
        Family(
            name="request",
            model=LoungeRequest,
            day_field="created_at",
            counts={
                "answered": figures.ANSWERED,
                "in_time": figures.ANSWERED & limits.answered_in_time(),
                "unanswered": figures.UNANSWERED,
            },
            sums={"answered": figures.RESPONSE},  # S4.5: the average response, in microseconds
            to_number=_microseconds,
            person="acknowledged_by_id",
            kind="kind",
        ),
        Family(
            name="round_done",
            model=Round,
            day_field="submitted_at",
            base=Q(purpose=Purpose.LOUNGE_HYGIENE) & figures.ROUND_DONE,
            counts={},
            sums={"records": F("score")},
            person="submitted_by_id",
        ),
        Family(
            name="round_due",
            model=Round,
            day_field="scheduled_for",
            base=Q(purpose=Purpose.LOUNGE_HYGIENE),
            counts={"due_closed": figures.ROUND_DUE_CLOSED, "on_time": figures.ROUND_ON_TIME},
            person="submitted_by_id",
        ),
        Family(
            name="round_item",
            model=RoundResult,
            day_field="round__submitted_at",
            base=Q(round__purpose=Purpose.LOUNGE_HYGIENE, round__state=RoundState.DONE),
            counts={"failed": figures.FAILED},
            person="round__submitted_by_id",
        ),
    )


def families_for(store_ids: frozenset[int]) -> tuple[Family, ...]:
    return families(figures.store_limits(store_ids))


def settings_changed(sender, instance, **kwargs) -> None:
    """A store's lounge clocks changed: every rolled-up day of its lounge figures is read from the records again."""
    state = RollupState.objects.filter(store_id=instance.store_id, module="lounge").first()
    if state is None or state.first_day > state.last_day:
        return
    days = [state.first_day + timedelta(days=n) for n in range((state.last_day - state.first_day).days + 1)]
    DirtyDay.objects.bulk_create([DirtyDay(store_id=instance.store_id, day=day) for day in days], batch_size=1000)
