"""Benchmark of the call-record parser: parse() and merge_legs() over a large FreePBX export.

Run by hand from the project folder:

    .venv/bin/python bench/cdr_parse_bench.py                  # 1,000,000 rows, UTF-8
    .venv/bin/python bench/cdr_parse_bench.py --rows 200000 --encoding gbk

Writes a realistic CSV export of a FreePBX ``cdr`` table to a temporary file (the header row and all
26 columns, Chinese caller names, a mix of answered and missed calls, about 30% of calls with two to
four legs under one linkedid as a queue writes them, and about 0.1% bad rows), then times reading it
back: parse + merge_legs, no database. The goal: well under 20 s for 1,000,000 rows, so that the whole
import (with PostgreSQL) stays under 60 s.
"""

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文博宇浩然子轩欣怡梓涵晨阳佳琪"
MOBILE_PREFIXES = ["138", "139", "137", "136", "135", "186", "187", "188", "150", "151", "158", "159", "133", "189"]
EXTENSIONS = [str(8000 + n) for n in range(1, 41)]
HEADER = [
    "calldate",
    "clid",
    "src",
    "dst",
    "dcontext",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "accountcode",
    "uniqueid",
    "userfield",
    "did",
    "recordingfile",
    "cnum",
    "cnam",
    "outbound_cnum",
    "outbound_cnam",
    "dst_cnam",
    "linkedid",
    "peeraccount",
    "sequence",
]
DID = "02155550100"


class Writer:
    """Writes calls as FreePBX rows, counting rows and channels as the phone system would."""

    def __init__(self, out, rng: random.Random):
        self.out = csv.writer(out, lineterminator="\n")
        self.rng = rng
        self.rows = 0
        self.channel = 0
        self.sequence = 0

    def _chan(self, prefix: str) -> str:
        self.channel += 1
        return f"{prefix}-{self.channel:08x}"

    def row(
        self,
        when,
        clid,
        src,
        dst,
        context,
        channel,
        dstchannel,
        app,
        data,
        duration,
        billsec,
        disposition,
        uid,
        linked,
        cnum="",
        cnam="",
    ):
        self.sequence += 1
        self.rows += 1
        self.out.writerow(
            [
                when.strftime("%Y-%m-%d %H:%M:%S"),
                clid,
                src,
                dst,
                context,
                channel,
                dstchannel,
                app,
                data,
                duration,
                billsec,
                disposition,
                3,
                "",
                uid,
                "",
                DID if context != "from-internal" else "",
                f"q-{when:%Y%m%d-%H%M%S}-{uid}.wav" if billsec else "",
                cnum,
                cnam,
                "",
                "",
                "",
                linked,
                "",
                self.sequence,
            ]
        )

    def bad_row(self, when):
        self.rows += 1
        kind = self.rng.randrange(3)
        if kind == 0:
            self.out.writerow([when.strftime("%Y-%m-%d %H:%M:%S"), "", "8001"])  # cut-off line
        else:
            row = [""] * len(HEADER)
            row[0] = "31/05/2024 25:61" if kind == 1 else when.strftime("%Y-%m-%d %H:%M:%S")
            row[2:4] = ["8001", "013800000000"]
            row[9:12] = ["-3", "0", "NO ANSWER"] if kind == 2 else ["10", "5", "ANSWERED"]
            row[14] = f"{when.timestamp():.0f}.999999"
            self.out.writerow(row)

    def call(self, when: datetime, index: int):
        rng = self.rng
        uid = f"{when.timestamp():.0f}.{index}"
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        mobile = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        clid = f'"{name}" <{mobile}>'
        if rng.random() < 0.35:  # outbound
            ext = rng.choice(EXTENSIONS)
            answered = rng.random() < 0.7
            ring = rng.randint(3, 40)
            talk = rng.randint(20, 600) if answered else 0
            self.row(
                when,
                f'"{ext}" <{ext}>',
                ext,
                "0" + mobile,
                "from-internal",
                self._chan(f"PJSIP/{ext}"),
                self._chan("PJSIP/ct-trunk"),
                "Dial",
                f"PJSIP/0{mobile}@ct-trunk,300",
                ring + talk,
                talk,
                "ANSWERED" if answered else rng.choice(["NO ANSWER", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"]),
                uid,
                uid,
                ext,
                ext,
            )
            return
        trunk = self._chan("PJSIP/ct-trunk")
        if rng.random() < 0.5:  # straight to one extension
            ext = rng.choice(EXTENSIONS)
            answered = rng.random() < 0.8
            ring = rng.randint(2, 30)
            talk = rng.randint(20, 900) if answered else 0
            self.row(
                when,
                clid,
                mobile,
                ext,
                "from-did-direct",
                trunk,
                self._chan(f"PJSIP/{ext}"),
                "Dial",
                f"PJSIP/{ext},30",
                ring + talk,
                talk,
                "ANSWERED" if answered else rng.choice(["NO ANSWER", "NO ANSWER", "NO ANSWER", "BUSY"]),
                uid,
                uid,
                mobile,
                name,
            )
            return
        # A queue rings two or three members; one of them may answer (a Local;2 leg for that member).
        members = rng.sample(EXTENSIONS, rng.choice([2, 2, 3]))
        answered = rng.random() < 0.75
        ring = rng.randint(5, 60)
        talk = rng.randint(20, 900) if answered else 0
        winner = members[-1]
        for ext in members:
            local = self._chan(f"Local/{ext}@from-queue")
            took = answered and ext == winner
            self.row(
                when,
                clid,
                mobile,
                "400",
                "ext-queues",
                trunk,
                local + ";1",
                "Queue",
                "400,t,,,300",
                ring + talk,
                talk if took else 0,
                "ANSWERED" if took else "NO ANSWER",
                uid,
                uid,
                mobile,
                name,
            )
            if took:
                self.row(
                    when + timedelta(seconds=2),
                    clid,
                    mobile,
                    ext,
                    "from-queue",
                    local + ";2",
                    self._chan(f"PJSIP/{ext}"),
                    "Dial",
                    f"PJSIP/{ext}",
                    ring - 2 + talk,
                    talk,
                    "ANSWERED",
                    f"{when.timestamp():.0f}.{index}2",
                    uid,
                    mobile,
                    name,
                )


def generate(path: Path, rows: int, encoding: str, seed: int) -> int:
    rng = random.Random(seed)
    when = datetime(2024, 1, 2, 8, 0, 0)
    with path.open("w", encoding=encoding, newline="") as out:
        writer = Writer(out, rng)
        writer.out.writerow(HEADER)
        index = 0
        while writer.rows < rows:
            index += 1
            when += timedelta(seconds=rng.randint(1, 40))
            if when.hour >= 19:
                when = when.replace(hour=8) + timedelta(days=1)
            if rng.random() < 0.001:
                writer.bad_row(when)
            else:
                writer.call(when, index)
    return writer.rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--encoding", choices=["utf-8", "utf-8-sig", "gbk"], default="utf-8")
    parser.add_argument("--seed", type=int, default=20240531)
    args = parser.parse_args()

    # The parser needs no database and no apps: settings just for gettext (reasons in English).
    from django.conf import settings

    settings.configure(USE_I18N=False)
    from phone.cdr.decode import decode_stream
    from phone.cdr.legs import CdrRow
    from phone.cdr.merge import merge_legs
    from phone.cdr.parse import parse

    with tempfile.TemporaryDirectory(prefix="cdr-bench-") as folder:
        path = Path(folder) / "cdr.csv"
        began = time.perf_counter()
        written = generate(path, args.rows, args.encoding, args.seed)
        size = path.stat().st_size / 1e6
        print(f"generated {written:,} rows ({size:,.0f} MB, {args.encoding}) in {time.perf_counter() - began:.1f} s")

        began = time.perf_counter()
        with path.open("rb") as binary:
            lines = sum(1 for _line in decode_stream(binary))
        decoded = time.perf_counter() - began

        errors = []
        counts = {"rows": 0, "calls": 0, "missed": 0, "multi": 0}

        def good(items):
            for item in items:
                if item.__class__ is CdrRow:
                    counts["rows"] += 1
                    yield item
                else:
                    errors.append(item)

        extensions = frozenset(EXTENSIONS)
        began = time.perf_counter()
        with path.open("rb") as binary:
            for call in merge_legs(good(parse(binary)), extensions):
                counts["calls"] += 1
                counts["missed"] += call.missed
                counts["multi"] += len(call.lines) > 1
        took = time.perf_counter() - began

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"decoding alone: {lines:,} lines in {decoded:.2f} s")
    print(
        f"parse + merge: {counts['rows']:,} legs, {len(errors):,} bad rows, {counts['calls']:,} calls "
        f"({counts['multi']:,} with several legs, {counts['missed']:,} missed) in {took:.2f} s "
        f"= {written / took:,.0f} rows/s; peak memory {peak:,.0f} MB"
    )
    if errors:
        print(f"first bad row: line {errors[0].line}: {errors[0].reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
