"""Demo data, part two: a realistic month on the telephone for the demo stores.

`load_phone_month(rng, now)` is called once, at the end of `demo.demo_load`, and fills the 30 days
before `now`'s day with what the call console, the message list, the promises and the complaints
pages show: incoming and outgoing calls in business hours, missed and cut-off calls with their
call-back promises, messages for absent colleagues with call-backs, and complaints in every stage.

Everything goes through the services (call_log, message_take, the complaint stages), with the
moments in the past passed as `started_at` / `now=` / `at=`, each played inside `clock.at(moment)`
so its history lines, promise events and notifications carry that moment (demo/clock.py). The one
exception is message_take, which stamps messages and their call-back promises with the real clock:
those timestamps are moved into the past afterwards with one bulk update (see `_messages_backdate`).

Deterministic: the same random generator and the same day give the same month.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from complaints.choices import ComplaintState, ReplyChannel, Severity
from complaints.models import Complaint
from complaints.services.complaints import complaint_log
from complaints.services.stages import (
    complaint_acknowledge,
    complaint_close,
    complaint_followup,
    complaint_reopen,
    complaint_reply,
    verification_answer,
    verification_request,
)
from customers.models import Customer
from demo import clock
from demo import distributions as d
from org.business_time import StoreCalendar
from org.models import Department, Store, User
from phone.choices import Direction, HungUpFirst, Outcome, Purpose
from phone.models import Message
from phone.services.calls import call_log
from phone.services.messages import MESSAGE_CALLBACK_MINUTES, message_take
from promises.choices import PromiseState
from promises.models import Promise
from promises.selectors import rule_for

TZ = ZoneInfo("Asia/Shanghai")
DAYS = 30
DAY_OPENS, DAY_CLOSES = time(8, 30), time(18, 0)
# Who answers the store's lines: the customer-service and front-desk people, by username (weight).
ANSWERERS = {
    "S001": {"staff1": 5, "zhangmin": 5, "zhouqian": 4, "supervisor1": 2, "zhaolei": 1, "mahao": 1},
    "S002": {"staff2": 5, "hanying": 5, "luojiayi": 4, "supervisor2": 2, "liuyang": 1, "songjie": 1},
}
# Who makes the outgoing calls (reminders, renewals, satisfaction calls).
CALLERS = {
    "S001": {"staff1": 4, "zhangmin": 4, "sunyue": 3, "mahao": 2},
    "S002": {"staff2": 4, "hanying": 4, "tangqian": 3, "songjie": 2},
}
# Colleagues callers ask for who are often away from their desk.
ABSENT = {
    "S001": ["mahao", "sunyue", "manager1", "zhaolei", "chenjing"],
    "S002": ["songjie", "tangqian", "manager2", "liuyang", "guomei"],
}

# Transcripts: good and poor openings, good and poor complaint handling (S2.2, S2.4, S2.6).
GOOD_OPENINGS = [
    "客服：您好，{store}{department}，我是{name}，请问有什么可以帮助您的？\n客户：你好，我想{topic}。\n"
    "客服：好的，请稍候，我帮您查一下。\n客户：好的，谢谢。\n客服：不客气，请问还有其他需要吗？",
    "客服：上午好，欢迎致电{store}{department}，我是{name}，很高兴为您服务。\n客户：我想{topic}。\n"
    "客服：没问题，我这边给您登记一下，稍后短信通知您。\n客户：好的。",
]
FAIR_OPENINGS = [
    "客服：您好，{store}，请问有什么可以帮您？\n客户：我想{topic}。\n客服：好的，我帮您安排。",
    "客服：您好，我是{name}。\n客户：我想{topic}。\n客服：可以，您说一下车牌号。",
]
POOR_OPENINGS = [
    "客服：喂？\n客户：喂，是4S店吗？我想{topic}。\n客服：对，你说。",
    "客服：喂，哪位？\n客户：我想{topic}。\n客服：这个你打配件部的电话问吧。",
]
TOPICS = ["预约保养", "问一下维修进度", "问一下保养价格", "改一下预约时间", "问问续保的事"]
GOOD_COMPLAINT = (
    "客服：您好，{store}{department}，我是{name}，请问有什么可以帮助您的？\n"
    "客户：我上周在你们这保养，{issue}，太不像话了！\n"
    "客服：非常抱歉给您带来不便，您反映的情况我已经记录下来，会立即报告负责人并尽快给您答复。"
    "请问您的联系电话是多少？\n客户：就是这个号码。\n客服：好的，我们明天中午前一定给您回复。"
)
POOR_COMPLAINT = (
    "客服：喂，你好。\n客户：我上周在你们这保养，{issue}，怎么回事？\n"
    "客服：这个不归我们管，你打维修车间的电话问吧。\n客户：你们就这么处理投诉？"
)

# Twelve complaints per store, oldest first, and how far each has got.
STAGES = [
    "closed",
    "closed_unreachable",
    "closed",
    "reopened",
    "closed_late",
    "follow_up",
    "follow_up_unreachable",
    "follow_up",
    "replied",
    "verifying",
    "acknowledged",
    "logged",
]
COMPLAINTS = [
    ("维修车间", "保养后车辆异响没有解决", "重新检查并免费处理异响", Severity.MEDIUM, "维修车间"),
    ("服务前台", "等了两个小时才交车，没人说明原因", "希望说明原因并改进", Severity.LOW, "服务前台接待区"),
    ("配件部", "预订的配件一直没有到货", "尽快给出到货时间", Severity.MEDIUM, "配件部"),
    ("服务前台", "结算金额比报价多了三百元", "退还多收的费用", Severity.HIGH, "服务前台结算处"),
    ("客户休息室", "休息室空调不制冷，等待时很闷热", "改善休息环境", Severity.LOW, "客户休息室"),
    ("维修车间", "取车时发现车门有划痕", "修复划痕并赔偿", Severity.HIGH, "交车区"),
    ("客服部", "预约好的时间到店却说没有登记", "道歉并优先安排", Severity.MEDIUM, "服务前台"),
    ("维修车间", "洗车后车内还有很多灰尘", "重新清洗", Severity.LOW, "洗车房"),
    ("服务前台", "服务顾问态度不耐烦", "希望更换服务顾问并道歉", Severity.MEDIUM, "服务前台"),
    ("维修车间", "更换刹车片后刹车发软", "立即复检确保安全", Severity.CRITICAL, "维修车间"),
    ("配件部", "更换的轮胎不是约定的品牌", "换回约定品牌的轮胎", Severity.HIGH, "配件部"),
    ("客户休息室", "休息区饮水机没有热水", "尽快修好饮水机", Severity.LOW, "客户休息室"),
]
REPLIES = [
    "已复检，问题已处理，并赠送一次免费洗车",
    "已核实情况并向客户道歉，后续将优先安排",
    "已退还多收费用，并说明了结算规则",
]


@dataclass
class StoreMonth:
    store: Store
    calendar: StoreCalendar
    people: dict
    answerers: list
    answerer_weights: list
    callers: list
    caller_weights: list
    customers: list
    departments: dict
    unknown: list = field(default_factory=list)
    messages: list = field(default_factory=list)  # (message, taken_at)


def load_phone_month(rng: random.Random, now: datetime) -> dict:
    """The month before `now`'s day for every demo store; returns counts per store."""
    today = timezone.localtime(now, TZ).date()
    days = [today - timedelta(days=n) for n in range(DAYS, 0, -1)]
    # The month ends when today begins, whatever the hour of the load: a call-back of yesterday's
    # last missed call that would fall today is left open, as it would be at 08:00.
    month_end = min(now, datetime.combine(today, time.min, tzinfo=TZ))
    counts = {}
    for store in Store.objects.order_by("code"):
        if store.code not in ANSWERERS:
            continue
        month = _store_month(rng, store)
        _calls(rng, month, days, month_end)
        _messages_backdate(month)
        _complaints(rng, month, days, now)
        counts[store.code] = _store_counts(store)
    return counts


def _store_counts(store) -> dict:
    calls = store.calls.all()
    return {
        "calls": calls.count(),
        "missed": calls.filter(outcome__in=[Outcome.MISSED, Outcome.DROPPED]).count(),
        "messages": Message.objects.filter(store=store).count(),
        "complaints": Complaint.objects.filter(store=store).count(),
    }


def _store_month(rng: random.Random, store: Store) -> StoreMonth:
    people = {u.username: u for u in User.objects.filter(store=store).select_related("department")}
    customers = list(Customer.objects.filter(store=store).order_by("id").prefetch_related("vehicles"))
    taken = {c.mobile for c in customers}
    unknown = []
    while len(unknown) < 60:
        number = rng.choice(["138", "139", "186", "135", "158", "177"]) + f"{rng.randint(0, 99_999_999):08d}"
        if number not in taken:
            taken.add(number)
            unknown.append(number)
    answerers = ANSWERERS[store.code]
    callers = CALLERS[store.code]
    return StoreMonth(
        store=store,
        calendar=StoreCalendar(store),
        people=people,
        answerers=[people[u] for u in answerers],
        answerer_weights=list(answerers.values()),
        callers=[people[u] for u in callers],
        caller_weights=list(callers.values()),
        customers=customers,
        departments={d.name: d for d in Department.objects.filter(store=store)},
        unknown=unknown,
    )


def _hours(month: StoreMonth, day: date):
    """The day's open hours within 08:30–18:00, or None when the store is closed."""
    span = month.calendar.interval(day)
    if span is None:
        return None
    opens = max(span[0], datetime.combine(day, DAY_OPENS, tzinfo=TZ))
    closes = min(span[1], datetime.combine(day, DAY_CLOSES, tzinfo=TZ))
    return (opens, closes) if opens < closes else None


def _caller(rng: random.Random, month: StoreMonth):
    """(number, customer or None): mostly the store's customers, some unknown numbers."""
    if rng.random() < d.CALLER_ON_FILE_SHARE:
        customer = rng.choice(month.customers)
        return customer.mobile or customer.landline, customer
    return rng.choice(month.unknown), None


def _transcript(rng: random.Random, month: StoreMonth, person, complaint_issue: str = "") -> str:
    values = {
        "store": month.store.name,
        "department": person.department.name if person.department_id else "",
        "name": person.name,
        "topic": rng.choice(TOPICS),
        "issue": complaint_issue,
    }
    if complaint_issue:
        template = GOOD_COMPLAINT if rng.random() < 0.7 else POOR_COMPLAINT
    else:
        roll = rng.random()
        template = rng.choice(GOOD_OPENINGS if roll < 0.6 else FAIR_OPENINGS if roll < 0.85 else POOR_OPENINGS)
    return template.format(**values)


def _calls(rng: random.Random, month: StoreMonth, days: list, now: datetime) -> None:
    """Every call of the month, in time order, through call_log (so promises keep and open as in real use)."""
    events = []  # (moment, order, kind, payload)
    for day in days:
        hours = _hours(month, day)
        if hours is None:
            continue
        opens, closes = hours
        for _n in range(rng.randint(*d.INBOUND_PER_DAY)):
            events.append((d.moment_in(rng, opens, closes), "in", None))
        for _n in range(rng.randint(*d.OUTBOUND_PER_DAY)):
            events.append((d.moment_in(rng, opens, closes), "out", None))
        for _n in range(rng.randint(*d.MESSAGES_PER_DAY)):
            events.append((d.moment_in(rng, opens, closes - timedelta(minutes=30)), "message", None))
    events.sort(key=lambda e: (e[0], e[1]))
    # call-backs come later than the call they return; kept in a second, time-ordered queue
    pending: list = []
    for moment, kind, _payload in events:
        pending.sort(key=lambda e: e[0])
        while pending and pending[0][0] <= moment:
            callback = pending.pop(0)
            with clock.at(callback[0]):
                _callback(month, *callback)
        with clock.at(moment):
            if kind == "in":
                _inbound(rng, month, moment, now, pending)
            elif kind == "out":
                _outbound(rng, month, moment)
            else:
                _message(rng, month, moment, now, pending)
    for item in sorted(pending, key=lambda e: e[0]):
        if item[0] < now:
            with clock.at(item[0]):
                _callback(month, *item)


def _inbound(rng: random.Random, month: StoreMonth, moment: datetime, now: datetime, pending: list) -> None:
    number, customer = _caller(rng, month)
    person = rng.choices(month.answerers, weights=month.answerer_weights)[0]
    roll = rng.random()
    data = {"direction": Direction.INBOUND, "number": number, "started_at": moment}
    if roll < d.MISSED_SHARE:
        data.update(outcome=Outcome.MISSED, ring_seconds=d.missed_ring_seconds(rng), answered_by=None)
        data["notes"] = "无人接听"
    elif roll < d.MISSED_SHARE + d.DROPPED_SHARE:
        data.update(outcome=Outcome.DROPPED, ring_seconds=d.ring_seconds(rng), answered_by=person)
        data.update(purpose=Purpose.ENQUIRY, notes="通话中断线")
    else:
        purpose = rng.choices(d.INBOUND_PURPOSE_CHOICES, weights=d.INBOUND_PURPOSE_WEIGHTS)[0]
        outcome = d.inbound_outcome(rng, purpose)
        data.update(purpose=purpose, outcome=outcome, ring_seconds=d.ring_seconds(rng), answered_by=person)
        data["notes"] = rng.choice(d.NOTES[purpose])
        data["hung_up_first"] = HungUpFirst.CALLER if rng.random() < 0.9 else HungUpFirst.STAFF
        if outcome == Outcome.TRANSFERRED:
            data["transferred_to"] = month.departments[rng.choice(d.TRANSFER_TARGETS)]
        if rng.random() < d.TRANSCRIPT_SHARE:
            data["transcript"] = _transcript(rng, month, person)
    if customer is not None:
        data["customer"] = customer
    call = call_log(actor=person, store=month.store, **data)
    if call.outcome in (Outcome.MISSED, Outcome.DROPPED):
        # most are called back within the 15 business minutes, some late, a few not yet
        delay = d.missed_callback_minutes(rng)
        if delay is None:
            return
        at = month.calendar.add(moment, delay * 60)
        if at < now:
            pending.append((at, call, person))


def _outbound(rng: random.Random, month: StoreMonth, moment: datetime) -> None:
    customer = rng.choice(month.customers)
    person = rng.choices(month.callers, weights=month.caller_weights)[0]
    purpose, note, _w = rng.choices(d.OUTBOUND, weights=d.OUTBOUND_WEIGHTS)[0]
    reached = rng.random() < d.OUTBOUND_REACHED_SHARE
    call_log(
        actor=person,
        store=month.store,
        direction=Direction.OUTBOUND,
        number=customer.mobile or customer.landline,
        customer=customer,
        purpose=purpose,
        outcome=Outcome.HANDLED if reached else Outcome.NO_ANSWER,
        notes=note if reached else "无人接听，稍后再打",
        started_at=moment,
        answered_by=person,
    )


def _callback(month: StoreMonth, at: datetime, call, person) -> None:
    """The outgoing call that returns a missed call or a message; call_log keeps the promise at `at`."""
    if isinstance(call, Message):
        number, customer, returns, note = call.caller_number, call.customer, call.call, "回复留言"
    else:
        number, customer, returns, note = call.number, call.customer, call, "回拨未接来电"
    call_log(
        actor=person,
        store=month.store,
        direction=Direction.OUTBOUND,
        number=number,
        customer=customer,
        purpose=Purpose.CALLBACK,
        outcome=Outcome.HANDLED,
        notes=note,
        returns_call=returns,
        started_at=at,
        answered_by=person,
    )


def _message(rng: random.Random, month: StoreMonth, moment: datetime, now: datetime, pending: list) -> None:
    """A caller asks for an absent colleague: the answerer takes a message with a call-back wanted."""
    number, customer = _caller(rng, month)
    person = rng.choices(month.answerers, weights=month.answerer_weights)[0]
    target = month.people[rng.choice(ABSENT[month.store.code])]
    data = {
        "direction": Direction.INBOUND,
        "number": number,
        "purpose": Purpose.SOMEONE,
        "outcome": Outcome.MESSAGE,
        "ring_seconds": d.ring_seconds(rng),
        "answered_by": person,
        "started_at": moment,
        "notes": f"找{target.name}，不在，已留言",
        "hung_up_first": HungUpFirst.CALLER,
    }
    if customer is not None:
        data["customer"] = customer
    call = call_log(actor=person, store=month.store, **data)
    name = customer.name if customer is not None else rng.choice("王李张刘陈杨赵") + rng.choice(["先生", "女士"])
    taken_at = moment + timedelta(minutes=2)
    with clock.at(taken_at):
        message = message_take(
            actor=person,
            store=month.store,
            call=call,
            for_user=target,
            caller_name=name[:50],
            caller_number=number,
            customer=customer,
            text=rng.choice(d.MESSAGE_TEXTS),
            callback_wanted=True,
        )
    month.messages.append((message, taken_at))
    delay = d.message_callback_minutes(rng)  # mostly within the two business hours, some late
    if delay is None:
        return  # still open
    at = month.calendar.add(taken_at, delay * 60)
    if at < now:
        pending.append((at, message, target))


def _messages_backdate(month: StoreMonth) -> None:
    """Move the messages and their call-back promises to when they were taken.

    message_take stamps the message and makes the promise with the real clock (its call-back time
    must lie in the future), so here the taken time and the promise's made, due, reminder and
    escalation times are set in one bulk update each; a call-back made before the new due time is
    kept on time, one after it late (as promise_keep decides).
    """
    if not month.messages:
        return
    promises = {p.pk: p for p in Promise.objects.filter(pk__in=[m.promise_id for m, _t in month.messages])}
    changed_messages, changed_promises = [], []
    for message, taken_at in month.messages:
        message.taken_at = taken_at
        changed_messages.append(message)
        promise = promises[message.promise_id]
        rule = rule_for(month.store.pk, promise.kind)
        promise.created_at = taken_at
        promise.due_at = month.calendar.add(taken_at, MESSAGE_CALLBACK_MINUTES * 60)
        total = month.calendar.elapsed(taken_at, promise.due_at)
        promise.remind_at = month.calendar.add(taken_at, total * rule.remind_at_percent / 100)
        promise.next_escalation_at = promise.due_at + timedelta(minutes=rule.escalate_supervisor_after_minutes)
        if promise.state != PromiseState.OPEN and promise.kept_at is not None:
            promise.state = PromiseState.KEPT if promise.kept_at <= promise.due_at else PromiseState.LATE
        changed_promises.append(promise)
    Message.objects.bulk_update(changed_messages, ["taken_at"])
    Promise.objects.bulk_update(changed_promises, ["created_at", "due_at", "remind_at", "next_escalation_at", "state"])


# ---------------------------------------------------------------------------------------------
# Complaints


def _handler(month: StoreMonth, department):
    """The department's supervisor, else the store manager."""
    for person in month.people.values():
        if person.role == "supervisor" and (
            person.department_id == department.pk or person.supervised_departments.filter(pk=department.pk).exists()
        ):
            return person
    return next(p for p in month.people.values() if p.role == "store_manager")


def _complaints(rng: random.Random, month: StoreMonth, days: list, now: datetime) -> None:
    """Twelve complaints, spread over the month, each taken as far as its stage says."""
    open_days = [d for d in days if _hours(month, d)]
    step = len(open_days) / len(STAGES)
    for index, stage in enumerate(STAGES):
        day = open_days[min(len(open_days) - 1, int(index * step + step / 2))]
        if stage == "logged":
            day = open_days[-1]
        opens, closes = _hours(month, day)
        moment = d.moment_in(rng, opens, closes - timedelta(hours=2))
        dept_name, issue, wants, severity, place = COMPLAINTS[index]
        _complaint(rng, month, stage, moment, now, dept_name, issue, wants, severity, place)


def _complaint(rng, month, stage, moment, now, dept_name, issue, wants, severity, place) -> Complaint:
    cal = month.calendar
    customer = rng.choice([c for c in month.customers if c.mobile])
    vehicle = customer.vehicles.all()[0]
    person = rng.choices(month.answerers, weights=month.answerer_weights)[0]
    with clock.at(moment):
        call = call_log(
            actor=person,
            store=month.store,
            direction=Direction.INBOUND,
            number=customer.mobile,
            customer=customer,
            purpose=Purpose.COMPLAINT,
            outcome=Outcome.COMPLAINT,
            ring_seconds=d.ring_seconds(rng),
            answered_by=person,
            started_at=moment,
            notes=issue,
            hung_up_first=HungUpFirst.CALLER,
            transcript=_transcript(rng, month, person, complaint_issue=issue),
        )
    department = month.departments[dept_name]
    staff = next((p for p in month.people.values() if p.department_id == department.pk), None)
    logged_at = moment + timedelta(minutes=6)
    with clock.at(logged_at):
        complaint = complaint_log(
            actor=person,
            store=month.store,
            call=call,
            vehicle=vehicle,
            now=logged_at,
            **{
                "channel": "phone",
                "severity": severity,
                "customer_name": customer.name,
                "contact_phone": customer.mobile,
                "vehicle_involved": True,
                "vehicle_model": vehicle.model,
                "plate": vehicle.plate,
                "department": department,
                "staff_involved": staff if rng.random() < 0.6 else None,
                "staff_unknown": True,
                "happened_at": moment - timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 5)),
                "place": place,
                "course": f"客户来电反映：{issue}。",
                "customer_wants": wants,
                "reply_promised_at": cal.add(logged_at, 6 * 3600),
            },
        )
    if stage == "logged":
        return complaint
    handler = _handler(month, department)
    at = cal.add(logged_at, rng.randint(5, 40) * 60)
    with clock.at(at):
        complaint = complaint_acknowledge(actor=handler, complaint=complaint, now=at)
    if stage == "acknowledged":
        return complaint
    at = cal.add(at, rng.randint(10, 40) * 60)
    asked = month.departments["维修车间" if dept_name != "维修车间" else "服务前台"]
    with clock.at(at):
        (verification,) = verification_request(
            actor=handler, complaint=complaint, departments=[asked], question=f"请核实：{issue}", now=at
        )
    if stage == "verifying":
        return complaint
    at = cal.add(at, rng.randint(30, 110) * 60)
    with clock.at(at):
        verification_answer(
            actor=_handler(month, asked), verification=verification, answer="已核实，情况属实，已安排处理。", now=at
        )
    late = stage == "closed_late"
    at = cal.add(logged_at, (rng.randint(8, 12) if late else rng.randint(3, 5)) * 3600)
    with clock.at(at):
        complaint = complaint_reply(
            actor=handler, complaint=complaint, channel=ReplyChannel.PHONE, text=rng.choice(REPLIES), now=at
        )
    if stage == "replied":
        return complaint
    follow = cal.add(at, 8 * 3600)
    if stage.endswith("unreachable"):
        for attempt in range(3):
            with clock.at(cal.add(follow, attempt * 3600)) as tried:
                complaint = complaint_followup(actor=person, complaint=complaint, reached=False, now=tried)
    else:
        score = {"follow_up": rng.choice([2, 4]), "closed_late": 3}.get(stage, rng.choice([4, 5, 5]))
        with clock.at(follow):
            complaint = complaint_followup(
                actor=person, complaint=complaint, reached=True, score=score, comment="对处理结果基本满意", now=follow
            )
    if stage.startswith("follow_up"):
        return complaint
    closed = cal.add(follow, 3 * 3600)
    with clock.at(closed):
        complaint = complaint_close(actor=handler, complaint=complaint, now=closed)
    if stage == "reopened":
        again = cal.add(closed, 9 * 3600)
        with clock.at(again):
            complaint = complaint_reopen(
                actor=handler,
                complaint=complaint,
                reason="客户反映问题再次出现",
                reply_promised_at=cal.add(again, 8 * 3600),
                now=again,
            )
    assert complaint.state in (ComplaintState.CLOSED, ComplaintState.ACKNOWLEDGED)
    return complaint
