"""The Content-Security-Policy holds on the main pages: no script, style or frame the policy refuses.

Every inline script, onclick= and hx-on was moved into static files, and htmx trigger filters (run with
eval) into them too; this test fails on any CSP violation the browser reports on the pages staff use most.
"""

import time_machine
from playwright.sync_api import expect

from checks.models import Round
from checks.services.rounds import round_start, rounds_schedule
from checks.tests.helpers import lounge
from insights.tests.lounge_helpers import NOW, make_lounge_week
from lounge.tests.wall import make_drink, make_seat
from tests.clock import at

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


def watch(page):
    """Collect CSP violations: the page's own securitypolicyviolation events and Chromium's console errors."""
    seen = []
    page.add_init_script(WATCH)
    page.on(
        "console",
        lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.on("pageerror", lambda error: seen.append(f"page error: {error}"))
    return seen


def violations(page, seen):
    page.wait_for_load_state("networkidle")
    return seen + page.evaluate("window.__csp || []")


def visit(page, seen, url):
    response = page.goto(url)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert violations(page, seen) == [], url


def test_no_csp_violation_on_the_main_pages(page, live_server, world, sign_in):
    seen = watch(page)
    make_lounge_week(world)
    seat = make_seat(world.a, "A1")
    make_drink(world.a, "绿茶")
    with time_machine.travel(at("2026-11-30 10:31"), tick=True):
        template, area = lounge(world.a)
        rounds_schedule()
        round = Round.objects.get(area=area)
        round_start(actor=world.a.staff, round=round)
        sign_in(world.a.manager)
        base = live_server.url
        visit(page, seen, f"{base}/")
        # the top bar's search (htmx, and its focus trigger now in app.js)
        page.locator("#global-search").fill("张")
        page.locator("#global-search").blur()
        page.locator("#global-search").focus()
        assert violations(page, seen) == []
        visit(page, seen, f"{base}/phone/")
        page.keyboard.press("Alt+Digit2")  # a script tab, from console.js
        page.locator("[data-script-tab]").first.click()
        assert violations(page, seen) == []
        visit(page, seen, f"{base}/lounge/board/")
        visit(page, seen, f"{base}/lounge/requests/")
        visit(page, seen, f"{base}/checks/")
        visit(page, seen, f"{base}/checks/rounds/{round.pk}/do/")
        page.get_by_test_id("check-item").first.locator("label.btn-outline-success").click()
        expect(page.get_by_test_id("progress")).to_contain_text("1 /")  # round.js counts the answers
        visit(page, seen, f"{base}/checks/templates/{template.pk}/")
        visit(page, seen, f"{base}/customers/")
    with time_machine.travel(NOW, tick=True):
        visit(page, seen, f"{live_server.url}/insights/lounge/?period=week&date=2026-03-11")
        expect(page.locator(".insights-chart canvas")).to_have_count(2)  # ECharts drew under the policy
        visit(page, seen, f"{live_server.url}/insights/telephone/")
    # the customer's phone at a table: the public QR page, no session
    page.context.clear_cookies()
    visit(page, seen, f"{live_server.url}/q/{seat.token}/")
    assert violations(page, seen) == []


def test_an_inline_script_would_be_reported(page, live_server, world, sign_in):
    """The watch itself works: an inline script injected into a page is refused and reported."""
    seen = watch(page)
    sign_in(world.a.staff)
    page.goto(f"{live_server.url}/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; "
        "document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in v for v in violations(page, seen))


def test_the_board_skips_its_poll_while_an_error_or_a_drink_menu_is_open(page, live_server, world, sign_in):
    """The pause that was an hx-trigger filter (eval, refused by the policy) now lives in board.js."""
    seen = watch(page)
    sign_in(world.a.manager)
    page.goto(f"{live_server.url}/lounge/board/")
    ask_poll = """(triggeringEvent) => {
        const elt = document.getElementById('board-live');
        const detail = {elt: elt, triggeringEvent: triggeringEvent ? new Event('refresh') : undefined};
        const event = new CustomEvent('htmx:confirm', {cancelable: true, bubbles: true, detail: detail});
        elt.dispatchEvent(event);
        return event.defaultPrevented;
    }"""
    assert page.evaluate(ask_poll, False) is False  # idle: the poll goes ahead
    page.evaluate(
        "document.getElementById('board-live').insertAdjacentHTML('afterbegin', '<details open><summary>x</summary></details>')"
    )
    assert page.evaluate(ask_poll, False) is True  # a drink menu open: the poll is skipped
    assert page.evaluate(ask_poll, True) is False  # an explicit refresh still runs
    assert violations(page, seen) == []
