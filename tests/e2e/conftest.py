"""Browser tests: Playwright driving Debian's Chromium (headless) against Django's live server."""

import os
import shutil

import pytest
from django.conf import settings as django_settings

CHROMIUM = os.environ.get("AFTERSALES_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: scripts/test installs Debian's chromium package")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture(autouse=True)
def _e2e_timeouts(page):
    page.set_default_timeout(10_000)
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)


@pytest.fixture
def sign_in(page, live_server):
    """Sign a user in by handing the browser a real session cookie (sign-in itself is tested apart).

    Each call starts a fresh session, so one test can switch between people.
    """
    from django.test import Client

    def _sign_in(user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        # let the last page finish and leave it: an answer still on its way would set the old session again
        if page.url != "about:blank":
            page.wait_for_load_state("networkidle")
            page.goto("about:blank")
        page.context.clear_cookies()
        page.context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": cookie.value,
                    "url": live_server.url,
                }
            ]
        )
        return page

    return _sign_in
