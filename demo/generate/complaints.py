"""Complaints (S2.4, S2.6): the complaint call, the complaint and its stages — acknowledged, verified with a
department, replied, followed up, closed, a few reopened — each with its promise, history line and
verification, as complaints.services write them; a stage that would fall after the end of the data set
has not happened yet, so the last days hold complaints in every stage.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils.translation import gettext as _

from complaints.choices import ComplaintState, ReplyChannel
from complaints.models import Complaint, Verification
from complaints.services.complaints import ACK_BUSINESS_MINUTES, VERIFY_BUSINESS_MINUTES
from core.models import HistoryAction
from demo import distributions as d
from demo.builders.phone import COMPLAINTS, REPLIES
from phone.choices import Direction, HungUpFirst, Outcome, Purpose
from promises.choices import PromiseKind

from .base import url_template

COMPLAINT_COLUMNS = (
    "id",
    "store_id",
    "number",
    "channel",
    "call_id",
    "customer_id",
    "customer_name",
    "contact_phone",
    "vehicle_id",
    "vehicle_involved",
    "vehicle_model",
    "plate",
    "department_id",
    "staff_involved_id",
    "staff_unknown",
    "happened_at",
    "place",
    "course",
    "customer_wants",
    "severity",
    "reply_promised_at",
    "state",
    "logged_at",
    "logged_by_id",
    "acknowledged_at",
    "acknowledged_by_id",
    "ack_minutes",
    "reply_at",
    "reply_by_id",
    "reply_channel",
    "reply_text",
    "reply_on_time",
    "satisfaction_score",
    "satisfaction_comment",
    "followup_attempts",
    "unreachable",
    "closed_at",
    "closed_by_id",
    "reopened_count",
    "reopen_reason",
    "ack_promise_id",
    "reply_promise_id",
)
VERIFICATION_COLUMNS = (
    "id",
    "complaint_id",
    "department_id",
    "question",
    "asked_at",
    "asked_by_id",
    "answer",
    "answered_at",
    "answered_by_id",
    "promise_id",
)
HANDLERS = {
    "客服部": "cs_supervisor",
    "续保部": "cs_supervisor",
    "服务前台": "fd_supervisor",
    "维修车间": "fd_supervisor",
    "配件部": "fd_supervisor",
    "客户休息室": "lounge_supervisor",
    "休闲中心": "lounge_supervisor",
}
STAFF_OF = {"服务前台": "advisor", "维修车间": "technician", "配件部": "parts", "客户休息室": "attendant2"}
REOPEN_SHARE = 0.04
UNREACHABLE_SHARE = 0.08
LATE_SHARE = 0.1


def register(sink) -> None:
    sink.register(Complaint, COMPLAINT_COLUMNS)
    sink.register(Verification, VERIFICATION_COLUMNS)


_texts: dict = {}


def _t() -> dict:
    if not _texts:
        _texts.update(
            ack=_("Acknowledge complaint %(number)s"),
            reply=_("Reply to complaint %(number)s"),
            verify=_("Verify complaint %(number)s"),
            url=url_template(reverse("complaints:complaint_detail", kwargs={"complaint_pk": 999999999})),
            inbox=reverse("complaints:verification_inbox"),
            states={c.value: str(c.label) for c in ComplaintState},
        )
    return _texts


def complaint_generate(phone, moment, customer, person, seq: int, year: int) -> None:
    """One complaint taken on the telephone at `moment`, carried as far as the end of the data set allows."""
    gen, setup = phone.gen, phone.setup
    rng, clock, now = gen.rng, setup.clock, gen.now
    texts = _t()
    store_id = setup.store.pk
    dept_name, issue, wants, severity, place = rng.choice(COMPLAINTS)
    vehicle_id, plate, model = customer.vehicles[0]
    call_id = phone.call(
        direction=Direction.INBOUND,
        number=customer.number,
        digits=customer.digits,
        customer=customer,
        started=moment,
        person=person,
        outcome=Outcome.COMPLAINT,
        purpose=Purpose.COMPLAINT,
        notes=issue,
        ring=d.ring_seconds(rng),
        hung_up=HungUpFirst.CALLER,
        transcript=phone.transcript(person, issue),
    )
    pk = gen.ids.take(Complaint)
    number = f"C-{setup.store.code}-{year}-{seq:04d}"
    department = setup.departments[dept_name]
    handler = setup.people[HANDLERS[dept_name]]
    staff = setup.people.get(STAFF_OF.get(dept_name, "")) if rng.random() < 0.6 else None
    logged = moment + timedelta(minutes=6)
    reply_promised = clock.add(logged, 6 * 3600)
    url = texts["url"].format(pk)
    c = {
        "state": ComplaintState.LOGGED,
        "acknowledged_at": None,
        "acknowledged_by": None,
        "ack_minutes": None,
        "reply_at": None,
        "reply_by": None,
        "reply_channel": "",
        "reply_text": "",
        "reply_on_time": None,
        "score": None,
        "comment": "",
        "attempts": 0,
        "unreachable": False,
        "closed_at": None,
        "closed_by": None,
        "reopened": 0,
        "reopen_reason": "",
    }
    states = texts["states"]

    def history(at, actor, changes, action=HistoryAction.UPDATE, note=""):
        gen.history(
            store_id=store_id,
            model=Complaint,
            object_id=pk,
            repr_=number,
            action=action,
            actor_id=actor,
            at=at,
            changes=changes,
            note=note,
        )

    history(
        logged,
        person,
        {"number": ["", number], "state": ["", states[ComplaintState.LOGGED]], "customer_name": ["", customer.name]},
        action=HistoryAction.CREATE,
    )
    # The plan: every stage's moment; those after `now` do not happen.
    ack_at = clock.add(logged, rng.randint(5, 40) * 60)
    ask_at = clock.add(ack_at, rng.randint(10, 40) * 60)
    answer_at = clock.add(ask_at, rng.randint(30, 110) * 60)
    late = rng.random() < LATE_SHARE
    reply_at = clock.add(logged, (rng.randint(8, 12) if late else rng.randint(3, 5)) * 3600)
    reply_at = max(reply_at, answer_at + timedelta(minutes=5))
    follow_at = clock.add(reply_at, 8 * 3600)
    unreachable = rng.random() < UNREACHABLE_SHARE
    close_at = clock.add(follow_at, (5 if unreachable else 3) * 3600)
    reopen_at = clock.add(close_at, 9 * 3600) if rng.random() < REOPEN_SHARE else None

    def happened(at):
        return at < now

    ack_end = (ack_at, "kept", handler, "") if happened(ack_at) else None
    ack_promise = gen.promise(
        store_id=store_id,
        clock=clock,
        kind=PromiseKind.COMPLAINT_ACK,
        rule_id="S2.6",
        title=texts["ack"] % {"number": number},
        subject_model=Complaint,
        subject_id=pk,
        url=url,
        made_at=logged,
        due_at=clock.add(logged, ACK_BUSINESS_MINUTES * 60),
        department_id=department,
        made_by=person,
        end=ack_end,
    )
    reply_end = (reply_at, "kept", handler, "") if happened(reply_at) else None
    reply_promise = gen.promise(
        store_id=store_id,
        clock=None,
        kind=PromiseKind.COMPLAINT_REPLY,
        rule_id="S2.6",
        title=texts["reply"] % {"number": number},
        subject_model=Complaint,
        subject_id=pk,
        url=url,
        made_at=logged,
        due_at=reply_promised,
        department_id=department,
        made_by=person,
        end=reply_end,
    )
    if happened(ack_at):
        c.update(state=ComplaintState.ACKNOWLEDGED, acknowledged_at=ack_at, acknowledged_by=handler)
        c["ack_minutes"] = round((ack_at - logged).total_seconds() / 60, 1)
        history(ack_at, handler, {"state": [states["logged"], states["acknowledged"]]})
    if happened(ask_at):
        asked = setup.departments["维修车间" if dept_name != "维修车间" else "服务前台"]
        asked_name = "维修车间" if dept_name != "维修车间" else "服务前台"
        answered = happened(answer_at)
        answerer = setup.people[HANDLERS[asked_name]]
        v_pk = gen.ids.take(Verification)
        v_promise = gen.promise(
            store_id=store_id,
            clock=clock,
            kind=PromiseKind.COMPLAINT_VERIFICATION,
            rule_id="S2.6",
            title=texts["verify"] % {"number": number},
            subject_model=Verification,
            subject_id=v_pk,
            url=texts["inbox"],
            made_at=ask_at,
            due_at=clock.add(ask_at, VERIFY_BUSINESS_MINUTES * 60),
            department_id=asked,
            made_by=handler,
            end=(answer_at, "kept", answerer, "") if answered else None,
        )
        gen.sink.add(
            Verification,
            (
                v_pk,
                pk,
                asked,
                f"请核实：{issue}",
                ask_at,
                handler,
                "已核实，情况属实，已安排处理。" if answered else "",
                answer_at if answered else None,
                answerer if answered else None,
                v_promise,
            ),
        )
        c["state"] = ComplaintState.VERIFYING
        history(ask_at, handler, {"state": [states["acknowledged"], states["verifying"]]}, note=asked_name)
        if answered:
            history(answer_at, answerer, {"verification": ["", "已核实，情况属实，已安排处理。"]}, note=asked_name)
    if happened(reply_at):
        c.update(state=ComplaintState.REPLIED, reply_at=reply_at, reply_by=handler, reply_channel=ReplyChannel.PHONE)
        c.update(reply_text=rng.choice(REPLIES), reply_on_time=reply_at <= reply_promised)
        history(
            reply_at, handler, {"state": [states["verifying"], states["replied"]], "reply_text": ["", c["reply_text"]]}
        )
    if happened(follow_at):
        c["state"] = ComplaintState.FOLLOW_UP
        if unreachable:
            for attempt in range(3):
                at = clock.add(follow_at, attempt * 3600)
                if happened(at):
                    c["attempts"] = attempt + 1
                    history(at, person, {"followup_attempts": [str(attempt), str(attempt + 1)]})
            c["unreachable"] = c["attempts"] >= 3
        else:
            c["score"] = 3 if late else rng.choice([2, 4, 4, 5, 5, 5])
            c["comment"] = "对处理结果基本满意"
            history(
                follow_at,
                person,
                {"state": [states["replied"], states["follow_up"]], "satisfaction_score": ["", str(c["score"])]},
            )
    if happened(close_at) and c["state"] == ComplaintState.FOLLOW_UP and (not unreachable or c["unreachable"]):
        c.update(state=ComplaintState.CLOSED, closed_at=close_at, closed_by=handler)
        history(close_at, handler, {"state": [states["follow_up"], states["closed"]]})
        if reopen_at is not None and happened(reopen_at):
            promised = clock.add(reopen_at, 8 * 3600)
            # handled again: a second reply, follow-up and closing, as far as the end allows
            again = clock.add(reopen_at, rng.randint(3, 7) * 3600)
            again_follow = clock.add(again, 8 * 3600)
            again_close = clock.add(again_follow, 3 * 3600)
            reply_promise = gen.promise(
                store_id=store_id,
                clock=None,
                kind=PromiseKind.COMPLAINT_REPLY,
                rule_id="S2.6",
                title=texts["reply"] % {"number": number},
                subject_model=Complaint,
                subject_id=pk,
                url=url,
                made_at=reopen_at,
                due_at=promised,
                department_id=department,
                made_by=handler,
                end=(again, "kept", handler, "") if happened(again) else None,
            )
            reply_promised = promised
            c.update(state=ComplaintState.ACKNOWLEDGED, reopened=1, reopen_reason="客户反映问题再次出现")
            c.update(reply_at=None, reply_by=None, reply_channel="", reply_text="", reply_on_time=None)
            c.update(score=None, comment="", attempts=0, unreachable=False, closed_at=None, closed_by=None)
            history(
                reopen_at, handler, {"state": [states["closed"], states["acknowledged"]]}, note="客户反映问题再次出现"
            )
            if happened(again):
                c.update(
                    state=ComplaintState.REPLIED, reply_at=again, reply_by=handler, reply_channel=ReplyChannel.PHONE
                )
                c.update(reply_text=rng.choice(REPLIES), reply_on_time=again <= promised)
                history(again, handler, {"state": [states["acknowledged"], states["replied"]]})
            if happened(again_follow):
                c.update(state=ComplaintState.FOLLOW_UP, score=rng.choice([3, 4, 4, 5]), comment="问题已解决")
                history(again_follow, person, {"state": [states["replied"], states["follow_up"]]})
            if happened(again_close):
                c.update(state=ComplaintState.CLOSED, closed_at=again_close, closed_by=handler)
                history(again_close, handler, {"state": [states["follow_up"], states["closed"]]})
    gen.sink.add(
        Complaint,
        (
            pk,
            store_id,
            number,
            "phone",
            call_id,
            customer.pk,
            customer.name,
            customer.number,
            vehicle_id,
            True,
            model,
            plate,
            department,
            staff,
            staff is None,
            moment - timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 5)),
            place,
            f"客户来电反映：{issue}。",
            wants,
            severity,
            reply_promised,
            c["state"],
            logged,
            person,
            c["acknowledged_at"],
            c["acknowledged_by"],
            c["ack_minutes"],
            c["reply_at"],
            c["reply_by"],
            c["reply_channel"],
            c["reply_text"],
            c["reply_on_time"],
            c["score"],
            c["comment"],
            c["attempts"],
            c["unreachable"],
            c["closed_at"],
            c["closed_by"],
            c["reopened"],
            c["reopen_reason"],
            ack_promise,
            reply_promise,
        ),
    )
