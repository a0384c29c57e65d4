"""The demo's simulated clock (demo/clock.py): what is written inside `at(moment)` carries that moment."""

import time_machine

from core.models import HistoryEntry
from demo import clock
from org.choices import Role
from org.models import DealerGroup
from promises.choices import NotificationKind, PromiseKind
from promises.models import Notification, PromiseEvent, WebhookDelivery
from promises.services import notification_send, promise_make
from tests.clock import at
from tests.factories import make_customer, make_store, make_user

LOADED = at("2026-11-27 17:30")  # when the demo is loaded
PLAYED = at("2026-11-03 10:12")  # the moment a builder plays
ROBOT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7a0c-4bc4-97a0-0ec2sifa5aaa"


def test_history_promise_events_bells_and_deliveries_written_at_a_played_moment_carry_it(db):
    store = make_store(DealerGroup.objects.create(name="集团"), "S001", "亦庄店")
    store.wecom_webhook_url = ROBOT
    store.save()
    person = make_user("staff1", role=Role.STAFF, store=store)

    with time_machine.travel(LOADED, tick=False):
        with clock.at(PLAYED):
            customer = make_customer(store, actor=person)
            promise = promise_make(
                store=store,
                kind=PromiseKind.MISSED_CALLBACK,
                rule_id="S2.3",
                title="回电",
                owner=person,
                business_minutes=15,
                now=PLAYED,
            )
            notification_send(
                recipients=[person], store=store, title="回电", kind=NotificationKind.REMINDER, promise=promise
            )
        later = make_customer(store, actor=person, name="李四", mobile="13912345678")

    assert HistoryEntry.objects.get(object_id=customer.pk, object_repr=str(customer)).at == PLAYED
    assert set(PromiseEvent.objects.filter(promise=promise).values_list("at", flat=True)) == {PLAYED}
    assert Notification.objects.get(promise=promise).created_at == PLAYED
    assert WebhookDelivery.objects.get(store=store).created_at == PLAYED
    # outside the block the real clock again
    assert HistoryEntry.objects.get(object_id=later.pk, object_repr=str(later)).at == LOADED


def test_a_block_inside_another_plays_its_own_moment_and_gives_the_outer_one_back(db):
    store = make_store(DealerGroup.objects.create(name="集团"), "S001", "亦庄店")
    inner = at("2026-11-03 10:20")

    with time_machine.travel(LOADED, tick=False):
        with clock.at(PLAYED):
            first = make_customer(store)
            with clock.at(inner):
                second = make_customer(store, name="李四", mobile="13912345678")
            third = make_customer(store, name="王五", mobile="13712345678")
        assert clock.simulated_now() == LOADED

    moments = dict(HistoryEntry.objects.values_list("object_id", "at"))
    assert (moments[first.pk], moments[second.pk], moments[third.pk]) == (PLAYED, inner, PLAYED)
