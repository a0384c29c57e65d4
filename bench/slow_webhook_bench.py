"""Benchmark: a slow WeCom while the store works — the worker must block nobody and send nothing twice.

Run by hand from the project folder:

    .venv/bin/python bench/slow_webhook_bench.py                       # 15 posts, WeCom answering in 3 s, SQLite
    .venv/bin/python bench/slow_webhook_bench.py --posts 10 --kill-after 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/slow_webhook_bench.py

The database is the other benchmarks' throwaway one (bench/import_bench.py's throwaway_environment),
with the test data builders' dealer group (tests/factories.py). A local endpoint on 127.0.0.1 stands
in for WeCom: it answers each post after --delay seconds ({"errcode": 0}) and counts what arrived.
`--posts` WeCom messages are queued for store S001, and the real worker (`manage.py run_worker`, a
separate process) is started with its WeCom post pointed at the local endpoint (the address check
still runs on the store's real robot address). Meanwhile this process, as the store's people, keeps
opening the lounge board, logging calls at the call console and adding customers through the API
(POST /api/v1/customers), and notes each request's time and any error (a 500, or "database is
locked"). With --kill-after K the worker is killed (SIGKILL) once K posts have arrived, and started
again: no message may arrive twice, except the one that was in flight, which is retried once after
its claim runs out (AFTERSALES_WEBHOOK_LEASE_SECONDS, 10 s here).

Expected: 0 errors, request times far below the WeCom delay, every message delivered, none twice
(with --kill-after: at most the one in flight).
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_bench import throwaway_environment  # noqa: E402

LEASE_SECONDS = 10
ROBOT_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=bench-0000"

# The worker process: run_worker, with its WeCom post sent to the local endpoint instead.
WORKER = """
import os, sys
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.core.management import call_command
from promises import wecom
real = wecom.post_json
local = os.environ["BENCH_WEBHOOK"]
wecom.post_json = lambda url, payload, timeout=30.0: real(local, payload, timeout=timeout)
call_command("run_worker", "--interval", "0.5")
"""


class SlowWeCom:
    """A local endpoint answering each post after `delay` seconds, counting the messages that arrived."""

    def __init__(self, delay: float):
        self.delay = delay
        self.arrived: list[str] = []
        self.lock = threading.Lock()
        bench = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(bench.delay)
                try:
                    text = json.loads(body)["text"]["content"]
                except (ValueError, KeyError, TypeError):
                    text = "?"
                with bench.lock:
                    bench.arrived.append(text)
                answer = b'{"errcode": 0, "errmsg": "ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a killed worker leaves its post's answer nowhere to go (BrokenPipeError): expected

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key=bench"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def count(self) -> int:
        with self.lock:
            return len(self.arrived)


def figures(values: list[float]) -> str:
    if not values:
        return "none"
    ordered = sorted(values)
    p90 = ordered[max(0, -(-len(ordered) * 9 // 10) - 1)]
    return (
        f"median {statistics.median(ordered) * 1000:.0f} ms  p90 {p90 * 1000:.0f} ms  max {ordered[-1] * 1000:.0f} ms"
    )


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=15, help="WeCom messages queued")
    parser.add_argument("--delay", type=float, default=3.0, help="seconds the local WeCom takes to answer")
    parser.add_argument("--kill-after", type=int, default=0, help="kill -9 the worker after this many posts arrived")
    parser.add_argument("--max-seconds", type=float, default=180.0, help="give up after this long")
    args = parser.parse_args()

    workdir, where, drop = throwaway_environment("aftersales-webhook-bench-")
    os.environ["AFTERSALES_WEBHOOK_LEASE_SECONDS"] = str(LEASE_SECONDS)
    worker = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections
        from django.test import Client
        from django.urls import reverse
        from django.utils import timezone

        from core.api_auth import api_token_create
        from promises.models import WebhookDelivery
        from promises.services import wecom_payload
        from tests.factories import make_world

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        world = make_world()
        store = world.a.store
        store.wecom_webhook_url = ROBOT_URL
        store.save(update_fields=["wecom_webhook_url"])
        WebhookDelivery.objects.bulk_create(
            WebhookDelivery(
                store=store, url=ROBOT_URL, payload=wecom_payload(f"提醒 {n}"), next_attempt_at=timezone.now()
            )
            for n in range(args.posts)
        )
        _record, token = api_token_create(user=world.a.staff, name="bench")
        connections.close_all()
        print(f"{where}; {args.posts} posts queued; WeCom answers in {args.delay:g} s")

        staff = Client(raise_request_exception=False, HTTP_HOST="localhost")
        staff.force_login(world.a.staff)
        lounge = Client(raise_request_exception=False, HTTP_HOST="localhost")
        lounge.force_login(world.a.manager)
        api = Client(raise_request_exception=False, HTTP_HOST="localhost", headers={"Authorization": f"Bearer {token}"})
        times: dict[str, list[float]] = {"lounge board": [], "call console save": [], "API customer save": []}
        errors: list[str] = []

        def timed(name, send, ok_codes):
            began = time.perf_counter()
            try:
                response = send()
                status = response.status_code
            except Exception as exc:  # a crash in the request is an error too
                status = repr(exc)
            times[name].append(time.perf_counter() - began)
            if status not in ok_codes:
                errors.append(f"{name}: {status}")

        # one untimed round first (templates, URL resolvers, connections), as a store's server has done it
        lounge.get(reverse("lounge:board"))
        staff.get(reverse("phone:console"))
        api.get("/api/v1/me")

        with SlowWeCom(args.delay) as wecom:
            env = {**os.environ, "BENCH_WEBHOOK": wecom.url}
            worker = start_worker(env)
            began = time.perf_counter()
            killed = False
            n = 0
            while time.perf_counter() - began < args.max_seconds:
                n += 1
                timed("lounge board", lambda: lounge.get(reverse("lounge:board")), {200})
                timed(
                    "call console save",
                    lambda n=n: staff.post(
                        reverse("phone:call_create"),
                        {
                            "direction": "in",
                            "number": f"1380000{n:04d}",
                            "purpose": "booking",
                            "outcome": "handled",
                            "ring_seconds": "6",
                        },
                        HTTP_HX_REQUEST="true",
                    ),
                    {200},
                )
                timed(
                    "API customer save",
                    lambda n=n: api.post(
                        "/api/v1/customers",
                        {"name": f"顾客{n}", "mobile": f"1390000{n:04d}"},
                        content_type="application/json",
                    ),
                    {201},
                )
                if args.kill_after and not killed and wecom.count() >= args.kill_after:
                    worker.send_signal(signal.SIGKILL)
                    worker.wait()
                    killed = True
                    print(f"worker killed (SIGKILL) after {wecom.count()} posts arrived; started again")
                    worker = start_worker(env)
                pending = WebhookDelivery.objects.filter(delivered_at=None).count()
                if not pending and wecom.count() >= args.posts:
                    break
                time.sleep(0.1)
            took = time.perf_counter() - began
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=args.delay + 10)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            arrived = list(wecom.arrived)

        delivered = WebhookDelivery.objects.exclude(delivered_at=None).count()
        twice = {text: count for text, count in Counter(arrived).items() if count > 1}
        rounds = len(times["lounge board"])
        print(f"{took:.1f} s, {rounds} rounds of the store's work while the worker posted; request times:")
        for name, values in times.items():
            print(f"  {name:<20} {figures(values)}  ({len(values)} requests)")
        print(f"errors: {len(errors)}" + (f" — {errors[:5]}" if errors else ""))
        print(
            f"posts delivered: {delivered} of {args.posts}; arrived at WeCom: {len(arrived)}; twice: {twice or 'none'}"
        )
        allowed_twice = 1 if args.kill_after else 0
        ok = not errors and delivered == args.posts and sum(c - 1 for c in twice.values()) <= allowed_twice
        print("OK" if ok else "NOT MET")
        return 0 if ok else 1
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.wait()
        if drop is not None:
            from django.db import connections

            connections.close_all()
            drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
