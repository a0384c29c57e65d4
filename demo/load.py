"""Demo data: a dealer group with two stores, their staff, 300 customers and 350 vehicles, and a month of their work.

`demo_load` calls the builders in order — demo/builders/org.py (the group, stores and staff),
customers.py, phone.py (a month on the telephone, with complaints.py), lounge.py (a month in the
lounge, with its rounds and faults), conduct.py (the roster, grooming and desk checks, attendance,
discipline records, carried-over work) — in one transaction. Deterministic (one seeded random
generator, fixed dates) and loaded once: it does nothing when the database already holds an
organisation. What the builders write at a simulated moment carries that moment (demo/clock.py).
"""

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from customers.models import Customer, Vehicle
from demo.builders.conduct import load_conduct_month
from demo.builders.customers import customers_build
from demo.builders.lounge import load_lounge_month
from demo.builders.org import GROUP_NAME, org_build
from demo.builders.phone import load_phone_month
from org.choices import Role
from org.models import DealerGroup, Department, Store, User

SEED = 2026
DEMO_PASSWORD = "demo1234"
# The well-known demo accounts, in the order printed.
WELL_KNOWN = [
    "admin",
    "groupaudit",
    "manager1",
    "supervisor1",
    "staff1",
    "auditor1",
    "manager2",
    "supervisor2",
    "staff2",
    "auditor2",
]


@dataclass
class DemoResult:
    """What `demo_load` did: whether it loaded, and if so how much."""

    loaded: bool
    reason: str = ""
    counts: dict = field(default_factory=dict)


def demo_present() -> bool:
    return DealerGroup.objects.filter(name=GROUP_NAME).exists()


def database_in_use() -> bool:
    """Whether anyone has set up an organisation or accounts already (then the demo stays out)."""
    return DealerGroup.objects.exists() or Store.objects.exists() or User.objects.exists()


@transaction.atomic
def demo_load() -> DemoResult:
    """Load the demo data into an empty database; do nothing if it holds an organisation already."""
    if demo_present():
        return DemoResult(False, "demo data already present")
    if database_in_use():
        return DemoResult(False, "the database already holds stores or accounts; demo data not loaded")
    rng = random.Random(SEED)
    stores, people = org_build(password_hash=make_password(DEMO_PASSWORD))
    customers_build(rng, stores, people)
    load_phone_month(rng, timezone.now())
    load_lounge_month(rng, timezone.now())
    load_conduct_month(rng, timezone.now())
    return DemoResult(
        True,
        "demo data loaded",
        {
            "stores": Store.objects.count(),
            "departments": Department.objects.count(),
            "staff": User.objects.count(),
            "customers": Customer.objects.count(),
            "vehicles": Vehicle.objects.count(),
        },
    )


def sign_ins() -> list[dict]:
    """The well-known demo accounts that still exist, for printing."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=WELL_KNOWN).select_related("store").prefetch_related("extra_stores")
    }
    rows = []
    for username in WELL_KNOWN:
        user = users.get(username)
        if user is None:
            continue
        stores = [user.store.code] if user.store else []
        stores += sorted(s.code for s in user.extra_stores.all())
        rows.append(
            {
                "username": user.username,
                "employee_no": user.employee_no or "",
                "password": DEMO_PASSWORD,
                "name": user.name,
                "role": str(Role(user.role).label),
                "position": user.position,
                "stores": "+".join(stores) if stores else GROUP_NAME,
            }
        )
    return rows
