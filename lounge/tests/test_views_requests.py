"""The staff requests page (S4.5): the desk's queue, "on my way" and "done" in one tap, for the board too.

The three people: colleagues of the store answer, an auditor only reads, a person of another store
gets a 404.
"""

import pytest
from django.urls import reverse

from lounge.choices import RequestKind, RequestSource, RequestState
from lounge.models import LoungeRequest
from lounge.tests.wall import ask, make_attendant, make_drink, make_seat

LIST = reverse("lounge:request_list")


def act_url(name, req) -> str:
    return reverse(f"lounge:{name}", kwargs={"request_pk": req.pk})


@pytest.mark.parametrize("who", ["manager", "supervisor", "staff", "auditor"])
def test_everyone_of_the_store_sees_the_queue(client, world, who):
    seat = make_seat(world.a, "A3")
    ask(world.a, seat, RequestKind.HELP, note="请帮忙")
    client.force_login(getattr(world.a, who))
    response = client.get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert "A3" in body and "请帮忙" in body and 'data-testid="request-row"' in body
    may_answer = who != "auditor"
    assert ('data-testid="request-acknowledge"' in body) is may_answer
    assert ('data-testid="request-form"' in body) is may_answer


def test_another_store_queue_is_not_found(client, world):
    ask(world.b, make_seat(world.b), note="乙店的请求")
    client.force_login(world.a.manager)
    assert client.get(LIST, {"store": world.b.store.pk}).status_code == 404
    assert client.get(LIST, {"store": "x"}).status_code == 404
    assert "乙店的请求" not in client.get(LIST).content.decode()


def test_group_admin_picks_the_store(client, world):
    ask(world.b, make_seat(world.b), note="乙店的请求")
    client.force_login(world.admin)
    body = client.get(LIST, {"store": world.b.store.pk}).content.decode()
    assert "乙店的请求" in body and 'data-testid="store-picker"' in body


def test_the_list_refreshes_itself_with_only_its_partial(client, world):
    ask(world.a, make_seat(world.a))
    client.force_login(world.a.staff)
    body = client.get(LIST, HTTP_HX_REQUEST="true").content.decode()
    assert body.startswith('<div id="requests-live"') and "<html" not in body
    assert "every 5s" in body and "loungeRequestChanged from:body" in body


def test_on_my_way_and_done_from_the_page(client, world):
    req = ask(world.a, make_seat(world.a))
    client.force_login(world.a.staff)
    response = client.post(act_url("request_acknowledge", req))
    assert response.status_code == 302 and response["Location"] == f"{LIST}?store={world.a.store.pk}"
    req.refresh_from_db()
    assert req.state == RequestState.ON_WAY and req.acknowledged_by == world.a.staff
    client.post(act_url("request_done", req), {"next": "/lounge/board/"})
    req.refresh_from_db()
    assert req.state == RequestState.DONE


def test_htmx_gets_the_row_and_the_change_event(client, world):
    """The board calls the same URLs: to htmx they answer with the row and the loungeRequestChanged event."""
    req = ask(world.a, make_seat(world.a, "A7"))
    client.force_login(world.a.staff)
    response = client.post(act_url("request_acknowledge", req), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Trigger"] == "loungeRequestChanged"
    body = response.content.decode()
    assert body.startswith('<div class="list-group-item') and 'data-state="on_way"' in body
    assert world.a.staff.name in body
    again = client.post(act_url("request_acknowledge", req), HTTP_HX_REQUEST="true")
    assert 'data-testid="request-error"' in again.content.decode()


def test_next_is_followed_only_within_the_site(client, world):
    req = ask(world.a, make_seat(world.a))
    client.force_login(world.a.staff)
    response = client.post(act_url("request_acknowledge", req), {"next": "/lounge/board/"})
    assert response["Location"] == "/lounge/board/"
    response = client.post(act_url("request_done", req), {"next": "https://evil.example/"})
    assert response["Location"] == f"{LIST}?store={world.a.store.pk}"


def test_cancel_with_a_reason(client, world):
    req = ask(world.a, make_seat(world.a))
    client.force_login(world.a.supervisor)
    client.post(act_url("request_cancel", req), {"reason": "重复请求"})
    req.refresh_from_db()
    assert req.state == RequestState.CANCELLED and req.promise.close_reason == "重复请求"


@pytest.mark.parametrize("name", ["request_acknowledge", "request_done", "request_cancel"])
def test_auditor_may_not_and_another_store_gets_404(client, world, name):
    req = ask(world.a, make_seat(world.a))
    client.force_login(world.a.auditor)
    assert client.post(act_url(name, req)).status_code == 403
    client.force_login(world.b.staff)
    assert client.post(act_url(name, req)).status_code == 404
    assert client.get(act_url(name, req)).status_code in (404, 405)
    req.refresh_from_db()
    assert req.state == RequestState.OPEN


def test_staff_record_a_request_a_customer_made_in_person(client, world):
    seat = make_seat(world.a, "B2")
    tea = make_drink(world.a)
    client.force_login(world.a.staff)
    data = {"store": world.a.store.pk, "seat": seat.pk, "kind": "drink", "drink": tea.pk, "note": "少糖"}
    response = client.post(reverse("lounge:request_create"), data)
    assert response.status_code == 302
    req = LoungeRequest.objects.get()
    assert req.source == RequestSource.BOARD and req.drink == tea and req.seat == seat and req.note == "少糖"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "drink"}, "drink"),
        ({"kind": "help", "note": "长" * 201}, "note"),
        ({"kind": "unknown"}, "kind"),
    ],
)
def test_bad_staff_request_names_the_field(client, world, data, field):
    client.force_login(world.a.staff)
    response = client.post(reverse("lounge:request_create"), {"store": world.a.store.pk} | data)
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert not LoungeRequest.objects.exists()


def test_staff_may_not_use_another_store_drink_or_seat(client, world):
    client.force_login(world.a.staff)
    drink_b = make_drink(world.b)
    seat_b = make_seat(world.b)
    for data in ({"kind": "drink", "drink": drink_b.pk}, {"kind": "help", "seat": seat_b.pk}):
        response = client.post(reverse("lounge:request_create"), {"store": world.a.store.pk} | data)
        assert response.status_code == 400
    assert client.post(reverse("lounge:request_create"), {"store": world.b.store.pk, "kind": "help"}).status_code == 404
    client.force_login(world.a.auditor)
    assert client.post(reverse("lounge:request_create"), {"kind": "help"}).status_code == 403
    assert not LoungeRequest.objects.exists()


def test_the_queue_uses_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    make_attendant(world.a)
    client.force_login(world.a.staff)
    seats = [make_seat(world.a, f"E{n}") for n in range(6)]
    tea = make_drink(world.a)
    for seat in seats:
        ask(world.a, seat, RequestKind.DRINK, drink=tea)
        done = ask(world.a, seat)
        from lounge.services.requests import request_done

        request_done(actor=world.a.staff, request=done)
    client.get(LIST)
    with django_assert_max_num_queries(14):
        assert client.get(LIST).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(LIST, HTTP_HX_REQUEST="true").status_code == 200
