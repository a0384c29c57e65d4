"""Records of store B that tests/test_wall.py puts to the wall, keyed by URL keyword argument.

Also the helpers the fault tests share: a real JPEG upload and a reported fault.
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile


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


def records(world) -> dict:
    from lounge.services.faults import fault_fix

    fault = report_fault(world.b, description="乙店独有客户", photo=jpeg_upload())
    fault = fault_fix(actor=world.b.manager, fault=fault, note="已修好", photo=jpeg_upload())
    open_fault = report_fault(world.b, facility=make_facility(world.b.store, name="电视"))
    return {
        "facility_pk": fault.facility_id,
        "fault_pk": fault.pk,
        "fault_id": open_fault.pk,
    }
