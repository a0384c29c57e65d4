"""Records of store B that tests/test_wall.py puts to the wall, keyed by URL keyword argument (``records``).

Also the small builders the lounge's tests share: a visit, a seat, a drink, an attendant, a customer's
request, a facility, a real JPEG upload, a reported fault, a failed round item. The customer's pages under
/q/ are public by design (the seat's code is the key) and are proven apart in lounge/tests/test_public.py.
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from org.choices import Role
from tests.factories import make_user


def jpeg_upload(name="photo.jpg", size=(64, 48), color=(200, 40, 40)) -> SimpleUploadedFile:
    """A small real JPEG, as a phone's camera would send it."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def make_facility(store, name="咖啡机", **extra):
    from lounge.choices import FacilityKind
    from lounge.models import Facility

    extra.setdefault("kind", FacilityKind.COFFEE_MACHINE)
    return Facility.objects.get_or_create(store=store, name=name, defaults=extra)[0]


def report_fault(store_world, *, facility=None, actor=None, description="出不了热水", photo=None, **extra):
    """A fault of the store reported through the service (a new ticket, its clock and its owner told)."""
    from lounge.choices import FaultSource
    from lounge.services.faults import fault_report

    facility = facility or make_facility(store_world.store)
    return fault_report(
        store=store_world.store,
        facility=facility,
        description=description,
        source=extra.pop("source", FaultSource.PAGE),
        actor=actor if actor is not None else store_world.staff,
        photo=photo,
        **extra,
    )


def failed_round_result(store, *, text="空调出风口无冷风", comment="温度 29 度", rule_id="S4.8"):
    """A failed item of a hygiene round of the store (made directly: the checks services are not needed)."""
    from checks.choices import ItemKind
    from checks.models import Round, RoundResult

    round_ = Round.objects.create(store=store, template_name="休息区卫生巡检")
    return RoundResult.objects.create(
        round=round_, store=store, text=text, rule_id=rule_id, kind=ItemKind.PASS_FAIL, passed=False, comment=comment
    )


def fault_records(world) -> dict:
    from lounge.services.faults import fault_fix

    fault = report_fault(world.b, description="乙店独有客户", photo=jpeg_upload())
    fault = fault_fix(actor=world.b.manager, fault=fault, note="已修好", photo=jpeg_upload())
    open_fault = report_fault(world.b, facility=make_facility(world.b.store, name="电视"))
    return {
        "facility_pk": fault.facility_id,
        "fault_pk": fault.pk,
        "fault_id": open_fault.pk,
    }


def make_visit(store_world, **kwargs):
    """A visit of the store in the lounge now, recorded by the store's staff."""
    from lounge.services.visits import visit_arrive

    return visit_arrive(actor=kwargs.pop("actor", store_world.staff), store=store_world.store, **kwargs)


def visit_records(world) -> dict:
    from lounge.services.settings import lounge_settings_update
    from lounge.services.visits import drink_save, visit_greet, visit_serve
    from tests.factories import make_customer

    b = world.b
    customer = make_customer(b.store, name="乙店休息室客户", mobile="13987650000", actor=b.staff)
    visit = make_visit(b, customer=customer)
    visit_greet(actor=b.staff, visit=visit)
    drink = drink_save(actor=b.manager, store=b.store, name="乙店咖啡")
    visit_serve(actor=b.staff, visit=visit, drink=drink)
    # store B's own lounge settings: the settings page (named by store_pk) must be walled
    lounge_settings_update(
        actor=b.manager,
        store=b.store,
        greet_within_seconds=45,
        refill_every_minutes=15,
        help_within_minutes=3,
        fix_within_hours=8,
        requests_per_seat_per_10_minutes=5,
    )
    return {"visit_pk": visit.pk, "drink_pk": drink.pk, "visit_id": visit.pk}


def make_seat(store_world, label="A1", *, actor=None):
    from lounge.services.requests import seat_create

    return seat_create(actor=actor or store_world.manager, store=store_world.store, label=label)


def make_drink(store_world, name="绿茶", *, available=True, position=0):
    from lounge.models import Drink

    return Drink.objects.create(store=store_world.store, name=name, available=available, position=position)


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


def request_records(world) -> dict:
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


def records(world) -> dict:
    return visit_records(world) | request_records(world) | fault_records(world)
