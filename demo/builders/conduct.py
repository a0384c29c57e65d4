"""Demo data, part four: standards 6 and 1 for the demo stores — the roster, a month of morning grooming checks
(S6.1–S6.4), weekly desk checks (S1.D3), attendance (S1.D1a), discipline records (S1.D1a–c, S1.D4) and the
carried-over work (S1.D2) of the 30 days before `now`'s day.

`load_conduct_month(rng, now)` is called by `demo.demo_load` after the lounge month. For each demo store the
store manager sets up (the evening before the month, as in demo/builders/lounge.py) two shifts (早班, 晚班) and
the roster from the first day of the month to the end of the current calendar month: the service advisor and
the lounge attendant on shifts, everyone else on the store's business hours, each person a few rest days and
one person a few days of leave; the standard grooming and desk templates (checks.services.defaults); an area
checked each working day for every customer-facing department, and a weekly desk check for the office
departments. Then the month is played in time order (demo.builders.lounge.Timeline, every action inside
`clock.at(moment)` so history, promise events and bells carry its moment):

- every morning the worker's `rounds_schedule` makes the day's rounds; the department's supervisor starts the
  grooming round at opening and submits everyone's answers a few minutes later (the roster marks those not on
  duty absent). About one person-day in twelve fails an item, with a note and often a generated photo. The
  corrections are confirmed by the checker within the store's 30 business minutes, one a store late and the
  last one still open. Two rounds a store are missed. One person a store fails the same item three times,
  so the store managers get the repeated-failure notice (S6);
- the store manager does the week's desk check of each office department on its drawn day, a few failures;
- attendance for everyone of the store, imported by the store manager each Monday morning for the week
  before (the last, unfinished week the evening of yesterday) through
  `conduct.services.attendance.attendance_import_rows`, with late arrivals, an early leave
  and a missing punch; the supervisors confirm most of the drafts, dismiss a few (a swapped shift, the punch
  machine down) and leave the last two days' as drafts;
- discipline records of every state: recorded (still to answer), acknowledged, contested and awaiting the
  store manager's decision, upheld, withdrawn; one from a spot check with a photo;
- the worker's `carry_overs_count` after every closing, so S1.D2 counts what each day left open.

Deterministic (the seeded `rng`, fixed patterns chosen among the month's working days, whatever weekday
today is); everything through the services.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import models
from django.utils import timezone

from checks.choices import Purpose, Schedule
from checks.models import Area, CorrectiveAction, Round
from checks.selectors import area_slots
from checks.services.actions import correction_confirm
from checks.services.defaults import template_standard
from checks.services.people import people_round_submit
from checks.services.rounds import Answer, round_start, rounds_schedule
from checks.services.templates import area_create
from conduct.choices import AttendanceSource, DisciplineKind, DisciplineSource, DisciplineState
from conduct.models import DisciplineRecord
from conduct.services.attendance import attendance_import_rows
from conduct.services.carry_over import carry_overs_count
from conduct.services.discipline import (
    discipline_acknowledge,
    discipline_confirm,
    discipline_contest,
    discipline_decide,
    discipline_dismiss,
    discipline_record,
)
from demo import clock
from demo.builders.lounge import Timeline, photo_upload
from org.business_time import StoreCalendar
from org.choices import Role, RosterKind
from org.models import Department, Store, User
from org.selectors import work_days
from org.services.roster import DEFAULT, roster_fill, roster_set, shift_create
from promises.choices import PromiseState
from promises.models import Notification

DAYS = 30
SHIFTS = [("早班", time(8, 0), time(16, 30)), ("晚班", time(10, 30), time(19, 0))]
# Who works shifts all month (the others work the store's business hours): username → shift of even weeks,
# the other shift on odd weeks.
SHIFT_WORKERS = {"S001": {"mahao": 0, "wuxiaoyan": 1}, "S002": {"songjie": 0, "xieli": 1}}
ON_LEAVE = {"S001": "zhangmin", "S002": "tangqian"}  # three days of leave in the middle of the month
# The customer-facing departments checked each morning (S6.1–S6.4) and the office ones checked weekly (S1.D3).
GROOMING_DEPARTMENTS = ["客服部", "续保部", "服务前台", "客户休息室", "休闲中心"]
DESK_DEPARTMENTS = ["客服部", "续保部", "服务前台"]
# The person of each store who fails the same grooming item three times (the repeated-failure notice).
REPEATER = {"S001": ("staff1", "S6.3", "指甲偏长，涂了深色指甲油"), "S002": ("hanying", "S6.2", "头发披散未盘起")}
GROOMING_NOTES = {
    "S6.1": ["工装有明显褶皱", "穿了运动鞋上岗", "衬衫领口有污渍"],
    "S6.2": ["头发披散未盘起", "鬓角过长", "头发染成亮色"],
    "S6.3": ["指甲偏长", "涂了深色指甲油", "手部不清洁"],
    "S6.4": ["未佩戴工牌", "工牌戴反了"],
}
DESK_NOTES = ["桌上放着零食和个人杂志", "资料堆放凌乱", "离开座位电脑未锁屏", "奶茶放在键盘旁"]
CONFIRM_NOTES = ["已整改，复查合格", "已当场整改", "已更换工装", "已整理好", ""]
DISMISS_REASONS = ["与同事调班，经主管同意", "考勤机故障，当天补签", "外出拜访客户，已报备"]
GROOMING_FAIL_SHARE = 0.08  # a person-day failing an item
DESK_FAIL_SHARE = 0.2


@dataclass
class StoreConduct:
    store: Store
    calendar: StoreCalendar
    manager: User
    people: dict  # username → User
    departments: dict  # name → Department
    supervisors: dict  # department name → the supervisor who checks it
    shifts: list = field(default_factory=list)
    areas: list = field(default_factory=list)  # (Area, checker)
    open_days: list = field(default_factory=list)
    timeline: Timeline | None = None
    work: dict = field(default_factory=dict)  # (person id, day) → org.selectors.WorkDay of the month
    drafts_reviewed: int = 0


def _local(day: date, hour: float) -> datetime:
    tz = timezone.get_current_timezone()
    return datetime.combine(day, time.min, tzinfo=tz) + timedelta(hours=hour)


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(seconds=rng.uniform(low * 60, high * 60))


def load_conduct_month(rng: random.Random, now: datetime) -> dict:
    """Standards 6 and 1 in every demo store: the month before `now`'s day, played in time order; counts per store."""
    today = timezone.localtime(now).date()
    days = [today - timedelta(days=n) for n in range(DAYS, 0, -1)]
    timeline = Timeline()
    months = {}
    for store in Store.objects.filter(code__in=SHIFT_WORKERS).order_by("code"):
        with clock.at(_local(days[0] - timedelta(days=1), 18.75)):
            month = _store_setup(rng, store, days, today)
        months[store.code] = month
        month.timeline = timeline
        _plan_grooming(rng, month, timeline)
        # a generator of its own: the desk checks' days are drawn from the areas' ids (checks.selectors.weekly_day),
        # and the plans after them should not depend on how many there are
        _plan_desk(random.Random(rng.random()), month, timeline)
        _plan_attendance(rng, month, days, today, timeline)
        _plan_discipline(rng, month, timeline)
    for day in days:
        timeline.at(_local(day, 7.5), _schedule)  # the worker makes the day's rounds before opening
        timeline.at(_local(day, 23.5), _carry_over)  # and counts what the day left open (S1.D2)
    first_notification = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
    timeline.play(until=now)
    # the month's bells read when they came (as the lounge's, demo/builders/lounge.py), but for the promises still
    # open (the contest to decide, the correction to confirm) and the news of the last two days
    Notification.objects.filter(id__gt=first_notification, read_at__isnull=True).exclude(
        promise__state=PromiseState.OPEN
    ).exclude(promise__isnull=True, created_at__gte=_local(days[-2], 0)).update(read_at=models.F("created_at"))
    rounds_schedule(now=now)  # today's grooming checks, if there is still time to do them
    return {code: _store_counts(month.store) for code, month in months.items()}


def _store_counts(store: Store) -> dict:
    return {
        "people_rounds": Round.objects.filter(store=store, purpose__in=[Purpose.GROOMING, Purpose.DESK]).count(),
        "discipline_records": DisciplineRecord.objects.filter(store=store).count(),
    }


def _schedule(moment: datetime) -> None:
    rounds_schedule(now=moment)


def _carry_over(moment: datetime) -> None:
    carry_overs_count(now=moment)


# ---------------------------------------------------------------------------------------------
# Set-up: shifts, roster, templates, areas


def _store_setup(rng: random.Random, store: Store, days: list, today: date) -> StoreConduct:
    people = {u.username: u for u in User.objects.filter(store=store, is_active=True).select_related("department")}
    manager = next(p for p in people.values() if p.role == Role.STORE_MANAGER)
    departments = {d.name: d for d in Department.objects.filter(store=store)}
    supervisors = {}
    for person in people.values():
        if person.role == Role.SUPERVISOR:
            for department in person.supervised_departments.all():
                supervisors[department.name] = person
    month = StoreConduct(
        store=store,
        calendar=StoreCalendar(store),
        manager=manager,
        people=people,
        departments=departments,
        supervisors=supervisors,
    )
    month.open_days = [d for d in days if month.calendar.interval(d) is not None]
    month.shifts = [
        shift_create(actor=manager, store=store, name=name, starts=starts, ends=ends) for name, starts, ends in SHIFTS
    ]
    _roster(rng, month, days, today)
    month.work = work_days(store, list(people.values()), days[0], days[-1])
    grooming = template_standard(store, kind="grooming", actor=manager)
    desk = template_standard(store, kind="desk", actor=manager)
    for name in GROOMING_DEPARTMENTS:
        area = area_create(
            actor=manager,
            store=store,
            name=f"班前仪容仪表·{name}",
            template=grooming,
            department=departments[name],
            every_minutes=None,
            due_within_minutes=30,
            schedule=Schedule.DAILY,
            checks_people=True,
        )
        month.areas.append((area, supervisors[name]))
    for name in DESK_DEPARTMENTS:
        area = area_create(
            actor=manager,
            store=store,
            name=f"桌面检查·{name}",
            template=desk,
            department=departments[name],
            every_minutes=None,
            due_within_minutes=240,
            schedule=Schedule.WEEKLY,
            checks_people=True,
        )
        month.areas.append((area, manager))
    return month


def _roster(rng: random.Random, month: StoreConduct, days: list, today: date) -> None:
    """S1.D1a: shift workers alternate 早班/晚班 by week (not on the days the store is closed); each member of
    staff rests three days of the month; one person takes three days of leave; the roster runs to the end of
    the current month (the roster page's month is full)."""
    store, manager = month.store, month.manager
    last = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    monday = days[0] - timedelta(days=days[0].weekday())
    while monday <= last:
        week = (monday - days[0]).days // 7
        first_day, last_day = max(monday, days[0]), min(monday + timedelta(days=6), last)
        for username, shift in SHIFT_WORKERS[store.code].items():
            roster_fill(
                actor=manager,
                store=store,
                people=[month.people[username]],
                first=first_day,
                last=last_day,
                weekdays=set(range(7)),
                kind=RosterKind.WORK,
                shift=month.shifts[(shift + week) % 2],
            )
        monday += timedelta(days=7)
    repeater = REPEATER[store.code][0]
    rostered = [days[0] + timedelta(days=n) for n in range((last - days[0]).days + 1)]
    for day in [d for d in rostered if month.calendar.interval(d) is None]:
        for username in SHIFT_WORKERS[store.code]:  # a closure or a holiday: nobody works it
            roster_set(actor=manager, store=store, person=month.people[username], day=day, kind=DEFAULT)
    # the supervisors do the morning checks: they rest on the days the store is closed
    staff = sorted(p for p, u in month.people.items() if u.role == Role.STAFF and p != repeater)
    for username in staff:
        for day in rng.sample(month.open_days, 3):
            roster_set(actor=manager, store=store, person=month.people[username], day=day, kind=RosterKind.REST)
    middle = len(month.open_days) // 2
    for day in month.open_days[middle : middle + 3]:
        roster_set(
            actor=manager, store=store, person=month.people[ON_LEAVE[store.code]], day=day, kind=RosterKind.LEAVE
        )


# ---------------------------------------------------------------------------------------------
# The morning grooming check (S6.1–S6.4) and the weekly desk check (S1.D3)


@dataclass
class CheckPlan:
    area: Area
    checker: User
    slot: datetime
    failures: dict  # username → (rule id, note, photo or None)
    round: Round | None = None
    actions: dict = field(default_factory=dict)  # username → the correction of their failed item


def _plan_grooming(rng: random.Random, month: StoreConduct, timeline: Timeline) -> None:
    """Each open day, each grooming area (S6.1–S6.4): started before opening, submitted a few minutes later; two
    missed a store; the repeater fails the same item on three days spread over the month. Corrections are
    confirmed within the store's 30 business minutes, the fourth of the month late and the last one not yet."""
    code = month.store.code
    repeater, repeat_rule, repeat_note = REPEATER[code]
    grooming = [(a, c) for a, c in month.areas if a.schedule == Schedule.DAILY]
    open_days = month.open_days
    repeat_days = {open_days[i] for i in (3, len(open_days) // 2, len(open_days) - 4)}
    missed = {(open_days[5], grooming[1][0].pk), (open_days[-6], grooming[3][0].pk)}
    failed = []  # (submit moment, plan, username) in time order
    for day in open_days:
        for area, checker in grooming:
            slots = area_slots(area=area, day=day, calendar=month.calendar)
            if not slots or (day, area.pk) in missed:
                continue  # a missed round: the next morning's scheduling marks it missed
            failures = {}
            for person in sorted(month.people.values(), key=lambda p: p.username):
                if person.department_id != area.department_id or person.pk == checker.pk:
                    continue
                if not month.work[(person.pk, day)].working:
                    continue  # not on duty: the round marks them absent
                if person.username == repeater and day in repeat_days:
                    failures[person.username] = (repeat_rule, repeat_note, photo_upload(rng))
                elif person.username != repeater and rng.random() < GROOMING_FAIL_SHARE:
                    rule = rng.choice(sorted(GROOMING_NOTES))
                    photo = photo_upload(rng) if rng.random() < 0.6 else None
                    failures[person.username] = (rule, rng.choice(GROOMING_NOTES[rule]), photo)
            plan = CheckPlan(area=area, checker=checker, slot=slots[0], failures=failures)
            start = slots[0] - _minutes(rng, 2, 12)
            submit = start + _minutes(rng, 4, 9)
            timeline.at(start, _check_start, plan)
            timeline.at(submit, _check_submit, plan)
            failed.extend((submit, plan, username) for username in failures)
    for index, (submit, plan, username) in enumerate(failed):
        if index == len(failed) - 1:
            continue  # still to put right
        late = index == 3
        at = submit + (_minutes(rng, 70, 150) if late else _minutes(rng, 5, 20))
        timeline.at(at, _confirm, plan, username, rng.choice(CONFIRM_NOTES))


def _plan_desk(rng: random.Random, month: StoreConduct, timeline: Timeline) -> None:
    """The week's desk check of each office department on its drawn day, by the store manager (S1.D3); each
    failure put right and confirmed within the hour."""
    for area, checker in month.areas:
        if area.schedule != Schedule.WEEKLY:
            continue
        for day in month.open_days:
            slots = area_slots(area=area, day=day, calendar=month.calendar)
            if not slots:
                continue
            failures = {}
            for person in sorted(month.people.values(), key=lambda p: p.username):
                on_duty = person.department_id == area.department_id and month.work[(person.pk, day)].working
                if on_duty and rng.random() < DESK_FAIL_SHARE:
                    failures[person.username] = ("S1.D3", rng.choice(DESK_NOTES), None)
            plan = CheckPlan(area=area, checker=checker, slot=slots[0], failures=failures)
            start = slots[0] + _minutes(rng, 60, 150)
            submit = start + _minutes(rng, 5, 12)
            timeline.at(start, _check_start, plan)
            timeline.at(submit, _check_submit, plan)
            for username in failures:
                timeline.at(submit + _minutes(rng, 10, 28), _confirm, plan, username, "桌面已整理")


def _check_start(moment: datetime, plan: CheckPlan) -> None:
    found = Round.objects.filter(area=plan.area, scheduled_for=plan.slot).first()
    if found is not None:
        plan.round = round_start(actor=plan.checker, round=found, now=moment)


def _check_submit(moment: datetime, plan: CheckPlan) -> None:
    """Everyone on duty answered at once: all passed but each planned failure (its item, a note, a photo)."""
    if plan.round is None:
        return
    results = list(plan.round.results.select_related("subject").order_by("position", "id"))
    answers = {}
    failed = {}  # result id → the username of the person who failed it (one item each)
    for result in results:
        username = result.subject.username
        failure = plan.failures.get(username)
        if failure is not None and username not in failed.values() and result.rule_id == failure[0]:
            failed[result.pk] = username
            answers[result.pk] = Answer(passed=False, comment=failure[1], photo=failure[2])
        else:
            answers[result.pk] = Answer(passed=True)
    people_round_submit(actor=plan.checker, round=plan.round, answers=answers, now=moment)
    for action in CorrectiveAction.objects.filter(result_id__in=list(failed)):
        plan.actions[failed[action.result_id]] = action


def _confirm(moment: datetime, plan: CheckPlan, username: str, note: str) -> None:
    action = plan.actions.get(username)
    if action is not None:
        correction_confirm(actor=plan.checker, action=action, note=note, now=moment)


# ---------------------------------------------------------------------------------------------
# Attendance (S1.D1a)


def _reviewer(month: StoreConduct, person: User) -> User:
    """Who confirms or dismisses the person's drafts: their department's supervisor, else the store manager."""
    if person.role == Role.STAFF and person.department is not None:
        return month.supervisors.get(person.department.name, month.manager)
    return month.manager


def _plan_attendance(rng: random.Random, month: StoreConduct, days: list, today: date, timeline: Timeline) -> None:
    """Everyone's punches of the month, imported a week at a time the next morning (the last, partial week the
    evening of its last day): a handful of late arrivals, an early leave, a missing punch (S1.D1a)."""
    people = sorted(month.people.values(), key=lambda p: p.username)
    work = month.work
    staff = [p for p in people if p.role in (Role.STAFF, Role.SUPERVISOR)]
    working = [(p, d) for d in days for p in staff if work[(p.pk, d)].working]
    picked = rng.sample(working, 11)
    incidents = {(p.pk, d): "late" for p, d in picked[:8]}
    incidents[(picked[8][0].pk, picked[8][1])] = "early"
    incidents[(picked[9][0].pk, picked[9][1])] = "no_out"
    incidents[(picked[10][0].pk, picked[10][1])] = "late"
    last_day = max(d for _p, d in working)  # and one the last day, so this month's figures have one too
    person, day = rng.choice([(p, d) for p, d in working if d == last_day and (p.pk, d) not in incidents])
    incidents[(person.pk, day)] = "late"
    weeks = defaultdict(list)
    for day in days:
        for person in people:
            workday = work[(person.pk, day)]
            if not workday.working:
                continue
            clock_in = workday.start - _minutes(rng, 3, 20)
            clock_out = workday.end + _minutes(rng, 1, 25)
            incident = incidents.get((person.pk, day))
            if incident == "late":
                clock_in = workday.start + _minutes(rng, 3, 35)
            elif incident == "early":
                clock_out = workday.end - _minutes(rng, 30, 75)
            row = {
                "employee_no": person.employee_no,
                "name": person.name,
                "date": day.isoformat(),
                "clock_in": f"{timezone.localtime(clock_in):%H:%M}",
                "clock_out": "" if incident == "no_out" else f"{timezone.localtime(clock_out):%H:%M}",
            }
            weeks[day - timedelta(days=day.weekday())].append(row)
    mondays = sorted(weeks)
    for number, monday in enumerate(mondays):
        last_day = min(monday + timedelta(days=6), days[-1])
        after = last_day + timedelta(days=1)
        moment = _local(after, 9.5) if after < today else _local(last_day, 20.75)
        timeline.at(moment, _attendance_import, month, weeks[monday], number == len(mondays) - 1, rng.random())


def _attendance_import(moment: datetime, month: StoreConduct, rows: list, last: bool, seed: float) -> None:
    """The week's export imported by the store manager; its drafts reviewed the same day, but the last two days'."""
    batch = attendance_import_rows(
        actor=month.manager,
        store=month.store,
        rows=rows,
        source=AttendanceSource.DINGTALK,
        file_name=f"钉钉考勤_{rows[0]['date']}.xlsx",
    )
    rng = random.Random(seed)
    drafts = DisciplineRecord.objects.filter(attendance_day__batch=batch, state=DisciplineState.DRAFT)
    if last:  # the last two days' drafts stay drafts: the supervisors have not looked at them yet
        drafts = drafts.filter(occurred_at__lt=_local(timezone.localtime(moment).date() - timedelta(days=1), 0))
    for record in drafts.select_related("person__department").order_by("occurred_at", "id"):
        at = moment + (timedelta(minutes=rng.uniform(20, 60)) if last else timedelta(hours=rng.uniform(3, 7)))
        reviewer = _reviewer(month, record.person)
        month.drafts_reviewed += 1
        index = month.drafts_reviewed
        if index % 4 == 2:  # one in four of the store's drafts dismissed
            month.timeline.at(at, _dismiss, reviewer, record, rng.choice(DISMISS_REASONS))
        else:
            month.timeline.at(at, _confirm_draft, reviewer, record)
            if index % 2 == 0:  # the person agrees the next day; the others let the answer time pass
                month.timeline.at(at + timedelta(hours=rng.uniform(18, 22)), _acknowledge, record)


def _dismiss(moment: datetime, reviewer: User, record: DisciplineRecord, reason: str) -> None:
    discipline_dismiss(actor=reviewer, record=record, reason=reason, now=moment)


def _confirm_draft(moment: datetime, reviewer: User, record: DisciplineRecord) -> None:
    discipline_confirm(actor=reviewer, record=record, now=moment)


def _acknowledge(moment: datetime, record: DisciplineRecord) -> None:
    discipline_acknowledge(actor=record.person, record=record, now=moment)


# ---------------------------------------------------------------------------------------------
# Discipline records of every state (S1.D1a–c, S1.D3, S1.D4)


@dataclass(frozen=True)
class RecordPlan:
    """One record of the month: whose, what, on which open day counted back from the last (and at what hour),
    who records it, and what the person and the manager do after."""

    username: str
    kind: str
    description: str
    days_back: int
    hour: float
    outcome: str  # "recorded", "acknowledged", "contested", "upheld", "withdrawn"
    minutes: int | None = None
    by_manager: bool = False
    spot_check: bool = False
    contest_reason: str = ""
    decision_reason: str = ""


R = RecordPlan
RECORDS = {
    "S001": [
        R("zhangmin", DisciplineKind.PERSONAL_CALL, "上班时间在工位打私人电话约25分钟", 2, 15.3, "recorded",
          spot_check=True),
        R("zhouqian", DisciplineKind.NOISE, "在前台与同事大声说笑，客户侧目", 20, 11.2, "acknowledged"),
        R("mahao", DisciplineKind.POST_UNATTENDED, "前台无人值守约15分钟，两位客户等候", 3, 14.0, "contested",
          contest_reason="当时在车间陪客户确认维修项目，已告知周倩代为接待"),
        R("sunyue", DisciplineKind.DESK, "桌上摆放零食和购物袋，抽查时未整理", 24, 10.5, "upheld", by_manager=True,
          contest_reason="零食是给客户准备的", decision_reason="客户用品应放在休息区，不应放在工位"),
        R("hejia", DisciplineKind.NON_WORK, "工作时间在休闲中心玩手机游戏", 14, 16.0, "withdrawn",
          contest_reason="当时是午休时间，已在排班表登记", decision_reason="核对排班表，当时确为午休，撤销记录"),
    ],
    "S002": [
        R("staff2", DisciplineKind.PERSONAL_CALL, "接待台长时间用手机聊天，来电响铃未接", 2, 10.7, "recorded",
          spot_check=True),
        R("luojiayi", DisciplineKind.LATE, "晨会迟到，未提前请假", 18, 8.7, "acknowledged", minutes=12),
        R("songjie", DisciplineKind.NON_WORK, "工作时间处理私人网购退货", 3, 15.5, "contested",
          contest_reason="是帮客户处理配件退货，有工单为证", by_manager=True),
        R("tangqian", DisciplineKind.NOISE, "在办公区吃外卖，气味影响客户", 22, 12.8, "upheld",
          contest_reason="当天太忙没有时间去员工餐厅", decision_reason="办公区禁止用餐的规定已多次强调"),
        R("dengyu", DisciplineKind.POST_UNATTENDED, "休闲中心无人值守约20分钟", 12, 14.6, "withdrawn",
          contest_reason="当时被叫去协助搬运饮料，郭梅主管知情", decision_reason="经主管确认，属临时工作安排"),
    ],
}  # fmt: skip


def _plan_discipline(rng: random.Random, month: StoreConduct, timeline: Timeline) -> None:
    """Five records a store, one of each answered state; the contested one of the last days still awaits the
    store manager's decision (a DISCIPLINE_DECISION promise, due in three business days)."""
    for plan in RECORDS[month.store.code]:
        person = month.people[plan.username]
        # the open day `days_back` from the last, or the nearest earlier one the person worked
        earlier = month.open_days[: len(month.open_days) - plan.days_back + 1]
        day = next((d for d in reversed(earlier) if month.work[(person.pk, d)].working), earlier[-1])
        by = month.manager if plan.by_manager else _reviewer(month, person)
        spec = {"record": None}
        at = _local(day, plan.hour)
        occurred = at - _minutes(rng, 5, 40)
        photo = photo_upload(rng) if plan.spot_check else None
        timeline.at(at, _record, month, plan, person, by, occurred, photo, spec)
        answer = at + timedelta(hours=rng.uniform(16, 22))
        if plan.outcome == "acknowledged":
            timeline.at(answer, _answer, spec, "", None)
        elif plan.outcome in ("contested", "upheld", "withdrawn"):
            decision = None
            if plan.outcome != "contested":
                outcome = DisciplineState.UPHELD if plan.outcome == "upheld" else DisciplineState.WITHDRAWN
                decision = (answer + timedelta(hours=rng.uniform(20, 30)), outcome)
            timeline.at(answer, _answer, spec, plan.contest_reason, decision)


def _record(moment, month, plan, person, by, occurred, photo, spec) -> None:
    spec["record"] = discipline_record(
        actor=by,
        store=month.store,
        person=person,
        kind=plan.kind,
        description=plan.description,
        occurred_at=occurred,
        minutes=plan.minutes,
        source=DisciplineSource.SPOT_CHECK if plan.spot_check else DisciplineSource.MANUAL,
        photo=photo,
        now=moment,
    )
    spec["month"], spec["plan"] = month, plan


def _answer(moment: datetime, spec: dict, reason: str, decision) -> None:
    record = spec["record"]
    if not reason:
        discipline_acknowledge(actor=record.person, record=record, now=moment)
        return
    discipline_contest(actor=record.person, record=record, reason=reason, now=moment)
    if decision is not None:
        at, outcome = decision
        spec["month"].timeline.at(at, _decide, spec, outcome)


def _decide(moment: datetime, spec: dict, outcome: str) -> None:
    discipline_decide(
        actor=spec["month"].manager,
        record=spec["record"],
        outcome=outcome,
        reason=spec["plan"].decision_reason,
        now=moment,
    )
