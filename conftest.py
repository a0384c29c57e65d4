"""Shared test fixtures: a dealer group with two stores (A and B) and a person in every role.

Two suite-wide rules live here too:

- AFTERSALES_TEST_AT (set by ``scripts/test --at 2027-06-15T23:40+08:00``) moves the clock for the
  whole session, in every xdist worker, and lets it tick from there: the suite must pass at any
  date and hour. Tests that freeze or move their own clock (time_machine.travel) still do.
- No network call inside a database transaction: a socket connect, or the WeCom post, made while
  the test's code holds a transaction open (deeper than the test's own wrapping transaction) fails
  the test. See `assert_no_transaction`.
"""

import os
import socket
import threading
from datetime import datetime

import pytest

# Playwright's sync API runs an event loop; Django's ORM calls from the same thread in the
# live-server tests are safe here because the server runs in its own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TEST_AT_VARIABLE = "AFTERSALES_TEST_AT"
_session_travel = None


def pytest_configure(config):
    """Move the clock for the whole session when AFTERSALES_TEST_AT is set (each xdist worker too)."""
    global _session_travel
    moment = os.environ.get(TEST_AT_VARIABLE, "").strip()
    if moment and _session_travel is None:
        import time_machine

        try:
            when = datetime.fromisoformat(moment)
        except ValueError:
            raise pytest.UsageError(f"{TEST_AT_VARIABLE}={moment!r} is not an ISO date and time") from None
        if when.tzinfo is None:
            raise pytest.UsageError(f"{TEST_AT_VARIABLE}={moment!r} needs a UTC offset, e.g. +08:00")
        _session_travel = time_machine.travel(when, tick=True)
        _session_travel.start()
    _install_network_guard()


def pytest_unconfigure(config):
    global _session_travel
    if _session_travel is not None:
        _session_travel.stop()
        _session_travel = None


def pytest_report_header(config):
    moment = os.environ.get(TEST_AT_VARIABLE, "").strip()
    return [f"clock moved to {moment} ({TEST_AT_VARIABLE})"] if moment else []


# --- No network call inside a transaction ---------------------------------------------------------


class NetworkCallInTransaction(BaseException):
    """Raised (past any `except Exception`) when code calls out over the network inside a transaction."""


_baseline = threading.local()  # the transaction depth the test itself started at, per thread
_violations: list[str] = []


def _transaction_depth() -> int:
    from django.db import connections

    return sum(len(c.atomic_blocks) for c in connections.all(initialized_only=True))


def assert_no_transaction(what: str) -> None:
    """Fail if the calling thread is inside a transaction opened by the code under test."""
    depth = _transaction_depth()
    if depth > getattr(_baseline, "depth", 0):
        message = f"{what} inside a database transaction (depth {depth}, the test began at {_baseline.__dict__.get('depth', 0)})"
        _violations.append(message)
        raise NetworkCallInTransaction(message)


def _install_network_guard() -> None:
    if getattr(socket.socket.connect, "_guarded", False):
        return
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guarded_connect(self, address):
        if self.family != getattr(socket, "AF_UNIX", None):
            assert_no_transaction(f"socket connect to {address!r}")
        return connect(self, address)

    def guarded_connect_ex(self, address):
        if self.family != getattr(socket, "AF_UNIX", None):
            assert_no_transaction(f"socket connect to {address!r}")
        return connect_ex(self, address)

    guarded_connect._guarded = True
    socket.socket.connect = guarded_connect
    socket.socket.connect_ex = guarded_connect_ex


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """The test's own wrapping transaction (pytest-django's `db`) is the baseline; deeper is the code's."""
    _baseline.depth = _transaction_depth()
    _violations.clear()
    try:
        return (yield)
    finally:
        _baseline.depth = 0
        found = list(_violations)
        _violations.clear()
        if found:
            pytest.fail("network call inside a database transaction: " + "; ".join(found), pytrace=False)


@pytest.fixture(autouse=True)
def _wecom_post_outside_transactions(monkeypatch):
    """The WeCom post itself (whatever it connects to) must run outside any transaction."""
    from promises import wecom

    real = wecom.post_json

    def post_json(url, payload, *args, **kwargs):
        assert_no_transaction(f"WeCom post to {url}")
        return real(url, payload, *args, **kwargs)

    monkeypatch.setattr(wecom, "post_json", post_json)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts and ends in the default language: a request as an English-speaking person
    activates English for the thread, which must not leak into the next test run by the same worker."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _static_storage(settings, tmp_path):
    """Tests serve static files without collectstatic."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    """Two stores of one group, departments, and users in every role (see tests/factories.py)."""
    from tests.factories import make_world

    return make_world()


@pytest.fixture
def network_guard_violations():
    """The guard's findings in this test, for a test of the guard itself (clear it once checked)."""
    return _violations
