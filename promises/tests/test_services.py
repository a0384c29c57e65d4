"""Promise clocks: making, keeping, pausing; reminders and escalations with a moved clock (S1.4, S1.D2)."""

import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from promises import services
from promises.choices import PromiseState
from promises.models import Notification, Promise, PromiseRule, WebhookDelivery
from tests.clock import at

TZ = ZoneInfo("Asia/Shanghai")


def make(world, minutes=120, now="2026-11-27 17:30", owner=None, **kw):
    return services.promise_make(
        store=world.a.store,
        kind="callback",
        rule_id="S2.3",
        title="回电 张三",
        actor=world.a.staff,
        owner=owner or world.a.staff,
        business_minutes=minutes,
        now=at(now),
        **kw,
    )


def test_due_time_is_in_business_hours_and_reminder_at_80_percent(world):
    promise = make(world)
    assert promise.due_at == at("2026-11-28 10:00")
    # 80% of 120 business minutes = 96: 30 on Friday, 66 on Saturday from 08:30
    assert promise.remind_at == at("2026-11-28 09:36")
    assert promise.next_escalation_at == promise.due_at


def test_keep_on_time_or_late(world):
    promise = services.promise_keep(promise=make(world), actor=world.a.staff, at=at("2026-11-28 09:00"))
    assert promise.state == PromiseState.KEPT
    late = services.promise_keep(promise=make(world), actor=world.a.staff, at=at("2026-11-28 11:00"))
    assert late.state == PromiseState.LATE
    again = services.promise_keep(promise=late, actor=world.a.staff, at=at("2026-11-28 12:00"))
    assert again.kept_at == at("2026-11-28 11:00")


def test_a_promise_needs_an_owner_and_a_time(world):
    with pytest.raises(ValidationError):
        services.promise_make(store=world.a.store, kind="x", rule_id="S2.3", title="t", business_minutes=10)
    with pytest.raises(ValidationError):
        services.promise_make(store=world.a.store, kind="x", rule_id="S2.3", title="t", owner=world.a.staff)
    with pytest.raises(ValidationError):
        services.promise_make(
            store=world.a.store, kind="x", rule_id="S2.3", title="t", owner=world.b.staff, business_minutes=10
        )
    assert not Promise.objects.exists()


def test_cancel_needs_a_reason(world):
    promise = make(world)
    with pytest.raises(ValidationError):
        services.promise_cancel(promise=promise, actor=world.a.manager, reason=" ")
    promise = services.promise_cancel(promise=promise, actor=world.a.manager, reason="客户已到店")
    assert promise.state == PromiseState.CANCELLED


def test_pause_and_resume_keep_the_time_left(world):
    promise = make(world)  # due Saturday 10:00
    promise = services.promise_pause(
        promise=promise, actor=world.a.staff, reason="等客户回复", now=at("2026-11-27 17:45")
    )
    assert promise.remaining_seconds == pytest.approx(105 * 60)
    promise = services.promise_resume(promise=promise, actor=world.a.staff, now=at("2026-11-30 09:00"))
    assert promise.due_at == at("2026-11-30 10:45")
    assert promise.paused_at is None


def test_reminder_then_escalations_with_a_moved_clock_never_twice(world):
    PromiseRule.objects.create(
        kind="callback", remind_at_percent=50, escalate_supervisor_after_minutes=0, escalate_manager_after_minutes=30
    )
    promise = make(world, minutes=60, now="2026-11-30 09:00")  # due 10:00, remind 09:30
    assert services.reminders_send_due(now=at("2026-11-30 09:29")) == 0
    assert services.reminders_send_due(now=at("2026-11-30 09:31")) == 1
    assert services.reminders_send_due(now=at("2026-11-30 09:40")) == 0
    assert Notification.objects.filter(recipient=world.a.staff, kind="reminder").count() == 1
    assert services.escalations_send_due(now=at("2026-11-30 09:59")) == 0
    assert services.escalations_send_due(now=at("2026-11-30 10:01")) == 1
    assert Notification.objects.filter(recipient=world.a.supervisor, kind="escalation").count() == 1
    assert services.escalations_send_due(now=at("2026-11-30 10:10")) == 0
    assert services.escalations_send_due(now=at("2026-11-30 10:31")) == 1
    assert Notification.objects.filter(recipient=world.a.manager, kind="escalation").count() == 1
    assert services.escalations_send_due(now=at("2026-11-30 12:00")) == 0
    promise.refresh_from_db()
    assert promise.escalation_level == 2 and promise.next_escalation_at is None
    # nobody of store B hears of it
    assert not Notification.objects.filter(recipient__store=world.b.store).exists()


def test_kept_or_paused_promises_are_not_reminded_or_escalated(world):
    kept = make(world, minutes=60, now="2026-11-30 09:00")
    services.promise_keep(promise=kept, actor=world.a.staff, at=at("2026-11-30 09:10"))
    paused = make(world, minutes=60, now="2026-11-30 09:00")
    services.promise_pause(promise=paused, actor=world.a.staff, reason="等待", now=at("2026-11-30 09:10"))
    done = services.worker_tick(now=at("2026-11-30 18:00"))
    assert (done["reminders"], done["escalations"], done["webhooks"]) == (0, 0, 0)


def test_a_department_desk_promise_goes_to_its_members(world):
    services.promise_make(
        store=world.a.store,
        kind="callback",
        rule_id="S2.10",
        title="回拨未接来电",
        owner_department=world.a.cs,
        business_minutes=15,
        now=at("2026-11-30 09:00"),
    )
    services.reminders_send_due(now=at("2026-11-30 09:13"))
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"supervisor1", "staff1"}


@time_machine.travel(at("2026-11-30 09:50"), tick=False)  # the post is queued at the reminder's time
def test_webhook_is_posted_retried_with_back_off_and_never_raises(world):
    world.a.store.wecom_webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=test"
    world.a.store.save()
    make(world, minutes=60, now="2026-11-30 09:00")
    services.reminders_send_due(now=at("2026-11-30 09:50"))
    delivery = WebhookDelivery.objects.get()
    assert delivery.payload["msgtype"] == "text" and "回电 张三" in delivery.payload["text"]["content"]
    calls = []

    def failing(url, payload):
        calls.append(url)
        return "connection refused"

    assert services.webhooks_deliver(now=at("2026-11-30 09:50"), post=failing) == 0
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.next_attempt_at == at("2026-11-30 09:50:30")
    assert services.webhooks_deliver(now=at("2026-11-30 09:50:10"), post=failing) == 0  # not yet
    assert services.webhooks_deliver(now=at("2026-11-30 09:51"), post=lambda u, p: "") == 1
    delivery.refresh_from_db()
    assert delivery.delivered_at and delivery.attempts == 2 and len(calls) == 1


def test_real_post_to_an_unreachable_webhook_returns_an_error():
    from promises.wecom import post_json

    assert post_json("http://127.0.0.1:9/nothing", {"msgtype": "text"}, timeout=1)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_send_the_same_reminder(world):
    """On PostgreSQL two workers run at once and skip each other's locked rows (SKIP LOCKED).

    SQLite (the one-machine mode) runs a single worker; there the two rounds run one after the other.
    """
    for _n in range(30):
        make(world, minutes=60, now="2026-11-30 09:00", owner=world.a.staff)
    concurrent = connection.vendor == "postgresql"
    barrier = threading.Barrier(2 if concurrent else 1)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(services.reminders_send_due(now=at("2026-11-30 09:55"), limit=20))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
        if not concurrent:
            t.join()
    for t in threads:
        t.join()
    assert sum(results) == 30
    assert Notification.objects.filter(kind="reminder").count() == 30 + 0
    assert Promise.objects.filter(reminded_at=None).count() == 0


def test_worker_command_runs_once(world):
    from django.core.management import call_command

    make(world, minutes=60, now="2026-11-30 09:00")
    with time_machine.travel(at("2026-11-30 09:55"), tick=False):
        call_command("run_worker", "--once")
    assert Notification.objects.filter(kind="reminder").count() == 1
