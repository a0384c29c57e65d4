"""Load benchmark (issue 10): every role's pages under 1 and 16 connections, against a running server.

Run by hand from the project folder, with the same database settings as the server (the script reads
its search terms and record ids from the database through the Django ORM):

    .venv/bin/python bench/load_bench.py --serve                  # starts waitress as scripts/serve does
    .venv/bin/python bench/load_bench.py --url http://127.0.0.1:8000   # a server already running
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aft_group \\
        .venv/bin/python bench/load_bench.py --serve --json /tmp/bench.json
    .venv/bin/python bench/load_bench.py --serve --connections 1,4,16 --requests 100 --only 'calls|figures'
    .venv/bin/python bench/load_bench.py --serve --skip '^(group_admin|store_manager): home '

What it does:

1. Picks its people: a group admin, a store manager, a customer-service agent and a lounge attendant
   (--users role=username,…; by default the generator's accounts — `manage.py generate_group`:
   groupadmin, s001_manager, s001_agent, s001_attendant — when they exist, else the demo's: admin,
   manager1, staff1, wuxiaoyan; password --password, the demo's by default), and a superuser for the
   Django admin (--admin; created with that password if it does not exist, or --admin '' for none).
2. Reads from the database what the pages are asked for: a plate, four digits of a phone number,
   pinyin initials and a whole number of customers of the agent's store, records to open (customer,
   call, complaint, visit), the day of the store's latest call (its month and year are the figures'
   periods) and how many pages the API lists have (for their deep page).
3. Signs in once per person and connection (the sign-in form at /signin/ with its CSRF token): every
   connection is one `requests.Session`, as one browser tab, with its own session and keep-alive.
4. For each number of connections, then for each page: one warm-up request (not counted), then
   --requests requests shared by the connections, all of them asking at once without pause (a closed
   loop), each page for at most --seconds. Measured on the client: from sending to the last byte.
5. Prints a markdown table: page × connections with p50, p95 and p99 in ms, the ratio of the p95 to the
   bare view's (/healthz: no database, no session, the floor of this server and client) at the same
   number of connections, and to the Django admin changelist of the same table (its first page, as the
   superuser), the answers that were not 200 (every page must answer 200 under load), the SQL queries of
   one request (counted in this process with Django's test client, not under load) and the issue's
   target at 16 connections. --json FILE writes the same figures with the run's settings and row counts.

The client runs on the same machine as the server and takes some of its CPU (printed at the end): on
2 cores, compare figures of one run with each other (the ratios), and runs on one machine with each other.
"""

import argparse
import json
import logging
import math
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROLES = ("group_admin", "store_manager", "agent", "attendant")
# The people of the data generator (demo/generate/org.py) and of the demo (demo/builders/org.py).
GENERATED_USERS = {
    "group_admin": "groupadmin",
    "store_manager": "s001_manager",
    "agent": "s001_agent",
    "attendant": "s001_attendant",
}
DEMO_USERS = {"group_admin": "admin", "store_manager": "manager1", "agent": "staff1", "attendant": "wuxiaoyan"}
DEFAULT_PASSWORD = "demo1234"  # demo.load.DEMO_PASSWORD and generate_group's default
ADMIN = "admin_site"  # the superuser's key among the sessions
BARE = "anonymous"  # no session at all

# The targets at 16 connections (ms); the caller lookup's is relative: 3 × the bare view.
LIST_TARGET, STORE_MONTH_TARGET, GROUP_YEAR_TARGET = 100.0, 250.0, 1000.0
CALLER_TARGET_RATIO = 3.0


@dataclass
class Page:
    """One URL asked by one person; `admin` names the admin changelist of the same table, if any."""

    name: str
    role: str
    path: str
    admin: str = ""
    target_ms: float | None = None
    target_ratio: float | None = None
    htmx: bool = False  # asked as htmx asks it (the search box, the caller card, the board's live part)


@dataclass
class Result:
    page: str
    role: str
    path: str
    connections: int
    n: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    mean_ms: float | None
    max_ms: float | None
    not_200: dict = field(default_factory=dict)
    ratio_to_bare: float | None = None
    ratio_to_admin: float | None = None
    admin_page: str = ""
    queries: int | None = None
    target: str = ""
    meets_target: bool | None = None
    seconds: float = 0.0


# Admin changelists, by the table they list.
ADMIN_PAGES = {
    "calls": "/admin/phone/call/",
    "messages": "/admin/phone/message/",
    "visits": "/admin/lounge/visit/",
    "requests": "/admin/lounge/loungerequest/",
    "faults": "/admin/lounge/faultticket/",
    "rounds": "/admin/checks/round/",
    "actions": "/admin/checks/correctiveaction/",
    "users": "/admin/org/user/",
}


# --- Setting up: people, terms, pages -------------------------------------------------------------


def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    import django

    django.setup()


def choose_users(spec: str) -> dict[str, str]:
    """role → username: --users pairs over the generator's accounts if they exist, else the demo's."""
    from org.models import User

    users = dict(
        GENERATED_USERS if User.objects.filter(username=GENERATED_USERS["group_admin"]).exists() else DEMO_USERS
    )
    for pair in filter(None, (p.strip() for p in spec.split(","))):
        role, sep, username = pair.partition("=")
        if not sep or role not in ROLES or not username:
            raise SystemExit(f"--users takes role=username pairs, roles {', '.join(ROLES)}; not {pair!r}")
        users[role] = username
    found = {u.username: u for u in User.objects.filter(username__in=users.values()).select_related("store")}
    for role, username in users.items():
        user = found.get(username)
        if user is None or not user.is_active:
            raise SystemExit(f"no active account {username!r} for the {role}; name one with --users {role}=USERNAME")
        if role != "group_admin" and user.store_id is None:
            raise SystemExit(f"the {role} {username!r} has no store of their own")
    return users


def ensure_superuser(username: str, password: str) -> bool:
    """The superuser the admin changelists are asked as; made with `password` if missing (True then)."""
    from org.models import User

    user = User.objects.filter(username=username).first()
    if user is not None:
        if not (user.is_superuser and user.is_staff and user.is_active):
            raise SystemExit(f"--admin {username!r} exists but is not an active superuser; name another")
        return False
    User.objects.create_superuser(username=username, email="", password=password)
    return True


def _middle(qs):
    """A record from the middle of the queryset's primary keys: typical, and the same on every run."""
    from django.db.models import Max, Min

    bounds = qs.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return None
    return qs.filter(pk__gte=(bounds["low"] + bounds["high"]) // 2).order_by("pk").first()


def pick_terms(users: dict[str, str]) -> dict:
    """What the pages are asked for, read from the data of the agent's and the manager's stores."""
    from django.utils import timezone

    from complaints.models import Complaint
    from customers.models import Customer, Vehicle
    from insights.figures import base
    from lounge.models import Visit
    from org.models import User
    from phone.models import Call

    people = {u.username: u for u in User.objects.filter(username__in=users.values())}
    agent_store = people[users["agent"]].store
    manager_store = people[users["store_manager"]].store
    attendant_store = people[users["attendant"]].store
    customers = Customer.objects.filter(store=agent_store, erased_at__isnull=True)
    # mobiles are kept as +86…; the console and the search box are typed the national number
    with_mobile = _middle(customers.filter(mobile__startswith="+861").exclude(name_initials=""))
    national = with_mobile.mobile.removeprefix("+86") if with_mobile else ""
    vehicle = _middle(Vehicle.objects.filter(store=agent_store).exclude(plate=""))
    latest = (
        Call.objects.filter(store=manager_store).order_by("-started_at").values_list("started_at", flat=True).first()
    )
    day = timezone.localtime(latest).date() if latest else timezone.localdate()
    terms = {
        "agent_store": agent_store.code,
        "manager_store": manager_store.code,
        "manager_store_id": manager_store.pk,
        "attendant_store_id": attendant_store.pk,
        "plate": vehicle.plate if vehicle else "",
        "digits": national[-4:],
        "pinyin": with_mobile.name_initials[:2] if with_mobile else "",
        "number": national,
        "customer_id": with_mobile.pk if with_mobile else None,
        "call_id": getattr(_middle(Call.objects.filter(store=manager_store)), "pk", None),
        "complaint_id": getattr(_middle(Complaint.objects.filter(store=manager_store)), "pk", None),
        "visit_id": getattr(_middle(Visit.objects.filter(store=attendant_store)), "pk", None),
        "day": day.isoformat(),
        "year_period": "year" in getattr(base, "PERIOD_KINDS", ()),
    }
    missing = [k for k in ("plate", "digits", "pinyin", "number") if not terms[k]]
    if missing:
        raise SystemExit(f"store {agent_store.code} has no customer or vehicle to search for ({', '.join(missing)})")
    return terms


def row_counts() -> dict[str, int]:
    """The size of the data, for the report: the tables the pages list."""
    from django.apps import apps

    names = [
        "org.Store",
        "org.User",
        "customers.Customer",
        "customers.Vehicle",
        "phone.Call",
        "phone.Message",
        "promises.Promise",
        "complaints.Complaint",
        "lounge.Visit",
        "checks.Round",
        "core.HistoryEntry",
    ]
    counts = {}
    for name in names:
        try:
            counts[name] = apps.get_model(name).objects.count()
        except LookupError:
            pass
    return counts


def build_pages(terms: dict, deep: str, api_pages: dict[str, int] | None = None) -> list[Page]:
    """Every person's pages; `deep` is the deep page's number or "last"."""
    deep_html = (
        "999999999" if deep == "last" else deep
    )  # Django's Paginator.get_page answers the last page past the end

    def deep_api(key):
        pages = (api_pages or {}).get(key, 1)
        return pages if deep == "last" else min(int(deep), pages)

    month = {"period": "month", "date": terms["day"]}
    year = {"period": "year", "date": terms["day"]}
    q = lambda **kw: "?" + urlencode(kw)  # noqa: E731
    g, m, a, t = ROLES
    L = LIST_TARGET
    pages = [
        # The group admin: everything of the group.
        Page("home", g, "/"),
        Page("customer list", g, "/customers/", target_ms=L),
        Page("customer list, deep page", g, "/customers/" + q(page=deep_html), target_ms=L),
        Page("vehicle list", g, "/customers/vehicles/", target_ms=L),
        Page("search: plate", g, "/customers/search/" + q(q=terms["plate"]), target_ms=L, htmx=True),
        Page("search: phone digits", g, "/customers/search/" + q(q=terms["digits"]), target_ms=L, htmx=True),
        Page("search: pinyin", g, "/customers/search/" + q(q=terms["pinyin"]), target_ms=L, htmx=True),
        Page("customer detail", g, f"/customers/{terms['customer_id']}/", target_ms=L),
        Page("call list", g, "/phone/calls/", admin="calls", target_ms=L),
        Page("call list, deep page", g, "/phone/calls/" + q(page=deep_html), admin="calls", target_ms=L),
        Page("call detail", g, f"/phone/calls/{terms['call_id']}/", target_ms=L),
        Page("message list", g, "/phone/messages/", admin="messages", target_ms=L),
        Page("complaint list", g, "/complaints/", target_ms=L),
        Page("complaint list, deep page", g, "/complaints/" + q(page=deep_html), target_ms=L),
        Page("complaint detail", g, f"/complaints/{terms['complaint_id']}/", target_ms=L),
        Page("check rounds", g, "/checks/", admin="rounds", target_ms=L),
        Page("corrective actions", g, "/checks/actions/", admin="actions", target_ms=L),
        Page("lounge visits", g, "/lounge/visits/", admin="visits", target_ms=L),
        Page("lounge visits, deep page", g, "/lounge/visits/" + q(page=deep_html), admin="visits", target_ms=L),
        Page("visit detail", g, f"/lounge/visits/{terms['visit_id']}/", target_ms=L),
        Page("lounge requests", g, "/lounge/requests/", admin="requests", target_ms=L),
        Page("fault tickets", g, "/lounge/faults/", admin="faults", target_ms=L),
        Page("staff list", g, "/org/staff/", admin="users", target_ms=L),
        Page("my promises", g, "/promises/", target_ms=L),
        Page("telephone figures, group × month", g, "/insights/telephone/" + q(**month)),
        Page("lounge figures, group × month", g, "/insights/lounge/" + q(**month)),
    ]
    if terms["year_period"]:
        pages += [
            Page("telephone figures, group × year", g, "/insights/telephone/" + q(**year), target_ms=GROUP_YEAR_TARGET),
            Page("lounge figures, group × year", g, "/insights/lounge/" + q(**year), target_ms=GROUP_YEAR_TARGET),
        ]
    api = [
        ("customers", "/api/v1/customers", ""),
        ("vehicles", "/api/v1/vehicles", ""),
        ("calls", "/api/v1/calls", "calls"),
        ("messages", "/api/v1/messages", "messages"),
        ("complaints", "/api/v1/complaints", ""),
        ("visits", "/api/v1/lounge/visits", "visits"),
        ("requests", "/api/v1/lounge/requests", "requests"),
        ("faults", "/api/v1/lounge/faults", "faults"),
        ("rounds", "/api/v1/checks/rounds", "rounds"),
        ("actions", "/api/v1/checks/actions", "actions"),
    ]
    for _key, path, admin in api:
        pages.append(Page(f"API {path[7:]}", g, path, admin=admin, target_ms=L))
    for key in ("calls", "visits"):
        path = dict((k, p) for k, p, _ in api)[key]
        pages.append(Page(f"API {path[7:]}, deep page", g, path + q(page=deep_api(key)), admin=key, target_ms=L))
    pages.append(Page("API /stores", g, "/api/v1/stores", target_ms=L))
    # The store manager: one store.
    pages += [
        Page("home", m, "/"),
        Page("customer list", m, "/customers/", target_ms=L),
        Page("call list", m, "/phone/calls/", admin="calls", target_ms=L),
        Page("call list, deep page", m, "/phone/calls/" + q(page=deep_html), admin="calls", target_ms=L),
        Page("complaint list", m, "/complaints/", target_ms=L),
        Page("lounge visits", m, "/lounge/visits/", admin="visits", target_ms=L),
        Page("check rounds", m, "/checks/", admin="rounds", target_ms=L),
        Page("my promises", m, "/promises/", target_ms=L),
        Page("telephone figures, store × month", m, "/insights/telephone/" + q(**month), target_ms=STORE_MONTH_TARGET),
        Page("lounge figures, store × month", m, "/insights/lounge/" + q(**month), target_ms=STORE_MONTH_TARGET),
        Page("API /calls", m, "/api/v1/calls", admin="calls", target_ms=L),
    ]
    # The agent: the telephone console.
    pages += [
        Page("home", a, "/"),
        Page("call console", a, "/phone/", target_ms=L),
        Page(
            "caller lookup",
            a,
            "/phone/caller/" + q(number=terms["number"]),
            htmx=True,
            target_ratio=CALLER_TARGET_RATIO,
        ),
        Page("call list", a, "/phone/calls/", admin="calls", target_ms=L),
        Page("message list", a, "/phone/messages/", admin="messages", target_ms=L),
        Page("search: plate", a, "/customers/search/" + q(q=terms["plate"]), target_ms=L, htmx=True),
        Page("search: phone digits", a, "/customers/search/" + q(q=terms["digits"]), target_ms=L, htmx=True),
        Page("search: pinyin", a, "/customers/search/" + q(q=terms["pinyin"]), target_ms=L, htmx=True),
        Page("customer detail", a, f"/customers/{terms['customer_id']}/", target_ms=L),
        Page("my promises", a, "/promises/", target_ms=L),
    ]
    # The attendant: the lounge.
    pages += [
        Page("home", t, "/"),
        Page("lounge board", t, "/lounge/board/", target_ms=L),
        Page("lounge board, live part", t, "/lounge/board/live/", htmx=True, target_ms=L),
        Page("lounge board, arrival lookup", t, "/lounge/board/lookup/" + q(q=terms["plate"]), htmx=True, target_ms=L),
        Page("lounge visits", t, "/lounge/visits/", admin="visits", target_ms=L),
        Page("lounge requests", t, "/lounge/requests/", admin="requests", target_ms=L),
        Page("check rounds", t, "/checks/", admin="rounds", target_ms=L),
        Page("my promises", t, "/promises/", target_ms=L),
    ]
    return pages


def count_queries(pages: list[Page], users: dict[str, str], admin: str) -> dict[tuple[str, str], int | None]:
    """SQL queries of one request of each page, in this process (Django's test client), keyed by (role, path)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from org.models import User

    names = dict(users) | ({ADMIN: admin} if admin else {})
    clients = {}
    for role, username in names.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        clients[role] = client
    counts = {}
    request_log = logging.getLogger("django.request")
    request_log.disabled = True  # a page that fails here is counted as failing under load, with its status
    for page in pages:
        client = Client(HTTP_HOST="127.0.0.1") if page.role == BARE else clients.get(page.role)
        if client is None:
            continue
        headers = {"HTTP_HX_REQUEST": "true"} if page.htmx else {}
        try:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(page.path, **headers)
            counts[(page.role, page.path)] = len(captured) if response.status_code == 200 else None
        except Exception:  # a page that fails here fails under load too, where it is counted
            counts[(page.role, page.path)] = None
    request_log.disabled = False
    return counts


# --- Talking to the server ------------------------------------------------------------------------

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_in(base: str, username: str, password: str, timeout: float) -> requests.Session:
    """A new session signed in through the sign-in form, as a browser does."""
    session = requests.Session()
    form = session.get(base + "/signin/", timeout=timeout)
    found = CSRF_FIELD.search(form.text)
    if form.status_code != 200 or not found:
        raise SystemExit(f"GET /signin/ answered {form.status_code} without a CSRF token")
    answer = session.post(
        base + "/signin/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": found.group(1)},
        headers={"Referer": base + "/signin/"},
        allow_redirects=False,
        timeout=timeout,
    )
    if answer.status_code != 302:
        raise SystemExit(f"{username!r} could not sign in (answer {answer.status_code}); check --users and --password")
    return session


def sign_in_all(base: str, accounts: dict[str, str], password: str, count: int, timeout: float) -> dict:
    """`count` sessions per account (role → list of sessions): the first one alone, so a wrong password fails
    once per account (sign-in locks an account after repeated failures), the others side by side."""
    sessions = {role: [sign_in(base, username, password, timeout)] for role, username in accounts.items()}
    jobs = [(role, username) for role, username in accounts.items() for _ in range(count - 1)]
    lock = threading.Lock()
    errors = []

    def work():
        while True:
            with lock:
                if not jobs:
                    return
                role, username = jobs.pop()
            try:
                session = sign_in(base, username, password, timeout)
            except BaseException as exc:  # reported below, after the threads end
                errors.append(exc)
                return
            with lock:
                sessions[role].append(session)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    sessions[BARE] = [requests.Session() for _ in range(count)]
    return sessions


def api_page_counts(base: str, session: requests.Session, timeout: float) -> dict[str, int]:
    """How many pages the API lists the deep page is asked of have (their first page says)."""
    counts = {}
    for key, path in (("calls", "/api/v1/calls"), ("visits", "/api/v1/lounge/visits")):
        answer = session.get(base + path, timeout=timeout)
        counts[key] = answer.json().get("pages", 1) if answer.status_code == 200 else 1
    return counts


def percentile(ordered: list[float], q: float) -> float | None:
    """The q-th quantile (0–1) by linear interpolation between the closest ranks."""
    if not ordered:
        return None
    k = (len(ordered) - 1) * q
    low = math.floor(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def measure(base: str, page: Page, sessions: list, requests_total: int, seconds: float, timeout: float, warmup: bool):
    """(seconds per answer, Counter of answers that were not 200) for `requests_total` requests shared by the sessions."""
    url = base + page.path
    headers = {"HX-Request": "true"} if page.htmx else {}
    timings: list[float] = []
    not_200: Counter = Counter()
    lock = threading.Lock()
    left = [requests_total]
    barrier = threading.Barrier(len(sessions))
    stop = [0.0]

    def ask(session):
        began = time.perf_counter()
        try:
            answer = session.get(url, headers=headers, allow_redirects=False, timeout=timeout)
            answer.content  # noqa: B018 — the whole body, as a browser waits for it
            status = answer.status_code
        except requests.RequestException as exc:
            status = type(exc).__name__
        return time.perf_counter() - began, status

    def work(session):
        if warmup and session is sessions[0]:
            # the server's caches warm; one request, not counted (a slow page asked by 16 at once takes minutes)
            ask(session)
        if barrier.wait() == 0:
            stop[0] = time.perf_counter() + seconds
        barrier.wait()
        while True:
            with lock:
                if left[0] <= 0 or time.perf_counter() > stop[0]:
                    return
                left[0] -= 1
            took, status = ask(session)
            with lock:
                timings.append(took)
                if status != 200:
                    not_200[str(status)] += 1

    threads = [threading.Thread(target=work, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(timings), not_200


def summarise(page: Page, connections: int, timings: list[float], not_200: Counter, took: float) -> Result:
    ms = [t * 1000 for t in timings]
    return Result(
        page=page.name,
        role=page.role,
        path=page.path,
        connections=connections,
        n=len(ms),
        p50_ms=percentile(ms, 0.50),
        p95_ms=percentile(ms, 0.95),
        p99_ms=percentile(ms, 0.99),
        mean_ms=sum(ms) / len(ms) if ms else None,
        max_ms=ms[-1] if ms else None,
        not_200=dict(not_200),
        seconds=round(took, 2),
    )


# --- The server, when --serve -----------------------------------------------------------------------


def start_server(port: int, threads: int, log: Path) -> subprocess.Popen:
    """waitress as scripts/serve starts it (8 threads), with this process's environment; its output in `log`.

    Into a file, not a pipe: waitress writes a warning each time requests queue for a thread, and a pipe
    nobody reads fills up and stops the server's main loop (every request then hangs).
    """
    waitress = ROOT / ".venv" / "bin" / "waitress-serve"
    command = [str(waitress), f"--listen=127.0.0.1:{port}", f"--threads={threads}", "aftersales.wsgi:application"]
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        if server.poll() is not None:
            raise SystemExit("waitress stopped: " + log.read_text(errors="replace")[-2000:])
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.1)
    server.terminate()
    raise SystemExit("waitress did not answer /healthz within 20 s")


# --- Report -------------------------------------------------------------------------------------------


def _num(value, digits=0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def markdown(results: list[Result]) -> str:
    lines = [
        "| page | as | conns | n | p50 ms | p95 ms | p99 ms | p95 × bare | p95 × admin | not 200 | queries | target (16) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for r in results:
        errors = ", ".join(f"{k}: {v}" for k, v in sorted(r.not_200.items())) or "0"
        target = r.target
        if r.meets_target is not None and r.connections == max(x.connections for x in results):
            target += " ✓" if r.meets_target else " ✗"
        lines.append(
            f"| {r.page} | {r.role} | {r.connections} | {r.n} | {_num(r.p50_ms, 1)} | {_num(r.p95_ms, 1)} | "
            f"{_num(r.p99_ms, 1)} | {_num(r.ratio_to_bare, 1)} | {_num(r.ratio_to_admin, 2)} | {errors} | "
            f"{_num(r.queries)} | {target} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the server (ignored with --serve)")
    parser.add_argument("--serve", action="store_true", help="start waitress (8 threads, as scripts/serve) here")
    parser.add_argument("--port", type=int, default=8765, help="the port for --serve")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads for --serve")
    parser.add_argument("--users", default="", help="role=username pairs, roles: " + ", ".join(ROLES))
    parser.add_argument("--password", default=DEFAULT_PASSWORD, help="the people's password (and a new --admin's)")
    parser.add_argument("--admin", default="benchadmin", help="a superuser for the admin changelists ('' for none)")
    parser.add_argument("--connections", default="1,16", help="numbers of connections, e.g. 1,16")
    parser.add_argument("--requests", type=int, default=48, help="requests per page at each number of connections")
    parser.add_argument("--seconds", type=float, default=60.0, help="at most this long per page and number")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a request counts as failed")
    parser.add_argument(
        "--statement-timeout",
        type=float,
        default=None,
        help="on PostgreSQL, stop any SQL statement after this many seconds (default: --timeout), in the server "
        "started by --serve (PGOPTIONS) and here: a page the client gave up on does not hold a server thread on",
    )
    parser.add_argument("--deep-page", default="100", help="the deep page's number, or 'last'")
    parser.add_argument(
        "--only", default="", help="a regular expression: only the pages where it matches 'role: name path'"
    )
    parser.add_argument(
        "--skip", default="", help="a regular expression: leave out the pages where it matches 'role: name path'"
    )
    parser.add_argument("--no-warmup", action="store_true", help="no uncounted first request per page")
    parser.add_argument("--no-queries", action="store_true", help="do not count each page's SQL queries")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args()
    levels = sorted({int(c) for c in args.connections.split(",") if c.strip()})
    if not levels or levels[0] < 1:
        raise SystemExit("--connections takes numbers from 1 up, e.g. 1,16")
    if args.deep_page != "last" and not args.deep_page.isdigit():
        raise SystemExit("--deep-page takes a page number or 'last'")

    django_setup()
    from django.db import connection, connections

    statement_timeout_ms = int((args.statement_timeout or args.timeout) * 1000)
    if connection.vendor == "postgresql":  # before this process or the server connects: libpq reads it then
        os.environ["PGOPTIONS"] = (
            f"{os.environ.get('PGOPTIONS', '')} -c statement_timeout={statement_timeout_ms}".strip()
        )
    users = choose_users(args.users)
    made_admin = bool(args.admin) and ensure_superuser(args.admin, args.password)
    terms = pick_terms(users)
    counts = row_counts()
    database = f"{connection.vendor} {connection.settings_dict['NAME']}"
    print(f"Data: {database}; " + ", ".join(f"{k.split('.')[1]} {v:,}" for k, v in counts.items()))
    print(
        "People: "
        + ", ".join(f"{role} {name}" for role, name in users.items())
        + (f", superuser {args.admin}" if args.admin else "")
    )
    if made_admin:
        print(f"  (made the superuser {args.admin!r} with the people's password, for the admin changelists)")
    print(
        f"Terms: plate {terms['plate']}, digits {terms['digits']}, pinyin {terms['pinyin']}, number {terms['number']}, "
        f"day {terms['day']} (figures: its month{', its year' if terms['year_period'] else '; no year period in insights.figures.base, group × year left out'})"
    )

    server_log = Path(tempfile.gettempdir()) / f"load_bench_waitress_{args.port}.log"
    server = start_server(args.port, args.threads, server_log) if args.serve else None
    base = f"http://127.0.0.1:{args.port}" if args.serve else args.url.rstrip("/")
    try:
        accounts = dict(users) | ({ADMIN: args.admin} if args.admin else {})
        began = time.perf_counter()
        sessions = sign_in_all(base, accounts, args.password, max(levels), args.timeout)
        print(f"Signed in {len(accounts)} people × {max(levels)} connections in {time.perf_counter() - began:.1f} s")
        api_pages = api_page_counts(base, sessions["group_admin"][0], args.timeout)
        pages = build_pages(terms, args.deep_page, api_pages)
        label = lambda p: f"{p.role}: {p.name} {p.path}"  # noqa: E731
        if args.only:
            pages = [p for p in pages if re.search(args.only, label(p))]
        if args.skip:
            skipped = [p for p in pages if re.search(args.skip, label(p))]
            pages = [p for p in pages if p not in skipped]
            print("Left out: " + ("; ".join(label(p) for p in skipped) or "nothing matched --skip"))
        admin_pages = (
            [Page(f"admin changelist: {key}", ADMIN, path) for key, path in ADMIN_PAGES.items()] if args.admin else []
        )
        admin_pages = [p for p in admin_pages if any(q.admin and ADMIN_PAGES[q.admin] == p.path for q in pages)]
        bare = Page("bare view /healthz", BARE, "/healthz")
        # asked again at the end of each number of connections: how much the floor moved during the run
        bare_again = Page("bare view /healthz, again at the end", BARE, "/healthz?again")
        everything = [bare, *admin_pages, *pages, bare_again]
        queries = {} if args.no_queries else count_queries(everything, users, args.admin)
        connections.close_all()  # nothing of this process's stays open on the server's database

        results: list[Result] = []
        load: dict[str, float] = {}  # the machine's 1-minute load average: other work skews the figures
        cpu_began = time.process_time()
        wall_began = time.perf_counter()
        for level in levels:
            load[f"{level} conns, start"] = os.getloadavg()[0]
            print(f"\n{level} connection(s); load average {os.getloadavg()[0]:.1f}:", flush=True)
            by_path: dict[tuple[str, str], Result] = {}
            for page in everything:
                started = time.perf_counter()
                timings, not_200 = measure(
                    base,
                    page,
                    sessions[page.role][:level],
                    args.requests,
                    args.seconds,
                    args.timeout,
                    not args.no_warmup,
                )
                result = summarise(page, level, timings, not_200, time.perf_counter() - started)
                result.queries = queries.get((page.role, page.path))
                by_path[(page.role, page.path)] = result
                bare_p95 = by_path[(BARE, bare.path)].p95_ms
                if result.p95_ms is not None and bare_p95:
                    result.ratio_to_bare = result.p95_ms / bare_p95
                if page.admin and args.admin:
                    admin_result = by_path.get((ADMIN, ADMIN_PAGES[page.admin]))
                    if admin_result and admin_result.p95_ms and result.p95_ms is not None:
                        result.ratio_to_admin = result.p95_ms / admin_result.p95_ms
                        result.admin_page = admin_result.path
                if page.target_ms is not None:
                    result.target = f"p95 ≤ {page.target_ms:,.0f} ms"
                    result.meets_target = result.p95_ms is not None and result.p95_ms <= page.target_ms and not not_200
                elif page.target_ratio is not None:
                    result.target = f"p95 ≤ {page.target_ratio:g} × bare"
                    result.meets_target = (
                        result.ratio_to_bare is not None and result.ratio_to_bare <= page.target_ratio and not not_200
                    )
                results.append(result)
                flag = "" if not not_200 else f"  NOT 200: {dict(not_200)}"
                print(
                    f"  {page.role:<13} {page.name:<38} n={result.n:<4} p50 {_num(result.p50_ms, 1):>8} "
                    f"p95 {_num(result.p95_ms, 1):>8} p99 {_num(result.p99_ms, 1):>8} ms{flag}",
                    flush=True,
                )
        load["end"] = os.getloadavg()[0]
        cpu = time.process_time() - cpu_began
        wall = time.perf_counter() - wall_began
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)

    order = {(p.role, p.path): i for i, p in enumerate(everything)}
    results.sort(key=lambda r: (order[(r.role, r.path)], r.connections))
    print()
    print(markdown(results))
    print(f"\nThe client's own CPU: {cpu:.0f} s over {wall:.0f} s of measuring ({cpu / wall:.0%} of one core).")
    print(
        f"Load average (1 min) on {os.cpu_count()} cores: "
        + ", ".join(f"{when} {value:.1f}" for when, value in load.items())
    )
    top = [r for r in results if r.connections == levels[-1] and r.meets_target is not None]
    missed = [f"{r.role}: {r.page} ({_num(r.p95_ms)} ms)" for r in top if not r.meets_target]
    print(f"Targets at {levels[-1]} connections: {len(top) - len(missed)} of {len(top)} met.")
    if missed:
        print("Missed: " + "; ".join(missed))
    if server is not None:
        lines = server_log.read_text(errors="replace").splitlines()
        queued = sum("Task queue depth" in line for line in lines)
        print(
            f"waitress's output: {server_log} ({queued} warnings of requests queued for a thread, {len(lines) - queued} other lines)"
        )
    failing = sorted({f"{r.role}: {r.page}" for r in results if r.not_200})
    if failing:
        print("Pages that did not always answer 200: " + "; ".join(failing))
    if args.json:
        report = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "server": base + (f" (waitress --threads={args.threads}, started by the benchmark)" if args.serve else ""),
            "database": database,
            "row_counts": counts,
            "people": users,
            "superuser": args.admin,
            "terms": terms,
            "connections": levels,
            "requests_per_page": args.requests,
            "seconds_per_page": args.seconds,
            "deep_page": args.deep_page,
            "statement_timeout_s": statement_timeout_ms / 1000 if connection.vendor == "postgresql" else None,
            "left_out": [label(p) for p in skipped] if args.skip else [],
            "client_cpu_seconds": round(cpu, 1),
            "cores": os.cpu_count(),
            "load_average": load,
            "measuring_seconds": round(wall, 1),
            "results": [asdict(r) for r in results],
        }
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"JSON: {args.json}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
