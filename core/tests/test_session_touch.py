"""A session lives SESSION_COOKIE_AGE after the last page but is written at most every five minutes (issue 10):
saving it on every page was one database write per page view."""

from datetime import timedelta

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.clock import at

START = at("2026-11-27 09:00")


def _session_writes(client, url="/promises/") -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum(
        1
        for q in queries
        if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    )


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_pages_within_five_minutes_do_not_write_the_session(client, world):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(world.a.staff)
        _session_writes(client)
        clock.shift(timedelta(minutes=2))
        assert _session_writes(client) == 0
        clock.shift(timedelta(minutes=2))
        assert _session_writes(client) == 0


def test_a_page_after_five_minutes_renews_the_session(client, world):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(world.a.staff)
        _session_writes(client)
        first = _expiry(client)
        clock.shift(timedelta(minutes=6))
        assert _session_writes(client) == 1
        assert _expiry(client) - first == timedelta(minutes=6)


def test_a_person_who_keeps_working_stays_signed_in_and_an_idle_one_is_signed_out(client, world):
    age = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(world.a.staff)
        for _ in range(3):  # working past the age, a page every half of it
            clock.shift(age / 2)
            assert client.get("/promises/").status_code == 200
        clock.shift(age + timedelta(minutes=1))
        response = client.get("/promises/")
        assert response.status_code == 302 and "/signin/" in response["Location"]
