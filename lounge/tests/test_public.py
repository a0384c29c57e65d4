"""The customer's page behind a table's QR code: public by its code only, in Chinese, no personal data, safe.

These pages are exempt from the store wall walk (tests/test_wall.py) on purpose — anyone holding the
seat's current code may open them — so this module proves what the wall would: only a valid code
works, it works only for its own store's menu and facilities, and nothing personal is ever shown.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from customers.models import Customer
from lounge.choices import RequestKind, RequestSource, RequestState
from lounge.models import LoungeRequest, Visit, lounge_settings
from lounge.services import requests as services
from lounge.tests.wall import ask, make_drink, make_facility, make_seat
from tests.factories import make_customer


def home(seat) -> str:
    return reverse("table:home", kwargs={"seat_token": seat.token})


def zh(msgid: str) -> str:
    """The text as the customer sees it: the Chinese translation (the msgid until it is translated)."""
    with translation.override("zh-hans"):
        return gettext(msgid)


NOT_FOUND_TEXT = "Sorry, this code is no longer in use."


@pytest.fixture
def table(world):
    """Store A's table A3 with its menu, facilities, a customer sitting there and another's request."""
    seat = make_seat(world.a, "A3")
    make_drink(world.a, "绿茶", position=1)
    make_drink(world.a, "橙汁", available=False, position=2)
    make_drink(world.b, "乙店特调")
    make_facility(world.a.store, "电视", kind="tv")
    make_facility(world.b.store, "乙店按摩椅", kind="massage_chair")
    customer = make_customer(world.a.store, name="甲店贵宾", mobile="13912340000", actor=world.a.staff)
    Visit.objects.create(store=world.a.store, seat=seat, customer=customer, repair_order="RO-7788")
    other = make_seat(world.a, "邻桌9")  # a label no random seat code can contain
    ask(world.a, other, RequestKind.HELP, note="隔壁桌的私事")
    return seat


def test_anonymous_customer_sees_the_store_seat_and_big_buttons(client, world, table):
    response = client.get(home(table))
    assert response.status_code == 200
    body = response.content.decode()
    assert world.a.store.name in body and "A3" in body
    for testid in ("ask-refill", "ask-drink-menu", "ask-help", "ask-advisor", "ask-fault-menu"):
        assert f'data-testid="{testid}"' in body
    assert "绿茶" in body and "电视" in body
    assert re.search(r"<button[^>]*disabled[^>]*>橙汁", body), "a drink that ran out is shown disabled"
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin" and response["X-Robots-Tag"].startswith("noindex")
    assert client.head(home(table)).status_code == 200
    assert client.put(home(table)).status_code == 405


def test_the_page_shows_no_personal_data_and_nothing_of_other_requests_or_stores(client, world, table):
    """No customer name, phone or repair order, nothing of another table's request, nothing of store B."""
    leaks = ("甲店贵宾", "13912340000", "139****0000", "RO-7788", "隔壁桌的私事", "邻桌9", world.b.store.name)
    leaks += ("乙店特调", "乙店按摩椅", world.a.staff.name, world.a.manager.name)
    req = ask(world.a, table)
    for url in (home(table), reverse("table:receipt", kwargs={"seat_token": table.token, "receipt": req.receipt})):
        body = client.get(url).content.decode()
        assert not [marker for marker in leaks if marker in body], url
    services.request_acknowledge(actor=world.a.staff, request=req)
    body = client.get(reverse("table:receipt", kwargs={"seat_token": table.token, "receipt": req.receipt})).content
    assert world.a.staff.name not in body.decode()


def test_the_page_is_chinese_whatever_the_visitor_chose(client, world, table):
    client.cookies["django_language"] = "en"
    response = client.get(home(table), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "zh-hans"
    body = response.content.decode()
    assert '<html lang="zh-CN">' in body
    assert zh("A refill, please") in body
    world.a.staff.language = "en"
    world.a.staff.save()
    client.force_login(world.a.staff)  # a colleague who reads English scans the code: still the customer's page
    assert client.get(home(table))["Content-Language"] == "zh-hans"


@pytest.mark.parametrize("case", ["forged", "reissued", "out_of_use", "too_long", "odd_characters", "store_closed"])
def test_a_broken_forged_or_old_code_gets_a_polite_chinese_page(client, world, table, case):
    token = table.token
    if case == "forged":
        token = "AAAAAAAAAAAAAAAAAAAAAA"
    elif case == "reissued":
        services.seat_reissue(actor=world.a.manager, seat=table)
    elif case == "out_of_use":
        services.seat_update(actor=world.a.manager, seat=table, active=False)
    elif case == "too_long":
        token = "x" * 300
    elif case == "odd_characters":
        token = table.token[:10] + "\x00' OR 1=1 --%"
    else:
        world.a.store.active = False
        world.a.store.save()
    for method in ("get", "post"):
        response = getattr(client, method)(reverse("table:home", kwargs={"seat_token": token}), {"kind": "refill"})
        assert response.status_code == 404
        body = response.content.decode()
        assert zh(NOT_FOUND_TEXT) in body and '<html lang="zh-CN">' in body
        assert response["Content-Language"] == "zh-hans"
        assert world.a.store.name not in body
    assert not LoungeRequest.objects.filter(seat=table).exists()


def test_asking_for_a_refill_shows_the_status_page_which_follows_the_request(client, world, table):
    """S4.5: "received at HH:MM"; once someone takes it, "someone is on the way"; the status refreshes itself."""
    response = client.post(home(table), {"kind": "refill"})
    req = LoungeRequest.objects.get(seat=table)
    status_url = reverse("table:receipt", kwargs={"seat_token": table.token, "receipt": req.receipt})
    assert response.status_code == 302 and response["Location"] == status_url
    assert req.source == RequestSource.QR and req.kind == RequestKind.REFILL and req.visit is not None
    body = client.get(status_url).content.decode()
    received = timezone.localtime(req.created_at).strftime("%H:%M")
    assert 'data-testid="status-received"' in body and received in body
    assert 'hx-trigger="every 5s"' in body
    services.request_acknowledge(actor=world.a.staff, request=req)
    partial = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="request-status"') and "<html" not in partial
    assert zh("Someone is on the way.") in partial
    services.request_done(actor=world.a.staff, request=req)
    partial = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="done"' in partial and "hx-trigger" not in partial  # nothing more to wait for


def test_a_drink_and_a_broken_facility_from_the_page(client, world, table):
    tea = world.a.store.drinks.get(name="绿茶")
    tv = world.a.store.facilities.get(name="电视")
    assert client.post(home(table), {"kind": "drink", "drink": tea.pk}).status_code == 302
    assert client.post(home(table), {"kind": "fault", "facility": tv.pk, "note": "遥控器没反应"}).status_code == 302
    drink_req, fault_req = LoungeRequest.objects.filter(seat=table).order_by("id")
    assert drink_req.drink == tea
    assert fault_req.facility == tv and fault_req.faults.get().description == "遥控器没反应"


def test_status_page_needs_the_right_seat_and_receipt(client, world, table):
    req = ask(world.a, table)
    other = make_seat(world.a, "A9")
    for token, receipt in ((other.token, req.receipt), (table.token, "forged-receipt"), (table.token, "r" * 300)):
        response = client.get(reverse("table:receipt", kwargs={"seat_token": token, "receipt": receipt}))
        assert response.status_code == 404 and zh(NOT_FOUND_TEXT) in response.content.decode()
    assert (
        client.post(reverse("table:receipt", kwargs={"seat_token": table.token, "receipt": req.receipt})).status_code
        == 405
    )
    old_token = table.token
    services.seat_reissue(actor=world.a.manager, seat=table)
    response = client.get(reverse("table:receipt", kwargs={"seat_token": old_token, "receipt": req.receipt}))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "pizza"},
        {},
        {"kind": "drink"},
        {"kind": "drink", "drink": "not-a-number"},
        {"kind": "fault"},
        {"kind": "help", "note": "长" * 201},
    ],
)
def test_bad_posts_get_a_polite_message_and_save_nothing(client, world, table, data):
    response = client.post(home(table), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="table-error"' in body and 'data-testid="ask-refill"' in body
    assert not LoungeRequest.objects.filter(seat=table).exists()


def test_another_store_drink_or_facility_is_not_accepted(client, world, table):
    """A code works only for its own store: store B's drink or facility ids are not a choice."""
    drink_b = world.b.store.drinks.get()
    facility_b = world.b.store.facilities.get()
    for data in ({"kind": "drink", "drink": drink_b.pk}, {"kind": "fault", "facility": facility_b.pk}):
        response = client.post(home(table), data)
        assert response.status_code == 400
        assert 'data-testid="table-error"' in response.content.decode()
    # nor does anything else in the request choose the store: only the code does
    client.post(home(table), {"kind": "help", "store": world.b.store.pk, "seat": make_seat(world.b).pk})
    assert LoungeRequest.objects.get(seat=table).store == world.a.store
    assert not LoungeRequest.objects.filter(store=world.b.store).exists()


def test_a_drink_that_ran_out_is_refused_politely(client, world, table):
    juice = world.a.store.drinks.get(name="橙汁")
    response = client.post(home(table), {"kind": "drink", "drink": juice.pk})
    assert response.status_code == 400
    with translation.override("zh-hans"):
        assert gettext("That drink has run out; please choose another.") in response.content.decode()


def test_csrf_works_for_anonymous_customers(world, table):
    browser = Client(enforce_csrf_checks=True)
    refused = browser.post(home(table), {"kind": "refill"})
    assert refused.status_code == 403 and 'data-testid="table-refused"' in refused.content.decode()
    assert zh("Sorry, this page has expired.") in refused.content.decode()
    page = browser.get(home(table))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert browser.cookies["csrftoken"].value
    response = browser.post(home(table), {"kind": "refill", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert LoungeRequest.objects.filter(seat=table).count() == 1


def test_a_flood_from_one_table_gets_the_polite_limit_page(client, world, table):
    settings = lounge_settings(world.a.store)
    settings.requests_per_seat_per_10_minutes = 3
    settings.save()
    for _ in range(3):
        assert client.post(home(table), {"kind": "refill"}).status_code == 302
    response = client.post(home(table), {"kind": "help"})
    assert response.status_code == 429
    body = response.content.decode()
    assert 'data-testid="table-limit"' in body and zh("We have your requests.") in body
    assert LoungeRequest.objects.filter(seat=table).count() == 3


def test_a_flood_from_one_phone_over_many_tables_gets_the_limit_page(client, world, table, monkeypatch):
    monkeypatch.setattr(services, "QR_REQUESTS_PER_SENDER", 2)
    seats = [make_seat(world.a, f"D{n}") for n in range(3)]
    for seat in seats[:2]:
        assert client.post(home(seat), {"kind": "help"}, REMOTE_ADDR="203.0.113.5").status_code == 302
    assert client.post(home(seats[2]), {"kind": "help"}, REMOTE_ADDR="203.0.113.5").status_code == 429
    assert client.post(home(seats[2]), {"kind": "help"}, REMOTE_ADDR="203.0.113.6").status_code == 302


def test_limits_are_counted_from_stored_requests_so_they_hold_across_processes(client, world, table):
    """Requests made elsewhere (another server process) count: the limit reads the database, not memory."""
    settings = lounge_settings(world.a.store)
    settings.requests_per_seat_per_10_minutes = 2
    settings.save()
    for _ in range(2):
        LoungeRequest.objects.create(store=world.a.store, seat=table, kind="help", source=RequestSource.QR)
    assert client.post(home(table), {"kind": "refill"}).status_code == 429
    LoungeRequest.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    assert client.post(home(table), {"kind": "refill"}).status_code == 302


def test_the_page_uses_a_constant_number_of_queries(client, world, table, django_assert_max_num_queries):
    for n in range(8):
        make_drink(world.a, f"饮品{n}", position=10 + n)
        make_facility(world.a.store, f"设施{n}")
    with django_assert_max_num_queries(6):
        assert client.get(home(table)).status_code == 200
    req = ask(world.a, table)
    assert req.state == RequestState.OPEN
    with django_assert_max_num_queries(4):
        client.get(reverse("table:receipt", kwargs={"seat_token": table.token, "receipt": req.receipt}))


def test_customer_records_are_untouched_by_a_request(client, world, table):
    before = list(Customer.objects.values_list("pk", "name"))
    client.post(home(table), {"kind": "advisor"})
    assert list(Customer.objects.values_list("pk", "name")) == before


# --- The per-phone allowance behind one store Wi-Fi ---------------------------------------------------

WIFI = "198.51.100.20"  # the store's Wi-Fi: every phone in the lounge behind this one address (NAT)


def phone_at(seat, ip=WIFI) -> Client:
    """A customer's phone: its own browser, which scans the table first (and so gets its cookie)."""
    phone = Client(REMOTE_ADDR=ip)
    assert phone.get(home(seat)).status_code == 200
    assert phone.cookies["aftersales_table"].value
    return phone


@pytest.fixture
def small_limits(world, monkeypatch):
    monkeypatch.setattr(services, "QR_REQUESTS_PER_SENDER", 2)
    monkeypatch.setattr(services, "QR_REQUESTS_PER_ADDRESS", 5)
    settings = lounge_settings(world.a.store)
    settings.requests_per_seat_per_10_minutes = 50
    settings.save()


def test_two_phones_behind_one_address_each_get_their_own_allowance(world, table, small_limits):
    seats = [make_seat(world.a, f"W{n}") for n in range(4)]
    first, second = phone_at(seats[0]), phone_at(seats[1])
    assert first.cookies["aftersales_table"].value != second.cookies["aftersales_table"].value
    for seat in seats[:2]:
        assert first.post(home(seat), {"kind": "help"}).status_code == 302
    assert first.post(home(seats[2]), {"kind": "help"}).status_code == 429  # the first phone's 2 are used
    for seat in seats[2:]:  # the second phone, on the same Wi-Fi, still has its own 2
        assert second.post(home(seat), {"kind": "help"}).status_code == 302
    requests = LoungeRequest.objects.filter(seat__in=seats)
    assert requests.count() == 4
    assert len(set(requests.values_list("client_key", flat=True))) == 2
    assert len(set(requests.values_list("address_key", flat=True))) == 1
    assert WIFI not in "".join(requests.values_list("address_key", flat=True))  # a hash, never the address


def test_the_address_ceiling_holds_over_many_phones(world, table, small_limits):
    seat = make_seat(world.a, "W9")
    sent = [phone_at(seat).post(home(seat), {"kind": "help"}).status_code for _ in range(7)]
    assert sent == [302] * 5 + [429] * 2
    assert phone_at(seat, ip="203.0.113.77").post(home(seat), {"kind": "help"}).status_code == 302


@pytest.mark.parametrize("cookie", [None, "forged-id", "abc:def:ghi"])
def test_an_absent_or_forged_cookie_gains_nothing(world, table, small_limits, cookie):
    """Without a cookie we signed, a phone counts under its address: no fresh allowance per request."""
    seats = [make_seat(world.a, f"F{n}") for n in range(3)]
    statuses = []
    for seat in seats:
        phone = Client(REMOTE_ADDR=WIFI)
        if cookie:
            phone.cookies["aftersales_table"] = cookie
        statuses.append(phone.post(home(seat), {"kind": "help"}).status_code)
    assert statuses == [302, 302, 429]  # the per-phone 2, shared by every phone without a valid cookie


def test_the_cookie_is_signed_kept_for_the_qr_pages_only_and_not_readable_by_script(world, table):
    response = Client().get(home(table))
    morsel = response.cookies["aftersales_table"]
    assert morsel["path"] == "/q/" and morsel["httponly"] and morsel["samesite"] == "Lax"
    assert ":" in morsel.value  # Django's signature
    again = Client()
    again.cookies["aftersales_table"] = morsel.value
    assert "aftersales_table" not in again.get(home(table)).cookies  # a valid cookie is kept as it is
