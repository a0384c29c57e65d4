"""The demo loaded once per module for the tests that only read it (demo/tests/test_load.py)."""

from datetime import datetime, time

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from checks.models import Round
from complaints.models import Complaint
from conduct.models import AttendanceDay, CarryOver, DisciplineRecord
from customers.models import Customer, Vehicle
from demo import load as demo
from lounge.models import LoungeRequest, Serving, Visit
from org.models import RosterDay, User
from phone.models import Call, Message


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    """Where the loaded demo's photos go (the per-test media folder does not exist yet when it loads)."""
    return tmp_path_factory.mktemp("demo_media")


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, demo_media):
    """The demo loaded once for the tests that only read it (a load takes about a minute), undone after.

    The clock stands still at the moment of the load for the whole module, so the load and every
    test reading it agree on "today" even when the module runs across midnight.
    """
    moment = timezone.now()
    with (
        time_machine.travel(moment, tick=False),
        override_settings(MEDIA_ROOT=demo_media),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        # A first load, fingerprinted and undone, for test_demo_data_is_the_same_on_every_run: "the same
        # day gives the same month", both loads at one moment. (Each load is a minute or more, three on
        # PostgreSQL, so the demo is loaded twice in the whole suite, here.)
        with transaction.atomic():
            demo.demo_load()
            first = _fingerprint()
            transaction.set_rollback(True)
        result = demo.demo_load()
        result.fingerprints = (first, _fingerprint())
        yield result
        transaction.set_rollback(True)


def _fingerprint() -> list:
    customers = Customer.objects.order_by("store__code", "name", "mobile", "landline").values_list(
        "store__code", "name", "mobile", "landline", "landline_ext", "preferred_contact", "consent_to_contact"
    )
    vehicles = Vehicle.objects.order_by("vin").values_list(
        "owner__name", "plate", "vin", "model", "colour", "purchase_date", "mileage_km"
    )
    people = User.objects.order_by("username").values_list("username", "name", "employee_no", "role", "store__code")
    calls = Call.objects.order_by("store__code", "started_at", "id").values_list(
        "store__code", "direction", "number", "started_at", "ring_seconds", "outcome", "answered_by__username"
    )
    complaints = Complaint.objects.order_by("number").values_list("number", "state", "logged_at", "customer_name")
    messages = Message.objects.order_by("taken_at", "id").values_list(
        "store__code", "for_user__username", "taken_at", "promise__state", "promise__due_at"
    )
    # the lounge month, before today (today's lounge is on the real clock)
    today = datetime.combine(timezone.localdate(), time.min, tzinfo=timezone.get_current_timezone())
    visits = Visit.objects.filter(arrived_at__lt=today).order_by("store__code", "arrived_at", "id")
    visits = visits.values_list(
        "store__code", "arrived_at", "customer__name", "guest_name", "seat__label", "greet_seconds", "departed_at"
    )
    servings = Serving.objects.filter(served_at__lt=today).order_by("store__code", "served_at", "id")
    servings = servings.values_list("store__code", "served_at", "drink_name", "refill", "on_time")
    requests = LoungeRequest.objects.filter(created_at__lt=today).order_by("store__code", "created_at", "id")
    requests = requests.values_list("store__code", "created_at", "kind", "state", "acknowledged_at")
    # the weekly desk checks left out: their day is drawn from the area's id (checks.selectors.weekly_day),
    # which a second load on PostgreSQL does not reuse
    rounds = (
        Round.objects.filter(scheduled_for__lt=today, state="done")
        .exclude(purpose="desk")
        .order_by("store__code", "scheduled_for", "area__name")  # the grooming checks share their slot
    )
    rounds = rounds.values_list("store__code", "scheduled_for", "submitted_at", "score", "submitted_by__username")
    lounge = [list(visits), list(servings), list(requests), list(rounds)]
    # standards 6 and 1 (demo/builders/conduct.py): the roster, attendance, discipline records, carried-over work
    roster = RosterDay.objects.order_by("person__username", "date").values_list(
        "person__username", "date", "kind", "shift__name"
    )
    attendance = AttendanceDay.objects.order_by("person__username", "date").values_list(
        "person__username", "date", "clock_in", "clock_out", "late_minutes", "early_minutes", "missing_punch"
    )
    records = DisciplineRecord.objects.order_by("person__username", "occurred_at", "kind").values_list(
        "person__username", "kind", "state", "occurred_at", "minutes"
    )
    carried = CarryOver.objects.order_by("store__code", "day", "promise__kind", "promise__due_at").values_list(
        "store__code", "day", "promise__kind", "promise__due_at"
    )
    conduct = [list(roster), list(attendance), list(records), list(carried)]
    return [
        list(customers),
        list(vehicles),
        list(people),
        list(calls),
        list(complaints),
        list(messages),
        lounge,
        conduct,
    ]
