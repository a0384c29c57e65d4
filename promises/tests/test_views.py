from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from promises import services
from promises.choices import PromiseState
from promises.models import Notification

MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _clock():
    """Monday 10:00 in Beijing for every test: "due today" and "overdue" must not depend on the hour."""
    with time_machine.travel(MONDAY_10, tick=False):
        yield


def make(world, store_world, owner=None, minutes=None, due_in=timedelta(hours=2)):
    return services.promise_make(
        store=store_world.store,
        kind="callback",
        rule_id="S2.3",
        title="回电 张三",
        owner=owner or store_world.staff,
        due_at=timezone.now() + due_in,
    )


def test_home_and_my_day_show_due_today_and_overdue(client, world):
    soon = make(world, world.a)
    overdue = make(world, world.a, due_in=timedelta(minutes=1))
    overdue.due_at = timezone.now() - timedelta(hours=1)
    overdue.save()
    make(world, world.b)  # another store's promise never shows
    client.force_login(world.a.staff)
    for url in (reverse("home"), reverse("promises:my_day")):
        body = client.get(url).content.decode()
        assert body.count("回电 张三") >= 2
        assert reverse("promises:promise_detail", args=[soon.pk]) in body
    client.force_login(world.a.auditor)
    assert "回电 张三" not in client.get(reverse("promises:my_day")).content.decode()


def test_bell_shows_unread_count_and_marks_read(client, world):
    promise = make(world, world.a)
    services.notification_send(
        recipients=[world.a.staff], store=world.a.store, title="提醒:回电", kind="reminder", promise=promise
    )
    client.force_login(world.a.staff)
    body = client.get(reverse("promises:bell")).content.decode()
    assert 'data-testid="bell-count">1<' in body and "提醒:回电" in body
    client.post(reverse("promises:mark_read"))
    assert Notification.objects.filter(read_at=None).count() == 0
    client.force_login(world.b.staff)
    assert "提醒:回电" not in client.get(reverse("promises:bell")).content.decode()


@pytest.mark.parametrize(("who", "status"), [("staff", 302), ("supervisor", 302), ("auditor", 403)])
def test_who_may_keep_a_promise(client, world, who, status):
    promise = make(world, world.a)
    client.force_login(getattr(world.a, who))
    assert client.post(reverse("promises:promise_action", args=[promise.pk, "keep"])).status_code == status
    promise.refresh_from_db()
    assert (promise.state == PromiseState.KEPT) == (status == 302)


def test_colleague_may_not_keep_someone_elses_personal_promise(client, world, django_user_model):
    from tests.factories import make_user

    colleague = make_user("colleague", role="staff", store=world.a.store, department=world.a.cs)
    promise = make(world, world.a)
    client.force_login(colleague)
    assert client.post(reverse("promises:promise_action", args=[promise.pk, "keep"])).status_code == 403


def test_pause_without_reason_is_refused_with_a_message(client, world):
    promise = make(world, world.a)
    client.force_login(world.a.staff)
    response = client.post(reverse("promises:promise_action", args=[promise.pk, "pause"]), {"reason": ""}, follow=True)
    assert response.status_code == 200
    promise.refresh_from_db()
    assert promise.paused_at is None
    assert list(response.context["messages"])


def test_promise_of_another_store_is_404(client, world):
    promise = make(world, world.b)
    client.force_login(world.a.manager)
    assert client.get(reverse("promises:promise_detail", args=[promise.pk])).status_code == 404
    assert client.post(reverse("promises:promise_action", args=[promise.pk, "keep"])).status_code == 404


def test_my_day_uses_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(25):
        make(world, world.a)
    client.force_login(world.a.staff)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("promises:my_day")).status_code == 200
