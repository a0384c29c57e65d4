"""Each role can do only what it should (the role half of the wall; the store half is test_wall)."""

import pytest
from django.urls import reverse

from org.access import ROLE_RIGHTS, Right, has_right, store_ids
from org.choices import Role
from tests.factories import make_customer


def test_role_rights_matrix():
    assert ROLE_RIGHTS[Role.GROUP_ADMIN] == frozenset(Right)
    assert Right.MANAGE_GROUP not in ROLE_RIGHTS[Role.STORE_MANAGER]
    assert {Right.IMPORT, Right.PERSONAL_DATA, Right.MANAGE_STAFF} <= ROLE_RIGHTS[Role.STORE_MANAGER]
    for role in (Role.SUPERVISOR, Role.STAFF):
        assert ROLE_RIGHTS[role] == {Right.VIEW, Right.EDIT, Right.REVEAL_PHONE}
    assert ROLE_RIGHTS[Role.AUDITOR] == {Right.VIEW}


def test_store_ids_follow_role_and_assignment(world):
    assert store_ids(world.admin) == {world.a.store.pk, world.b.store.pk}
    assert store_ids(world.a.staff) == {world.a.store.pk}
    world.a.auditor.extra_stores.add(world.b.store)
    world.a.auditor._store_ids = None
    assert store_ids(world.a.auditor) == {world.a.store.pk, world.b.store.pk}
    # further stores mean nothing for a staff member: their store only
    world.a.staff.extra_stores.add(world.b.store)
    world.a.staff._store_ids = None
    assert store_ids(world.a.staff) == {world.a.store.pk}


def test_inactive_user_has_no_rights(world):
    world.a.manager.is_active = False
    assert not has_right(world.a.manager, Right.VIEW)
    assert store_ids(world.a.manager) == frozenset()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("manager", 200), ("supervisor", 200), ("staff", 200), ("auditor", 403)],
)
def test_who_may_create_customers(client, world, who, expected):
    client.force_login(getattr(world.a, who))
    assert client.get(reverse("customers:customer_create")).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("manager", 200), ("supervisor", 403), ("staff", 403), ("auditor", 403)],
)
def test_who_may_import_and_handle_personal_data(client, world, who, expected):
    customer = make_customer(world.a.store, actor=world.a.staff)
    client.force_login(getattr(world.a, who))
    assert client.get(reverse("customers:import_start")).status_code == expected
    assert client.get(reverse("customers:customer_erase", args=[customer.pk])).status_code == expected
    response = client.post(reverse("customers:customer_export", args=[customer.pk]), {"format": "json"})
    assert response.status_code == expected


def test_auditor_reads_but_never_writes(client, world):
    customer = make_customer(world.a.store, actor=world.a.staff)
    client.force_login(world.a.auditor)
    assert client.get(reverse("customers:customer_detail", args=[customer.pk])).status_code == 200
    assert client.get(reverse("customers:customer_edit", args=[customer.pk])).status_code == 403
    assert client.post(reverse("customers:customer_edit", args=[customer.pk]), {"name": "x"}).status_code == 403
    assert (
        client.post(reverse("customers:vehicle_create", args=[customer.pk]), {"plate": "京A11111"}).status_code == 403
    )
    assert client.post(reverse("customers:reveal_phone", args=[customer.pk, "mobile"])).status_code == 403
