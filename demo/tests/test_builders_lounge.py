"""The lounge month of the demo (demo/builders/lounge.py), in parts that need no loaded demo.

The loaded demo's lounge month (visits every business day, greetings, refills, requests, rounds,
faults, today's lounge, the figures) is checked in demo/tests/test_load.py, which loads the demo once.
"""

from datetime import timedelta
from io import BytesIO

import pytest
from django.db import transaction
from PIL import Image

from core.images import photo_clean
from demo.builders.lounge import Serve, StoreMonth, Timeline, VisitPlan, photo_upload, schedule_visit, visits_bulk
from lounge.models import Serving, Visit
from lounge.services.requests import seat_create
from lounge.services.visits import drink_save
from org.business_time import StoreCalendar
from promises.models import Promise
from tests.factories import make_customer, make_user, make_vehicle

pytestmark = pytest.mark.django_db

VISIT_FIELDS = [
    "customer_id",
    "vehicle_id",
    "guest_name",
    "seat_id",
    "first_visit",
    "repair_order",
    "service_status",
    "arrived_at",
    "arrival_recorded_by_id",
    "greeted_at",
    "greeted_by_id",
    "greet_seconds",
    "drink_offered_at",
    "introduced_at",
    "introduced_by_id",
    "farewell_at",
    "farewell_by_id",
    "departed_at",
]
SERVING_FIELDS = ["store_id", "drink_id", "drink_name", "refill", "served_at", "served_by_id", "on_time"]
PROMISE_FIELDS = [
    "store_id",
    "kind",
    "rule_id",
    "title",
    "owner_id",
    "owner_department_id",
    "subject_type_id",
    "created_at",
    "created_by_id",
    "business_time",
    "due_at",
    "state",
    "kept_at",
    "closed_by_id",
    "close_reason",
    "paused_at",
    "remind_at",
    "reminded_at",
    "escalation_level",
    "next_escalation_at",
]


def _month(world) -> StoreMonth:
    """Store A's lounge with two drinks, two seats, an attendant of the lounge desk and a customer with a car."""
    store, manager = world.a.store, world.a.manager
    attendant = make_user("attendant1", role="staff", store=store, department=world.a.lounge, name="吴晓燕")
    customer = make_customer(store, name="赵敏", mobile="13911112222")
    make_vehicle(customer, plate="京A66666")
    other = make_customer(store, name="钱伟", mobile="13911113333")
    make_vehicle(other, plate="京B77777")
    customers = list(store.customers.order_by("id").prefetch_related("vehicles"))
    return StoreMonth(
        store=store,
        calendar=StoreCalendar(store),
        manager=manager,
        supervisor=world.a.supervisor,
        attendants=[attendant, world.a.staff],
        attendant_weights=[1, 1],
        advisors=[world.a.staff],
        fixer=world.a.staff,
        customers=customers,
        drinks={name: drink_save(actor=manager, store=store, name=name) for name in ("绿茶", "咖啡")},
        seats=[seat_create(actor=manager, store=store, label=label) for label in ("A1", "A2")],
        facilities={},
        area=None,
        out_of_stock=("咖啡", store.created_at + timedelta(days=3650)),
        timeline=Timeline(),
        desk=world.a.lounge,
    )


def _plans(month: StoreMonth, start) -> list[VisitPlan]:
    """Visits covering every path: greeted on time and late, never greeted, refills on time and late,
    the last refill clock cancelled or overdue at departure, an introduction, a new service status,
    a regular on file, a walk-in with and without a name, with and without a farewell."""
    host, other = month.attendants
    first, second = month.customers
    s = timedelta(seconds=1)
    m = timedelta(minutes=1)
    day = start.date()
    plans = [
        VisitPlan(
            month=month,
            day=day,
            arrive=start,
            leave=start + 75 * m,
            host=host,
            customer=first,
            vehicle=first.vehicles.all()[0],
            seat=month.seats[0],
            first_time=True,
            repair_order="RO20261103-017",
            service_status="保养中",
            greet=start + 20.7 * s,  # seconds to greet are whole seconds, rounded down
            offer=start + 40 * s,
            servings=[
                Serve(start + 3 * m, "绿茶", host),
                Serve(start + 18 * m + 0.25 * s, "绿茶", other),  # a refill on time
                Serve(start + 50 * m, "咖啡", host),  # a refill late
            ],
            introduce=(start + 6 * m, other),
            status=(start + 60 * m, "已完工，待结算"),
            farewell=(start + 74 * m, host),
        ),
        VisitPlan(
            month=month,
            day=day,
            arrive=start + 5 * m,
            leave=start + 40 * m,
            host=other,
            guest_name="刘女士",
            first_by_hand=True,
            first_time=True,
            greet=start + 5 * m + 95.6 * s,  # late
            servings=[Serve(start + 9 * m, "咖啡", other)],  # its refill clock is overdue when she leaves
        ),
        VisitPlan(month=month, day=day, arrive=start + 10 * m, leave=start + 30 * m, host=host),  # never greeted
        VisitPlan(
            month=month,
            day=day,
            arrive=start + 100 * m,
            leave=start + 120 * m,
            host=host,
            customer=first,  # again: not a first visit
            vehicle=first.vehicles.all()[0],
            seat=month.seats[1],
            greet=start + 100 * m + 8.5 * s,
            servings=[Serve(start + 103 * m, "绿茶", host)],
            farewell=(start + 119 * m, host),
        ),
        VisitPlan(
            month=month,
            day=day,
            arrive=start + 110 * m,
            leave=start + 125 * m,
            host=other,
            customer=second,
            vehicle=second.vehicles.all()[0],
            regular=True,  # on file before the product: the attendant unticks "first-time"
            greet=start + 110 * m + 30 * s,
            servings=[Serve(start + 112 * m, "咖啡", other)],
        ),
    ]
    return plans


def _rows(visits) -> list:
    """What the visits look like in the database: the visit, its servings, its promises."""
    rows = []
    for visit in sorted(visits, key=lambda v: v.arrived_at):
        visit = Visit.objects.get(pk=visit.pk)
        promises = Promise.objects.filter(subject_id=visit.pk, kind__startswith="lounge_").order_by(
            "created_at", "kind"
        )
        rows.append(
            (
                [getattr(visit, f) for f in VISIT_FIELDS],
                list(Serving.objects.filter(visit=visit).order_by("served_at").values_list(*SERVING_FIELDS)),
                [
                    [*(getattr(p, f) for f in PROMISE_FIELDS), p.url.replace(f"#visit-{visit.pk}", "#visit-")]
                    for p in promises
                ],
                (
                    visit.greet_promise.kind if visit.greet_promise else None,
                    visit.refill_promise.due_at if visit.refill_promise else None,
                ),
            )
        )
    return rows


class Undo(Exception):
    pass


def _played(month, plans, how) -> list:
    with pytest.raises(Undo), transaction.atomic():
        for plan in plans:
            plan.visit = None
        if how == "services":
            for plan in plans:
                schedule_visit(plan, month.timeline)
            month.timeline.play(until=plans[-1].leave + timedelta(minutes=1))
            visits = [plan.visit for plan in plans]
        else:
            visits = visits_bulk(month, plans)
        rows = _rows(visits)
        raise Undo
    return rows


def test_quiet_visits_written_in_bulk_are_the_rows_the_visit_services_write(world):
    """The older weeks' quiet visits (S4.1–S4.4) are bulk-written only because the services are slow for a
    month: the rows, the greeting and refill clocks and their states must be exactly what the services make."""
    month = _month(world)
    start = month.store.created_at.replace(microsecond=0) - timedelta(days=3)
    plans = _plans(month, start)

    by_services = _played(month, plans, "services")
    in_bulk = _played(month, plans, "bulk")

    assert len(by_services) == 5
    assert in_bulk == by_services
    states = {p[11] for _v, _s, promises, _l in by_services for p in promises}
    assert states == {"kept", "late", "broken", "cancelled"}
    on_time = {row[6] for _v, servings, _p, _l in by_services for row in servings}
    assert on_time == {None, True, False}


def test_quiet_visits_in_bulk_write_nothing_for_no_plans(world):
    month = _month(world)

    assert visits_bulk(month, []) == []
    assert not Visit.objects.exists()


def test_demo_photos_are_real_tiny_images(world):
    import random

    rng = random.Random(1)
    sizes = []
    for _n in range(20):
        cleaned = photo_clean(photo_upload(rng))  # as every photo is stored (core.images)
        data = cleaned.read()
        with Image.open(BytesIO(data)) as image:
            assert image.format == "JPEG"
            assert image.size == (96, 72)
        sizes.append(len(data))

    assert max(sizes) < 5 * 1024
    assert len({photo_upload(random.Random(n)).read() for n in range(5)}) == 5  # not all the same picture
