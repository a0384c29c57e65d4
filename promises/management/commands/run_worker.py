import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from promises.services import worker_tick


class Command(BaseCommand):
    help = "Send due reminders, escalations and WeCom posts; runs until stopped (several may run on PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Do one round and exit.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between rounds (default 5).")

    def handle(self, *args, once, interval, **options):
        if interval <= 0:
            self.stderr.write("--interval must be more than 0")
            raise SystemExit(2)
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
        while True:
            try:
                done = worker_tick()
            except Exception as exc:  # a bad round is logged and the next one tries again
                self.stderr.write(f"worker round failed: {exc!r}")
                done = {}
            if any(done.values()):
                self.stdout.write(", ".join(f"{k} {v}" for k, v in done.items()))
            if once or stopping:
                return
            slept = 0.0
            while slept < interval and not stopping:
                time.sleep(0.2)
                slept += 0.2
            if stopping:
                return
            close_old_connections()  # a long-running process drops connections that are too old
