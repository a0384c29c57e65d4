#!/usr/bin/env python
"""Time the figures pages' readers (telephone, lounge) for a store × month, the group × month and the group × year.

Run from a checkout (its own code is measured), against a database given by DATABASE_URL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aft_group .venv/bin/python scripts/bench_figures.py \
        --date 2026-11-15 --repeat 5 --concurrency 1 16

Each "page" is what the view calls (the telephone page: telephone_figures, daily_series, per_person,
per_department and the complaint figures; the lounge page: the clocks, greet_samples, lounge_figures,
daily_series, per_person), without templates. With a concurrency above 1, that many processes run the
page at once, each `--repeat` times; the report gives p50, p95, the number of queries and the time of the
first (cold) run. The rollups' reads are cached (insights.rollups.base.CACHE_SECONDS) per process: with the
default local-memory cache each process warms its own; `--no-cache` measures every run cold.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from insights.figures import complaints, lounge, telephone  # noqa: E402
from insights.figures.base import MONTH, FigureScope, Period, period_containing  # noqa: E402
from org.models import Store  # noqa: E402


def telephone_page(scope):
    telephone.telephone_figures(scope)
    telephone.daily_series(scope)
    telephone.per_person(scope, {})
    telephone.per_department(scope, {})
    complaints.complaint_figures(scope)


def lounge_page(scope):
    limits = lounge.store_limits(scope.store_ids)
    samples = lounge.greet_samples(scope)
    lounge.per_person(scope, {}, limits=limits, samples=samples)
    lounge.daily_series(scope, samples=samples)
    lounge.lounge_figures(scope, limits=limits, samples=samples)


PAGES = {"telephone": telephone_page, "lounge": lounge_page}


def scopes(on: date, count: int | None) -> dict[str, FigureScope]:
    stores = list(Store.objects.order_by("pk").values_list("pk", flat=True))[:count]
    month = period_containing(MONTH, on)
    first_month = date(month.first.year - (month.first.month != 12), month.first.month % 12 + 1, 1)
    year = Period("year", first_month, month.last)  # the twelve months ending with this one
    now = timezone.now()
    return {
        "store × month": FigureScope(store_ids=frozenset(stores[:1]), period=month, now=now),
        "group × month": FigureScope(store_ids=frozenset(stores), period=month, now=now),
        "group × year": FigureScope(store_ids=frozenset(stores), period=year, now=now),
    }


def _timed(args):
    page, scope, repeat, no_cache = args
    connections.close_all()
    found = []
    for _ in range(repeat):
        if no_cache:
            cache.clear()
        started = time.perf_counter()
        PAGES[page](scope)
        found.append(time.perf_counter() - started)
    connections.close_all()
    return found


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[max(int(round(pct / 100 * len(ordered) + 0.5)) - 1, 0)] if ordered else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--date", default=timezone.localdate().isoformat(), help="a day of the month measured")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1])
    parser.add_argument("--pages", nargs="+", default=list(PAGES))
    parser.add_argument("--scopes", nargs="+", default=None)
    parser.add_argument("--no-cache", action="store_true", help="clear the cache before every run")
    parser.add_argument("--stores", type=int, default=None, help="the group is the first N stores (default: all)")
    options = parser.parse_args()
    found_scopes = scopes(date.fromisoformat(options.date), options.stores)
    group = found_scopes["group × month"].store_ids
    print(f"code: {Path.cwd()}  database: {connection.settings_dict['NAME']}  group: {len(group)} stores")
    print(f"{'page':10} {'scope':14} {'conc':>4} {'p50 ms':>8} {'p95 ms':>8} {'queries':>7} {'cold ms':>8}")
    for page in options.pages:
        for label, scope in found_scopes.items():
            if options.scopes and not any(label.startswith(s) for s in options.scopes):
                continue
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                PAGES[page](scope)  # the first (cold) run: count its queries
                cold = (time.perf_counter() - started) * 1000
            count = len(queries)
            connections.close_all()
            for concurrency in options.concurrency:
                if concurrency == 1:
                    times = _timed((page, scope, options.repeat, options.no_cache))
                else:
                    with Pool(concurrency) as pool:
                        times = [
                            t
                            for run in pool.map(_timed, [(page, scope, options.repeat, options.no_cache)] * concurrency)
                            for t in run
                        ]
                p50, p95 = statistics.median(times) * 1000, percentile(times, 95) * 1000
                print(
                    f"{page:10} {label:14} {concurrency:>4} {p50:>8.0f} {p95:>8.0f} {count:>7} {cold:>8.0f}", flush=True
                )


if __name__ == "__main__":
    main()
