"""Benchmark of the customer import: upload → check → write of a realistic export.

Run by hand from the project folder:

    .venv/bin/python bench/import_bench.py                      # 10,000 rows, SQLite in a temp folder
    .venv/bin/python bench/import_bench.py --rows 50000 --format xlsx
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/import_bench.py

With DATABASE_URL the benchmark creates a throwaway database on that server (aftersales_bench_<pid>)
and drops it at the end; without it, a migrated SQLite file in a temporary folder. The file has
Chinese names, valid mobile numbers, plates (GA 36-2018) and VINs with correct check digits,
about 10% of customers with two vehicles, and about 3% bad rows. The whole path runs through the
same services as the pages: import_upload, import_set_mapping, import_validate_step (chunk by
chunk), import_confirm, import_commit_step. The goal: 10,000 rows in under 30 s.
"""

import argparse
import csv
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文博宇浩然子轩欣怡梓涵晨阳佳琪"
MOBILE_PREFIXES = ["138", "139", "137", "136", "135", "186", "187", "188", "150", "151", "158", "159", "133", "189"]
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁苏浙赣鄂桂甘晋陕吉闽贵粤川"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O
SERIAL = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O or Q
CARS = [
    ("丰田", "凯美瑞"),
    ("丰田", "卡罗拉"),
    ("丰田", "RAV4荣放"),
    ("本田", "雅阁"),
    ("大众", "帕萨特"),
    ("别克", "君越"),
    ("日产", "轩逸"),
    ("比亚迪", "汉"),
    ("吉利", "星瑞"),
    ("奥迪", "A4L"),
]
COLOURS = ["珍珠白", "曜石黑", "银灰", "深蓝", "酒红"]
HEADER = [
    "客户姓名",
    "手机号码",
    "固定电话",
    "车牌号",
    "车架号",
    "品牌",
    "车型",
    "颜色",
    "购车日期",
    "行驶里程",
    "备注",
    "同意联系",
]


def generate(path: Path, rows: int, fmt: str, seed: int = 2026) -> int:
    """Write the export; returns the number of rows made bad on purpose."""
    from core.validators import vin_check_digit

    rnd = random.Random(seed)
    used_mobiles, used_plates = set(), set()

    def mobile():
        while True:
            number = rnd.choice(MOBILE_PREFIXES) + f"{rnd.randrange(10**8):08d}"
            if number not in used_mobiles:
                used_mobiles.add(number)
                return number

    def plate():
        while True:
            text = rnd.choice(PROVINCES) + rnd.choice(LETTERS) + "".join(rnd.choice(SERIAL) for _ in range(5))
            if text not in used_plates:
                used_plates.add(text)
                return text

    def vin():
        body = "LFV" + "".join(rnd.choice(VIN_CHARS) for _ in range(14))
        return body[:8] + vin_check_digit(body[:8] + "0" + body[9:]) + body[9:]

    lines, bad = [], 0
    customer = None
    for i in range(rows):
        if customer is None or rnd.random() > 0.1:  # about 10% are a second vehicle of the same customer
            customer = [
                rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2)))),
                mobile(),
                f"010-{rnd.randrange(6000_0000, 6999_9999)}" if rnd.random() < 0.2 else "",
            ]
        brand, model = rnd.choice(CARS)
        bought = date(2015, 1, 1) + timedelta(days=rnd.randrange(3600))
        row = [
            *customer,
            plate(),
            vin() if rnd.random() < 0.8 else "",
            brand,
            model,
            rnd.choice(COLOURS),
            bought.strftime("%Y/%m/%d"),
            str(rnd.randrange(200, 150_000)),
            "",
            rnd.choice(["是", "否", ""]),
        ]
        if rnd.random() < 0.03:
            bad += 1
            kind = i % 5
            if kind == 0:
                row[1] = row[1][:7]  # a mobile number too short
            elif kind == 1:
                row[3] = row[3][:2] + "I" + row[3][3:]  # plates never use I
            elif kind == 2:
                row[4] = "LFV12345"  # a VIN too short
            elif kind == 3:
                row[8] = "2099/01/01"  # bought in the future
            else:
                row[0] = ""  # no name
        lines.append(row)
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append(HEADER)
        for row in lines:
            ws.append(row)
        wb.save(path)
    else:
        with path.open("w", encoding="gbk" if fmt == "gbk" else "utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(HEADER)
            writer.writerows(lines)
    return bad


def _postgres_database(url: str):
    """Create a throwaway database on the server of `url`; returns (new url, drop function)."""
    import dj_database_url
    import psycopg

    params = dj_database_url.parse(url)
    name = f"aftersales_bench_{os.getpid()}"
    conninfo = {
        "host": params["HOST"] or "127.0.0.1",
        "port": params["PORT"] or 5432,
        "user": params["USER"] or "postgres",
        "password": params["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**conninfo) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = url.rsplit("/", 1)[0]

    def drop():
        with psycopg.connect(**conninfo) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{base}/{name}", drop


def throwaway_environment(prefix: str):
    """A temporary data folder and database for a benchmark: a new PostgreSQL database when
    DATABASE_URL points to a server (dropped afterwards by the returned function), else SQLite."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    drop = None
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        url, drop = _postgres_database(url)
        os.environ["DATABASE_URL"] = url
        where = f"PostgreSQL ({url.rsplit('@', 1)[-1]})"
    else:
        os.environ.pop("DATABASE_URL", None)
        where = "SQLite (WAL) in " + str(workdir)
    os.environ["AFTERSALES_DATA_DIR"] = str(workdir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    return workdir, where, drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=["csv", "gbk", "xlsx"], default="csv", help="csv is UTF-8")
    parser.add_argument("--limit", type=float, default=30.0, help="seconds allowed for 10,000 rows")
    args = parser.parse_args()

    workdir, where, drop = throwaway_environment("aftersales-bench-")
    try:
        import django

        django.setup()
        from django.core.files import File
        from django.core.management import call_command
        from django.db import connections

        from customers.models import Customer, ImportJob, Vehicle
        from customers.services import imports
        from org.choices import Role
        from org.models import DealerGroup, Store, User

        call_command("migrate", verbosity=0)
        group = DealerGroup.objects.create(name="基准测试集团")
        store = Store.objects.create(group=group, code="B001", name="基准店", brand="一汽丰田", city="北京")
        user = User.objects.create(username="bench", name="基准", role=Role.STORE_MANAGER, store=store, group=group)

        suffix = ".xlsx" if args.format == "xlsx" else ".csv"
        export = workdir / f"export-{args.rows}{suffix}"
        bad = generate(export, args.rows, args.format)
        print(f"{where}; {args.rows} rows ({args.format}, {export.stat().st_size / 1e6:.1f} MB), {bad} bad on purpose")

        timings = {}
        started = time.perf_counter()
        with export.open("rb") as handle:
            job = imports.import_upload(actor=user, store=store, uploaded=File(handle, name=export.name))
        timings["upload and read"] = time.perf_counter() - started
        mark = time.perf_counter()
        job = imports.import_set_mapping(job=job, actor=user, mapping=job.mapping)
        steps = 0
        while job.state == ImportJob.State.VALIDATING:
            job = imports.import_validate_step(job=job, actor=user)
            steps += 1
        timings[f"check ({steps} steps)"] = time.perf_counter() - mark
        mark = time.perf_counter()
        job = imports.import_confirm(job=job, actor=user)
        steps = 0
        while job.state == ImportJob.State.IMPORTING:
            job = imports.import_commit_step(job=job, actor=user)
            steps += 1
        timings[f"write ({steps} steps)"] = time.perf_counter() - mark
        total = time.perf_counter() - started

        for phase, seconds in timings.items():
            print(f"  {phase:<22} {seconds:7.2f} s")
        print(
            f"  {'total':<22} {total:7.2f} s  = {args.rows / total:,.0f} rows/s; "
            f"state {job.state}, {job.valid_rows} valid, {job.error_rows} rows with errors, "
            f"{job.imported_customers} customers and {job.imported_vehicles} vehicles imported"
        )
        assert job.state == ImportJob.State.DONE, job.message
        assert Customer.objects.count() == job.imported_customers
        assert Vehicle.objects.count() == job.imported_vehicles == job.valid_rows
        allowed = args.limit * args.rows / 10_000
        verdict = "OK" if total < allowed else "TOO SLOW"
        print(f"{verdict}: {total:.1f} s for {args.rows} rows (allowed {allowed:.0f} s)")
        for conn in connections.all():
            conn.close()
        return 0 if total < allowed else 1
    finally:
        if drop:
            drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
