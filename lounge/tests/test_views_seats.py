"""The seats page and the printable QR cards: the store's managers configure them; others 403 or 404."""

import io

import pytest
import segno
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from lounge.models import Seat
from lounge.tests.wall import make_seat

SEATS = reverse("lounge:seat_list")
PRINT = reverse("lounge:seat_print")


def seat_url(name, seat) -> str:
    return reverse(f"lounge:{name}", kwargs={"seat_pk": seat.pk})


@pytest.mark.parametrize(("who", "expected"), [("manager", 200), ("supervisor", 403), ("staff", 403), ("auditor", 403)])
def test_only_managers_see_the_seats_page_and_the_cards(client, world, who, expected):
    seat = make_seat(world.a, "A1")
    client.force_login(getattr(world.a, who))
    assert client.get(SEATS).status_code == expected
    assert client.get(PRINT).status_code == expected
    assert client.get(seat_url("seat_qr_png", seat)).status_code == expected
    assert client.post(seat_url("seat_reissue", seat)).status_code == (302 if expected == 200 else expected)
    assert client.post(reverse("lounge:seat_create"), {"label": "Z9"}).status_code == (
        302 if expected == 200 else expected
    )
    assert Seat.objects.filter(label="Z9").exists() is (expected == 200)


def test_another_store_seats_are_not_found(client, world):
    seat_b = make_seat(world.b, "乙1")
    client.force_login(world.a.manager)
    assert client.get(SEATS, {"store": world.b.store.pk}).status_code == 404
    assert client.get(PRINT, {"store": world.b.store.pk}).status_code == 404
    for name in ("seat_edit", "seat_reissue"):
        assert client.post(seat_url(name, seat_b), {"label": "x", "active": "0"}).status_code == 404
    assert client.get(seat_url("seat_qr_png", seat_b)).status_code == 404
    assert client.post(reverse("lounge:seat_create"), {"store": world.b.store.pk, "label": "X"}).status_code == 404
    seat_b.refresh_from_db()
    assert seat_b.label == "乙1" and seat_b.active


def test_manager_adds_renames_takes_out_of_use_and_reissues(client, world):
    client.force_login(world.a.manager)
    response = client.post(reverse("lounge:seat_create"), {"store": world.a.store.pk, "label": "窗边1"})
    assert response.status_code == 302
    seat = Seat.objects.get(store=world.a.store)
    client.post(seat_url("seat_edit", seat), {"label": "窗边2"})
    client.post(seat_url("seat_edit", seat), {"active": "0"})
    seat.refresh_from_db()
    assert seat.label == "窗边2" and not seat.active
    client.post(seat_url("seat_edit", seat), {"active": "1"})
    old = seat.token
    client.post(seat_url("seat_reissue", seat))
    seat.refresh_from_db()
    assert seat.active and seat.token != old
    body = client.get(SEATS).content.decode()
    assert "窗边2" in body and 'data-testid="history"' in body
    assert old not in body and seat.token not in body  # codes appear only on the printed cards


def test_bad_seat_names_are_named(client, world):
    make_seat(world.a, "A1")
    client.force_login(world.a.manager)
    for label in ("", "a1", "A" * 31):
        response = client.post(reverse("lounge:seat_create"), {"store": world.a.store.pk, "label": label})
        assert response.status_code == 400
        assert 'data-field="label"' in response.content.decode()
    seat = Seat.objects.get()
    response = client.post(seat_url("seat_edit", seat), {"label": ""}, follow=True)
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    seat.refresh_from_db()
    assert seat.label == "A1"


def test_the_print_sheet_has_a_card_per_seat_in_use_with_its_code(client, world, settings):
    settings.ALLOWED_HOSTS = ["lounge.example.cn", "localhost", "testserver"]
    seats = [make_seat(world.a, label) for label in ("A1", "A2", "B1")]
    from lounge.services.requests import seat_update

    seat_update(actor=world.a.manager, seat=seats[2], active=False)
    client.force_login(world.a.manager)
    response = client.get(PRINT, HTTP_HOST="lounge.example.cn")
    body = response.content.decode()
    assert body.count('data-testid="qr-card"') == 2
    assert body.count("<svg") == 2 and "@media print" in body and "size: A4" in body
    assert world.a.store.name in body and "A1" in body and "A2" in body
    with translation.override("zh-hans"):
        assert gettext("Scan to call for service: refill, drinks, help") in body
    assert 'data-testid="print-local-warning"' not in body
    # each card's code is the customer's page of its seat, at the address the manager printed from
    for seat in seats[:2]:
        url = f"http://lounge.example.cn/q/{seat.token}/"
        assert segno.make(url, error="m").svg_inline(scale=6, border=2, omitsize=True) in body
    assert seats[0].token not in body  # only inside the QR image, never printed as text
    response = client.get(PRINT, HTTP_HOST="localhost")
    assert 'data-testid="print-local-warning"' in response.content.decode()


def test_the_qr_png_points_at_the_seat_page(client, world, settings):
    settings.ALLOWED_HOSTS = ["lounge.example.cn", "testserver"]
    seat = make_seat(world.a, "窗边3")
    client.force_login(world.a.manager)
    response = client.get(seat_url("seat_qr_png", seat), HTTP_HOST="lounge.example.cn")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert "attachment" in response["Content-Disposition"] and "filename*=" in response["Content-Disposition"]
    expected = io.BytesIO()
    segno.make(f"http://lounge.example.cn/q/{seat.token}/", error="m").save(expected, kind="png", scale=12, border=4)
    assert response.content == expected.getvalue()
    from lounge.services.requests import seat_update

    seat_update(actor=world.a.manager, seat=seat, active=False)
    assert client.get(seat_url("seat_qr_png", seat)).status_code == 404


def test_the_seats_page_uses_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(8):
        make_seat(world.a, f"F{n}")
    client.force_login(world.a.manager)
    with django_assert_max_num_queries(12):
        assert client.get(SEATS).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(PRINT).status_code == 200
