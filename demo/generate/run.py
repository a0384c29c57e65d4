"""generate_group: a dealer group's stores × months of records, for measuring pages at scale (issue 10).

The organisation goes through the services (demo/generate/org.py); then store after store, in one
transaction each, its customers and vehicles, its telephone year with messages and complaints, its lounge
and its hygiene rounds are drawn with the demo's distributions and written in big batches (base.Sink:
COPY on PostgreSQL, executemany on SQLite) with primary keys reserved ahead (base.Ids; the sequences
are moved past them at the end). Deterministic for a seed and an end date.
"""

import multiprocessing
import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from checks.models import CorrectiveAction, Round, RoundResult
from complaints.models import Complaint, Verification
from core.models import HistoryEntry
from customers.models import Customer, Vehicle
from demo import clock
from insights.rollups.base import rollups_rebuild
from lounge.models import FaultTicket, LoungeRequest, Serving, Visit
from org.business_time import StoreCalendar
from org.models import DealerGroup, Store, User
from phone.models import Call, Message
from promises.models import Notification, Promise, PromiseEvent

from . import checks, complaints, customers, lounge, phone
from .base import Bell, Clock, Gen, Ids, Sink, local_midnight, register_common, sync_sequences, table_starts
from .org import BENCH_POSTS, GROUP_ADMIN, POSTS, org_generate, username

CUSTOMERS_PER_STORE = 3000
COUNTED_APPS = ("org", "customers", "phone", "promises", "complaints", "lounge", "checks", "core")


@dataclass
class GroupResult:
    seconds: float
    counts: dict = field(default_factory=dict)
    sign_ins: list = field(default_factory=list)


def database_empty() -> bool:
    return not (DealerGroup.objects.exists() or Store.objects.exists() or User.objects.exists())


def months_before(end: date, months: int) -> date:
    month = end.month - 1 - months
    year = end.year + month // 12
    month = month % 12 + 1
    day = min(end.day, 28)
    return date(year, month, day)


# Each store writes its rows with ids from its own block per table: at most this many a month
# (about twice what a store makes), so stores can be generated side by side by several processes.
MONTHLY_BLOCKS = {
    Call: 20_000,
    HistoryEntry: 20_000,
    Promise: 20_000,
    PromiseEvent: 16_000,
    Message: 1_500,
    Complaint: 800,
    Verification: 800,
    Visit: 5_000,
    Serving: 10_000,
    LoungeRequest: 2_000,
    FaultTicket: 50,
    Round: 700,
    RoundResult: 700 * 20,
    CorrectiveAction: 1_500,
    Notification: 3_000,
}


def _blocks(months: int, customers_per_store: int) -> dict:
    blocks = {model: size * (months + 1) for model, size in MONTHLY_BLOCKS.items()}
    blocks[Customer] = customers_per_store
    blocks[Vehicle] = 3 * customers_per_store
    blocks[HistoryEntry] += customers_per_store
    return blocks


def group_generate(
    *,
    stores: int,
    months: int,
    end: date | None = None,
    seed: int = 2026,
    password: str = "demo1234",
    customers_per_store: int = CUSTOMERS_PER_STORE,
    workers: int = 1,
    progress=None,
) -> GroupResult:
    """Build the data set into an empty database; returns the time taken, row counts and sign-ins.

    With `workers` > 1 on PostgreSQL, the stores are shared out between that many processes (forked
    after the organisation is made); each store's rows come from its own seeded random generator, so
    the data set is the same whatever the number of workers.
    """
    started = time.monotonic()
    say = progress or (lambda _text: None)
    tz = timezone.get_current_timezone()
    end = end or timezone.localdate()
    first_day = months_before(end, months)
    now = local_midnight(end, tz)
    with translation.override(settings.LANGUAGE_CODE):
        # the set-up carries the evening before the first day (demo/clock.py), as the demo's does
        with transaction.atomic(), clock.at(local_midnight(first_day, tz) - timedelta(hours=5.5)):
            _admin, setups = org_generate(random.Random(seed), stores=stores, password_hash=make_password(password))
        say(f"organisation: {stores} stores, {User.objects.count()} staff ({time.monotonic() - started:.0f} s)")
        blocks = _blocks(months, customers_per_store)
        starts = table_starts(list(blocks))
        job = {
            "seed": seed,
            "first_day": first_day,
            "end": end,
            "now": now,
            "blocks": blocks,
            "starts": starts,
            "customers": customers_per_store,
            "started": started,
        }
        if connection.vendor != "postgresql":
            workers = 1
        if workers <= 1:
            _stores_generate(setups, job, say)
        else:
            connections.close_all()  # each process opens its own
            context = multiprocessing.get_context("fork")
            processes = [context.Process(target=_worker, args=(setups[n::workers], job)) for n in range(workers)]
            for process in processes:
                process.start()
            for process in processes:
                process.join()
            failed = [p.exitcode for p in processes if p.exitcode]
            if failed:
                raise RuntimeError(f"{len(failed)} generating processes failed (see their output above)")
        sync_sequences(list(blocks))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    result = GroupResult(seconds=time.monotonic() - started)
    for app in COUNTED_APPS:
        for model in apps.get_app_config(app).get_models():
            result.counts[model._meta.db_table] = model.objects.count()
    result.sign_ins = [(GROUP_ADMIN, "group admin")]
    for setup in setups:
        result.sign_ins += [(username(setup.store.code, post), post) for post in BENCH_POSTS]
    return result


BELL_DAYS = 7


def _bell(setup, now) -> Bell:
    """Who gets the store's reminders and escalations (see base.Bell)."""
    members: dict = {}
    for person, department in setup.user_department.items():
        if department:
            members.setdefault(department, []).append(person)
    supervisors: dict = {}
    for post in POSTS:
        for name in post.supervises:
            supervisors.setdefault(setup.departments[name], []).append(setup.people[post.key])
    names = {("user", pk): name for pk, name in setup.names.items()}
    names.update({("dept", pk): name for name, pk in setup.departments.items()})
    return Bell(
        since=now - timedelta(days=BELL_DAYS),
        members=members,
        supervisors=supervisors,
        managers=[setup.people["manager"]],
        names=names,
        user_department=setup.user_department,
        texts={
            "reminder": _("Reminder: %(title)s — due %(due)s"),
            "escalation": _("Overdue since %(due)s: %(title)s (owner: %(owner)s)"),
        },
    )


def _worker(setups: list, job: dict) -> None:
    def say(text):
        print(text, flush=True)

    with translation.override(settings.LANGUAGE_CODE):
        _stores_generate(setups, job, say)
    connections.close_all()


def _stores_generate(setups: list, job: dict, say) -> None:
    """Every module's records of each store, one transaction per store."""
    labels = phone.Labels()
    caches: dict = {"content_types": {}, "rules": {}}
    first_day, end, now = job["first_day"], job["end"], job["now"]
    for setup in setups:
        offset = setup.index - 1
        blocks = job["blocks"]
        starts = {m: job["starts"][m] + offset * size for m, size in blocks.items()}
        limits = {m: starts[m] + size for m, size in blocks.items()}
        sink = Sink(now)
        register_common(sink)
        for module in (customers, phone, complaints, lounge, checks):
            module.register(sink)
        gen = Gen(
            rng=random.Random(f"{job['seed']}-{setup.store.code}"),
            sink=sink,
            ids=Ids(starts, limits),
            first_day=first_day,
            last_day=end - timedelta(days=1),
            now=now,
            content_types=caches["content_types"],
            rules=caches["rules"],
        )
        gen.bell = _bell(setup, now)
        setup.clock = Clock(StoreCalendar(setup.store), first_day - timedelta(days=3), end + timedelta(days=60))
        with transaction.atomic():
            rows = customers.customers_generate(gen, setup, job["customers"], customers.Taken(), setup.people["agent"])
            phone.StorePhone(gen, setup, rows, labels).run()
            lounge.StoreLounge(gen, setup, rows, phone.GROUP_SCALE).run()
            checks.StoreChecks(gen, setup).run()
            sink.flush()
            gen.ids.check()
        # the figures' daily rollups of the store's days, as the worker keeps them (issue 10)
        rollups_rebuild(store_id=setup.store.pk, first=first_day, last=end - timedelta(days=1))
        say(f"{setup.store.code}: {sum(sink.counts.values()):,} rows ({time.monotonic() - job['started']:.0f} s)")
