"""A store's year in the customer lounge (S4.1–S4.5, S4.11): visits with their steps, the drinks served with
their greeting and refill promises, requests from the tables' QR codes with theirs, and fault tickets.

Visits are written as demo/builders/lounge.py `visits_bulk` writes the older weeks' quiet visits (the
fields, servings and promise states the visit services would write; no history lines or promise events
for them); requests and faults carry their promise events and history lines.
"""

import secrets
from datetime import timedelta

from django.utils.translation import gettext as _

from core.models import HistoryAction
from demo import distributions as d
from demo.builders.lounge import ADVISOR_NOTES, FAULTS, HELP_NOTES
from lounge.choices import FaultSource, FaultState, RequestKind, RequestSource, RequestState
from lounge.links import board_url, fault_url, request_list_url
from lounge.models import FaultTicket, LoungeRequest, Serving, Visit
from promises.choices import PromiseKind

from .base import url_template

VISIT_COLUMNS = (
    "id",
    "store_id",
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
    "greet_promise_id",
    "refill_promise_id",
)
SERVING_COLUMNS = (
    "id",
    "visit_id",
    "store_id",
    "drink_id",
    "drink_name",
    "refill",
    "served_at",
    "served_by_id",
    "on_time",
)
REQUEST_COLUMNS = (
    "id",
    "store_id",
    "seat_id",
    "visit_id",
    "kind",
    "drink_id",
    "note",
    "source",
    "receipt",
    "state",
    "created_at",
    "acknowledged_at",
    "acknowledged_by_id",
    "done_at",
    "done_by_id",
    "promise_id",
    "client_key",
)
FAULT_COLUMNS = (
    "id",
    "store_id",
    "facility_id",
    "description",
    "source",
    "reported_at",
    "reported_by_id",
    "owner_id",
    "owner_department_id",
    "promise_id",
    "state",
    "started_at",
    "fixed_at",
    "fixed_by_id",
    "fix_note",
    "close_reason",
)
FAULTS_PER_MONTH = (4, 8)
ALL_FAULTS = [f for plans in FAULTS.values() for f in plans]


def register(sink) -> None:
    sink.register(Visit, VISIT_COLUMNS)
    sink.register(Serving, SERVING_COLUMNS)
    sink.register(LoungeRequest, REQUEST_COLUMNS)
    sink.register(FaultTicket, FAULT_COLUMNS)


class StoreLounge:
    def __init__(self, gen, setup, customers: list, scale: float):
        self.gen, self.setup, self.scale = gen, setup, scale
        self.customers = [c for c in customers if c.vehicles]
        p = setup.people
        self.attendants = [p["attendant"], p["attendant2"], p["attendant3"], p["lounge_supervisor"], p["manager"]]
        self.attendant_weights = [6, 5, 4, 2, 1]
        self.desk = setup.departments["客户休息室"]
        self.seen: set = set()
        self.busy_until: dict = {}
        self.texts = {
            "greet": _("Greet %(name)s in the lounge"),
            "refill": _("Refill for %(name)s"),
            "guest": str(_("Guest")),
            "left": _("customer left"),
            "seat_asks": _("Seat %(seat)s asks for: %(what)s"),
            "fix": _("Fix %(facility)s: %(description)s"),
            "kinds": {c.value: str(c.label) for c in RequestKind},
            "board": url_template(board_url(setup.store.pk, 999999999)),
            "requests": request_list_url(),
            "fault_url": url_template(fault_url(type("F", (), {"pk": 999999999})())),
            "fault_states": {c.value: str(c.label) for c in FaultState},
            "request_states": {c.value: str(c.label) for c in RequestState},
        }
        self.seat_labels = setup.seat_labels
        self.drink_names = list(setup.drinks)

    def attendant(self):
        return self.gen.rng.choices(self.attendants, weights=self.attendant_weights)[0]

    def run(self) -> None:
        gen, setup = self.gen, self.setup
        day = gen.first_day
        while day <= gen.last_day:
            hours = setup.clock.interval(day)
            if hours is not None:
                self.day(day, *hours)
            if day.day == 1 or day == gen.first_day:
                self.faults(day)
            day += timedelta(days=1)

    def day(self, day, opens, closes) -> None:
        rng = self.gen.rng
        low, high = d.VISITS_PER_DAY["weekend" if day.weekday() >= 5 else "weekday"]
        count = rng.randint(round(low * self.scale), round(high * self.scale))
        arrivals = sorted(d.arrival(rng, opens, closes) for _n in range(count))
        seat_free = dict.fromkeys(self.setup.seats, opens)
        visits = []
        for order, arrive in enumerate(arrivals, start=1):
            if arrive >= self.gen.now:
                break
            visits.append(self.visit(day, arrive, closes, order, seat_free))
        self.requests(day, closes, visits)

    def visit(self, day, arrive, closes, order, seat_free) -> dict:
        gen, setup, rng = self.gen, self.setup, self.gen.rng
        store_id = setup.store.pk
        host = self.attendant()
        pk = gen.ids.take(Visit)
        customer = vehicle = None
        guest = ""
        first_time = False
        repair_order = status = ""
        if rng.random() < d.ON_FILE_SHARE:
            customer = rng.choice(self.customers)
            if self.busy_until.get(customer.pk, arrive) > arrive:
                customer = None
        if customer is not None:
            vehicle = rng.choice(customer.vehicles)[0]
            if customer.pk not in self.seen:
                first_time = rng.random() >= d.REGULAR_SHARE
                self.seen.add(customer.pk)
            repair_order = f"RO{day:%Y%m%d}-{order:03d}"
            status = rng.choice(d.SERVICE_STATUSES)
        else:
            guest = rng.choice(d.WALK_IN_NAMES) if rng.random() < 0.6 else ""
            first_time = rng.random() < d.WALK_IN_FIRST_SHARE
            if rng.random() < 0.5:
                repair_order = f"RO{day:%Y%m%d}-{order:03d}"
                status = rng.choice(d.SERVICE_STATUSES)
        name = customer.name if customer else (guest or self.texts["guest"])
        delay = d.greet_delay(rng)
        greet = arrive + delay if delay is not None else None
        latest_leave = closes - timedelta(minutes=2)
        offer = None
        servings = []  # (at, drink, by)
        introduce = None
        if greet is None:
            leave = min(arrive + timedelta(seconds=rng.uniform(8 * 60, 35 * 60)), latest_leave)
        else:
            if rng.random() < d.OFFER_SHARE:
                offer = greet + timedelta(seconds=rng.uniform(8, 40))
            first = (offer or greet) + timedelta(seconds=rng.uniform(60, 200))
            servings.append((first, rng.choices(d.DRINKS, weights=d.DRINK_WEIGHTS)[0], self.step_by(host)))
            wanted = rng.choices(*d.SERVINGS_WANTED)[0]
            while len(servings) < wanted:
                at = servings[-1][0] + d.refill_gap(rng)
                if at > latest_leave - timedelta(minutes=5):
                    break
                drink = (
                    servings[-1][1]
                    if rng.random() < d.SAME_DRINK_SHARE
                    else rng.choices(d.DRINKS, weights=d.DRINK_WEIGHTS)[0]
                )
                servings.append((at, drink, self.step_by(host)))
            leave = min(servings[-1][0] + d.stay_after_last_drink(rng), latest_leave)
            if first_time and rng.random() < d.INTRODUCED_SHARE:
                at = servings[0][0] + timedelta(seconds=rng.uniform(60, 300))
                if at < leave - timedelta(minutes=1):
                    introduce = (at, self.step_by(host))
            if repair_order and rng.random() < d.STATUS_UPDATE_SHARE:
                status = rng.choice(d.LATER_STATUSES)
        farewell = (
            (leave - timedelta(seconds=rng.uniform(10, 60)), self.step_by(host))
            if rng.random() < d.FAREWELL_SHARE
            else None
        )
        if customer is not None:
            self.busy_until[customer.pk] = leave + timedelta(minutes=1)
        free = [s for s, t in seat_free.items() if t <= arrive]
        seat = rng.choice(free) if free else None
        if seat is not None:
            seat_free[seat] = leave + timedelta(minutes=1)
        departed = leave if leave < gen.now else None
        # promises: greeting (S4.1) and a refill clock after each drink (S4.2), as visits_bulk writes them
        url = self.texts["board"].format(pk)
        left = self.texts["left"]
        greet_due = arrive + timedelta(seconds=setup.greet_seconds)
        if greet is not None:
            greet_end = (greet, "kept", host, "")
        else:
            greet_end = (leave, "broken" if greet_due < leave else "cancelled", host, left)
        greet_promise = gen.promise(
            store_id=store_id,
            clock=None,
            kind=PromiseKind.LOUNGE_GREET,
            rule_id="S4.1",
            title=self.texts["greet"] % {"name": name},
            subject_model=Visit,
            subject_id=pk,
            url=url,
            made_at=arrive,
            due_at=greet_due,
            department_id=self.desk,
            made_by=host,
            end=greet_end,
            worker=False,
            events=False,
        )
        refill_promise = None
        previous_due = None
        for index, (at, drink, by) in enumerate(servings):
            on_time = None if index == 0 else at <= previous_due
            gen.sink.add(
                Serving,
                (gen.ids.take(Serving), pk, store_id, setup.drinks[drink], drink, index > 0, at, by, on_time),
            )
            due = at + timedelta(minutes=setup.refill_minutes)
            if index + 1 < len(servings):
                end = (servings[index + 1][0], "kept", servings[index + 1][2], "")
            else:
                end = (leave, "broken" if due < leave else "cancelled", host, left)
            refill_promise = gen.promise(
                store_id=store_id,
                clock=None,
                kind=PromiseKind.LOUNGE_REFILL,
                rule_id="S4.2",
                title=self.texts["refill"] % {"name": name},
                subject_model=Visit,
                subject_id=pk,
                url=url,
                made_at=at,
                due_at=due,
                department_id=self.desk,
                made_by=by,
                end=end,
                worker=False,
                events=False,
            )
            previous_due = due
        gen.sink.add(
            Visit,
            (
                pk,
                store_id,
                customer.pk if customer else None,
                vehicle,
                guest if customer is None else "",
                seat,
                first_time,
                repair_order,
                status,
                arrive,
                host,
                greet,
                host if greet else None,
                int((greet - arrive).total_seconds()) if greet else None,
                offer or (servings[0][0] if servings else None),
                introduce[0] if introduce else None,
                introduce[1] if introduce else None,
                farewell[0] if farewell else None,
                farewell[1] if farewell else None,
                departed,
                greet_promise,
                refill_promise,
            ),
        )
        return {"pk": pk, "seat": seat, "servings": servings, "leave": leave, "host": host}

    def step_by(self, host):
        return host if self.gen.rng.random() < 0.8 else self.attendant()

    def requests(self, day, closes, visits: list) -> None:
        """QR requests from the tables: help or the advisor (S4.5), refills asked for (S4.2)."""
        gen, setup, rng = self.gen, self.setup, self.gen.rng
        low, high = d.QR_REQUESTS_PER_DAY
        wanted = rng.randint(round(low * self.scale), round(high * self.scale))
        windows = [
            v
            for v in visits
            if v["seat"] and v["servings"] and v["leave"] - v["servings"][0][0] > timedelta(minutes=12)
        ]
        if not windows:
            return
        texts = self.texts
        for _n in range(wanted):
            visit = rng.choice(windows)
            start = visit["servings"][0][0] + timedelta(minutes=2)
            asked = start + (visit["leave"] - timedelta(minutes=8) - start) * rng.random()
            if asked >= gen.now:
                continue
            roll = rng.random()
            kind = RequestKind.REFILL if roll < 0.35 else RequestKind.HELP if roll < 0.7 else RequestKind.ADVISOR
            note = (
                rng.choice(HELP_NOTES if kind == RequestKind.HELP else ADVISOR_NOTES)
                if kind != RequestKind.REFILL
                else ""
            )
            pk = gen.ids.take(LoungeRequest)
            cancelled = rng.random() < 0.06
            first = self.attendant()
            acknowledged = done = None
            end = None
            if cancelled:
                end = (closes, "cancelled", setup.people["lounge_supervisor"], "营业结束，客人已离开，请求未及时处理")
                state = RequestState.CANCELLED
            else:
                acknowledged = asked + d.answer_delay(rng)
                done = acknowledged + timedelta(seconds=rng.uniform(120, 480))
                end = (acknowledged, "kept", first, "")
                state = RequestState.DONE
                if done >= gen.now:
                    state, done = RequestState.ON_WAY, None
                if acknowledged >= gen.now:
                    state, acknowledged, end = RequestState.OPEN, None, None
            seat = self.seat_labels[visit["seat"]]
            promise = gen.promise(
                store_id=setup.store.pk,
                clock=None,
                kind=PromiseKind.LOUNGE_REQUEST,
                rule_id="S4.2" if kind == RequestKind.REFILL else "S4.5",
                title=texts["seat_asks"] % {"seat": seat, "what": texts["kinds"][kind]},
                subject_model=LoungeRequest,
                subject_id=pk,
                url=texts["requests"],
                made_at=asked,
                due_at=asked + timedelta(minutes=setup.help_minutes),
                department_id=self.desk,
                end=end,
            )
            gen.sink.add(
                LoungeRequest,
                (
                    pk,
                    setup.store.pk,
                    visit["seat"],
                    visit["pk"],
                    kind,
                    None,
                    note,
                    RequestSource.QR,
                    secrets.token_urlsafe(12),
                    state,
                    asked,
                    acknowledged,
                    first if acknowledged else None,
                    done,
                    first if done else None,
                    promise,
                    f"{rng.getrandbits(128):032x}",
                ),
            )
            states = texts["request_states"]
            repr_ = texts["kinds"][kind]
            gen.history(store_id=setup.store.pk, model=LoungeRequest, object_id=pk, repr_=repr_,
                        action=HistoryAction.CREATE, actor_id=None, at=asked, changes={"state": ["", states["open"]]})  # fmt: skip
            if acknowledged:
                gen.history(store_id=setup.store.pk, model=LoungeRequest, object_id=pk, repr_=repr_,
                            action=HistoryAction.UPDATE, actor_id=first, at=acknowledged,
                            changes={"state": [states["open"], states["on_way"]]})  # fmt: skip
            if done:
                gen.history(store_id=setup.store.pk, model=LoungeRequest, object_id=pk, repr_=repr_,
                            action=HistoryAction.UPDATE, actor_id=first, at=done,
                            changes={"state": [states["on_way"], states["done"]]})  # fmt: skip
            if cancelled:
                gen.history(store_id=setup.store.pk, model=LoungeRequest, object_id=pk, repr_=repr_,
                            action=HistoryAction.UPDATE, actor_id=end[2], at=closes,
                            changes={"state": [states["open"], states["cancelled"]]})  # fmt: skip

    def faults(self, month_start) -> None:
        """A month's fault tickets (S4.11): most fixed in time, some late, a few closed without a fix."""
        gen, setup, rng = self.gen, self.setup, self.gen.rng
        clock = setup.clock
        texts = self.texts
        supervisor = setup.people["lounge_supervisor"]
        fixer = setup.people["fd_supervisor"]
        for _n in range(rng.randint(*FAULTS_PER_MONTH)):
            plan = rng.choice(ALL_FAULTS)
            facility = setup.facilities.get(plan.facility)
            if facility is None:
                continue
            day = month_start + timedelta(days=rng.randint(0, 27))
            hours = clock.interval(day)
            if hours is None or day > gen.last_day:
                continue
            reported = d.moment_in(rng, hours[0], hours[1])
            if reported >= gen.now:
                continue
            pk = gen.ids.take(FaultTicket)
            due = clock.add(reported, setup.fix_hours * 3600)
            roll = rng.random()
            started = fixed = None
            state, note, reason = FaultState.OPEN, "", ""
            end = None
            start_at = clock.add(reported, 25 * 60)
            if roll < 0.1:
                close = clock.add(reported, 90 * 60)
                if close < gen.now:
                    state, reason = FaultState.CANCELLED, plan.fix_note or "误报"
                    end = (close, "cancelled", supervisor, reason)
            else:
                fix_at = clock.add(reported, (rng.uniform(0.5, 7.5) if roll < 0.85 else rng.uniform(9, 20)) * 3600)
                if start_at < gen.now:
                    state, started = FaultState.IN_PROGRESS, start_at
                if fix_at < gen.now:
                    state, fixed, note = FaultState.FIXED, fix_at, plan.fix_note or "已修复"
                    end = (fix_at, "kept", fixer, "")
            description = plan.description
            promise = gen.promise(
                store_id=setup.store.pk,
                clock=clock,
                kind=PromiseKind.FAULT_FIX,
                rule_id="S4.11",
                title=texts["fix"] % {"facility": plan.facility, "description": description},
                subject_model=FaultTicket,
                subject_id=pk,
                url=texts["fault_url"].format(pk),
                made_at=reported,
                due_at=due,
                department_id=self.desk,
                made_by=supervisor,
                end=end,
            )
            gen.sink.add(
                FaultTicket,
                (
                    pk,
                    setup.store.pk,
                    facility,
                    description,
                    FaultSource.PAGE if plan.source == FaultSource.QR else plan.source,
                    reported,
                    supervisor,
                    fixer if started else None,
                    self.desk,
                    promise,
                    state,
                    started,
                    fixed,
                    fixer if fixed else None,
                    note,
                    reason,
                ),
            )
            states = texts["fault_states"]
            gen.history(store_id=setup.store.pk, model=FaultTicket, object_id=pk, repr_=description,
                        action=HistoryAction.CREATE, actor_id=supervisor, at=reported,
                        changes={"state": ["", states["open"]], "description": ["", description]})  # fmt: skip
            if started:
                gen.history(store_id=setup.store.pk, model=FaultTicket, object_id=pk, repr_=description,
                            action=HistoryAction.UPDATE, actor_id=supervisor, at=started,
                            changes={"state": [states["open"], states["in_progress"]]})  # fmt: skip
            if state in (FaultState.FIXED, FaultState.CANCELLED):
                at = fixed or end[0]
                gen.history(store_id=setup.store.pk, model=FaultTicket, object_id=pk, repr_=description,
                            action=HistoryAction.UPDATE, actor_id=end[2], at=at,
                            changes={"state": [states["in_progress" if started else "open"], states[state]]})  # fmt: skip
