"""Benchmark of the call-record import: cdr_import_file over a large FreePBX export, then again.

Run by hand from the project folder:

    .venv/bin/python bench/cdr_import_bench.py                      # 1,000,000 rows, SQLite in a temp folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/cdr_import_bench.py
    .venv/bin/python bench/cdr_import_bench.py --rows 100000 --encoding gbk
    .venv/bin/python bench/cdr_import_bench.py --rows 200000 --promise-days 5000   # promises made and kept

With DATABASE_URL the benchmark creates a throwaway database on that server (aftersales_bench_<pid>)
and drops it at the end; without it, a migrated SQLite file in a temporary folder. The file comes
from bench/cdr_parse_bench.py's generator (queues with several legs per call, Chinese names, about
0.1% bad rows). The store has the 40 extensions as staff and 20,000 customers. The second run
imports the same file again and must add nothing. The goal: 1,000,000 rows in under 60 s on
PostgreSQL. With --promise-days every missed call from a customer in that many days before the import
becomes a call-back promise, and the outgoing calls in the file keep them (phone.services.calls.
callbacks_keep): the worst case of the promise path.
"""

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from cdr_parse_bench import EXTENSIONS, MOBILE_PREFIXES, generate  # noqa: E402
from import_bench import throwaway_environment  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--encoding", choices=["utf-8", "gbk"], default="utf-8")
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20240531)
    parser.add_argument("--promise-days", type=float, default=None, help="make and keep call-back promises")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds allowed for the first import")
    args = parser.parse_args()

    workdir, where, drop = throwaway_environment("aftersales-cdr-bench-")
    try:
        import random

        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        from customers.models import Customer
        from org.choices import DepartmentKind, Role
        from org.models import DealerGroup, Department, Store, User
        from phone.cdr.importer import cdr_import_file
        from phone.models import Call

        call_command("migrate", verbosity=0)
        group = DealerGroup.objects.create(name="基准测试集团")
        store = Store.objects.create(group=group, code="B001", name="基准店", brand="一汽丰田", city="北京")
        cs = Department.objects.create(store=store, kind=DepartmentKind.CUSTOMER_SERVICE, name="客服部")
        user = User.objects.create(username="bench", name="基准", role=Role.STORE_MANAGER, store=store, group=group)
        User.objects.bulk_create(
            User(
                username=f"ext{ext}", name=ext, role=Role.STAFF, store=store, group=group, department=cs, extension=ext
            )
            for ext in EXTENSIONS
        )
        rng = random.Random(args.seed)
        mobiles = {rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}" for _ in range(args.customers)}
        Customer.objects.bulk_create(
            (Customer(store=store, name=f"客户{n}", mobile="+86" + m, phone_digits=m) for n, m in enumerate(mobiles)),
            batch_size=5000,
        )

        path = workdir / "cdr.csv"
        began = time.perf_counter()
        written = generate(path, args.rows, args.encoding, args.seed)
        print(
            f"{where}; generated {written:,} rows ({path.stat().st_size / 1e6:,.0f} MB, {args.encoding}) "
            f"in {time.perf_counter() - began:.1f} s"
        )

        from datetime import timedelta

        from promises.choices import PromiseKind
        from promises.models import Promise

        window = timedelta(days=args.promise_days) if args.promise_days else None
        figures = []
        for run in ("first import", "re-import"):
            began = time.perf_counter()
            with path.open("rb") as binary:
                imp = cdr_import_file(store=store, actor=user, binary_file=binary, filename=path.name, window=window)
            seconds = time.perf_counter() - began
            figures.append(seconds)
            print(
                f"{run}: {seconds:.1f} s, {imp.rows_read / seconds:,.0f} rows/s; calls added {imp.calls_created:,}, "
                f"already present {imp.calls_existing:,}, bad lines {imp.bad_rows:,}, state {imp.state}"
            )
        total = Call.objects.filter(store=store).count()
        print(
            f"calls in the database: {total:,}; with a customer: "
            f"{Call.objects.filter(store=store, customer__isnull=False).count():,}; "
            f"answered by known staff: {Call.objects.filter(store=store, answered_by__isnull=False).count():,}"
        )
        if window is not None:
            promises = Promise.objects.filter(store=store, kind=PromiseKind.MISSED_CALLBACK)
            print(
                f"call-back promises made: {promises.count():,}; kept by an outgoing call in the file: "
                f"{promises.exclude(state='open').count():,}"
            )
        ok = figures[0] < args.limit * args.rows / 1_000_000 and imp.state == imp.State.DONE
        print(("OK" if ok else "TOO SLOW") + f": goal {args.limit:.0f} s per 1,000,000 rows")
        connections.close_all()
        return 0 if ok else 1
    finally:
        if drop is not None:
            from django.db import connections

            connections.close_all()
            drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
