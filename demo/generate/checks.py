"""A store's hygiene rounds (S4.6–S4.10): the worker's round at every slot of the lounge area with its promise,
started and submitted by an attendant (items copied into results, answered, scored, on time or late),
about one in ten missed (the promise broken), failed items turned into corrective actions with their
own promise, mostly put right — as checks.services.rounds and .actions write them.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from checks.choices import ActionState, ItemKind, RoundState
from checks.links import action_url, round_url
from checks.models import CorrectiveAction, Round, RoundResult
from checks.services.actions import CORRECTION_BUSINESS_MINUTES
from core.models import HistoryAction
from demo import distributions as d
from promises.choices import PromiseKind

from .base import url_template

ROUND_COLUMNS = (
    "id",
    "store_id",
    "area_id",
    "template_id",
    "template_name",
    "purpose",
    "scheduled_for",
    "due_at",
    "promise_id",
    "state",
    "started_at",
    "submitted_at",
    "submitted_by_id",
    "on_time",
    "item_count",
    "failed_count",
    "score",
)
RESULT_COLUMNS = (
    "id",
    "round_id",
    "store_id",
    "item_id",
    "position",
    "text",
    "rule_id",
    "kind",
    "max_value",
    "min_value",
    "unit",
    "photo_on_fail",
    "passed",
    "value",
    "comment",
)
ACTION_COLUMNS = (
    "id",
    "store_id",
    "result_id",
    "description",
    "owner_department_id",
    "promise_id",
    "state",
    "created_at",
    "done_at",
    "done_by_id",
    "done_note",
)


def register(sink) -> None:
    sink.register(Round, ROUND_COLUMNS)
    sink.register(RoundResult, RESULT_COLUMNS)
    sink.register(CorrectiveAction, ACTION_COLUMNS)


class StoreChecks:
    def __init__(self, gen, setup):
        self.gen, self.setup = gen, setup
        p = setup.people
        self.people = [p["attendant"], p["attendant2"], p["attendant3"], p["lounge_supervisor"]]
        self.weights = [6, 5, 4, 2]
        self.texts = {
            "title": _("Round of %(area)s at %(slot)s: %(template)s"),
            "scheduled": _("Scheduled"),
            "missed": _("Missed"),
            "not_done": _("The round was not done before the next one began."),
            "put_right": _("Put right (%(area)s): %(item)s"),
            "round_url": url_template(round_url(type("R", (), {"pk": 999999999})())),
            "action_url": url_template(action_url(type("A", (), {"pk": 999999999})())),
            "states": {c.value: str(c.label) for c in RoundState},
        }

    def run(self) -> None:
        gen, setup = self.gen, self.setup
        area = setup.area
        if area is None or not setup.items:
            return
        step = timedelta(minutes=area.every_minutes)
        day = gen.first_day
        while day <= gen.last_day:
            hours = setup.clock.interval(day)
            day += timedelta(days=1)
            if hours is None:
                continue
            opens, closes = hours
            slots = []
            slot = opens
            while slot < closes:
                slots.append(slot)
                slot += step
            for index, slot in enumerate(slots):
                following = slots[index + 1] if index + 1 < len(slots) else None
                if slot + timedelta(minutes=area.due_within_minutes) > gen.now:
                    break
                self.round(slot, following)

    def round(self, slot, following) -> None:
        gen, setup, rng = self.gen, self.setup, self.gen.rng
        area = setup.area
        texts, states = self.texts, self.texts["states"]
        store_id = setup.store.pk
        pk = gen.ids.take(Round)
        due = slot + timedelta(minutes=area.due_within_minutes)
        local = slot.astimezone(gen.now.tzinfo)
        title = texts["title"] % {"template": area.template.name, "area": area.name, "slot": f"{local:%m-%d %H:%M}"}
        missed = rng.random() < d.ROUND_MISSED_SHARE
        person = rng.choices(self.people, weights=self.weights)[0]
        if rng.random() < d.ROUND_LATE_SHARE:
            started = slot + timedelta(minutes=rng.uniform(27, 38))
            submitted = started + timedelta(minutes=rng.uniform(5, 11))
        else:
            started = slot + timedelta(minutes=rng.uniform(1, 18))
            submitted = started + timedelta(minutes=rng.uniform(3, 8))
        missed_at = following or slot + timedelta(minutes=area.every_minutes)
        if missed or submitted >= gen.now:
            end = (missed_at, "broken", None, texts["not_done"]) if missed_at < gen.now else None
        else:
            end = (submitted, "kept", person, "")
        promise = gen.promise(
            store_id=store_id,
            clock=None,
            kind=PromiseKind.CHECK_ROUND,
            rule_id=setup.items[0].rule_id,
            title=title,
            subject_model=Round,
            subject_id=pk,
            url=texts["round_url"].format(pk),
            made_at=slot,
            due_at=due,
            department_id=area.department_id,
            end=end,
        )
        history = gen.history
        history(store_id=store_id, model=Round, object_id=pk, repr_=area.template.name, action=HistoryAction.CREATE,
                actor_id=None, at=slot, changes={"scheduled_for": ["", local.isoformat()], "state": ["", states["open"]]},
                note=texts["scheduled"])  # fmt: skip
        state = RoundState.OPEN
        item_count = failed_count = 0
        score = None
        on_time = None
        if end is not None and end[1] == "broken":
            state = RoundState.MISSED
            history(store_id=store_id, model=Round, object_id=pk, repr_=area.template.name, action=HistoryAction.UPDATE,
                    actor_id=None, at=missed_at, changes={"state": [states["open"], states["missed"]]},
                    note=texts["missed"])  # fmt: skip
        elif end is not None:
            state = RoundState.DONE
            failures = set()
            if rng.random() < d.ROUND_FAILED_SHARE:
                count = 1 if rng.random() < 0.8 else 2
                while len(failures) < count:
                    failures.add(rng.choices(d.FAILURES, weights=d.FAILURE_WEIGHTS)[0])
            failed_by_word = {f[0]: f for f in failures}
            item_count = len(setup.items)
            first_result = gen.ids.take(RoundResult, item_count)
            for position, item in enumerate(setup.items, start=1):
                failure = next((f for w, f in failed_by_word.items() if w in item.text), None)
                value = None
                comment = ""
                if item.kind == ItemKind.MEASURED:
                    value = Decimal(rng.randint(3, 6)) if failure else Decimal(rng.choice([0, 0, 0, 1, 1, 2]))
                    passed = not (item.max_value is not None and value > item.max_value)
                else:
                    passed = failure is None
                if failure:
                    comment = failure[1].format(value=value)
                result_id = first_result + position - 1
                gen.sink.add(
                    RoundResult,
                    (
                        result_id,
                        pk,
                        store_id,
                        item.pk,
                        position,
                        item.text,
                        item.rule_id,
                        item.kind,
                        item.max_value,
                        item.min_value,
                        item.unit,
                        item.photo_on_fail,
                        passed,
                        value,
                        comment,
                    ),
                )
                if not passed:
                    failed_count += 1
                    self.action(result_id, item, failure, submitted, person)
            passed_count = item_count - failed_count
            score = (Decimal(passed_count * 100) / Decimal(item_count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            on_time = submitted <= due
            history(store_id=store_id, model=Round, object_id=pk, repr_=area.template.name, action=HistoryAction.UPDATE,
                    actor_id=person, at=submitted,
                    changes={"state": [states["open"], states["done"]], "score": ["", str(score)]})  # fmt: skip
        gen.sink.add(
            Round,
            (
                pk,
                store_id,
                area.pk,
                area.template_id,
                area.template.name,
                area.template.purpose,
                slot,
                due,
                promise,
                state,
                started if state == RoundState.DONE else None,
                submitted if state == RoundState.DONE else None,
                person if state == RoundState.DONE else None,
                on_time,
                item_count,
                failed_count,
                score,
            ),
        )

    def action(self, result_id, item, failure, submitted, person) -> None:
        gen, setup, rng = self.gen, self.setup, self.gen.rng
        area = setup.area
        pk = gen.ids.take(CorrectiveAction)
        description = (failure[1].format(value="") if failure else item.text)[:300]
        clock = setup.clock
        recent = submitted > gen.now - timedelta(days=2)
        done_at = None
        if not (rng.random() < (0.5 if recent else 0.04)):
            done_at = clock.add(submitted, rng.uniform(8, 50) * 60)
            if done_at >= gen.now:
                done_at = None
        done_by = rng.choices(self.people, weights=self.weights)[0] if done_at else None
        promise = gen.promise(
            store_id=setup.store.pk,
            clock=clock,
            kind=PromiseKind.CHECK_CORRECTION,
            rule_id=item.rule_id,
            title=self.texts["put_right"] % {"area": area.name, "item": item.text},
            subject_model=CorrectiveAction,
            subject_id=pk,
            url=self.texts["action_url"].format(pk),
            made_at=submitted,
            due_at=clock.add(submitted, CORRECTION_BUSINESS_MINUTES * 60),
            department_id=area.department_id,
            made_by=person,
            end=(done_at, "kept", done_by, "") if done_at else None,
        )
        state = ActionState.DONE if done_at else ActionState.OPEN
        gen.sink.add(
            CorrectiveAction,
            (
                pk,
                setup.store.pk,
                result_id,
                description,
                area.department_id,
                promise,
                state,
                submitted,
                done_at,
                done_by,
                failure[2] if failure and done_at else "",
            ),
        )
        gen.history(store_id=setup.store.pk, model=CorrectiveAction, object_id=pk, repr_=description,
                    action=HistoryAction.CREATE, actor_id=person, at=submitted,
                    changes={"description": ["", description]})  # fmt: skip
