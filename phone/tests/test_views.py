"""Call console pages: the owner, a colleague with less right, a person of another store (404)."""

import pytest
from django.urls import reverse

from phone.choices import Outcome
from phone.models import Call, GreetingScript, IncomingCall, Message
from phone.services.calls import call_incoming, call_log, missed_call_promise
from phone.services.messages import message_take
from promises.choices import PromiseState
from tests.factories import make_customer, make_vehicle


def call_in(world, store_world=None, **data):
    sw = store_world or world.a
    base = {"number": "13812345678", "outcome": Outcome.HANDLED, "purpose": "enquiry"}
    return call_log(actor=sw.staff, store=sw.store, **{**base, **data})


def message_for(world, person, **data):
    base = {
        "for_user": person,
        "caller_name": "李先生",
        "caller_number": "13812345678",
        "text": "请回电",
        "callback_wanted": True,
    }
    return message_take(actor=world.a.staff, store=world.a.store, **{**base, **data})


def test_console_shows_scripts_filled_and_focuses_the_number(client, world):
    client.force_login(world.a.staff)
    response = client.get(reverse("phone:console"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "您好\uff0c测试一店客服部\uff0c我是客服1\uff0c请问有什么可以帮助您的\uff1f" in body
    assert 'id="console-number"' in body and "autofocus" in body
    assert 'data-testid="call-form"' in body


def test_caller_card_shows_customer_vehicles_and_open_promises(client, world):
    customer = make_customer(world.a.store, name="张三", mobile="13812345678")
    make_vehicle(customer, plate="京A12345")
    call_in(world, outcome=Outcome.DROPPED)
    client.force_login(world.a.staff)
    response = client.get(reverse("phone:caller"), {"number": "138 1234 5678"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'data-testid="caller-name"' in body and "张三" in body
    assert "京A12345" in body
    assert 'data-testid="caller-promises"' in body and "S2.10" not in body  # the title, not the rule
    assert customer.name in body


def test_unknown_number_and_bad_number_on_the_caller_card(client, world):
    client.force_login(world.a.staff)
    unknown = client.get(reverse("phone:caller"), {"number": "13900001111"}).content.decode()
    assert 'data-testid="caller-unknown"' in unknown
    bad = client.get(reverse("phone:caller"), {"number": "abc"}).content.decode()
    assert 'data-testid="caller-error"' in bad


def test_staff_logs_a_call_from_the_console(client, world):
    client.force_login(world.a.staff)
    response = client.post(
        reverse("phone:call_create"),
        {
            "direction": "in",
            "number": "13812345678",
            "purpose": "booking",
            "outcome": "handled",
            "ring_seconds": "14.9",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'data-testid="call-saved"' in response.content.decode()
    call = Call.objects.get()
    assert call.rings == 3 and call.answered_in_time is True and call.answered_by == world.a.staff


def test_bad_number_on_the_call_form_saves_nothing(client, world):
    client.force_login(world.a.staff)
    response = client.post(
        reverse("phone:call_create"), {"direction": "in", "number": "12ab", "purpose": "other", "outcome": "handled"}
    )
    assert response.status_code == 422
    assert 'data-field="number"' in response.content.decode()
    assert not Call.objects.exists()


def test_auditor_reads_but_cannot_log(client, world):
    call = call_in(world)
    client.force_login(world.a.auditor)
    assert client.get(reverse("phone:console")).status_code == 200
    assert client.get(reverse("phone:call_detail", args=[call.pk])).status_code == 200
    assert client.post(reverse("phone:call_create"), {"outcome": "handled"}).status_code == 403
    assert client.post(reverse("phone:call_call_back", args=[call.pk])).status_code == 403


def test_message_taken_at_the_console_reaches_the_colleague(client, world):
    client.force_login(world.a.staff)
    response = client.post(
        reverse("phone:message_create"),
        {
            "recipient": f"u{world.a.supervisor.pk}",
            "caller_name": "李先生",
            "caller_number": "13812345678",
            "text": "请回电",
            "callback_wanted": "on",
        },
        HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="message-saved"' in response.content.decode()
    message = Message.objects.get()
    assert message.promise.owner == world.a.supervisor
    client.force_login(world.a.supervisor)
    inbox = client.get(reverse("phone:message_list")).content.decode()
    assert f'data-message="{message.pk}"' in inbox
    client.post(reverse("phone:message_call_back", args=[message.pk]), {"outcome": "handled"})
    message.refresh_from_db()
    assert message.promise.state == PromiseState.KEPT


def test_message_form_needs_a_recipient_and_a_number_for_a_callback(client, world):
    client.force_login(world.a.staff)
    response = client.post(
        reverse("phone:message_create"),
        {"recipient": f"d{world.a.cs.pk}", "caller_name": "李先生", "text": "请回电", "callback_wanted": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-field="caller_number"' in response.content.decode()
    assert not Message.objects.exists()


def test_only_the_recipient_marks_a_message_read(client, world):
    message = message_for(world, world.a.supervisor, callback_wanted=False)
    client.force_login(world.a.staff)
    assert client.post(reverse("phone:message_read", args=[message.pk])).status_code == 403
    client.force_login(world.a.supervisor)
    response = client.post(reverse("phone:message_read", args=[message.pk]), HTTP_HX_REQUEST="true")
    assert 'data-read="yes"' in response.content.decode()


def test_inbox_shows_mine_and_my_departments_not_others(client, world):
    mine = message_for(world, world.a.staff)
    department = message_for(world, None, for_department=world.a.cs)
    other = message_for(world, world.a.manager)
    client.force_login(world.a.staff)
    body = client.get(reverse("phone:message_list")).content.decode()
    assert f'data-message="{mine.pk}"' in body and f'data-message="{department.pk}"' in body
    assert f'data-message="{other.pk}"' not in body


@pytest.mark.parametrize("name", ["call_detail", "call_call_back"])
def test_another_stores_call_is_not_found(client, world, name):
    call = call_in(world, world.b)
    client.force_login(world.a.manager)
    method = client.get if name == "call_detail" else client.post
    assert method(reverse(f"phone:{name}", args=[call.pk])).status_code == 404


def test_another_stores_message_and_popup_are_not_found(client, world):
    message = message_take(
        actor=world.b.staff,
        store=world.b.store,
        for_user=world.b.supervisor,
        caller_name="x",
        text="y",
    )
    incoming = call_incoming(store=world.b.store, number="13812345678", extension="8021")
    client.force_login(world.a.manager)
    assert client.post(reverse("phone:message_read", args=[message.pk])).status_code == 404
    assert client.post(reverse("phone:incoming_take", args=[incoming.pk])).status_code == 404


def test_call_list_filters_and_keeps_its_query_count(client, world, django_assert_max_num_queries):
    for i in range(5):
        call_in(world, number=f"1381234567{i}")
    call_in(world, number="13900001111", outcome=Outcome.MISSED)
    call_in(world, world.b)
    client.force_login(world.a.manager)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("phone:call_list")).content.decode()
    assert body.count('data-testid="call-row"') == 6
    missed = client.get(reverse("phone:call_list"), {"missed": "on"}).content.decode()
    assert missed.count('data-testid="call-row"') == 1
    for i in range(10):
        call_in(world, number=f"1371234567{i}")
    with django_assert_max_num_queries(12):
        client.get(reverse("phone:call_list"))


def test_inbox_query_count_is_constant(client, world, django_assert_max_num_queries):
    for _ in range(8):
        message_for(world, world.a.staff)
    client.force_login(world.a.staff)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("phone:message_list"))
    assert response.content.decode().count('data-testid="message"') == 8


def test_call_detail_shows_the_script_check(client, world):
    call = call_in(world, transcript="客服:您好,测试一店客服部,我是客服1,请问有什么可以帮助您的?")
    client.force_login(world.a.staff)
    body = client.get(reverse("phone:call_detail", args=[call.pk])).content.decode()
    assert f'data-score="{call.script_score}"' in body
    assert 'data-key="greeting" data-passed="True"' in body


def test_dropped_call_is_called_back_from_its_page(client, world):
    call = call_in(world, outcome=Outcome.DROPPED)
    client.force_login(world.a.staff)
    client.post(reverse("phone:call_call_back", args=[call.pk]), {"outcome": "handled"})
    assert call.callbacks.count() == 1
    promise = missed_call_promise(call)
    assert promise.state == PromiseState.KEPT


def test_popup_is_polled_and_taken(client, world):
    incoming = call_incoming(store=world.a.store, number="13812345678", extension="8011")
    client.force_login(world.a.staff)
    body = client.get(reverse("phone:incoming")).content.decode()
    assert f'data-incoming="{incoming.pk}"' in body
    client.force_login(world.a.supervisor)
    assert f'data-incoming="{incoming.pk}"' not in client.get(reverse("phone:incoming")).content.decode()
    assert client.post(reverse("phone:incoming_take", args=[incoming.pk])).status_code == 404
    client.force_login(world.a.staff)
    response = client.post(reverse("phone:incoming_take", args=[incoming.pk]), HTTP_HX_REQUEST="true")
    assert "number=" in response["HX-Redirect"]
    assert IncomingCall.objects.get().taken_at is not None


def test_scripts_edited_by_manager_and_read_by_staff(client, world):
    url = reverse("phone:script_edit", args=[world.a.cs.pk])
    client.force_login(world.a.staff)
    assert client.get(url).status_code == 200
    assert client.post(url, {"kind": "greeting", "text": "x"}).status_code == 403
    client.force_login(world.a.manager)
    response = client.post(url, {"kind": "greeting", "text": "您好,{store}{department}!"})
    assert response.status_code == 302
    assert GreetingScript.objects.get().department == world.a.cs
    bad = client.post(url, {"kind": "greeting", "text": "{oops}"})
    assert bad.status_code == 422
    assert client.get(reverse("phone:script_edit", args=[world.b.cs.pk])).status_code == 404
    assert 'data-testid="script-departments"' in client.get(reverse("phone:script_list")).content.decode()


def test_caller_card_shows_the_callers_open_complaints_not_closed_or_other_stores(client, world):
    """The console shows the caller's complaints still open (S2.6), found by the contact phone."""
    from complaints.tests.wall import log_complaint

    mine = log_complaint(world.a, contact_phone="13987654321")
    log_complaint(world.b, contact_phone="13987654321")  # same number in store B: never shown
    client.force_login(world.a.staff)
    body = client.get(reverse("phone:caller"), {"number": "139 8765 4321"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="caller-complaints"' in body
    assert mine.number in body
    assert "S002" not in body
