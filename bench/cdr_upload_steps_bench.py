"""Benchmark of the call-record upload page's path: cdr_upload, then cdr_import_step until done.

Run by hand from the project folder:

    .venv/bin/python bench/cdr_upload_steps_bench.py                     # 200,000 rows, SQLite in a temp folder
    .venv/bin/python bench/cdr_upload_steps_bench.py --rows 1000000 --encoding gbk
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/cdr_upload_steps_bench.py

The same throwaway database as the other benchmarks (bench/import_bench.py's throwaway_environment),
the same file as bench/cdr_import_bench.py (bench/cdr_parse_bench.py's generator) and the same store:
the 40 extensions as staff, 20,000 customers. The file is uploaded as the page does, then the steps
the page's htmx polling would post are run one after the other, each timed (the web server's time
per step, without HTTP). Then, for comparison, the same file goes through cdr_import_file (the
management command's and the batch API's path) into a second store with the same staff and
customers; both must give the same counts. ``--step-lines`` (or ``--step-calls`` for the code before
the steps read only their own part of the file) sets the size of a step; the default is the page's.
"""

import argparse
import inspect
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from cdr_parse_bench import EXTENSIONS, MOBILE_PREFIXES, generate  # noqa: E402
from import_bench import throwaway_environment  # noqa: E402


def _store(code: str, mobiles: list[str]):
    """A store with the extensions as staff, the customers and a manager who imports."""
    from customers.models import Customer
    from org.choices import DepartmentKind, Role
    from org.models import DealerGroup, Department, Store, User

    group = DealerGroup.objects.get_or_create(name="基准测试集团")[0]
    store = Store.objects.create(group=group, code=code, name=f"基准店{code}", brand="一汽丰田", city="北京")
    cs = Department.objects.create(store=store, kind=DepartmentKind.CUSTOMER_SERVICE, name="客服部")
    user = User.objects.create(username=f"bench{code}", name="基准", role=Role.STORE_MANAGER, store=store, group=group)
    User.objects.bulk_create(
        User(
            username=f"{code}ext{ext}",
            name=ext,
            role=Role.STAFF,
            store=store,
            group=group,
            department=cs,
            extension=ext,
        )
        for ext in EXTENSIONS
    )
    Customer.objects.bulk_create(
        (Customer(store=store, name=f"客户{n}", mobile="+86" + m, phone_digits=m) for n, m in enumerate(mobiles)),
        batch_size=5000,
    )
    return store, user


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--encoding", choices=["utf-8", "gbk"], default="utf-8")
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20240531)
    parser.add_argument("--step-lines", type=int, default=None, help="lines per step (default: the page's)")
    parser.add_argument("--step-calls", type=int, default=None, help="calls per step, for the code before step_lines")
    parser.add_argument("--no-compare", action="store_true", help="skip the import through cdr_import_file")
    args = parser.parse_args()

    workdir, where, drop = throwaway_environment("aftersales-cdr-steps-bench-")
    os.environ["AFTERSALES_IMPORT_MAX_MB"] = "4096"  # the generated files are larger than the default 50 MB
    try:
        import random

        import django

        django.setup()
        from django.core.files import File
        from django.core.management import call_command
        from django.db import connections

        from phone.cdr import importer as cdr_import
        from phone.cdr import upload
        from phone.models import Call

        call_command("migrate", verbosity=0)
        rng = random.Random(args.seed)
        mobiles = sorted({rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}" for _ in range(args.customers)})
        store, user = _store("B001", mobiles)

        path = workdir / "cdr.csv"
        began = time.perf_counter()
        written = generate(path, args.rows, args.encoding, args.seed)
        print(
            f"{where}; generated {written:,} rows ({path.stat().st_size / 1e6:,.0f} MB, {args.encoding}) "
            f"in {time.perf_counter() - began:.1f} s"
        )

        size = {}
        accepted = inspect.signature(upload.cdr_import_step).parameters
        if args.step_lines is not None:
            size["step_lines"] = args.step_lines
        if args.step_calls is not None:
            size["step_calls"] = args.step_calls
        unknown = [name for name in size if name not in accepted]
        if unknown:
            parser.error(f"this version of cdr_import_step has no {', '.join(unknown)}")
        if "step_lines" in accepted:
            default = f"step_lines={upload.STEP_LINES:,}"
        else:  # the code before the steps read only their own part
            default = f"step_calls={upload.STEP_CALLS:,}"
        described = ", ".join(f"{name}={value:,}" for name, value in size.items()) or f"default {default}"

        began = time.perf_counter()
        with path.open("rb") as handle:
            imp = upload.cdr_upload(store=store, actor=user, uploaded=File(handle, name=path.name))
        uploaded = time.perf_counter() - began
        steps, cpu = [], []
        while imp.is_running:
            mark, mark_cpu = time.perf_counter(), time.process_time()
            imp = upload.cdr_import_step(imp=imp, actor=user, **size)
            steps.append(time.perf_counter() - mark)
            cpu.append(time.process_time() - mark_cpu)
        total = uploaded + sum(steps)
        print(
            f"upload page ({described}): upload {uploaded:.2f} s, {len(steps)} steps in {sum(steps):.1f} s "
            f"(median {statistics.median(steps):.2f} s, slowest {max(steps):.2f} s, last {steps[-1]:.2f} s); "
            f"total {total:.1f} s = {written / total:,.0f} rows/s"
        )
        print(
            f"  this process's CPU time for the steps (the SQLite work included, PostgreSQL's not; steadier than "
            f"the wall time on a busy machine): {sum(cpu):.1f} s, first step {cpu[0]:.2f} s, slowest {max(cpu):.2f} s"
        )
        print(
            f"  calls added {imp.calls_created:,}, already present {imp.calls_existing:,}, bad lines "
            f"{imp.bad_rows:,}, lines read {imp.rows_read:,}, state {imp.state}"
        )
        ok = imp.state == imp.State.DONE and imp.calls_created == Call.objects.filter(store=store).count()

        if not args.no_compare:
            other, other_user = _store("B002", mobiles)
            began = time.perf_counter()
            with path.open("rb") as binary:
                whole = cdr_import.cdr_import_file(
                    store=other, actor=other_user, binary_file=binary, filename=path.name
                )
            seconds = time.perf_counter() - began
            print(
                f"cdr_import_file (command, API): {seconds:.1f} s = {written / seconds:,.0f} rows/s; calls added "
                f"{whole.calls_created:,}, bad lines {whole.bad_rows:,}, lines read {whole.rows_read:,}"
            )
            same = (imp.calls_created, imp.bad_rows, imp.rows_read, imp.promises_made, imp.errors) == (
                whole.calls_created,
                whole.bad_rows,
                whole.rows_read,
                whole.promises_made,
                whole.errors,
            )
            print("  same counts and bad lines as the upload page" if same else "  DIFFERENT from the upload page")
            ok = ok and same
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
