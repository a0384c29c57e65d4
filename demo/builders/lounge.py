"""Demo data, part three: a realistic month in the customer lounge of the demo stores (S4).

`load_lounge_month(rng, now)` is called once, at the end of `demo.demo_load`, after the month on the
telephone. For each demo store it sets up the lounge as a manager would — the lounge settings (the
defaults), a drink menu of eight drinks, seats A1–A6 and B1–B6 with their QR codes, the facility
register and the default hygiene template with its hourly area — and then plays the 30 days before
`now`'s day, in time order, as the attendants would have recorded them:

- 15–30 visits a business day (more at weekends): customers on file arriving with one of their
  vehicles (plate, repair order such as RO20261103-017, a service status), some walk-ins; greeted
  5–120 seconds after arrival (a few never), one to three drinks with refills mostly on time,
  the service introduction for most first-time customers, a farewell for most (S4.1–S4.4);
- 3–8 requests a day from the tables' QR codes (a refill, a drink, help, the service advisor) and
  a few entered at the board, answered after 30 seconds to 6 minutes; a few never answered are
  cancelled at closing (S4.2, S4.5);
- an hourly hygiene round in business hours (S4.6–S4.10), scheduled by `rounds_schedule` stepped
  through the month: about one in ten missed, about one in seven with a failed item (photo taken)
  whose corrective action is mostly closed, a few done late;
- five or six faults per store (S4.11): most fixed within their promise, one late, one closed
  without a fix, and one still open now, so the board shows a facility out of order.

Finally TODAY, with the real clock: a few customers in the lounge who arrived in the last hour —
one waiting to be greeted, one whose refill is overdue, one first-time customer still to be
introduced, one open request from a table and one with someone on the way — and, when the store is
open now, the current round to do.

Everything goes through the services (lounge.services.visits, .requests and .faults, checks.services)
with the moments in the past passed as `now=`, so the promises keep, break and cancel as in real use.
The exceptions, as in the phone builder (demo/builders/phone.py):
- speed: the visit services cost some 30 queries a step, and a month of visits through them alone
  would add a minute to the load. So the last week (SERVICE_DAYS), and every visit a request touches
  on any day, go through the services, while the older weeks' quiet visits — about two thirds of
  them — are written in a few bulk inserts by `visits_bulk`, with exactly the fields, drinks served
  and greeting and refill promises (states included) the services would write; a test plays the same
  plans both ways and compares the rows. Those visits have no history lines or promise events.
  Requests, rounds and faults always go through the services;
- the notifications the month's requests, corrective actions and faults put in the attendants'
  bells are marked read when they came, with one bulk update (`_notifications_read`), so the bell
  shows only today's;
- `visit_update` and `fault_close_unfixed` take no `now=`: the first-visit flag of regulars (on
  file before the product was used, so the visit is not their first) and the reason a ticket was
  closed are recorded at load time, which only their history lines show.
Every action of the month is played inside `clock.at(moment)`, so its history lines (core.audit),
promise events and notifications carry that moment (demo/clock.py); the set-up carries the evening
before the month began.
Photos are tiny generated JPEGs (well under 5 KB each).

Deterministic: the same random generator and the same day give the same month.
"""

import heapq
import io
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw

from checks.choices import ItemKind
from checks.models import Area, CorrectiveAction, Round
from checks.selectors import area_slots
from checks.services.actions import action_close
from checks.services.rounds import Answer, round_start, round_submit, rounds_schedule
from checks.services.templates import template_default_lounge
from customers.models import Customer
from demo import clock
from demo import distributions as d
from lounge.choices import FaultSource, RequestKind, RequestSource
from lounge.links import board_url
from lounge.models import FaultTicket, LoungeRequest, LoungeSettings, Seat, Serving, Visit, lounge_settings
from lounge.selectors.visits import lounge_department
from lounge.services.faults import facility_defaults, fault_close_unfixed, fault_fix, fault_report, fault_start
from lounge.services.requests import (
    request_acknowledge,
    request_cancel,
    request_create,
    request_done,
    seat_create,
    sender_key,
)
from lounge.services.settings import lounge_settings_update
from lounge.services.visits import (
    drink_save,
    drink_toggle_available,
    visit_arrive,
    visit_depart,
    visit_farewell,
    visit_greet,
    visit_introduce,
    visit_offer_drink,
    visit_serve,
    visit_update,
)
from org.business_time import StoreCalendar
from org.models import Store, User
from promises.choices import PromiseKind, PromiseState
from promises.models import Notification, Promise
from promises.selectors import rule_for

DAYS = 30
BOARD_REQUEST_SHARE = 0.35  # days with one request entered at the board
NEWCOMERS = 5  # customers on file with no visit in the month: today's first-time customer is one of them
SERVICE_DAYS = 7  # the last week: every visit through the services; before it, quiet visits in bulk

# Who does what, by username (weight): the lounge desk (with the store manager lending a hand at busy times:
# only the desk, its supervisor and the managers answer its requests, org.access.may_act_on), the advisors
# customers ask for, who fixes faults.
ATTENDANTS = {
    "S001": {"wuxiaoyan": 6, "chenjing": 2, "manager1": 2},
    "S002": {"xieli": 6, "guomei": 2, "manager2": 2},
}
ADVISORS = {"S001": ["mahao", "zhouqian"], "S002": ["songjie", "luojiayi"]}
FIXERS = {"S001": "zhaolei", "S002": "liuyang"}

# The drink of each store that ran out some days before today and is still out (days before today).
OUT_OF_STOCK = {"S001": ("橙汁", 3), "S002": ("拿铁", 1)}
SEATS = [f"{row}{number}" for row in "AB" for number in range(1, 7)]

HELP_NOTES = [
    "请问洗手间在哪里",
    "手机没电了，想借一根充电线",
    "想要一份今天的报纸",
    "空调有点冷，能调高一点吗",
    "孩子想看动画片，能换个台吗",
    "Wi-Fi密码是多少",
    "",
]
ADVISOR_NOTES = ["想问一下车什么时候能好", "想确认一下保养项目和费用", "请服务顾问过来一下", "报价单有几项看不懂", ""]
BOARD_NOTES = ["客人想了解维修进度", "客人要求服务顾问说明报价", "客人询问是否可以加做四轮定位"]
REFILL_NOTES = ["", "", "", "少放点冰", "要热的"]


@dataclass(frozen=True)
class FaultPlan:
    """One fault of the month: the facility, what is wrong, where it was reported and how it ended."""

    facility: str
    description: str
    source: str
    days_before: int  # days before today it was reported
    hour: float  # local hour it was reported (a QR or round report takes the moment of its visit or round)
    outcome: str  # "fixed", "late", "unfixed", "open", "in_progress"
    fix_note: str = ""
    fix_hours: float = 0.0  # business hours from the report to the fix
    with_photo: bool = False


F = FaultPlan
FAULTS = {
    "S001": [
        F("电视", "电视无信号，画面显示“无输入”", FaultSource.BOARD, 26, 10.3, "fixed", "重新插好HDMI线并重启机顶盒", 1.5),
        F("饮水机", "饮水机底部漏水，地面有积水", FaultSource.ROUND, 19, 14.5, "fixed", "更换进水阀密封圈", 5, True),
        F("Wi-Fi", "Wi-Fi连不上，手机显示已连接但无法上网", FaultSource.QR, 12, 15, "fixed", "重启路由器并更换信道", 0.7),
        F("咖啡机", "咖啡机漏水，无法正常出咖啡", FaultSource.PAGE, 8, 9.7, "late", "更换冲泡器密封圈（配件次日到货）", 11, True),
        F("按摩椅", "按摩椅无法启动", FaultSource.PAGE, 5, 11, "unfixed", "按摩椅租赁到期，供应商已收回，不再维修"),
        F("空调", "空调不制冷，休息区温度偏高", FaultSource.BOARD, 1, 16.2, "in_progress"),
    ],
    "S002": [
        F("音响", "音响有电流杂音", FaultSource.BOARD, 24, 14, "fixed", "更换音频线", 2),
        F("充电口", "座位旁的充电口不通电", FaultSource.QR, 17, 11, "fixed", "更换充电模块", 3),
        F("饮水机", "饮水机出水口持续滴水", FaultSource.ROUND, 10, 10, "fixed", "更换出水龙头", 6, True),
        F("电视", "电视没有画面", FaultSource.PAGE, 6, 15.5, "unfixed", "误报：客人切换了信号源，已调回并告知员工"),
        F("咖啡机", "咖啡机研磨器卡住，无法制作咖啡", FaultSource.BOARD, 1, 15.3, "open", with_photo=True),
    ],
}  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The month's moving parts


class Timeline:
    """Everything of the month as (moment, order, action, arguments), played in time order."""

    def __init__(self):
        self.heap: list = []
        self.order = 0

    def at(self, moment: datetime, action, *args) -> None:
        heapq.heappush(self.heap, (moment, self.order, action, args))
        self.order += 1

    def play(self, until: datetime) -> None:
        while self.heap:
            moment, _order, action, args = heapq.heappop(self.heap)
            if moment >= until:  # never anything in the future
                continue
            with clock.at(moment):
                action(moment, *args)


@dataclass
class StoreMonth:
    store: Store
    calendar: StoreCalendar
    manager: User
    supervisor: User
    attendants: list
    attendant_weights: list
    advisors: list
    fixer: User
    customers: list
    drinks: dict
    seats: list
    facilities: dict
    area: Area | None
    out_of_stock: tuple[str, datetime]
    timeline: "Timeline"
    desk: object = None
    newcomers: list = field(default_factory=list)  # customers kept for today's first-time visit
    busy_until: dict = field(default_factory=dict)  # customer id -> when they leave
    last_day: dict = field(default_factory=dict)  # customer id -> day of their last visit
    seen: set = field(default_factory=set)  # customers with a visit already
    seat_free: dict = field(default_factory=dict)  # seat label -> free from
    plans_by_day: dict = field(default_factory=dict)


@dataclass
class Serve:
    at: datetime
    drink: str
    by: User
    request: dict | None = None  # a refill or drink asked for from the table


@dataclass
class VisitPlan:
    month: StoreMonth
    day: date
    arrive: datetime
    leave: datetime
    host: User
    customer: Customer | None = None
    vehicle: object | None = None
    guest_name: str = ""
    seat: Seat | None = None
    first_by_hand: bool = False
    regular: bool = False
    first_time: bool = False
    repair_order: str = ""
    service_status: str = ""
    greet: datetime | None = None
    offer: datetime | None = None
    servings: list = field(default_factory=list)
    introduce: tuple | None = None  # (moment, by whom): the service introduction (S4.3)
    status: tuple | None = None  # (moment, new service status)
    farewell: tuple | None = None  # (moment, by whom) (S4.4)
    asks: bool = False  # a request from the table or the board is made during the visit
    visit: Visit | None = None


def _attendant(rng: random.Random, month: StoreMonth) -> User:
    return rng.choices(month.attendants, weights=month.attendant_weights)[0]


def _seconds(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(seconds=rng.uniform(low, high))


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(seconds=rng.uniform(low * 60, high * 60))


def _hours(month: StoreMonth, day: date):
    return month.calendar.interval(day)


def fault_day(month: StoreMonth, days: list, plan: FaultPlan) -> date | None:
    """The business day the fault was reported: `days_before` today, or the nearest open day before it
    (after it if none) — a closure or a public holiday moves it, it never disappears."""
    target = len(days) - plan.days_before
    order = list(range(target, -1, -1)) + list(range(target + 1, len(days)))
    return next((days[i] for i in order if 0 <= i < len(days) and _hours(month, days[i])), None)


def _local(day: date, hour: float) -> datetime:
    tz = timezone.get_current_timezone()
    return datetime.combine(day, datetime.min.time(), tzinfo=tz) + timedelta(hours=hour)


def _set_up(days: list) -> datetime:
    """When the store manager set the lounge up: the evening before the month began."""
    return _local(days[0] - timedelta(days=1), 18.5)


def _available(month: StoreMonth, name: str, at: datetime) -> bool:
    out_name, out_at = month.out_of_stock
    return name != out_name or at < out_at


def _pick_drink(rng: random.Random, month: StoreMonth, at: datetime) -> str:
    """A drink of the menu, by how often customers choose it, that has not run out at that moment."""
    while True:
        name = rng.choices(d.DRINKS, weights=d.DRINK_WEIGHTS)[0]
        if _available(month, name, at):
            return name


def photo_upload(rng: random.Random, name: str = "photo.jpg") -> SimpleUploadedFile:
    """A tiny generated photo (a coloured surface with a darker patch): well under 5 KB once stored."""
    base = (rng.randint(150, 230), rng.randint(140, 220), rng.randint(120, 210))
    image = Image.new("RGB", (96, 72), base)
    patch = tuple(max(0, c - rng.randint(60, 110)) for c in base)
    left, top = rng.randint(8, 40), rng.randint(8, 30)
    ImageDraw.Draw(image).ellipse([left, top, left + rng.randint(20, 40), top + rng.randint(14, 30)], fill=patch)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


# ---------------------------------------------------------------------------------------------
# Loading


def load_lounge_month(rng: random.Random, now: datetime) -> dict:
    """The lounge of every demo store: the month before `now`'s day, and today's lounge; counts per store."""
    today = timezone.localtime(now).date()
    days = [today - timedelta(days=n) for n in range(DAYS, 0, -1)]
    first_notification = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
    months = {}
    timeline = Timeline()
    for store in Store.objects.filter(code__in=ATTENDANTS).order_by("code"):
        with clock.at(_set_up(days)):
            month = _store_setup(store, days, today, timeline)
        months[store.code] = month
        for day in days:
            if _hours(month, day) is None:
                continue
            _plan_day(rng, month, day)
            _plan_requests(rng, month, day, timeline)
            _plan_rounds(rng, month, day, timeline, days)
        _plan_faults(rng, month, days, timeline)
        out_name, out_at = month.out_of_stock
        timeline.at(out_at, _run_out, month, out_name)
        quiet = []
        for day in days:
            for plan in month.plans_by_day.get(day, []):
                if day < today - timedelta(days=SERVICE_DAYS) and not plan.asks:
                    quiet.append(plan)
                else:
                    schedule_visit(plan, timeline)
        visits_bulk(month, quiet)
    _plan_schedule(months, days, timeline)
    timeline.play(until=now)
    _notifications_read(first_notification)
    for month in months.values():
        _today(rng, month, now)
    rounds_schedule(now=now)  # the round of the current slot, if the stores are open now
    return {code: _store_counts(month.store) for code, month in months.items()}


def _store_counts(store: Store) -> dict:
    return {
        "visits": Visit.objects.filter(store=store).count(),
        "servings": Serving.objects.filter(store=store).count(),
        "requests": LoungeRequest.objects.filter(store=store).count(),
        "rounds": Round.objects.filter(store=store).count(),
        "faults": FaultTicket.objects.filter(store=store).count(),
    }


def _store_setup(store: Store, days: list, today: date, timeline: Timeline) -> StoreMonth:
    """The lounge as the store manager set it up the evening before the month began (the default clocks)."""
    people = {u.username: u for u in User.objects.filter(store=store).select_related("department")}
    manager = next(p for p in people.values() if p.role == "store_manager")
    desk = lounge_department(store)
    supervisor = next(p for p in people.values() if p.role == "supervisor" and p.department_id == desk.pk)
    defaults = LoungeSettings()
    lounge_settings_update(
        actor=manager,
        store=store,
        greet_within_seconds=defaults.greet_within_seconds,
        refill_every_minutes=defaults.refill_every_minutes,
        help_within_minutes=defaults.help_within_minutes,
        fix_within_hours=defaults.fix_within_hours,
        requests_per_seat_per_10_minutes=defaults.requests_per_seat_per_10_minutes,
    )
    drinks = {name: drink_save(actor=manager, store=store, name=name) for name in d.DRINKS}
    set_up = _set_up(days)
    seats = [seat_create(actor=manager, store=store, label=label, now=set_up) for label in SEATS]
    facility_defaults(store=store, actor=manager)
    template = template_default_lounge(store, actor=manager)
    area = Area.objects.filter(store=store, template=template).first()
    attendants = ATTENDANTS[store.code]
    out_name, out_days = OUT_OF_STOCK[store.code]
    customers = list(
        Customer.objects.filter(store=store, erased_at__isnull=True).order_by("id").prefetch_related("vehicles")
    )
    customers = [c for c in customers if c.vehicles.all()]
    return StoreMonth(
        store=store,
        calendar=StoreCalendar(store),
        manager=manager,
        supervisor=supervisor,
        attendants=[people[u] for u in attendants],
        attendant_weights=list(attendants.values()),
        advisors=[people[u] for u in ADVISORS[store.code]],
        fixer=people[FIXERS[store.code]],
        customers=customers[:-NEWCOMERS],
        newcomers=customers[-NEWCOMERS:],
        drinks=drinks,
        seats=seats,
        facilities={f.name: f for f in store.facilities.all()},
        area=area,
        out_of_stock=(out_name, _local(today - timedelta(days=out_days), 10.5)),
        seat_free={seat.label: set_up for seat in seats},
        timeline=timeline,
        desk=desk,
    )


# ---------------------------------------------------------------------------------------------
# Visits


def _plan_day(rng: random.Random, month: StoreMonth, day: date) -> None:
    opens, closes = _hours(month, day)
    low, high = d.VISITS_PER_DAY["weekend" if day.weekday() >= 5 else "weekday"]
    count = rng.randint(low, high)
    arrivals = sorted(d.arrival(rng, opens, closes) for _n in range(count))
    orders = sorted(rng.sample(range(1, 90), count))
    plans = []
    for moment, order in zip(arrivals, orders, strict=True):
        plans.append(_plan_visit(rng, month, day, moment, closes, order))
    month.plans_by_day[day] = plans


def _plan_visit(
    rng: random.Random, month: StoreMonth, day: date, arrive: datetime, closes: datetime, order: int
) -> VisitPlan:
    host = _attendant(rng, month)
    plan = VisitPlan(month=month, day=day, arrive=arrive, leave=arrive, host=host)
    candidates = [
        c for c in month.customers if month.busy_until.get(c.pk, arrive) <= arrive and month.last_day.get(c.pk) != day
    ]
    if rng.random() < d.ON_FILE_SHARE and candidates:
        plan.customer = rng.choice(candidates)
        plan.vehicle = rng.choice(list(plan.customer.vehicles.all()))
        if plan.customer.pk not in month.seen:  # the first visit in the product: a regular, or really new
            plan.regular = rng.random() < d.REGULAR_SHARE
            plan.first_time = not plan.regular
            month.seen.add(plan.customer.pk)
        plan.repair_order = f"RO{day:%Y%m%d}-{order:03d}"
        plan.service_status = rng.choice(d.SERVICE_STATUSES)
    else:
        roll = rng.random()
        plan.guest_name = rng.choice(d.WALK_IN_NAMES) if roll < 0.6 else ""
        plan.first_by_hand = plan.first_time = rng.random() < d.WALK_IN_FIRST_SHARE
        if rng.random() < 0.5:
            plan.repair_order = f"RO{day:%Y%m%d}-{order:03d}"
            plan.service_status = rng.choice(d.SERVICE_STATUSES)
    # greeting (S4.1): mostly within the minute, some late, a few never
    delay = d.greet_delay(rng)
    plan.greet = arrive + delay if delay is not None else None
    latest_leave = closes - timedelta(minutes=2)
    if plan.greet is None:
        plan.leave = min(arrive + _minutes(rng, 8, 35), latest_leave)
    else:
        if rng.random() < d.OFFER_SHARE:  # otherwise the drink served answers the offer
            plan.offer = plan.greet + _seconds(rng, 8, 40)
        first = (plan.offer or plan.greet) + _seconds(rng, 60, 200)
        plan.servings = [Serve(first, _pick_drink(rng, month, first), _step_by(rng, plan))]
        wanted = rng.choices(*d.SERVINGS_WANTED)[0]
        while len(plan.servings) < wanted:
            last = plan.servings[-1]
            at = last.at + d.refill_gap(rng)
            if at > latest_leave - timedelta(minutes=5):
                break
            drink = last.drink if rng.random() < d.SAME_DRINK_SHARE and _available(month, last.drink, at) else None
            plan.servings.append(Serve(at, drink or _pick_drink(rng, month, at), _step_by(rng, plan)))
        plan.leave = min(plan.servings[-1].at + d.stay_after_last_drink(rng), latest_leave)
        if plan.first_time and rng.random() < d.INTRODUCED_SHARE:
            at = plan.servings[0].at + _minutes(rng, 1, 5)
            if at < plan.leave - timedelta(minutes=1):
                plan.introduce = (at, _step_by(rng, plan))
        if plan.repair_order and rng.random() < d.STATUS_UPDATE_SHARE:
            plan.status = (
                plan.arrive + (plan.leave - plan.arrive) * rng.uniform(0.4, 0.9),
                rng.choice(d.LATER_STATUSES),
            )
    if rng.random() < d.FAREWELL_SHARE:
        plan.farewell = (plan.leave - _seconds(rng, 10, 60), _step_by(rng, plan))
    if plan.customer is not None:
        month.busy_until[plan.customer.pk] = plan.leave + timedelta(minutes=1)
        month.last_day[plan.customer.pk] = day
    free = [s for s in month.seats if month.seat_free[s.label] <= arrive]
    if free:
        plan.seat = rng.choice(free)
        month.seat_free[plan.seat.label] = plan.leave + timedelta(minutes=1)
    return plan


def _step_by(rng: random.Random, plan: VisitPlan) -> User:
    return plan.host if rng.random() < 0.8 else _attendant(rng, plan.month)


def schedule_visit(plan: VisitPlan, timeline: Timeline) -> None:
    """Every step of the visit on the timeline, each through its service."""
    timeline.at(plan.arrive, _arrive, plan)
    if plan.greet is not None:
        timeline.at(plan.greet, _greet, plan)
    if plan.offer is not None:
        timeline.at(plan.offer, _offer, plan)
    for index, serve in enumerate(plan.servings):
        if serve.request is None:
            timeline.at(serve.at, _serve, plan, index)
    if plan.introduce is not None:
        timeline.at(plan.introduce[0], _introduce, plan, plan.introduce[1])
    if plan.status is not None:
        timeline.at(plan.status[0], _status, plan, plan.status[1])
    if plan.farewell is not None:
        timeline.at(plan.farewell[0], _farewell, plan, plan.farewell[1])
    timeline.at(plan.leave, _depart, plan)


def _arrive(moment: datetime, plan: VisitPlan) -> None:
    month = plan.month
    plan.visit = visit_arrive(
        actor=plan.host,
        store=month.store,
        vehicle=plan.vehicle,
        guest_name=plan.guest_name,
        seat=plan.seat,
        first_visit=plan.first_by_hand or None,
        repair_order=plan.repair_order,
        service_status=plan.service_status,
        now=moment,
    )
    if plan.regular and plan.visit.first_visit:
        # a regular from before the product was used: the attendant unticks "first-time" (S4.3)
        plan.visit = visit_update(actor=plan.host, visit=plan.visit, first_visit=False)


def _greet(moment: datetime, plan: VisitPlan) -> None:
    visit_greet(actor=plan.host, visit=plan.visit, now=moment)


def _offer(moment: datetime, plan: VisitPlan) -> None:
    visit_offer_drink(actor=plan.host, visit=plan.visit, now=moment)


def _serve(moment: datetime, plan: VisitPlan, index: int) -> None:
    serve = plan.servings[index]
    visit_serve(actor=serve.by, visit=plan.visit, drink=plan.month.drinks[serve.drink], now=moment)


def _introduce(moment: datetime, plan: VisitPlan, person: User) -> None:
    visit_introduce(actor=person, visit=plan.visit, now=moment)


def _status(moment: datetime, plan: VisitPlan, status: str) -> None:
    visit_update(actor=plan.host, visit=plan.visit, service_status=status)


def _farewell(moment: datetime, plan: VisitPlan, person: User) -> None:
    visit_farewell(actor=person, visit=plan.visit, now=moment)


def _depart(moment: datetime, plan: VisitPlan) -> None:
    visit_depart(actor=plan.host, visit=plan.visit, now=moment)


def visits_bulk(month: StoreMonth, plans: list) -> list:
    """Quiet visits of the older weeks, written in a few bulk inserts exactly as the visit services write them.

    Only visits no request touches (nothing else reads or changes them while they happen): the visit
    with its steps, the drinks served (a refill on time or late against the clock before it) and the
    greeting and refill promises, kept, late, broken or cancelled as visit_greet, visit_serve and
    visit_depart decide (demo/tests/test_builders_lounge.py plays the same plans through the services and
    compares). What this leaves out: the visits' history lines and their promises' events.
    """
    if not plans:
        return []
    store = month.store
    settings = lounge_settings(store)
    rules = {
        PromiseKind.LOUNGE_GREET: rule_for(store.pk, PromiseKind.LOUNGE_GREET),
        PromiseKind.LOUNGE_REFILL: rule_for(store.pk, PromiseKind.LOUNGE_REFILL),
    }
    subject_type = ContentType.objects.get_for_model(Visit)
    reason = _("customer left")
    visits = []
    for plan in plans:
        first = plan.servings[0].at if plan.servings else None
        visits.append(
            Visit(
                store=store,
                customer=plan.customer,
                vehicle=plan.vehicle,
                guest_name="" if plan.customer is not None else plan.guest_name,
                seat=plan.seat,
                first_visit=plan.first_time,
                repair_order=plan.repair_order,
                service_status=plan.status[1] if plan.status else plan.service_status,
                arrived_at=plan.arrive,
                arrival_recorded_by=plan.host,
                greeted_at=plan.greet,
                greeted_by=plan.host if plan.greet else None,
                greet_seconds=int((plan.greet - plan.arrive).total_seconds()) if plan.greet else None,
                drink_offered_at=plan.offer or first,
                introduced_at=plan.introduce[0] if plan.introduce else None,
                introduced_by=plan.introduce[1] if plan.introduce else None,
                farewell_at=plan.farewell[0] if plan.farewell else None,
                farewell_by=plan.farewell[1] if plan.farewell else None,
                departed_at=plan.leave,
            )
        )
    Visit.objects.bulk_create(visits)

    def promise_row(visit, kind, rule_id, title, actor, start, due) -> Promise:
        rule = rules[kind]
        span = (due - start).total_seconds()
        return Promise(
            store=store,
            kind=kind,
            rule_id=rule_id,
            title=title[:200],
            owner=None if month.desk else actor,
            owner_department=month.desk,
            url=board_url(store.pk, visit.pk),
            created_at=start,
            created_by=actor,
            business_time=False,
            due_at=due,
            subject_type=subject_type,
            subject_id=visit.pk,
            remind_at=start + timedelta(seconds=span * rule.remind_at_percent / 100) if span > 0 else None,
            next_escalation_at=due + timedelta(minutes=rule.escalate_supervisor_after_minutes),
        )

    def keep(promise, actor, at) -> None:  # promise_keep
        promise.state = PromiseState.KEPT if at <= promise.due_at else PromiseState.LATE
        promise.kept_at, promise.closed_by = at, actor

    def close(promise, actor, at) -> None:  # visit_depart: broken if overdue, else cancelled
        if promise.state == PromiseState.OPEN:
            promise.state = PromiseState.BROKEN if promise.due_at < at else PromiseState.CANCELLED
            promise.close_reason, promise.closed_by = reason[:200], actor

    promises, servings, links = [], [], []
    for plan, visit in zip(plans, visits, strict=True):
        name = visit.display_name
        greet = promise_row(
            visit,
            PromiseKind.LOUNGE_GREET,
            "S4.1",
            _("Greet %(name)s in the lounge") % {"name": name},
            plan.host,
            plan.arrive,
            plan.arrive + timedelta(seconds=settings.greet_within_seconds),
        )
        if plan.greet is not None:
            keep(greet, plan.host, plan.greet)
        refill = None
        for serve in plan.servings:
            drink = month.drinks[serve.drink]
            on_time = None
            if refill is not None:
                on_time = serve.at <= refill.due_at
                keep(refill, serve.by, serve.at)
            servings.append(
                Serving(
                    visit=visit,
                    store=store,
                    drink=drink,
                    drink_name=drink.name,
                    refill=refill is not None,
                    served_at=serve.at,
                    served_by=serve.by,
                    on_time=on_time,
                )
            )
            refill = promise_row(
                visit,
                PromiseKind.LOUNGE_REFILL,
                "S4.2",
                _("Refill for %(name)s") % {"name": name},
                serve.by,
                serve.at,
                serve.at + timedelta(minutes=settings.refill_every_minutes),
            )
            promises.append(refill)
        close(greet, plan.host, plan.leave)
        if refill is not None:
            close(refill, plan.host, plan.leave)
        promises.append(greet)
        links.append((visit, greet, refill))
    Promise.objects.bulk_create(promises)
    for visit, greet, refill in links:
        visit.greet_promise, visit.refill_promise = greet, refill
    Visit.objects.bulk_update(visits, ["greet_promise", "refill_promise"])
    Serving.objects.bulk_create(servings)
    return visits


def _run_out(moment: datetime, month: StoreMonth, name: str) -> None:
    drink_toggle_available(actor=month.attendants[0], drink=month.drinks[name], available=False)


# ---------------------------------------------------------------------------------------------
# Requests (S4.2, S4.5)


def _plan_requests(rng: random.Random, month: StoreMonth, day: date, timeline: Timeline) -> None:
    """3–8 QR requests: some refills and drinks asked for from the table, the rest help or the advisor."""
    plans = [p for p in month.plans_by_day[day] if p.seat is not None and p.servings]
    wanted = rng.randint(*d.QR_REQUESTS_PER_DAY)
    helps = round(wanted * rng.uniform(0.25, 0.5))
    refills = [(p, k) for p in plans for k in range(1, len(p.servings))]
    rng.shuffle(refills)
    made = 0
    for plan, index in refills:
        if made >= wanted - helps:
            break
        if _plan_serving_request(rng, plan, index, timeline):
            made += 1
    windows = [p for p in plans if p.leave - p.servings[0].at > timedelta(minutes=12)]
    closes = _hours(month, day)[1]
    for _n in range(wanted - made):
        if not windows:
            break
        plan = rng.choice(windows)
        start = plan.servings[0].at + timedelta(minutes=2)
        asked = start + (plan.leave - timedelta(minutes=8) - start) * rng.random()
        kind = RequestKind.HELP if rng.random() < 0.55 else RequestKind.ADVISOR
        notes = HELP_NOTES if kind == RequestKind.HELP else ADVISOR_NOTES
        spec = {"kind": kind, "note": rng.choice(notes), "source": RequestSource.QR, "key": _client(rng)}
        plan.asks = True
        timeline.at(asked, _ask, plan, spec)
        if rng.random() < 0.06:
            timeline.at(closes, _cancel, spec, month.supervisor)  # nobody answered: closed at closing time
            continue
        answered = asked + d.answer_delay(rng)
        who = rng.choice(month.advisors) if kind == RequestKind.ADVISOR else _attendant(rng, month)
        first = _attendant(rng, month)
        if kind == RequestKind.ADVISOR:
            # the desk fetches the advisor and records it: the request is the lounge desk's (org.access)
            who = first
        timeline.at(answered, _acknowledge, spec, first)
        timeline.at(answered + _minutes(rng, 2, 8), _done, spec, who)
    if rng.random() < BOARD_REQUEST_SHARE and month.plans_by_day[day]:
        plan = rng.choice([p for p in month.plans_by_day[day] if p.greet is not None] or month.plans_by_day[day])
        if plan.greet is not None and plan.leave - plan.greet > timedelta(minutes=10):
            asked = plan.greet + (plan.leave - timedelta(minutes=6) - plan.greet) * rng.random()
            spec = {"kind": RequestKind.ADVISOR, "note": rng.choice(BOARD_NOTES), "source": RequestSource.BOARD}
            spec["actor"] = plan.host
            plan.asks = True
            rng.choice(month.advisors)  # (the advisor fetched; the desk records it, as above)
            answered = asked + _seconds(rng, 60, 240)
            timeline.at(asked, _ask, plan, spec)
            timeline.at(answered, _acknowledge, spec, plan.host)
            timeline.at(answered + _minutes(rng, 3, 10), _done, spec, plan.host)


def _client(rng: random.Random) -> str:
    """A keyed hash of a made-up phone address, as the QR page stores it (never the address)."""
    return sender_key(f"10.{rng.randint(10, 99)}.{rng.randint(0, 255)}.{rng.randint(2, 254)}")


def _plan_serving_request(rng: random.Random, plan: VisitPlan, index: int, timeline: Timeline) -> bool:
    """The refill (or another drink) number `index` asked for from the table, brought when it is done."""
    serve, previous = plan.servings[index], plan.servings[index - 1]
    answer, bring = d.answer_delay(rng), _seconds(rng, 40, 150)
    asked = serve.at - answer - bring
    if asked <= previous.at + timedelta(minutes=1):
        answer, bring = timedelta(seconds=35), timedelta(seconds=45)
        asked = serve.at - answer - bring
        if asked <= previous.at + timedelta(minutes=1):
            return False
    month = plan.month
    if serve.drink == previous.drink and rng.random() < 0.75:
        spec = {"kind": RequestKind.REFILL, "note": rng.choice(REFILL_NOTES), "drink": None}
    else:
        spec = {"kind": RequestKind.DRINK, "note": "", "drink": serve.drink}
        if not _available(month, serve.drink, asked):
            return False
    spec |= {"source": RequestSource.QR, "key": _client(rng)}
    serve.request = spec
    plan.asks = True
    timeline.at(asked, _ask, plan, spec)
    timeline.at(asked + answer, _acknowledge, spec, serve.by)
    timeline.at(serve.at, _done, spec, serve.by)
    return True


def _ask(moment: datetime, plan: VisitPlan, spec: dict) -> None:
    month = plan.month
    drink = month.drinks[spec["drink"]] if spec.get("drink") else None
    spec["request"] = request_create(
        store=month.store,
        kind=spec["kind"],
        seat=plan.seat if spec["source"] == RequestSource.QR else None,
        visit=plan.visit if spec["source"] != RequestSource.QR else None,
        drink=drink,
        facility=spec.get("facility"),
        note=spec["note"],
        source=spec["source"],
        actor=spec.get("actor"),
        client_key=spec.get("key", ""),
        now=moment,
    )


def _acknowledge(moment: datetime, spec: dict, person: User) -> None:
    spec["request"] = request_acknowledge(actor=person, request=spec["request"], now=moment)


def _done(moment: datetime, spec: dict, person: User) -> None:
    spec["request"] = request_done(actor=person, request=spec["request"], now=moment)


def _cancel(moment: datetime, spec: dict, person: User) -> None:
    request_cancel(actor=person, request=spec["request"], reason="营业结束，客人已离开，请求未及时处理", now=moment)


# ---------------------------------------------------------------------------------------------
# Hygiene rounds (S4.6–S4.10)


def _plan_schedule(months: dict, days: list, timeline: Timeline) -> None:
    """The worker's `rounds_schedule` at every slot of every store (one call serves all stores at once)."""
    moments = set()
    for month in months.values():
        if month.area is None:
            continue
        for day in days:
            moments.update(area_slots(area=month.area, day=day, calendar=month.calendar))
    for moment in sorted(moments):
        timeline.at(moment, _schedule)


def _schedule(moment: datetime) -> None:
    rounds_schedule(now=moment)


def _plan_rounds(rng: random.Random, month: StoreMonth, day: date, timeline: Timeline, days: list) -> None:
    if month.area is None:
        return
    slots = area_slots(area=month.area, day=day, calendar=month.calendar)
    fault = next(
        (f for f in FAULTS[month.store.code] if f.source == FaultSource.ROUND and fault_day(month, days, f) == day),
        None,
    )
    fault_slot = None
    if fault is not None:
        fault_slot = min(range(len(slots)), key=lambda i: abs(slots[i].hour + slots[i].minute / 60 - fault.hour))
    recent = day >= days[-2]
    for index, slot in enumerate(slots):
        forced = index == fault_slot
        if not forced and rng.random() < d.ROUND_MISSED_SHARE:
            continue  # not done: the next slot's scheduling marks it missed
        person = _attendant(rng, month)
        if not forced and rng.random() < d.ROUND_LATE_SHARE:
            start = slot + _minutes(rng, 27, 38)
            submit = start + _minutes(rng, 5, 11)
        else:
            start = slot + _minutes(rng, 1, 18)
            submit = start + _minutes(rng, 3, 8)
        failures = []
        if forced:
            failures = [("饮水机清洁", fault.description, "已擦干地面，饮水机已报修", None)]
        elif rng.random() < d.ROUND_FAILED_SHARE:
            count = 1 if rng.random() < 0.8 else 2
            while len(failures) < count:
                word, comment, note, _w = rng.choices(d.FAILURES, weights=d.FAILURE_WEIGHTS)[0]
                if all(f[0] != word for f in failures):
                    value = rng.randint(3, 6) if word == "烟灰缸" else None
                    failures.append((word, comment.format(value=value), note, value))
        spec = {
            "slot": slot,
            "person": person,
            "failures": failures,
            "ashtray": rng.choice([0, 0, 0, 1, 1, 2]),
            "photos": [photo_upload(rng) for _f in failures],
            "fault": fault if forced else None,
            "fault_photos": {"photo": photo_upload(rng), "fix_photo": photo_upload(rng)} if forced else {},
            "closes": [],
        }
        for _failure in failures:
            if rng.random() < (0.5 if recent else 0.04):
                spec["closes"].append(None)  # still to put right
                continue
            closed = month.calendar.add(submit, rng.uniform(8, 50) * 60)
            photo = photo_upload(rng) if rng.random() < 0.3 else None
            spec["closes"].append((closed, _attendant(rng, month), photo))
        timeline.at(start, _round_start, month, spec)
        timeline.at(submit, _round_submit, month, spec)


def _round_start(moment: datetime, month: StoreMonth, spec: dict) -> None:
    found = Round.objects.filter(area=month.area, scheduled_for=spec["slot"]).first()
    spec["round"] = round_start(actor=spec["person"], round=found, now=moment) if found is not None else None


def _round_submit(moment: datetime, month: StoreMonth, spec: dict) -> None:
    round = spec.get("round")
    if round is None:
        return
    results = list(round.results.order_by("position", "id"))
    answers = {}
    failed = {}
    for failure, photo in zip(spec["failures"], spec["photos"], strict=True):
        result = next(r for r in results if failure[0] in r.text)
        failed[result.pk] = (failure, photo)
    for result in results:
        if result.pk in failed:
            (_word, comment, _note, value), photo = failed[result.pk]
            if result.kind == ItemKind.MEASURED:
                answers[result.pk] = Answer(value=Decimal(value), comment=comment, photo=photo)
            else:
                answers[result.pk] = Answer(
                    passed=False, comment=comment, photo=photo if result.photo_on_fail else None
                )
        elif result.kind == ItemKind.MEASURED:
            answers[result.pk] = Answer(value=Decimal(spec["ashtray"]))
        else:
            answers[result.pk] = Answer(passed=True)
    round = round_submit(actor=spec["person"], round=round, answers=answers, now=moment)
    actions = {a.result_id: a for a in CorrectiveAction.objects.filter(result__round=round).select_related("promise")}
    fault = spec["fault"]
    for (result_pk, (failure, _photo)), close in zip(failed.items(), spec["closes"], strict=True):
        if fault is not None:
            reported = moment + timedelta(minutes=1)
            ticket = fault_report(
                store=month.store,
                facility=month.facilities[fault.facility],
                description=fault.description,
                source=FaultSource.ROUND,
                actor=spec["person"],
                round_result=next(r for r in results if r.pk == result_pk),
                photo=spec["fault_photos"]["photo"],
                now=reported,
            )
            _fault_follow_up(month, fault, ticket, reported, spec["fault_photos"])
        if close is not None:
            at, person, photo = close
            month.timeline.at(at, _action_close, actions[result_pk], failure[2], person, photo)


def _action_close(moment: datetime, action: CorrectiveAction, note: str, person: User, photo) -> None:
    action_close(actor=person, action=action, note=note, photo=photo, now=moment)


# ---------------------------------------------------------------------------------------------
# Facilities and faults (S4.11)


def _plan_faults(rng: random.Random, month: StoreMonth, days: list, timeline: Timeline) -> None:
    for plan in FAULTS[month.store.code]:
        day = fault_day(month, days, plan)
        if plan.source == FaultSource.ROUND or day is None:
            continue  # a round's fault is reported by its round (see _plan_rounds)
        if plan.source == FaultSource.QR:
            visits = [
                p
                for p in month.plans_by_day.get(day, [])
                if p.seat is not None and p.servings and p.leave - p.servings[0].at > timedelta(minutes=10)
            ]
            if not visits:
                continue
            visit = min(visits, key=lambda p: abs(p.servings[0].at - _local(day, plan.hour)))
            asked = visit.servings[0].at + timedelta(minutes=3)
            spec = {
                "kind": RequestKind.FAULT,
                "fix_photo": photo_upload(rng) if plan.with_photo else None,
                "note": plan.description,
                "source": RequestSource.QR,
                "key": _client(rng),
                "facility": month.facilities[plan.facility],
                "fault": plan,
            }
            visit.asks = True
            timeline.at(asked, _ask_fault, visit, spec)
            answered = asked + _seconds(rng, 40, 150)
            timeline.at(answered, _acknowledge, spec, visit.host)
            timeline.at(answered + _minutes(rng, 2, 5), _done, spec, visit.host)
            continue
        reported = _local(day, plan.hour)
        spec = {"photo": photo_upload(rng) if plan.with_photo else None, "fix_photo": photo_upload(rng)}
        timeline.at(reported, _report, month, plan, spec)


def _ask_fault(moment: datetime, plan: VisitPlan, spec: dict) -> None:
    """A customer reports something broken from the table: the request becomes a ticket (source QR)."""
    _ask(moment, plan, spec)
    month = plan.month
    ticket = FaultTicket.objects.get(request=spec["request"])
    _fault_follow_up(month, spec["fault"], ticket, moment, {"fix_photo": spec.get("fix_photo")})


def _report(moment: datetime, month: StoreMonth, plan: FaultPlan, spec: dict) -> None:
    reporter = month.supervisor if plan.source == FaultSource.PAGE else month.attendants[0]
    ticket = fault_report(
        store=month.store,
        facility=month.facilities[plan.facility],
        description=plan.description,
        source=plan.source,
        actor=reporter,
        photo=spec.get("photo"),
        now=moment,
    )
    _fault_follow_up(month, plan, ticket, moment, spec)


def _fault_follow_up(month: StoreMonth, plan: FaultPlan, ticket: FaultTicket, reported: datetime, spec: dict):
    """Work on the ticket as the plan says, on the timeline: started and fixed (on time or late), closed
    without a fix, or left open."""
    calendar, timeline = month.calendar, month.timeline
    if plan.outcome == "open":
        return
    if plan.outcome == "unfixed":
        timeline.at(calendar.add(reported, 90 * 60), _fault_close, month, ticket, plan.fix_note)
        return
    timeline.at(calendar.add(reported, 25 * 60), _fault_start, month, ticket)
    if plan.outcome != "in_progress":
        fixed = calendar.add(reported, plan.fix_hours * 3600)
        timeline.at(fixed, _fault_fix, month, ticket, plan.fix_note, spec.get("fix_photo"))


def _fault_start(moment: datetime, month: StoreMonth, ticket: FaultTicket) -> None:
    fault_start(actor=month.supervisor, fault=ticket, assignee=month.fixer, now=moment)


def _fault_fix(moment: datetime, month: StoreMonth, ticket: FaultTicket, note: str, photo) -> None:
    fault_fix(actor=month.fixer, fault=ticket, note=note, photo=photo, now=moment)


def _fault_close(moment: datetime, month: StoreMonth, ticket: FaultTicket, reason: str) -> None:
    fault_close_unfixed(actor=month.supervisor, fault=ticket, reason=reason)


# ---------------------------------------------------------------------------------------------
# Bells and today


def _notifications_read(first_id: int) -> None:
    """The month's notifications, marked read when they came (in one update): the bell shows only today's.

    They carry the moment of the action that put them in the bells (clock.at); a month later they
    would all be unread otherwise.
    """
    Notification.objects.filter(id__gt=first_id, read_at__isnull=True).update(read_at=models.F("created_at"))


def _today(rng: random.Random, month: StoreMonth, now: datetime) -> None:
    """Customers in the lounge now, on the real clock: the board is alive when the demo starts.

    One waiting to be greeted, one whose refill is overdue, a first-time customer still to be
    introduced, one with a request from the table just received and one with someone on the way.
    """
    store = month.store
    host = month.attendants[0]
    seats = {s.label: s for s in month.seats}
    seen = set(Visit.objects.filter(store=store).exclude(customer=None).values_list("customer_id", flat=True))
    regulars = [c for c in month.customers if c.pk in seen]
    rng.shuffle(regulars)
    newcomer = rng.choice(month.newcomers)

    def arrive(customer, minutes_ago: float, seat: str, guest: str = "") -> Visit:
        order = rng.randint(40, 99)
        return visit_arrive(
            actor=host,
            store=store,
            vehicle=rng.choice(list(customer.vehicles.all())) if customer else None,
            guest_name=guest,
            seat=seats[seat],
            repair_order=f"RO{timezone.localtime(now):%Y%m%d}-{order:03d}" if customer else "",
            service_status=rng.choice(d.SERVICE_STATUSES) if customer else "",
            now=now - timedelta(minutes=minutes_ago),
        )

    def ago(minutes: float) -> datetime:
        return now - timedelta(minutes=minutes)

    drinks = month.drinks
    # a regular whose next refill is overdue (served 27 minutes ago, refills every 20)
    visit = arrive(regulars[0], 55, "A2")
    visit_greet(actor=host, visit=visit, now=ago(54.6))
    visit_serve(actor=host, visit=visit, drink=drinks["绿茶"], now=ago(50))
    visit_serve(actor=host, visit=visit, drink=drinks["绿茶"], now=ago(31))
    # someone on the way with the refill asked for from the table
    visit = arrive(regulars[1], 33, "A3")
    visit_greet(actor=host, visit=visit, now=ago(32.8))
    visit_serve(actor=host, visit=visit, drink=drinks["红茶"], now=ago(18))
    asked = request_create(
        store=store, kind=RequestKind.REFILL, seat=seats["A3"], source=RequestSource.QR, client_key=_client(rng),
        now=ago(3),
    )  # fmt: skip
    request_acknowledge(actor=host, request=asked, now=ago(2))
    # a first-time customer, greeted and served, the service introduction still to give (S4.3)
    visit = arrive(newcomer, 24, "B1")
    visit_greet(actor=host, visit=visit, now=ago(23.5))
    visit_offer_drink(actor=host, visit=visit, now=ago(23))
    visit_serve(actor=host, visit=visit, drink=drinks["咖啡"], now=ago(14))
    # a walk-in asking for the service advisor from the table: received, nobody on the way yet
    visit = arrive(None, 18, "A5", guest="刘女士")
    visit_greet(actor=host, visit=visit, now=ago(17.7))
    visit_serve(actor=host, visit=visit, drink=drinks["柠檬水"], now=ago(15))
    request_create(
        store=store, kind=RequestKind.ADVISOR, seat=seats["A5"], note="想问一下车什么时候能好",
        source=RequestSource.QR, client_key=_client(rng), now=ago(2),
    )  # fmt: skip
    # just arrived: waiting to be greeted (S4.1)
    arrive(regulars[2], 0.75, "B4")
