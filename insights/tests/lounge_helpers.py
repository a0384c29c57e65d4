"""Hand-made lounge records for the lounge figures tests: made directly with the ORM, every time given."""

from datetime import timedelta
from decimal import Decimal

from checks.choices import Purpose, RoundState
from checks.models import Round, RoundResult
from lounge.models import Facility, FaultTicket, LoungeRequest, LoungeSettings, Serving, Visit
from promises.services import promise_break, promise_keep, promise_make
from tests.clock import at

# The week of Monday 9 to Sunday 15 March 2026.
WEDNESDAY = at("2026-03-11 10:00")
NOW = at("2026-03-13 12:00")  # Friday noon of that week


def visit(store, *, arrived_at=WEDNESDAY, greeted_by=None, greet_seconds=None, first_visit=False, introduced=False):
    """A visit, greeted `greet_seconds` after arrival by `greeted_by` (not greeted without them)."""
    greeted_at = arrived_at + timedelta(seconds=greet_seconds) if greet_seconds is not None else None
    return Visit.objects.create(
        store=store,
        guest_name="访客",
        arrived_at=arrived_at,
        greeted_at=greeted_at,
        greeted_by=greeted_by if greeted_at else None,
        greet_seconds=greet_seconds,
        first_visit=first_visit,
        introduced_at=arrived_at + timedelta(minutes=5) if introduced else None,
        introduced_by=greeted_by if introduced else None,
        departed_at=arrived_at + timedelta(hours=1),
    )


def serving(of_visit, *, served_by, served_at=None, refill=True, on_time=True):
    return Serving.objects.create(
        visit=of_visit,
        store=of_visit.store,
        drink_name="绿茶",
        refill=refill,
        served_at=served_at or of_visit.arrived_at + timedelta(minutes=20),
        served_by=served_by,
        on_time=on_time if refill else None,
    )


def request(store, *, kind="help", created_at=WEDNESDAY, answered_after=None, by=None, state=None):
    """A request, answered (someone on the way) `answered_after` (a timedelta) after it was made, or not at all."""
    acknowledged_at = created_at + answered_after if answered_after is not None else None
    return LoungeRequest.objects.create(
        store=store,
        kind=kind,
        created_at=created_at,
        acknowledged_at=acknowledged_at,
        acknowledged_by=by if acknowledged_at else None,
        state=state or ("on_way" if acknowledged_at else "open"),
    )


def hygiene_round(
    store,
    *,
    scheduled_for=None,
    state=RoundState.DONE,
    submitted_at=None,
    by=None,
    on_time=None,
    score=None,
    failed=0,
    items=4,
    purpose=Purpose.LOUNGE_HYGIENE,
):
    """A round with `items` results of which `failed` failed; submitted when it is done."""
    if state == RoundState.DONE and submitted_at is None:
        submitted_at = (scheduled_for or WEDNESDAY) + timedelta(minutes=10)
    found = Round.objects.create(
        store=store,
        template_name="休息区卫生巡检",
        purpose=purpose,
        scheduled_for=scheduled_for,
        due_at=scheduled_for + timedelta(minutes=30) if scheduled_for else None,
        state=state,
        submitted_at=submitted_at if state == RoundState.DONE else None,
        submitted_by=by if state == RoundState.DONE else None,
        on_time=on_time if state == RoundState.DONE else None,
        item_count=items,
        failed_count=failed,
        score=Decimal(str(score)) if score is not None else None,
    )
    for position in range(items if state == RoundState.DONE else 0):
        RoundResult.objects.create(
            round=found,
            store=store,
            position=position,
            text=f"检查项 {position + 1}",
            rule_id="S4.7",
            kind="pass_fail",
            passed=position >= failed,
        )
    return found


def facility(store, name="咖啡机"):
    return Facility.objects.get_or_create(store=store, name=name, defaults={"kind": "coffee_machine"})[0]


def fault(store, *, reported_at=WEDNESDAY, fixed_after=None, fixed_by=None, owner=None, promise_hours=None, state=None):
    """A fault ticket; fixed `fixed_after` (a timedelta) after the report, with a fix promise of `promise_hours`."""
    fixed_at = reported_at + fixed_after if fixed_after is not None else None
    ticket = FaultTicket.objects.create(
        store=store,
        facility=facility(store),
        description="不出水",
        reported_at=reported_at,
        owner=owner,
        state=state or ("fixed" if fixed_at else "open"),
        fixed_at=fixed_at,
        fixed_by=fixed_by if fixed_at else None,
    )
    if promise_hours is not None:
        made = promise_make(
            store=store,
            kind="fault_fix",
            rule_id="S4.11",
            title="修复",
            owner=owner or fixed_by,
            due_at=reported_at + timedelta(hours=promise_hours),
            now=reported_at,
        )
        if fixed_at:
            made = promise_keep(promise=made, at=fixed_at)
        ticket.promise = made
        ticket.save(update_fields=["promise"])
    return ticket


def refill_promise(store, owner, *, due_at=WEDNESDAY, state="open", department=None, actor=None):
    """A refill promise (S4.2) made 20 minutes before it is due, then kept on time, late or broken by `actor`."""
    made = promise_make(
        store=store,
        kind="lounge_refill",
        rule_id="S4.2",
        title="续杯",
        owner=owner,
        owner_department=department,
        due_at=due_at,
        now=due_at - timedelta(minutes=20),
    )
    if state == "kept":
        made = promise_keep(promise=made, actor=actor, at=due_at - timedelta(minutes=1))
    elif state == "late":
        made = promise_keep(promise=made, actor=actor, at=due_at + timedelta(minutes=3))
    elif state == "broken":
        made = promise_break(promise=made, actor=actor, reason="test")
    return made


def make_lounge_week(world):
    """Store A's lounge week (the figures it gives are in test_lounge_selectors.py); store B's never count for A."""
    a, b = world.a, world.b
    LoungeSettings.objects.create(store=a.store, greet_within_seconds=20)  # store B keeps the default 60 s
    # S4.1 / S4.3: visits, greeted after 5, 8, 12, 30 and 61 seconds; one not greeted
    visit(a.store, arrived_at=at("2026-03-08 23:59:59"), greeted_by=a.staff, greet_seconds=1)  # Sunday before: outside
    monday = visit(a.store, arrived_at=at("2026-03-09 00:01"), greeted_by=a.staff, greet_seconds=5)
    first = visit(
        a.store,
        arrived_at=at("2026-03-11 10:00"),
        greeted_by=a.staff,
        greet_seconds=8,
        first_visit=True,
        introduced=True,
    )
    visit(a.store, arrived_at=at("2026-03-11 11:00"), greeted_by=a.staff, greet_seconds=12)
    visit(a.store, arrived_at=at("2026-03-11 14:00"), greeted_by=a.supervisor, greet_seconds=30)
    visit(a.store, arrived_at=at("2026-03-12 09:00"), greeted_by=a.supervisor, greet_seconds=61, first_visit=True)
    visit(a.store, arrived_at=at("2026-03-12 10:00"))  # nobody greeted this customer
    visit(a.store, arrived_at=at("2026-03-16 00:00"), greeted_by=a.staff, greet_seconds=2)  # next Monday: outside
    b_visit = visit(b.store, arrived_at=at("2026-03-11 10:00"), greeted_by=b.staff, greet_seconds=45)
    # S4.2: refills (the first drink of a visit is not a refill)
    serving(first, served_by=a.staff, refill=False)
    serving(first, served_by=a.staff, on_time=True)
    serving(first, served_by=a.staff, on_time=False)
    serving(monday, served_by=a.staff, on_time=True)
    serving(first, served_by=a.supervisor, on_time=True)
    serving(b_visit, served_by=b.staff, on_time=False)
    refill_promise(a.store, a.staff, due_at=at("2026-03-11 10:20"), state="kept")
    refill_promise(a.store, a.staff, due_at=at("2026-03-11 10:40"), state="late")
    refill_promise(a.store, a.staff, due_at=at("2026-03-11 11:00"), state="broken")
    refill_promise(a.store, a.staff, due_at=at("2026-03-11 11:20"))  # open, past due at NOW
    refill_promise(a.store, a.staff, due_at=at("2026-03-13 12:10"))  # open, not yet due at NOW
    # the lounge desk's clock, kept late by the supervisor who served the refill
    refill_promise(a.store, None, department=a.lounge, due_at=at("2026-03-12 09:30"), state="late", actor=a.supervisor)
    # S4.5: requests; the store answers within 3 minutes (the default)
    request(a.store, kind="help", created_at=at("2026-03-11 10:00"), answered_after=timedelta(minutes=2), by=a.staff)
    request(a.store, kind="help", created_at=at("2026-03-11 11:00"), answered_after=timedelta(minutes=3), by=a.staff)
    request(
        a.store, kind="refill", created_at=at("2026-03-11 12:00"), answered_after=timedelta(minutes=4), by=a.supervisor
    )
    request(a.store, kind="advisor", created_at=at("2026-03-12 10:00"))
    request(a.store, kind="drink", created_at=at("2026-03-12 11:00"), state="cancelled")
    request(b.store, kind="help", created_at=at("2026-03-11 10:00"), answered_after=timedelta(minutes=9), by=b.staff)
    # S4.6–S4.10: hygiene rounds
    hygiene_round(
        a.store,
        scheduled_for=at("2026-03-08 23:50"),
        submitted_at=at("2026-03-09 00:05"),
        by=a.staff,
        on_time=True,
        score=85,
        failed=1,
    )
    hygiene_round(a.store, scheduled_for=at("2026-03-11 10:00"), by=a.staff, on_time=True, score=100)
    hygiene_round(a.store, scheduled_for=at("2026-03-11 11:00"), by=a.staff, on_time=False, score=75, failed=1)
    hygiene_round(a.store, scheduled_for=at("2026-03-11 12:00"), by=a.supervisor, on_time=True, score=50, failed=2)
    hygiene_round(a.store, scheduled_for=at("2026-03-11 13:00"), state=RoundState.MISSED)
    hygiene_round(
        a.store, scheduled_for=at("2026-03-12 10:00"), state=RoundState.OPEN
    )  # due 10:30 Thursday: overdue at NOW
    hygiene_round(a.store, scheduled_for=at("2026-03-13 15:00"), state=RoundState.OPEN)  # not yet due at NOW
    hygiene_round(
        a.store,
        scheduled_for=at("2026-03-11 09:00"),
        by=a.staff,
        on_time=True,
        score=0,
        failed=4,
        purpose=Purpose.GROOMING,
    )
    hygiene_round(b.store, scheduled_for=at("2026-03-11 10:00"), by=b.staff, on_time=False, score=10, failed=3)
    # S4.11: faults
    fault(
        a.store,
        reported_at=at("2026-03-11 09:00"),
        fixed_after=timedelta(hours=2),
        fixed_by=a.supervisor,
        promise_hours=8,
    )
    fault(
        a.store,
        reported_at=at("2026-03-12 08:00"),
        fixed_after=timedelta(hours=10),
        fixed_by=a.supervisor,
        promise_hours=8,
    )
    fault(a.store, reported_at=at("2026-03-10 09:00"), fixed_after=timedelta(hours=3), fixed_by=a.staff)
    fault(a.store, reported_at=at("2026-03-10 15:00"), owner=a.supervisor)
    fault(a.store, reported_at=at("2026-03-02 09:00"), owner=a.staff, state="in_progress")  # last week, still open now
    fault(
        a.store, reported_at=at("2026-03-05 09:00"), fixed_after=timedelta(hours=20), fixed_by=a.staff
    )  # fixed last week
    fault(a.store, reported_at=at("2026-03-11 09:00"), state="cancelled")
    fault(b.store, reported_at=at("2026-03-11 09:00"), owner=b.staff)
    return world
