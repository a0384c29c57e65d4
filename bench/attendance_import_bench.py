"""Benchmark of the attendance import (S1.D1a): a DingTalk-like export of 200 people × 250 days = 50,000 rows.

Run by hand from the project folder:

    .venv/bin/python bench/attendance_import_bench.py                   # csv, SQLite in a temp folder
    .venv/bin/python bench/attendance_import_bench.py --format xlsx
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/attendance_import_bench.py

With DATABASE_URL the benchmark creates a throwaway database on that server and drops it at the end (as
bench/import_bench.py does); without it, a migrated SQLite file in a temporary folder. The store is open
08:30–18:00 every day; about 4% of the days are late, 1% leave early and 1% miss a punch, and a few rows are
bad on purpose. The path is the upload page's: attendance_upload (store, read, check every row), then
attendance_confirm (read and check again, upsert the days, make the drafts), then the same file again
(which must write nothing). Printed: the time of each phase and the peak memory (the process's maximum
resident size, and the Python heap's peak by tracemalloc unless --no-tracemalloc).
"""

import argparse
import csv
import random
import resource
import shutil
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_bench import GIVEN, SURNAMES, throwaway_environment  # noqa: E402

HEADER = ["姓名", "工号", "部门", "日期", "上班打卡", "下班打卡"]
WEEKDAYS = "一二三四五六日"


def generate(path: Path, people: list[tuple[str, str]], days: int, fmt: str, seed: int = 2026) -> dict:
    """Write the export; returns how many late, early, missing and bad rows were made on purpose."""
    rnd = random.Random(seed)
    first = date(2026, 1, 1)
    made = {"late": 0, "early": 0, "missing": 0, "bad": 0}
    lines = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        shown = f"{day:%Y-%m-%d} 星期{WEEKDAYS[day.weekday()]}"
        for number, name in people:
            clock_in = f"08:{rnd.randrange(5, 30):02d}"
            clock_out = f"18:{rnd.randrange(0, 40):02d}"
            roll = rnd.random()
            if roll < 0.04:
                clock_in, made["late"] = f"{rnd.choice(('08', '09'))}:{rnd.randrange(31, 60):02d}", made["late"] + 1
            elif roll < 0.05:
                clock_out, made["early"] = f"17:{rnd.randrange(0, 50):02d}", made["early"] + 1
            elif roll < 0.06:
                clock_out, made["missing"] = rnd.choice(("未打卡", "缺卡", "--", "")), made["missing"] + 1
            elif roll < 0.0605:
                clock_in, made["bad"] = "8点半", made["bad"] + 1
            lines.append([name, number, "客服部", shown, clock_in, clock_out])
    title = ["月度汇总 统计日期：2026-01-01 至 2026-09-07"]
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append(title)
        ws.append(HEADER)
        for row in lines:
            ws.append(row)
        wb.save(path)
    else:
        with path.open("w", encoding="gb18030", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(title)
            writer.writerow(HEADER)
            writer.writerows(lines)
    return made


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv", help="csv is GBK (GB18030)")
    parser.add_argument("--no-tracemalloc", action="store_true", help="measure time only, without its overhead")
    args = parser.parse_args()

    workdir, where, drop = throwaway_environment("aftersales-attendance-bench-")
    try:
        import django

        django.setup()
        from django.core.files import File
        from django.core.management import call_command
        from django.db import connections

        from conduct.models import AttendanceDay, DisciplineRecord
        from conduct.services import attendance as services
        from org.choices import DepartmentKind, Role
        from org.models import BusinessHours, DealerGroup, Department, Store, User

        call_command("migrate", verbosity=0)
        group = DealerGroup.objects.create(name="基准测试集团")
        store = Store.objects.create(group=group, code="B001", name="基准店", brand="一汽丰田", city="北京")
        from datetime import time as clock

        for weekday in range(7):
            BusinessHours.objects.create(store=store, weekday=weekday, opens=clock(8, 30), closes=clock(18, 0))
        department = Department.objects.create(store=store, kind=DepartmentKind.CUSTOMER_SERVICE, name="客服部")
        manager = User.objects.create(username="bench", name="基准", role=Role.STORE_MANAGER, store=store, group=group)
        supervisor = User.objects.create(
            username="sup", name="主管", role=Role.SUPERVISOR, store=store, group=group, department=department
        )
        supervisor.supervised_departments.add(department)
        rnd = random.Random(7)
        names = set()
        while len(names) < args.people:
            names.add(rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(2)))
        people = [(f"B{i:05d}", name) for i, name in enumerate(sorted(names), 1)]
        User.objects.bulk_create(
            User(
                username=f"p{number}",
                name=name,
                employee_no=number,
                role=Role.STAFF,
                store=store,
                group=group,
                department=department,
            )
            for number, name in people
        )

        suffix = ".xlsx" if args.format == "xlsx" else ".csv"
        export = workdir / f"attendance-{args.people}x{args.days}{suffix}"
        made = generate(export, people, args.days, args.format)
        rows = args.people * args.days
        print(
            f"{where}; {rows:,} rows ({args.format}, {export.stat().st_size / 1e6:.1f} MB): "
            f"{made['late']} late, {made['early']} early, {made['missing']} missing, {made['bad']} bad on purpose"
        )

        if not args.no_tracemalloc:
            tracemalloc.start()
        timings = {}
        started = time.perf_counter()
        with export.open("rb") as handle:
            batch = services.attendance_upload(
                actor=manager, store=store, uploaded=File(handle, name=export.name), source="dingtalk"
            )
        timings["upload, read, check"] = time.perf_counter() - started
        mark = time.perf_counter()
        batch = services.attendance_confirm(actor=manager, batch=batch)
        timings["confirm: write"] = time.perf_counter() - mark
        total = time.perf_counter() - started
        heap = tracemalloc.get_traced_memory()[1] / 1e6 if not args.no_tracemalloc else None

        mark = time.perf_counter()
        with export.open("rb") as handle:
            again = services.attendance_upload(actor=manager, store=store, uploaded=File(handle, name=export.name))
        again = services.attendance_confirm(actor=manager, batch=again)
        timings["same file again"] = time.perf_counter() - mark

        for phase, seconds in timings.items():
            print(f"  {phase:<22} {seconds:7.2f} s")
        print(
            f"  {'first import':<22} {total:7.2f} s  = {rows / total:,.0f} rows/s; {batch.valid_rows} good rows, "
            f"{len(batch.errors)} errors, {batch.days_written} days written, {batch.drafts_made} drafts"
        )
        print(
            f"  peak memory: {_peak_rss_mb():.0f} MB resident"
            + (f", Python heap {heap:.0f} MB (tracemalloc)" if heap is not None else "")
        )
        print(f"  again: {again.days_written} days written, {again.drafts_made} drafts (must be 0 and 0)")
        assert batch.days_written == AttendanceDay.objects.count() == batch.valid_rows == rows - made["bad"]
        assert batch.drafts_made == DisciplineRecord.objects.count()
        assert again.days_written == 0 and again.drafts_made == 0
        for conn in connections.all():
            conn.close()
        return 0
    finally:
        if drop:
            drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
