"""The store wall, proven by walking every URL pattern and API route.

A person of store A must never see or change store B's data: every URL that names a record of
store B answers 404 (GET and POST alike), and no list, search, export or API list shows it.
A new URL pattern whose keyword argument this test does not know fails the test, so nobody can
add a page without putting it to the wall.
"""

import pytest
from django.http import Http404
from django.urls import URLPattern, URLResolver, get_resolver

from org.access import Right, store_for_page
from tests.factories import make_customer, make_vehicle

B_NAME = "乙店独有客户"
B_PLATE = "津B99999"
B_MOBILE = "13987654321"

# URL prefixes that are not business pages: Django's admin has its own permission system
# (only superusers reach it), static files.
SKIP_PREFIXES = ("admin/",)
# Public by design: the customer's page behind a lounge table's QR code (lounge/public/urls.py) needs
# no sign-in; the seat's unguessable code is its only key. lounge/tests/test_public.py proves it
# shows no personal data and answers only a current code of an active seat.
PUBLIC_PREFIXES = ("q/",)


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def all_patterns():
    return [
        (route, p)
        for route, p in walk(get_resolver().url_patterns)
        if not route.startswith(SKIP_PREFIXES + PUBLIC_PREFIXES)
    ]


@pytest.fixture
def b_records(world):
    """One record of every kind in store B, keyed by the URL keyword argument that names it."""
    from core.models import ApiToken  # noqa: F401  (the API's tokens exist)
    from customers.models import ImportJob

    customer = make_customer(world.b.store, name=B_NAME, mobile=B_MOBILE, actor=world.b.staff)
    vehicle = make_vehicle(customer, plate=B_PLATE, actor=world.b.staff)
    closure = world.b.store.closures.create(date="2026-12-31", reason="盘点")
    job = ImportJob.objects.create(store=world.b.store, created_by=world.b.manager, original_name="b.csv")
    from django.utils import timezone

    from promises.services import promise_make

    promise = promise_make(
        store=world.b.store,
        kind="callback",
        rule_id="S2.3",
        title=B_NAME,
        owner=world.b.staff,
        due_at=timezone.now() + timezone.timedelta(hours=1),
    )
    # store B's own promise rule: its edit and remove pages (named by store and kind) must be walled
    from promises.services import promise_rule_save

    promise_rule_save(
        actor=world.b.manager,
        store=world.b.store,
        kind="message_callback",
        remind_at_percent=50,
        escalate_supervisor_after_minutes=0,
        escalate_manager_after_minutes=30,
    )
    ids = {
        "customer_pk": customer.pk,
        "vehicle_pk": vehicle.pk,
        "store_pk": world.b.store.pk,
        "department_pk": world.b.cs.pk,
        "staff_pk": world.b.staff.pk,
        "closure_pk": closure.pk,
        "job_pk": job.pk,
        "promise_pk": promise.pk,
    }
    # each later module names its own records of store B in <app>/tests/wall.py
    from importlib import import_module

    for module in WALLED_MODULES:
        ids |= import_module(module).records(world)
    # API path parameters name the same records
    ids |= {"customer_id": customer.pk, "vehicle_id": vehicle.pk, "store_id": world.b.store.pk}
    return ids


WALLED_MODULES = [
    "phone.tests.wall",
    "complaints.tests.wall",
    "checks.tests.wall",
    "lounge.tests.wall",
    "org.tests.wall",
    "conduct.tests.wall",
]

# Keyword arguments that do not name a store's record, with a harmless value.
NEUTRAL_KWARGS = {
    "field": "mobile",
    "slug": "telephone",
    "action": "keep",
    "kind": "message_callback",
    "day": "2026-12-01",
}


def build_path(route: str, pattern: URLPattern, ids: dict) -> str | None:
    kwargs = {}
    for name in pattern.pattern.converters:
        if name in ids:
            kwargs[name] = ids[name]
        elif name in NEUTRAL_KWARGS:
            kwargs[name] = NEUTRAL_KWARGS[name]
        else:
            raise AssertionError(f"URL {route!r} has keyword {name!r} that the wall test does not know: add it")
    path = route
    for name in pattern.pattern.converters:
        for token in (f"<{name}>", *(f"<{t}:{name}>" for t in ("int", "str", "slug", "path", "uuid"))):
            path = path.replace(token, str(kwargs[name]))
    return "/" + path


def names_b_record(pattern: URLPattern, ids: dict) -> bool:
    return any(name in ids for name in pattern.pattern.converters)


@pytest.mark.parametrize("who", ["admin_of_a", "manager", "supervisor", "staff", "auditor"])
def test_no_url_reaches_store_b_records(client, world, b_records, who):
    user = {
        "manager": world.a.manager,
        "supervisor": world.a.supervisor,
        "staff": world.a.staff,
        "auditor": world.a.auditor,
        "admin_of_a": world.a.manager,
    }[who]
    client.force_login(user)
    checked = 0
    for route, pattern in all_patterns():
        path = build_path(route, pattern, b_records)
        if not names_b_record(pattern, b_records):
            continue
        for method in ("get", "post", "patch", "delete"):
            response = (
                getattr(client, method)(path, content_type="application/json")
                if method in ("patch", "delete")
                else getattr(client, method)(path)
            )
            assert response.status_code in (404, 405), f"{method.upper()} {path} gave {response.status_code} to {who}"
            checked += 1
    assert checked > 20


@pytest.mark.parametrize("who", ["manager", "supervisor", "staff", "auditor"])
def test_no_list_search_or_export_shows_store_b_data(client, world, b_records, who):
    user = getattr(world.a, who)
    client.force_login(user)
    leaks = []
    for route, pattern in all_patterns():
        if pattern.pattern.converters:
            continue
        path = "/" + route
        for params in ({}, {"q": B_PLATE}, {"q": B_NAME}, {"q": B_MOBILE[-6:]}, {"q": "yd"}):
            response = client.get(path, params)
            if response.status_code != 200 or response.get("Content-Type", "").startswith("image"):
                continue
            body = response.content.decode("utf-8", errors="replace")
            markers = (B_NAME, B_PLATE, B_MOBILE, B_MOBILE[:3] + "****" + B_MOBILE[-4:], world.b.store.name)
            for marker in markers:
                # the page may echo the query itself (search box, links); that is not a leak
                if marker != params.get("q") and marker in body:
                    leaks.append((path, params, marker))
    assert not leaks, leaks


def test_group_admin_sees_both_stores(client, world, b_records):
    client.force_login(world.admin)
    response = client.get("/customers/", {"q": B_NAME})
    assert B_NAME in response.content.decode()
    assert client.get(f"/customers/{b_records['customer_pk']}/").status_code == 200


def test_a_page_is_about_the_named_store_else_their_own_else_their_first(world):
    """One helper picks the store a page is about (org.access.store_for_page); another store's is a 404."""
    assert store_for_page(world.a.staff) == world.a.store
    assert store_for_page(world.b.manager, None, Right.MANAGE_STORE) == world.b.store
    assert store_for_page(world.admin, str(world.b.store.pk)) == world.b.store
    assert store_for_page(world.admin) == world.a.store  # no store of their own: the first, by code
    for ref in (world.b.store.pk, "S002", "9" * 30):
        with pytest.raises(Http404):
            store_for_page(world.a.staff, ref)
    with pytest.raises(Http404):  # a role without the right has no store for it
        store_for_page(world.a.auditor, None, Right.EDIT)
