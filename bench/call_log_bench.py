"""Benchmark of the call console: a common call logged from the keyboard, in Chromium, against a live server.

Run by hand from the project folder:

    .venv/bin/python bench/call_log_bench.py                    # 20 calls, SQLite in a temp folder
    .venv/bin/python bench/call_log_bench.py --calls 50 --customers 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/call_log_bench.py

The requirement (S2, the call console): a common call is logged in under 30 seconds. The database is
the other benchmarks' throwaway one (bench/import_bench.py's throwaway_environment), with the test
data builders' dealer group (tests/factories.py: store S001, its customer-service agent staff1 at
extension 8011) and a customer with a vehicle. The static files are collected and the app is served
by waitress in a thread (8 threads, as scripts/serve); Debian's Chromium (AFTERSALES_CHROMIUM,
/usr/bin/chromium) is driven by Playwright, headless, as a keyboard user: sign in (username, Tab,
password, Enter), then for every call Esc (back to the number), the caller's number, Enter (the
caller card pops up and the console puts the focus on the call's purpose), arrow keys only if it is
not already Enquiry, Tab to the outcome (Handled, the same), Tab to the ring time and type it, Tab to
the notes and type them, then Ctrl+Enter (the console's save key), until the console says the call
is logged.

Measured per call, from the number typed to the call saved and confirmed on screen: the wall time
(no human think-time or typing speed: the machine's part), the keys pressed (each character typed
counts as one; a Chinese note typed with a pinyin input method takes more) and the server's time
for the save request and for the service alone (phone.services.calls.call_log), with its SQL queries.
The estimate for a person adds 0.28 s a key (the keystroke-level model's average typist), still
without time to think or to listen to the caller. Every call must be in the database at the end.
"""

import argparse
import os
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_bench import throwaway_environment  # noqa: E402

CHROMIUM = os.environ.get("AFTERSALES_CHROMIUM", "/usr/bin/chromium")
SECONDS_PER_KEY = 0.28  # keystroke-level model (Card, Moran and Newell): an average typist
MAX_TABS = 80  # a form field further than this from the number box is a broken page, not a slow one


class ServerTimes:
    """WSGI wrapper and service wrapper noting how long the server takes, and how many SQL queries."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.requests: dict[str, list[float]] = {}
        self.service: list[float] = []
        self.queries: list[int] = []

    def __call__(self, environ, start_response):
        from django.db import connection

        key = f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}"
        counted = [0]

        def count(execute, sql, params, many, context):
            counted[0] += 1
            return execute(sql, params, many, context)

        began = time.perf_counter()
        with connection.execute_wrapper(count):
            body = b"".join(self.app(environ, start_response))
        took = time.perf_counter() - began
        with self.lock:
            self.requests.setdefault(key, []).append(took)
            if key == "POST /phone/calls/new/":
                self.queries.append(counted[0])
        return [body]

    def wrap_service(self, module, name: str) -> None:
        real = getattr(module, name)

        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                took = time.perf_counter() - began
                with self.lock:
                    self.service.append(took)

        setattr(module, name, timed)


def figures(values: list[float]) -> str:
    """median, p90 and max of a list (p90 by the nearest rank)."""
    ordered = sorted(values)
    p90 = ordered[max(0, -(-len(ordered) * 9 // 10) - 1)]
    return f"median {statistics.median(ordered):.3f}  p90 {p90:.3f}  max {ordered[-1]:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20, help="calls to log (N)")
    parser.add_argument("--customers", type=int, default=1, help="callers taking turns (each a customer)")
    parser.add_argument("--ring", default="6", help="ring time typed, in seconds")
    parser.add_argument("--notes", default="询问保养价格", help="the notes typed")
    parser.add_argument("--limit", type=float, default=30.0, help="seconds allowed for a person to log a call")
    parser.add_argument("--headed", action="store_true", help="show the browser window")
    parser.add_argument("--show-tabs", action="store_true", help="print where each Tab of the first call went")
    args = parser.parse_args()

    workdir, where, drop = throwaway_environment("aftersales-call-bench-")
    server = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.core.wsgi import get_wsgi_application
        from playwright.sync_api import expect, sync_playwright
        from waitress.server import create_server

        from phone.choices import Outcome, Purpose
        from phone.models import Call
        from phone.services import calls as call_services
        from tests.factories import PASSWORD, make_customer, make_vehicle, make_world

        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        world = make_world()
        agent = world.a.staff
        callers = []
        for number in range(args.customers):
            mobile = f"1370000{1234 + number:04d}"
            customer = make_customer(world.a.store, name=f"王{'五六七八九'[number % 5]}{number or ''}", mobile=mobile)
            make_vehicle(customer, plate=f"京N8K{123 + number:03d}")
            callers.append((mobile, customer))
        setup = time.perf_counter() - began

        times = ServerTimes(get_wsgi_application())
        times.wrap_service(call_services, "call_log")
        server = create_server(times, host="127.0.0.1", port=0, threads=8)  # as scripts/serve
        url = f"http://127.0.0.1:{server.effective_port}"
        threading.Thread(target=server.run, name="waitress", daemon=True).start()
        print(f"{where}; migrated, static files collected and data loaded in {setup:.1f} s; serving {url}")

        walls, keys_per_call, tabs_per_call = [], [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=not args.headed,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
            )
            page = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
            page.set_default_timeout(15_000)
            expect.set_options(timeout=15_000)
            keyboard = page.keyboard

            # Sign in as the agent would: the username box has the focus.
            page.goto(f"{url}/phone/")
            expect(page.locator("#id_username")).to_be_focused()
            keyboard.type(agent.username)
            keyboard.press("Tab")
            keyboard.type(PASSWORD)
            keyboard.press("Enter")
            number_box = page.get_by_test_id("console-number")
            expect(number_box).to_be_focused()
            signin_keys = len(agent.username) + 1 + len(PASSWORD) + 1
            print(f"signed in as {agent.username} with {signin_keys} keys; the console has the number box focused")

            def focused() -> dict:
                return page.evaluate(
                    "() => { const e = document.activeElement;"
                    " return {name: e.name || '', value: e.value || '', testid: e.dataset.testid || '',"
                    " checked: !!e.checked, tag: e.tagName, text: (e.innerText || '').trim().slice(0, 30)}; }"
                )

            path = []

            def tab_to(test) -> int:
                """Tab until the focused element passes `test` (none if it already does); the number of Tabs."""
                if test(focused()):
                    return 0
                for count in range(1, MAX_TABS + 1):
                    keyboard.press("Tab")
                    now = focused()
                    if args.show_tabs and not walls:
                        path.append(now["name"] or now["testid"] or f"{now['tag'].lower()} {now['text']}")
                    if test(now):
                        return count
                raise RuntimeError(f"no such field within {MAX_TABS} Tabs: {focused()}")

            def choose(wanted: str) -> int:
                """On a radio group: arrow keys (each one checks the next choice) until `wanted` is checked."""
                pressed = 0
                while not (focused()["value"] == wanted and focused()["checked"]):
                    keyboard.press("ArrowRight")
                    pressed += 1
                    if pressed > 12:
                        raise RuntimeError(f"{wanted} not found by arrow keys")
                return pressed

            last_saved = ""
            for index in range(args.calls):
                mobile, customer = callers[index % len(callers)]
                # Instrumentation, not keys: mark the card and the form shown now, to wait for new ones.
                page.evaluate("() => { document.getElementById('caller-card').dataset.old = '1'; }")
                keyboard.press("Escape")  # the console's key back to the number box, its text selected
                expect(number_box).to_be_focused()
                keyboard.type(mobile)
                keys = 1 + len(mobile)

                started = time.perf_counter()  # the number is typed
                keyboard.press("Enter")  # the caller card pops up
                keys += 1
                card = page.locator("#caller-card:not([data-old])")
                expect(card.get_by_test_id("caller-name")).to_have_text(customer.name)
                tabs = tab_to(lambda f: f["name"] == "purpose")
                keys += tabs + choose(Purpose.ENQUIRY)
                steps = tab_to(lambda f: f["name"] == "outcome")
                keys += steps + choose(Outcome.HANDLED)
                tabs += steps
                steps = tab_to(lambda f: f["name"] == "ring_seconds")
                keyboard.type(args.ring)
                keys += steps + len(args.ring)
                tabs += steps
                steps = tab_to(lambda f: f["name"] == "notes")
                keyboard.type(args.notes)
                keys += steps + len(args.notes)
                tabs += steps
                keyboard.press("Control+Enter")  # the console's key to save the call from anywhere
                keys += 1
                saved = page.locator(f"[data-testid=call-saved]:not([data-call='{last_saved}'])")
                expect(saved).to_be_visible()
                walls.append(time.perf_counter() - started)
                if path:
                    print("Tabs of the first call: " + " → ".join(path))
                    path.clear()
                last_saved = saved.get_attribute("data-call")
                keys_per_call.append(keys)
                tabs_per_call.append(tabs)
            browser.close()

        calls = Call.objects.filter(store=world.a.store)
        right = calls.filter(
            purpose=Purpose.ENQUIRY,
            outcome=Outcome.HANDLED,
            customer__isnull=False,
            answered_by=agent,
            ring_seconds=float(args.ring),
            notes=args.notes,
        ).count()
        saves = times.requests.get("POST /phone/calls/new/", [])
        lookups = times.requests.get("GET /phone/caller/", [])
        estimate = [wall + keys * SECONDS_PER_KEY for wall, keys in zip(walls, keys_per_call, strict=True)]
        print(f"{args.calls} calls, {args.customers} caller(s) taking turns; seconds:")
        print(f"  number typed → saved on screen (wall)   {figures(walls)}")
        print(f"  server: save request                     {figures(saves)}  ({len(saves)} requests)")
        print(f"  server: call_log service                 {figures(times.service)}")
        print(f"  server: caller card request              {figures(lookups)}")
        print(f"  SQL queries per save request             {min(times.queries)} to {max(times.queries)}")
        print(
            f"  keys per call (Esc, number and all)       {min(keys_per_call)} to {max(keys_per_call)}, "
            f"median {statistics.median(keys_per_call):g}; of them Tabs {min(tabs_per_call)} to "
            f"{max(tabs_per_call)}; no mouse clicks"
        )
        print(f"  estimate for a person (+{SECONDS_PER_KEY} s a key) {figures(estimate)}")
        print(f"calls saved in the database: {calls.count()} (expected {args.calls}), with every field right: {right}")
        ok = calls.count() == right == args.calls and max(estimate) < args.limit
        print(("OK" if ok else "NOT MET") + f": goal {args.limit:.0f} s a call")
        return 0 if ok else 1
    finally:
        if server is not None:
            server.close()
        if drop is not None:
            from django.db import connections

            connections.close_all()
            drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
