"""A store's year on the telephone (S2.1–S2.11): calls in and out, missed and cut-off calls with their
call-back promises, messages for absent colleagues with theirs, and the complaints' calls (complaints.py).

The shapes are the demo's (demo/distributions.py), the volume GROUP_SCALE times the demo's. A group runs
a phone system: its records come in as calls of source "cdr" (ring and talk times, no history line,
as phone.cdr.importer writes them); the calls people log at the console (purpose, outcome, notes,
call-backs, messages, complaints) have their history line as call_log writes it.
"""

import heapq
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils.translation import gettext as _

from core.models import HistoryAction
from core.validators import mask_number
from demo import distributions as d
from demo.builders.phone import (
    FAIR_OPENINGS,
    GOOD_COMPLAINT,
    GOOD_OPENINGS,
    POOR_COMPLAINT,
    POOR_OPENINGS,
    TOPICS,
)
from phone.choices import Direction, HungUpFirst, Outcome, Purpose, Source
from phone.models import Call, Message
from phone.script_check.check import check_transcript
from phone.script_check.items import ScriptContext
from phone.services.messages import MESSAGE_CALLBACK_MINUTES
from promises.choices import PromiseKind

from .base import Gen, dumps, url_template
from .complaints import complaint_generate

GROUP_SCALE = 4.2  # a group store's telephone and lounge are about four times the demo store's
CONSOLE_SHARE = 0.45  # answered calls logged at the console; the others only in the phone system's records
CYCLE = 5.0  # phone settings' defaults: a 5-second ring cycle, in time within 3 rings
IN_TIME_BELOW = 15.0
COMPLAINTS_PER_DAY = (4, 13)
UNKNOWN_NUMBERS = 400

CALL_COLUMNS = (
    "id",
    "store_id",
    "direction",
    "number",
    "number_digits",
    "caller_name",
    "customer_id",
    "started_at",
    "answered_at",
    "ended_at",
    "ring_seconds",
    "rings",
    "answered_in_time",
    "missed",
    "purpose",
    "outcome",
    "notes",
    "answered_by_id",
    "department_id",
    "extension",
    "hung_up_first",
    "transferred_to_id",
    "returns_call_id",
    "transcript",
    "script_score",
    "script_result",
    "source",
    "source_key",
    "disposition",
    "duration_seconds",
    "talk_seconds",
    "logged_by_id",
    "logged_at",
)
MESSAGE_COLUMNS = (
    "id",
    "store_id",
    "call_id",
    "for_user_id",
    "caller_name",
    "caller_number",
    "customer_id",
    "text",
    "callback_wanted",
    "promise_id",
    "taken_by_id",
    "taken_at",
    "read_at",
    "called_back_at",
    "callback_call_id",
)


def register(sink) -> None:
    sink.register(Call, CALL_COLUMNS)
    sink.register(Message, MESSAGE_COLUMNS)


def _scaled(low_high: tuple) -> tuple:
    return round(low_high[0] * GROUP_SCALE), round(low_high[1] * GROUP_SCALE)


class Labels:
    """Choice labels as history shows them (snapshot keeps the label in the writer's language)."""

    def __init__(self):
        self.direction = {c.value: str(c.label) for c in Direction}
        self.purpose = {c.value: str(c.label) for c in Purpose}
        self.outcome = {c.value: str(c.label) for c in Outcome}
        self.missed_title = _("Call back %(number)s (cut off or missed)")
        self.message_title = _("Call back %(name)s (%(number)s)")
        self.call_url = url_template(reverse("phone:call_detail", args=[999999999]))
        self.message_url = reverse("phone:message_list") + "#message-{}"


class StorePhone:
    """One store's telephone year: who answers and calls, the numbers that call."""

    def __init__(self, gen: Gen, setup, customers: list, labels: Labels):
        self.gen = gen
        self.setup = setup
        self.labels = labels
        self.customers = [c for c in customers if c.number]
        self.mobile_customers = [c for c in self.customers if c.vehicles and c.number.startswith("+861")]
        p = setup.people
        self.answerers = [p["agent"], p["agent2"], p["agent3"], p["agent4"], p["reception"], p["cs_supervisor"]]
        self.answerers += [p["fd_supervisor"], p["advisor"]]
        self.answerer_weights = [5, 5, 5, 5, 4, 2, 1, 1]
        self.callers = [p["agent"], p["agent2"], p["agent3"], p["agent4"], p["renewal"], p["renewal2"], p["advisor"]]
        self.caller_weights = [4, 4, 4, 4, 3, 3, 2]
        self.absent = [p["advisor"], p["advisor2"], p["renewal"], p["manager"], p["fd_supervisor"]]
        self.absent += [p["lounge_supervisor"]]
        self.desk = setup.departments["客服部"]
        rng = gen.rng
        self.unknown = []
        taken = {c.number for c in self.customers}
        while len(self.unknown) < UNKNOWN_NUMBERS:
            digits = rng.choice(["138", "139", "186", "135", "158", "177"]) + f"{rng.randint(0, 99_999_999):08d}"
            if "+86" + digits not in taken:
                taken.add("+86" + digits)
                self.unknown.append(("+86" + digits, digits))
        self.pending: list = []  # call-backs to come: (moment, order, kind, payload)
        self.order = 0
        self.complaint_seq: dict = {}
        self.checked: dict = {}
        self.department_names = {pk: name for name, pk in setup.departments.items()}

    def caller(self):
        """(number, digits, customer or None): mostly the store's customers, some unknown numbers."""
        rng = self.gen.rng
        if rng.random() < d.CALLER_ON_FILE_SHARE:
            customer = rng.choice(self.customers)
            return customer.number, customer.digits, customer
        number, digits = rng.choice(self.unknown)
        return number, digits, None

    # -------------------------------------------------------------------------------------------
    # One call row

    def call(
        self,
        *,
        direction,
        number,
        digits,
        customer,
        started,
        person,
        outcome,
        purpose="",
        notes="",
        ring=None,
        console=True,
        hung_up="",
        transferred_to=None,
        returns=None,
        talk=0,
        transcript="",
    ) -> int:
        gen, setup = self.gen, self.setup
        pk = gen.ids.take(Call)
        inbound = direction == Direction.INBOUND
        missed = outcome == Outcome.MISSED
        rings = in_time = None
        if inbound and ring is not None:
            rings = int(ring // CYCLE) + 1
            in_time = (not missed) and ring < IN_TIME_BELOW
        department = setup.user_department.get(person) if person else None
        extension = setup.extensions.get(person, "") if person else ""
        answered_at = ended_at = None
        duration = talk_seconds = None
        source, key, disposition = Source.CONSOLE, "", ""
        logged_by, logged_at = person, started + timedelta(seconds=(ring or 0) + talk + 20)
        if not console:
            source, key = Source.PHONE_SYSTEM, f"{int(started.timestamp())}.{pk}"
            wait = ring if inbound else self.gen.rng.uniform(4, 20)
            if missed or outcome == Outcome.NO_ANSWER:
                disposition, talk_seconds = "NO ANSWER", 0
                ended_at = started + timedelta(seconds=wait)
            else:
                disposition, talk_seconds = "ANSWERED", talk
                answered_at = started + timedelta(seconds=wait)
                ended_at = answered_at + timedelta(seconds=talk)
            duration = int((ended_at - started).total_seconds())
            logged_by, logged_at = None, ended_at + timedelta(seconds=5)
            if missed or outcome == Outcome.NO_ANSWER:
                outcome = Outcome.MISSED if inbound else Outcome.NO_ANSWER
            else:
                outcome = ""
            purpose, notes, hung_up = "", "", ""
        score = result = None
        if transcript and console:
            score, result = self.script_check(transcript, purpose, person, department)
        else:
            transcript = ""
        gen.sink.add(
            Call,
            (
                pk,
                setup.store.pk,
                direction,
                number,
                digits,
                "",
                customer.pk if customer else None,
                started,
                answered_at,
                ended_at,
                ring if inbound else None,
                rings,
                in_time,
                missed,
                purpose,
                outcome,
                notes,
                None if missed else person,
                None if missed and console else department,
                extension,
                hung_up,
                transferred_to,
                returns,
                transcript,
                score,
                result,
                source,
                key,
                disposition,
                duration,
                talk_seconds,
                logged_by,
                logged_at,
            ),
        )
        if console:
            labels = self.labels
            after = {
                "direction": labels.direction[direction],
                "number": number,
                "customer": customer.name if customer else "",
                "purpose": labels.purpose.get(purpose, ""),
                "outcome": labels.outcome.get(outcome, ""),
                "ring_seconds": str(ring) if inbound and ring is not None else "",
                "answered_by": setup.names.get(person, "") if person and not missed else "",
                "notes": notes,
            }
            gen.history(
                store_id=setup.store.pk,
                model=Call,
                object_id=pk,
                repr_=f"{started.astimezone(gen.now.tzinfo):%Y-%m-%d %H:%M} {number}",
                action=HistoryAction.CREATE,
                actor_id=person,
                at=logged_at,
                changes={k: ["", v] for k, v in after.items() if v != ""},
            )
        return pk

    def script_check(self, transcript: str, purpose: str, person, department) -> tuple:
        """The call's script check (phone.script_check, as call_log runs it), once per distinct transcript."""
        key = (transcript, purpose, person)
        found = self.checked.get(key)
        if found is None:
            setup = self.setup
            context = ScriptContext(
                store_name=setup.store.name,
                department_name=self.department_names.get(department, ""),
                person_name=setup.names.get(person, ""),
                staff_number=setup.employee_nos.get(person, ""),
            )
            kind = "complaint" if purpose == Purpose.COMPLAINT else (purpose or "other")
            result = check_transcript(transcript, call_kind=kind, context=context)
            found = self.checked[key] = (result.score, dumps(result.to_json()))
        return found

    def transcript(self, person, issue: str = "") -> str:
        """A transcript as the demo writes them (demo/builders/phone.py): good, fair and poor openings and
        complaint handling."""
        rng, setup = self.gen.rng, self.setup
        values = {
            "store": setup.store.name,
            "department": self.department_names.get(setup.user_department.get(person), ""),
            "name": setup.names.get(person, ""),
            "topic": rng.choice(TOPICS),
            "issue": issue,
        }
        if issue:
            template = GOOD_COMPLAINT if rng.random() < 0.7 else POOR_COMPLAINT
        else:
            roll = rng.random()
            template = rng.choice(GOOD_OPENINGS if roll < 0.6 else FAIR_OPENINGS if roll < 0.85 else POOR_OPENINGS)
        return template.format(**values)

    def later(self, moment, kind, payload) -> None:
        self.order += 1
        heapq.heappush(self.pending, (moment, self.order, kind, payload))

    # -------------------------------------------------------------------------------------------
    # The kinds of call

    def inbound(self, moment: datetime) -> None:
        rng = self.gen.rng
        number, digits, customer = self.caller()
        person = rng.choices(self.answerers, weights=self.answerer_weights)[0]
        roll = rng.random()
        if roll < d.MISSED_SHARE:
            pk = self.call(
                direction=Direction.INBOUND,
                number=number,
                digits=digits,
                customer=customer,
                started=moment,
                person=None,
                outcome=Outcome.MISSED,
                ring=d.missed_ring_seconds(rng),
                console=False,
            )
            self.missed_promise(pk, number, customer, moment + timedelta(seconds=40), None)
            return
        if roll < d.MISSED_SHARE + d.DROPPED_SHARE:
            ring = d.ring_seconds(rng)
            pk = self.call(
                direction=Direction.INBOUND,
                number=number,
                digits=digits,
                customer=customer,
                started=moment,
                person=person,
                outcome=Outcome.DROPPED,
                purpose=Purpose.ENQUIRY,
                notes="通话中断线",
                ring=ring,
            )
            self.missed_promise(pk, number, customer, moment, person)
            return
        purpose = rng.choices(d.INBOUND_PURPOSE_CHOICES, weights=d.INBOUND_PURPOSE_WEIGHTS)[0]
        outcome = d.inbound_outcome(rng, purpose)
        transferred = None
        if outcome == Outcome.TRANSFERRED:
            transferred = self.setup.departments[rng.choice(d.TRANSFER_TARGETS)]
        console = rng.random() < CONSOLE_SHARE
        transcript = self.transcript(person) if console and rng.random() < d.TRANSCRIPT_SHARE else ""
        self.call(
            direction=Direction.INBOUND,
            number=number,
            digits=digits,
            customer=customer,
            started=moment,
            person=person,
            outcome=outcome,
            purpose=purpose,
            notes=rng.choice(d.NOTES[purpose]),
            ring=d.ring_seconds(rng),
            console=console,
            hung_up=HungUpFirst.CALLER if rng.random() < 0.9 else HungUpFirst.STAFF,
            transferred_to=transferred,
            talk=int(rng.lognormvariate(4.8, 0.6)),
            transcript=transcript,
        )

    def outbound(self, moment: datetime) -> None:
        rng = self.gen.rng
        customer = rng.choice(self.customers)
        person = rng.choices(self.callers, weights=self.caller_weights)[0]
        purpose, note, _w = rng.choices(d.OUTBOUND, weights=d.OUTBOUND_WEIGHTS)[0]
        reached = rng.random() < d.OUTBOUND_REACHED_SHARE
        self.call(
            direction=Direction.OUTBOUND,
            number=customer.number,
            digits=customer.digits,
            customer=customer,
            started=moment,
            person=person,
            outcome=Outcome.HANDLED if reached else Outcome.NO_ANSWER,
            purpose=purpose,
            notes=note if reached else "无人接听，稍后再打",
            console=rng.random() < CONSOLE_SHARE,
            talk=int(rng.lognormvariate(4.3, 0.6)) if reached else 0,
        )

    def missed_promise(self, call_id, number, customer, made_at, person) -> None:
        """The desk's call-back promise of a missed or cut-off call (phone.services.calls.missed_call_promise),
        called back as the demo's desks do (distributions.missed_callback_minutes)."""
        gen, setup, rng = self.gen, self.setup, self.gen.rng
        clock = setup.clock
        department = setup.user_department.get(person) if person else None
        department = department or self.desk
        due = clock.add(made_at, 15 * 60)
        delay = d.missed_callback_minutes(rng)
        if delay is None and made_at < gen.now - timedelta(days=3):
            delay = rng.randint(8, 24) * 60  # forgotten, then called back a day or so late
        end = None
        back = clock.add(made_at, delay * 60) if delay is not None else None
        who = rng.choices(self.answerers[:5], weights=self.answerer_weights[:5])[0]
        if back is not None and back < gen.now:
            end = (back, "kept", who, "")
        title = self.labels.missed_title % {"number": customer.name if customer else mask_number(number)}
        gen.promise(
            store_id=setup.store.pk,
            clock=clock,
            kind=PromiseKind.MISSED_CALLBACK,
            rule_id="S2.10",
            title=title,
            subject_model=Call,
            subject_id=call_id,
            url=self.labels.call_url.format(call_id),
            made_at=made_at,
            due_at=due,
            department_id=department,
            end=end,
        )
        if end is not None:
            self.later(back, "callback", (call_id, number, customer, who, "回拨未接来电"))

    def callback(self, moment, call_id, number, customer, person, note) -> int:
        return self.call(
            direction=Direction.OUTBOUND,
            number=number,
            digits=customer.digits if customer else number[3:],
            customer=customer,
            started=moment,
            person=person,
            outcome=Outcome.HANDLED,
            purpose=Purpose.CALLBACK,
            notes=note,
            returns=call_id,
            talk=int(self.gen.rng.lognormvariate(4.3, 0.5)),
        )

    def message(self, moment: datetime) -> None:
        """A caller asks for an absent colleague: a message with a call-back wanted (S2.3)."""
        gen, setup, rng = self.gen, self.setup, self.gen.rng
        number, digits, customer = self.caller()
        person = rng.choices(self.answerers, weights=self.answerer_weights)[0]
        target = rng.choice(self.absent)
        call_id = self.call(
            direction=Direction.INBOUND,
            number=number,
            digits=digits,
            customer=customer,
            started=moment,
            person=person,
            outcome=Outcome.MESSAGE,
            purpose=Purpose.SOMEONE,
            notes=f"找{setup.names[target]}，不在，已留言",
            ring=d.ring_seconds(rng),
            hung_up=HungUpFirst.CALLER,
        )
        name = customer.name if customer else rng.choice("王李张刘陈杨赵") + rng.choice(["先生", "女士"])
        taken = moment + timedelta(minutes=2)
        pk = gen.ids.take(Message)
        clock = setup.clock
        delay = d.message_callback_minutes(rng)
        if delay is None and taken < gen.now - timedelta(days=3):
            delay = rng.randint(8, 24) * 60
        back = clock.add(taken, delay * 60) if delay is not None else None
        end = (back, "kept", target, "") if back is not None and back < gen.now else None
        promise = gen.promise(
            store_id=setup.store.pk,
            clock=clock,
            kind=PromiseKind.MESSAGE_CALLBACK,
            rule_id="S2.3",
            title=self.labels.message_title % {"name": name, "number": mask_number(number)},
            subject_model=Message,
            subject_id=pk,
            url=self.labels.message_url.format(pk),
            made_at=taken,
            due_at=clock.add(taken, MESSAGE_CALLBACK_MINUTES * 60),
            owner_id=target,
            made_by=person,
            end=end,
        )
        callback_id = None
        read_at = None
        if end is not None:
            callback_id = self.callback(back, call_id, number, customer, target, "回复留言")
            read_at = back - timedelta(minutes=rng.randint(1, 10))
            read_at = max(read_at, taken + timedelta(seconds=30))
        gen.sink.add(
            Message,
            (
                pk,
                setup.store.pk,
                call_id,
                target,
                name[:50],
                number,
                customer.pk if customer else None,
                rng.choice(d.MESSAGE_TEXTS),
                True,
                promise,
                person,
                taken,
                read_at,
                back if end is not None else None,
                callback_id,
            ),
        )
        gen.history(
            store_id=setup.store.pk,
            model=Message,
            object_id=pk,
            repr_=f"{name}: {d.MESSAGE_TEXTS[0][:30]}",
            action=HistoryAction.CREATE,
            actor_id=person,
            at=taken,
            changes={"caller_name": ["", name], "for_user": ["", setup.names[target]], "callback_wanted": ["", True]},
        )

    # -------------------------------------------------------------------------------------------
    # The year

    def run(self) -> None:
        gen, setup, rng = self.gen, self.setup, self.gen.rng
        inbound, outbound = _scaled(d.INBOUND_PER_DAY), _scaled(d.OUTBOUND_PER_DAY)
        messages = _scaled(d.MESSAGES_PER_DAY)
        day = gen.first_day
        while day <= gen.last_day:
            hours = setup.clock.interval(day)
            day_now = day
            day += timedelta(days=1)
            if hours is None:
                continue
            opens, closes = hours
            events = [(d.moment_in(rng, opens, closes), 0) for _n in range(rng.randint(*inbound))]
            events += [(d.moment_in(rng, opens, closes), 1) for _n in range(rng.randint(*outbound))]
            late = closes - timedelta(minutes=30)
            events += [(d.moment_in(rng, opens, late), 2) for _n in range(rng.randint(*messages))]
            events += [
                (d.moment_in(rng, opens, closes - timedelta(hours=2)), 3)
                for _n in range(rng.randint(*COMPLAINTS_PER_DAY))
            ]
            events.sort()
            for moment, kind in events:
                self.catch_up(moment)
                if kind == 0:
                    self.inbound(moment)
                elif kind == 1:
                    self.outbound(moment)
                elif kind == 2:
                    self.message(moment)
                else:
                    self.complaint(moment, day_now)
        self.catch_up(gen.now)

    def catch_up(self, moment) -> None:
        while self.pending and self.pending[0][0] <= moment:
            at, _order, kind, payload = heapq.heappop(self.pending)
            if kind == "callback":
                self.callback(at, *payload)

    def complaint(self, moment, day) -> None:
        rng = self.gen.rng
        customer = rng.choice(self.mobile_customers)
        person = rng.choices(self.answerers, weights=self.answerer_weights)[0]
        year = moment.astimezone(self.gen.now.tzinfo).year
        seq = self.complaint_seq[year] = self.complaint_seq.get(year, 0) + 1
        complaint_generate(self, moment, customer, person, seq, year)
