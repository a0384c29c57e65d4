"""Builders for the people figures' tests: checks of people, discipline records, attendance, carried-over work,
made with the models directly (November 2026, Beijing time)."""

from datetime import date

from checks.choices import ItemKind, Purpose, RoundState
from checks.models import Round, RoundResult, RoundSubject
from complaints.models import Complaint
from conduct.choices import DISCIPLINE_RULES, DisciplineKind, DisciplineState
from conduct.models import AttendanceDay, CarryOver, ConductSettings, DisciplineRecord
from promises.choices import PromiseKind, PromiseState
from promises.models import Promise
from tests.clock import at

MONTH = {"period": "month", "date": "2026-11-15"}
ITEMS = (("工装整洁", "S6.1"), ("佩戴工牌", "S6.4"))


def check(sw, purpose, *, when="2026-11-10 08:20", checked: dict, state=RoundState.DONE, on_time=True) -> Round:
    """A grooming or desk check of the store, done by its supervisor: `checked` maps a person to the texts of
    the items they failed."""
    round = Round.objects.create(
        store=sw.store,
        template_name="晨检" if purpose == Purpose.GROOMING else "桌面检查",
        purpose=purpose,
        scheduled_for=at(when),
        due_at=at(when),
        state=state,
        submitted_at=at(when) if state == RoundState.DONE else None,
        submitted_by=sw.supervisor if state == RoundState.DONE else None,
        on_time=on_time if state == RoundState.DONE else None,
    )
    for position, (person, failed) in enumerate(checked.items()):
        RoundSubject.objects.create(
            round=round, store=sw.store, person=person, position=position, checked_at=at(when), failed_count=len(failed)
        )
        for index, (text, rule) in enumerate(ITEMS):
            RoundResult.objects.create(
                round=round,
                store=sw.store,
                subject=person,
                position=index,
                text=text,
                rule_id=rule,
                kind=ItemKind.PASS_FAIL,
                passed=text not in failed,
            )
    return round


def record(sw, person, kind, state=DisciplineState.RECORDED, when="2026-11-12 09:00") -> DisciplineRecord:
    return DisciplineRecord.objects.create(
        store=sw.store,
        person=person,
        kind=kind,
        rule_id=DISCIPLINE_RULES[kind],
        state=state,
        occurred_at=at(when),
        description="现场检查发现",
    )


def attendance(sw, person, day: date, *, late=0, early=0, missing=False) -> AttendanceDay:
    return AttendanceDay.objects.create(
        store=sw.store, person=person, date=day, late_minutes=late, early_minutes=early, missing_punch=missing
    )


def correction(sw, person, *, due="2026-11-10 12:00", state=PromiseState.OPEN, kept_at=None) -> Promise:
    return Promise.objects.create(
        store=sw.store,
        kind=PromiseKind.GROOMING_CORRECTION,
        rule_id="S6.1",
        title="整改着装",
        owner=person,
        due_at=at(due),
        state=state,
        kept_at=kept_at,
    )


def carried(sw, person, day: date) -> CarryOver:
    promise = Promise.objects.create(
        store=sw.store,
        kind=PromiseKind.MESSAGE_CALLBACK,
        rule_id="S2.3",
        title="回电客户",
        owner=person,
        due_at=at(f"{day:%Y-%m-%d} 10:00"),
    )
    return CarryOver.objects.create(
        store=sw.store, day=day, promise=promise, owner=person, owner_department=person.department
    )


def complaint(sw, person, n=1) -> Complaint:
    return Complaint.objects.create(
        store=sw.store,
        number=f"C-{sw.store.code}-2026-{n:04d}",
        customer_name="李四",
        contact_phone="13900001111",
        department=sw.cs,
        staff_involved=person,
        happened_at=at("2026-11-11 10:00"),
        place="前台",
        course="态度不好",
        customer_wants="道歉",
        reply_promised_at=at("2026-11-12 10:00"),
        logged_at=at("2026-11-11 11:00"),
    )


def people_month(world):
    """Store A in November 2026, and a little of store B (see the assertions for what it adds up to)."""
    a, b = world.a, world.b
    ConductSettings.objects.create(store=a.store, late_grace_minutes=5)
    check(a, Purpose.GROOMING, checked={a.staff: {"工装整洁"}, a.supervisor: set()})
    check(a, Purpose.GROOMING, when="2026-11-11 08:20", checked={a.staff: set()}, on_time=False)
    check(a, Purpose.GROOMING, when="2026-11-12 08:20", checked={}, state=RoundState.MISSED)
    check(a, Purpose.DESK, checked={a.staff: set()})
    correction(a, a.staff, state=PromiseState.KEPT, kept_at=at("2026-11-10 11:00"))
    correction(a, a.staff, due="2026-11-11 12:00")  # still open, overdue
    record(a, a.staff, DisciplineKind.LATE)
    record(a, a.staff, DisciplineKind.NOISE, state=DisciplineState.WITHDRAWN)
    record(a, a.staff, DisciplineKind.EARLY_LEAVE, state=DisciplineState.DRAFT)
    record(a, a.supervisor, DisciplineKind.DESK, state=DisciplineState.ACKNOWLEDGED, when="2026-11-20 15:00")
    attendance(a, a.staff, date(2026, 11, 2), late=10)
    attendance(
        a, a.staff, date(2026, 11, 3), late=0
    )  # 3 minutes late, within the 5 minutes' grace: the import counts 0
    attendance(a, a.staff, date(2026, 11, 4), early=20, missing=True)
    carried(a, a.staff, date(2026, 11, 5))
    complaint(a, a.staff)
    check(b, Purpose.GROOMING, checked={b.staff: {"佩戴工牌"}})
    record(b, b.staff, DisciplineKind.PERSONAL_CALL)
    attendance(b, b.staff, date(2026, 11, 2), late=1)  # store B has no grace: late
    return world
