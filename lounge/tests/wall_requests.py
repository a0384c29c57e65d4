"""Records of store B that tests/test_wall.py puts to the wall, keyed by URL keyword argument.

Also the small builders the request and seat tests share. The customer's pages under /q/ are public
by design (the seat's code is the key) and are proven apart in lounge/tests/test_public_table.py.
"""

from org.choices import Role
from tests.factories import make_user


def make_seat(store_world, label="A1", *, actor=None):
    from lounge.services.requests import seat_create

    return seat_create(actor=actor or store_world.manager, store=store_world.store, label=label)


def make_drink(store_world, name="绿茶", *, available=True, position=0):
    from lounge.models import Drink

    return Drink.objects.create(store=store_world.store, name=name, available=available, position=position)


def make_facility(store_world, name="咖啡机", kind="coffee_machine"):
    from lounge.models import Facility

    return Facility.objects.create(store=store_world.store, name=name, kind=kind)


def make_attendant(store_world, n=1):
    """A lounge attendant: a member of the store's lounge department (the desk that owns requests)."""
    store = store_world.store
    return make_user(
        f"attendant{store.code}{n}",
        role=Role.STAFF,
        store=store,
        department=store_world.lounge,
        name=f"休息区{store.code[-1]}{n}",
        employee_no=f"L{store.code}{n}",
    )


def ask(store_world, seat=None, kind="refill", **extra):
    """A request from the seat's QR code, as the customer's page makes it."""
    from lounge.services.requests import request_create

    return request_create(store=store_world.store, seat=seat, kind=kind, source="qr", **extra)


def records(world) -> dict:
    from lounge.services.requests import request_acknowledge

    seat = make_seat(world.b, "乙1")
    req = ask(world.b, seat, "help", note="乙店独有客户")
    request_acknowledge(actor=world.b.manager, request=req)
    open_req = ask(world.b, seat, "refill")
    return {
        "seat_pk": seat.pk,
        "request_pk": open_req.pk,
        "request_id": open_req.pk,
        "seat_id": seat.pk,
    }
