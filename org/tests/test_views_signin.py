import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from org.models import SignInAttempt
from tests.factories import PASSWORD


def sign_in(client, login, password=PASSWORD):
    return client.post(reverse("login"), {"username": login, "password": password})


@pytest.mark.parametrize("login", ["staff1", "STAFF1", "E1003"])
def test_sign_in_with_username_or_employee_number(client, world, login):
    response = sign_in(client, login)
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == world.a.staff


def test_inactive_account_cannot_sign_in(client, world):
    world.a.staff.is_active = False
    world.a.staff.save()
    assert sign_in(client, "staff1").status_code == 200


def test_failed_sign_ins_are_throttled_then_released(client, world):
    with time_machine.travel("2026-11-27 09:00 +0800", tick=False):
        for _ in range(settings.SIGNIN_MAX_FAILURES):
            response = sign_in(client, "staff1", "wrong")
            assert response.status_code == 200
        # even the right password is refused while the name is locked
        response = sign_in(client, "staff1")
        assert response.status_code == 200
        assert response.context["form"].errors["__all__"][0]
        assert not response.context["user"].is_authenticated
    with time_machine.travel("2026-11-27 09:16 +0800", tick=False):
        assert sign_in(client, "staff1").status_code == 302
    assert not SignInAttempt.objects.filter(login="staff1", succeeded=False).exists()


@pytest.mark.parametrize(
    "names",
    [
        ["staff1", "E1003"],  # the username's failures lock the employee number too
        ["E1003", "STAFF1"],
        ["Staff1", "e1003", "staff1"],
    ],
)
def test_failed_sign_ins_count_per_account_whatever_name_was_typed(client, world, names):
    """Five wrong passwords lock the account, however its name is typed (username in any case or employee
    number), so a guesser gets five tries per account, not five per spelling."""
    with time_machine.travel("2026-11-27 09:00 +0800", tick=False):
        for n in range(settings.SIGNIN_MAX_FAILURES):
            sign_in(client, names[n % len(names)], "wrong")
        for name in ("staff1", "STAFF1", "E1003", "e1003"):
            response = sign_in(client, name)
            assert response.status_code == 200, name
            assert response.context["form"].has_error("__all__", "throttled")
            assert not response.context["user"].is_authenticated
        # another account from another address is not locked
        other = sign_in_from("10.0.0.9", "staff2")
        assert other.status_code == 302
    with time_machine.travel("2026-11-27 09:16 +0800", tick=False):
        assert sign_in(client, "E1003").status_code == 302
    assert not SignInAttempt.objects.filter(login="staff1", succeeded=False).exists()


def sign_in_from(ip, login, password=PASSWORD):
    return Client(REMOTE_ADDR=ip).post(reverse("login"), {"username": login, "password": password})


def test_the_account_lock_holds_from_another_address(world):
    with time_machine.travel("2026-11-27 09:00 +0800", tick=False):
        for _ in range(settings.SIGNIN_MAX_FAILURES):
            sign_in_from("10.0.0.1", "staff1", "wrong")
        response = sign_in_from("10.0.0.2", "E1003")
        assert response.context["form"].has_error("__all__", "throttled")


def test_unknown_names_count_per_typed_name(client, world):
    with time_machine.travel("2026-11-27 09:00 +0800", tick=False):
        for _ in range(settings.SIGNIN_MAX_FAILURES):
            sign_in(client, "nobody", "wrong")
        response = sign_in(client, "NOBODY", "wrong")
        assert response.context["form"].has_error("__all__", "throttled")
        # a real account from the same address is not locked by it (the address ceiling is higher)
        assert sign_in(client, "staff1").status_code == 302
    assert SignInAttempt.objects.filter(login="nobody", succeeded=False).count() == settings.SIGNIN_MAX_FAILURES


def test_many_names_from_one_address_are_throttled(client, world):
    with time_machine.travel("2026-11-27 09:00 +0800", tick=False):
        for n in range(settings.SIGNIN_MAX_FAILURES * 4):
            sign_in(client, f"guess{n}", "wrong")
        response = sign_in(client, "manager1")
        assert response.status_code == 200 and not response.context["user"].is_authenticated


def test_sessions_expire(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600


def test_pages_need_sign_in(client, world):
    for url in (reverse("home"), reverse("customers:customer_list"), reverse("standards")):
        response = client.get(url)
        assert response.status_code == 302 and "/signin/" in response["Location"]


def test_the_admin_signs_in_through_the_throttled_sign_in_page(client, world):
    """The admin's own login form would let a guesser past the throttle: it sends to the product's sign-in."""
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/signin/?next=/admin/"
    response = client.post("/admin/login/?next=/admin/", {"username": world.admin.username, "password": "x"})
    assert response.status_code == 302  # nothing is checked here: the POST goes nowhere but the sign-in page
    assert not SignInAttempt.objects.exists()
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1] == ("/signin/?next=%2Fadmin%2F", 302)
