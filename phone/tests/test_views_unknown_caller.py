"""An unknown caller on the console: the caller-ID name, 新建客户 filled with the number, and a call logged
as a complaint going on to the complaint form (S2.4). The clock is frozen for every test."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from core.api_auth import api_token_create
from customers.choices import PersonalDataAction
from customers.models import Customer, PersonalDataLog
from phone.models import Call

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _imported(store, **extra):
    return Call.objects.create(
        store=store,
        number="+8613900001111",
        number_digits="13900001111",
        caller_name="李先生",
        source="cdr",
        missed=True,
        outcome="missed",
        **extra,
    )


# --- The caller-ID name -------------------------------------------------------------------------


def test_the_caller_card_names_an_unknown_caller_and_offers_a_new_customer(client, world):
    _imported(world.a.store)
    client.force_login(world.a.staff)
    card = client.get(reverse("phone:caller"), {"number": "139 0000 1111"}).content.decode()
    assert 'data-testid="caller-unknown"' in card and 'data-testid="caller-id-name"' in card and "李先生" in card
    link = card.split('data-testid="new-customer"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert link.startswith(reverse("customers:customer_create") + "?") and "phone=%2B8613900001111" in link
    assert "name=%E6%9D%8E%E5%85%88%E7%94%9F" in link.replace("&amp;", "&")


def test_the_console_page_offers_it_too_but_not_to_a_reader(client, world):
    client.force_login(world.a.staff)
    page = client.get(reverse("phone:console"), {"number": "13900001111"}).content.decode()
    assert 'data-testid="new-customer"' in page
    client.force_login(world.a.auditor)
    card = client.get(reverse("phone:caller"), {"number": "13900001111"}).content.decode()
    assert 'data-testid="caller-unknown"' in card and 'data-testid="new-customer"' not in card


def test_another_stores_caller_id_name_is_not_shown(client, world):
    _imported(world.b.store)
    client.force_login(world.a.staff)
    card = client.get(reverse("phone:caller"), {"number": "13900001111"}).content.decode()
    assert "李先生" not in card


def test_call_list_and_detail_show_the_caller_id_name_of_unknown_callers(client, world):
    call = _imported(world.a.store)
    client.force_login(world.a.staff)
    rows = client.get(reverse("phone:call_list")).content.decode()
    assert 'data-testid="caller-id-name"' in rows and "李先生" in rows
    detail = client.get(reverse("phone:call_detail", args=[call.pk])).content.decode()
    assert 'data-testid="caller-id-name"' in detail and "李先生" in detail
    assert f"{reverse('customers:customer_create')}?call={call.pk}" in detail


def test_the_api_gives_the_caller_id_name(client, world):
    call = _imported(world.a.store)
    headers = {"Authorization": f"Bearer {api_token_create(user=world.a.manager)[1]}"}
    assert client.get(f"/api/v1/calls/{call.pk}", headers=headers).json()["caller_name"] == "李先生"
    listed = client.get("/api/v1/calls", headers=headers).json()["items"]
    assert [item["caller_name"] for item in listed] == ["李先生"]
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["CallOut"]
    assert "caller_name" in schema["properties"]


# --- 新建客户 filled from the console -----------------------------------------------------------


def test_new_customer_form_is_filled_from_the_number_and_name(client, world):
    client.force_login(world.a.staff)
    page = client.get(reverse("customers:customer_create"), {"phone": "+8613900001111", "name": "李先生"})
    body = page.content.decode()
    assert page.status_code == 200 and 'value="139 0000 1111"' in body and 'value="李先生"' in body
    landline = client.get(reverse("customers:customer_create"), {"phone": "01062345678"}).content.decode()
    assert 'value="010 6234 5678"' in landline


def test_new_customer_form_is_filled_from_a_call_of_the_store(client, world):
    call = _imported(world.a.store)
    client.force_login(world.a.staff)
    body = client.get(reverse("customers:customer_create"), {"call": call.pk}).content.decode()
    assert 'value="139 0000 1111"' in body and 'value="李先生"' in body
    # the number shows in full on the form: a reveal, logged as one (PIPL)
    log = PersonalDataLog.objects.get()
    assert (log.actor, log.action, log.store_id) == (world.a.staff, PersonalDataAction.REVEAL, world.a.store.pk)
    assert str(call.pk) in log.detail


def test_a_number_typed_into_the_link_is_not_a_reveal(client, world):
    client.force_login(world.a.staff)
    body = client.get(reverse("customers:customer_create"), {"phone": "13900001111"}).content.decode()
    assert 'value="139 0000 1111"' in body
    assert not PersonalDataLog.objects.exists()


@pytest.mark.parametrize("ref", ["other", "99999999999999999999", "abc", "²"])
def test_another_stores_call_or_no_id_is_404(client, world, ref):
    call = _imported(world.b.store)
    client.force_login(world.a.staff)
    response = client.get(reverse("customers:customer_create"), {"call": call.pk if ref == "other" else ref})
    assert response.status_code == 404


def test_a_reader_may_not_open_the_form(client, world):
    call = _imported(world.a.store)
    client.force_login(world.a.auditor)
    assert client.get(reverse("customers:customer_create"), {"call": call.pk}).status_code == 403


def test_a_bad_number_is_named_and_left_out(client, world):
    client.force_login(world.a.staff)
    with translation.override("zh-hans"):
        page = client.get(
            reverse("customers:customer_create"), {"phone": "12ab<script>"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    body = page.content.decode()
    assert page.status_code == 200 and "不是手机或固定电话号码" in body
    assert "<script>" not in body and 'value="12ab' not in body


def test_the_filled_form_saves_the_customer_and_the_caller_card_then_knows_them(client, world):
    client.force_login(world.a.staff)
    response = client.post(
        reverse("customers:customer_create"),
        {
            "store": world.a.store.pk,
            "name": "李先生",
            "mobile": "139 0000 1111",
            "preferred_contact": "mobile",
            "vehicle-plate": "",
        },
    )
    customer = Customer.objects.get(name="李先生")
    assert response.status_code == 302 and customer.store == world.a.store
    card = client.get(reverse("phone:caller"), {"number": "13900001111"}).content.decode()
    assert 'data-testid="caller-name"' in card and 'data-testid="new-customer"' not in card


# --- A call logged as a complaint goes on to the complaint form --------------------------------


def _log(client, purpose="complaint", outcome="complaint", **headers):
    return client.post(
        reverse("phone:call_create"),
        {"direction": "in", "number": "13900001111", "purpose": purpose, "outcome": outcome, "notes": "投诉异响"},
        **headers,
    )


def test_a_complaint_call_opens_the_complaint_form_filled_from_it(client, world):
    client.force_login(world.a.staff)
    response = _log(client)
    call = Call.objects.get()
    assert response.status_code == 302 and response.url == f"{reverse('complaints:complaint_create')}?call={call.pk}"
    form = client.get(response.url).content.decode()
    assert "投诉异响" in form and "+8613900001111" in form


def test_with_htmx_the_console_is_sent_to_the_complaint_form(client, world):
    client.force_login(world.a.staff)
    response = _log(client, purpose="complaint", outcome="handled", HTTP_HX_REQUEST="true")
    call = Call.objects.get()
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{reverse('complaints:complaint_create')}?call={call.pk}"


def test_other_calls_stay_on_the_console(client, world):
    client.force_login(world.a.staff)
    response = _log(client, purpose="booking", outcome="handled", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "HX-Redirect" not in response
