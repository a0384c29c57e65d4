"""WeCom posts: claimed, posted outside any transaction, recorded; never blocking, never sent twice.

The worker (run_worker) posts a store's reminders and escalations to its WeCom group robot (S1.4).
A slow or unreachable WeCom must not hold a lock anyone else waits for, a worker killed mid-batch
must not make a restart send the same messages again, and only WeCom's own robot address is posted to.
"""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction

from conftest import NetworkCallInTransaction
from core.validators import webhook_url_allowed
from promises import services
from promises.models import WebhookDelivery

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 9, 50, tzinfo=TZ)
URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7a0c-4bc4-97a0-0ec2sifa5aaa"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def queue(world, n=1):
    return [
        WebhookDelivery.objects.create(
            store=world.a.store,
            url=URL,
            payload={"msgtype": "text", "text": {"content": f"提醒 {i}"}},
            next_attempt_at=NOW,
        )
        for i in range(n)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_post_runs_outside_any_transaction_and_each_result_is_recorded_at_once(world):
    queue(world, 3)
    seen = []

    def post(url, payload):
        seen.append((connection.in_atomic_block, WebhookDelivery.objects.filter(delivered_at__isnull=False).count()))
        return ""

    assert services.webhooks_deliver(post=post) == 3
    # never inside a transaction; the earlier posts were already recorded as delivered when the next went out
    assert seen == [(False, 0), (False, 1), (False, 2)]
    assert WebhookDelivery.objects.filter(delivered_at=NOW, claimed_until=None, attempts=1).count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_slow_post_does_not_block_another_connection_saving(world):
    """On SQLite the write lock used to be held for the whole batch: other saves failed after 20 s."""
    from customers.services.customers import customer_create

    queue(world, 2)
    saved, errors = [], []

    def save_elsewhere(n):
        try:
            customer = customer_create(actor=world.a.staff, store=world.a.store, name=f"李{n}", mobile=f"1391234567{n}")
            saved.append(customer.pk)
        except Exception as exc:  # the old behaviour: "database is locked"
            errors.append(repr(exc))
        finally:
            connection.close()

    def slow_post(url, payload):
        # while "WeCom" is slow to answer, someone else in the store saves (on their own connection)
        other = threading.Thread(target=save_elsewhere, args=(len(saved),))
        other.start()
        other.join(timeout=30)
        return ""

    assert services.webhooks_deliver(post=slow_post) == 2
    assert errors == [] and len(saved) == 2


def test_a_worker_killed_mid_batch_does_not_make_a_restart_send_again(world):
    """10 queued, the worker dies while posting the 6th: a restart sends the other 4, the 6th once after its lease."""
    queue(world, 10)
    arrived = []

    class Killed(BaseException):
        pass

    def post_then_die(url, payload):
        if len(arrived) == 5:
            raise Killed  # kill -9 while the 6th post is on its way (it never arrived)
        arrived.append(payload["text"]["content"])
        return ""

    with pytest.raises(Killed):
        services.webhooks_deliver(post=post_then_die)
    assert WebhookDelivery.objects.exclude(delivered_at=None).count() == 5  # the marks were kept

    def post(url, payload):
        arrived.append(payload["text"]["content"])
        return ""

    assert services.webhooks_deliver(post=post) == 4  # the claimed 6th waits for its lease
    assert len(arrived) == 9 and len(set(arrived)) == 9
    lease = timedelta(seconds=120)
    with time_machine.travel(NOW + lease - timedelta(seconds=1), tick=False):
        assert services.webhooks_deliver(post=post) == 0
    with time_machine.travel(NOW + lease, tick=False):
        assert services.webhooks_deliver(post=post) == 1  # retried exactly once after the lease ran out
    with time_machine.travel(NOW + lease * 10, tick=False):
        assert services.webhooks_deliver(post=post) == 0
    assert len(arrived) == 10 and len(set(arrived)) == 10
    assert WebhookDelivery.objects.filter(delivered_at=None).count() == 0


def test_a_claimed_post_is_not_taken_by_another_worker_and_a_delivered_one_never_again(world):
    (delivery,) = queue(world)
    claimed = services._webhook_claim(NOW)
    assert claimed.pk == delivery.pk and claimed.attempts == 1
    assert services._webhook_claim(NOW) is None  # a second worker finds nothing to take
    sent = []
    assert services.webhooks_deliver(post=lambda u, p: sent.append(u) or "") == 0 and sent == []
    # the first worker records its post; a late claim-expiry changes nothing afterwards
    services._webhook_record(claimed, "", NOW)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert services.webhooks_deliver(post=lambda u, p: sent.append(u) or "") == 0
    delivery.refresh_from_db()
    assert delivery.delivered_at == NOW and sent == []


def test_a_failed_post_is_retried_with_back_off_and_gives_up_after_the_last_attempt(world):
    (delivery,) = queue(world)
    moment = NOW
    for attempt in range(1, services.WEBHOOK_MAX_ATTEMPTS + 1):
        with time_machine.travel(moment, tick=False):
            assert services.webhooks_deliver(post=lambda u, p: "errcode 93000: invalid webhook url") == 0
        delivery.refresh_from_db()
        assert delivery.attempts == attempt and delivery.claimed_until is None
        assert delivery.next_attempt_at == moment + timedelta(seconds=30 * 2 ** (attempt - 1))
        moment = delivery.next_attempt_at
    with time_machine.travel(moment + timedelta(days=1), tick=False):
        assert services.webhooks_deliver(post=lambda u, p: "") == 0  # no more attempts
    assert "93000" in WebhookDelivery.objects.get().last_error


def test_the_worker_checks_the_address_again_and_never_posts_to_another(world):
    (delivery,) = queue(world)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(url="https://10.0.0.1/cgi-bin/webhook/send?key=k")
    posted = []
    assert services.webhooks_deliver(post=lambda u, p: posted.append(u) or "") == 0
    delivery.refresh_from_db()
    assert posted == [] and delivery.delivered_at is None
    assert delivery.attempts == services.WEBHOOK_MAX_ATTEMPTS and "not allowed" in delivery.last_error


def test_a_store_with_a_refused_address_queues_no_post(world):
    from promises.models import Notification

    type(world.a.store).objects.filter(pk=world.a.store.pk).update(wecom_webhook_url="https://intranet.local/x")
    world.a.store.refresh_from_db()
    services.notification_send(recipients=[world.a.staff], store=world.a.store, title="t", kind="reminder")
    assert Notification.objects.count() == 1 and WebhookDelivery.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        URL,
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
        "https://QYAPI.weixin.qq.com:443/cgi-bin/webhook/send?key=abc_DEF-1",
    ],
)
def test_wecom_robot_addresses_are_accepted(url):
    assert webhook_url_allowed(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",  # not https
        "https://example.com/cgi-bin/webhook/send?key=abc",  # another host
        "https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=abc",
        "https://10.0.0.1/cgi-bin/webhook/send?key=abc",  # an IP address
        "https://[::1]/cgi-bin/webhook/send?key=abc",
        "https://qyapi.weixin.qq.com@10.0.0.1/cgi-bin/webhook/send?key=abc",  # user info tricks
        "https://user:pw@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
        "https://qyapi.weixin.qq.com\\@10.0.0.1/cgi-bin/webhook/send?key=abc",
        "https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=abc",  # another port
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",  # no key
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=",
        "https://qyapi.weixin.qq.com/cgi-bin/other?key=abc",
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc&url=http://10.0.0.1/",
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc#x",
        " https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc\n",
        "",
    ],
)
def test_other_addresses_are_refused(url):
    assert not webhook_url_allowed(url)


def test_the_allowed_hosts_come_from_the_setting(settings):
    settings.WEBHOOK_HOSTS = ["wecom-relay.example.cn"]
    assert webhook_url_allowed("https://wecom-relay.example.cn/cgi-bin/webhook/send?key=abc")
    assert not webhook_url_allowed(URL)


# --- The guard that keeps network calls out of transactions (conftest.py, the whole suite) --------


def test_the_guard_fails_a_network_call_inside_a_transaction(db, network_guard_violations):
    import socket

    with transaction.atomic(), pytest.raises(NetworkCallInTransaction):
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    assert len(network_guard_violations) == 1 and "127.0.0.1" in network_guard_violations[0]
    network_guard_violations.clear()
    with pytest.raises(OSError):  # outside a transaction the call goes ahead (and finds nobody there)
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    assert network_guard_violations == []


def test_the_guard_fails_the_wecom_post_inside_a_transaction(db, network_guard_violations):
    from promises import wecom

    with transaction.atomic(), pytest.raises(NetworkCallInTransaction):
        wecom.post_json("http://127.0.0.1:9/nothing", {"msgtype": "text"}, timeout=1)
    assert network_guard_violations and "WeCom post" in network_guard_violations[0]
    network_guard_violations.clear()
