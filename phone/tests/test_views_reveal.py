"""A call's and a message's number on the web: masked, shown in full only by a logged reveal (PIPL, issue 8 §3).

The same rule and the same service as the API's `POST …/reveal-number` (tests/test_api_personal_data.py):
the everyday roles may reveal, an auditor reads the masked number and is refused a reveal (403), another
store's record is a 404. Every reveal is one entry in the personal-data log; a refused one is none.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from customers.models import PersonalDataLog
from phone.choices import Outcome
from phone.services.calls import call_log
from phone.services.messages import message_take
from promises.models import Promise
from tests.factories import make_customer

TZ = ZoneInfo("Asia/Shanghai")
FULL = "13950165436"
FORMATTED = "139 5016 5436"
MASKED = "139****5436"


@pytest.fixture(autouse=True)
def _monday_morning():
    """A Monday in business hours, so call-back promises fall due the same day whatever today is."""
    with time_machine.travel(datetime(2026, 11, 30, 10, 0, tzinfo=TZ), tick=False):
        yield


def missed_call(world, store_world=None, **data):
    sw = store_world or world.a
    base = {"number": FULL, "outcome": Outcome.DROPPED, "purpose": "enquiry", "ring_seconds": 3}
    return call_log(actor=sw.staff, store=sw.store, **{**base, **data})


def message_for(sw, person, **data):
    base = {
        "for_user": person,
        "caller_name": "赵先生",
        "caller_number": FULL,
        "text": "请回电",
        "callback_wanted": True,
    }
    return message_take(actor=sw.staff, store=sw.store, **{**base, **data})


def assert_no_full_number(html: str):
    assert FULL not in html and FORMATTED not in html and "+86" + FULL not in html


@pytest.mark.parametrize("role", ["staff", "supervisor", "manager"])
def test_call_page_masks_the_number_and_reveals_it_logged(client, world, role):
    call = missed_call(world)
    user = getattr(world.a, role)
    client.force_login(user)
    page = client.get(reverse("phone:call_detail", args=[call.pk])).content.decode()
    assert_no_full_number(page)
    assert MASKED in page and 'data-testid="reveal-call-number"' in page
    assert not PersonalDataLog.objects.exists(), "opening the page is no reveal"

    response = client.post(reverse("phone:call_reveal_number", args=[call.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert FORMATTED in response.content.decode() and 'data-testid="revealed-call-number"' in response.content.decode()
    log = PersonalDataLog.objects.get()
    assert (log.actor, log.action, log.store_id) == (user, "reveal", world.a.store.pk)
    assert str(call.pk) in log.detail


def test_call_reveal_links_the_log_to_the_customer(client, world):
    customer = make_customer(world.a.store, name="赵先生", mobile=FULL)
    call = missed_call(world)
    assert call.customer == customer
    client.force_login(world.a.staff)
    client.post(reverse("phone:call_reveal_number", args=[call.pk]))
    assert PersonalDataLog.objects.get().customer == customer


def test_auditor_sees_the_call_masked_without_a_button_and_is_refused(client, world):
    call = missed_call(world)
    client.force_login(world.a.auditor)
    page = client.get(reverse("phone:call_detail", args=[call.pk])).content.decode()
    assert_no_full_number(page)
    assert MASKED in page and "reveal-call-number" not in page
    response = client.post(reverse("phone:call_reveal_number", args=[call.pk]))
    assert response.status_code == 403
    assert FULL not in response.content.decode()
    assert not PersonalDataLog.objects.exists()


def test_another_stores_call_and_message_are_not_found(client, world):
    call = missed_call(world, world.b)
    message = message_for(world.b, world.b.supervisor)
    for role in ("staff", "manager", "auditor"):
        client.force_login(getattr(world.a, role))
        assert client.post(reverse("phone:call_reveal_number", args=[call.pk])).status_code == 404
        assert client.post(reverse("phone:message_reveal_number", args=[message.pk])).status_code == 404
    assert not PersonalDataLog.objects.exists()


def test_reveal_is_a_post(client, world):
    call = missed_call(world)
    message = message_for(world.a, world.a.staff)
    client.force_login(world.a.staff)
    assert client.get(reverse("phone:call_reveal_number", args=[call.pk])).status_code == 405
    assert client.get(reverse("phone:message_reveal_number", args=[message.pk])).status_code == 405
    assert not PersonalDataLog.objects.exists()


def test_a_call_without_number_has_nothing_to_reveal(client, world):
    call = missed_call(world, number="", outcome=Outcome.HANDLED)
    client.force_login(world.a.staff)
    page = client.get(reverse("phone:call_detail", args=[call.pk])).content.decode()
    assert "reveal-call-number" not in page
    response = client.post(reverse("phone:call_reveal_number", args=[call.pk]))
    assert response.status_code == 400
    assert response.content.decode() == "没有可显示的号码。"
    assert not PersonalDataLog.objects.exists()


@pytest.mark.parametrize("role", ["staff", "supervisor", "manager"])
def test_message_row_masks_the_number_and_reveals_it_logged(client, world, role):
    user = getattr(world.a, role)
    message = message_for(world.a, user)
    client.force_login(user)
    inbox = client.get(reverse("phone:message_list")).content.decode()
    assert f'data-message="{message.pk}"' in inbox
    assert_no_full_number(inbox)
    assert MASKED in inbox and 'data-testid="reveal-message-number"' in inbox

    response = client.post(reverse("phone:message_reveal_number", args=[message.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and FORMATTED in response.content.decode()
    log = PersonalDataLog.objects.get()
    assert (log.actor, log.action, log.store_id) == (user, "reveal", world.a.store.pk)
    assert str(message.pk) in log.detail


def test_message_row_after_mark_read_stays_masked(client, world):
    message = message_for(world.a, world.a.supervisor, callback_wanted=False)
    client.force_login(world.a.supervisor)
    row = client.post(reverse("phone:message_read", args=[message.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-read="yes"' in row
    assert_no_full_number(row)
    assert MASKED in row and "reveal-message-number" in row


def test_only_a_recipient_reveals_a_message_number(client, world):
    """S2.3: the message is for the supervisor; a colleague who is not a recipient is refused."""
    message = message_for(world.a, world.a.supervisor)
    client.force_login(world.a.staff)
    assert client.post(reverse("phone:message_reveal_number", args=[message.pk])).status_code == 403
    client.force_login(world.a.auditor)
    assert client.post(reverse("phone:message_reveal_number", args=[message.pk])).status_code == 403
    assert not PersonalDataLog.objects.exists()


def test_promise_titles_carry_the_number_masked(world):
    """The titles go to the bell, 我的承诺, the home page and WeCom: never the full number (PIPL)."""
    call = missed_call(world)
    message = message_for(world.a, world.a.supervisor)
    titles = list(Promise.objects.values_list("title", flat=True))
    assert len(titles) == 2, titles
    for title in titles:
        assert MASKED in title and FULL not in title
    assert "赵先生" in message.promise.title
    assert call.customer is None


def test_promise_title_names_the_known_customer(world):
    make_customer(world.a.store, name="钱女士", mobile=FULL)
    missed_call(world)
    title = Promise.objects.get().title
    assert "钱女士" in title and FULL not in title and MASKED not in title


def test_home_page_and_bell_hold_no_full_number(client, world):
    message_for(world.a, world.a.supervisor)
    client.force_login(world.a.supervisor)
    home = client.get("/").content.decode()
    assert "赵先生" in home and MASKED in home
    assert_no_full_number(home)
    assert not PersonalDataLog.objects.exists()


def test_migration_masks_numbers_in_existing_call_back_titles(world):
    """phone/migrations/0006: old titles (and the reminders that copy them) get the number masked."""
    import importlib

    from django.apps import apps

    from promises.models import Notification

    migration = importlib.import_module("phone.migrations.0006_mask_numbers_in_promise_titles")
    message_for(world.a, world.a.supervisor)
    missed_call(world, number="+8613712345678")
    # another kind of promise is left alone (a complaint's number is no phone number)
    other = Promise.objects.create(
        store=world.a.store, kind="complaint_ack", rule_id="S5.1", title="受理投诉 20261130001", due_at=timezone.now()
    )
    old = {"message_callback": f"回电 赵先生（+86{FULL}）", "missed_callback": "回电 13712345678（中断或未接）"}
    for kind, title in old.items():
        Promise.objects.filter(kind=kind).update(title=title)
    promise = Promise.objects.get(kind="message_callback")
    note = Notification.objects.create(
        recipient=world.a.supervisor,
        store=world.a.store,
        promise=promise,
        kind="reminder",
        title=f"提醒：{old['message_callback']}",
    )
    migration.mask_titles(apps, None)
    assert Promise.objects.get(kind="message_callback").title == f"回电 赵先生（{MASKED}）"
    assert Promise.objects.get(kind="missed_callback").title == "回电 137****5678（中断或未接）"
    note.refresh_from_db()
    assert note.title == f"提醒：回电 赵先生（{MASKED}）"
    assert Promise.objects.get(pk=other.pk).title == "受理投诉 20261130001"
