"""Records of store B that tests/test_wall.py puts to the wall, keyed by URL keyword argument."""

from datetime import timedelta

from django.utils import timezone


def log_complaint(store_world, *, actor=None, **overrides):
    """A valid complaint of the store, for tests."""
    from complaints.services.complaints import complaint_log

    now = timezone.now()
    data = {
        "channel": "phone",
        "customer_name": "乙店独有客户" if store_world.store.code == "S002" else "张三",
        "contact_phone": "13987654321",
        "vehicle_involved": True,
        "vehicle_model": "卡罗拉",
        "plate": "津B99999",
        "department": store_world.cs,
        "staff_involved": store_world.staff,
        "staff_unknown": False,
        "happened_at": now - timedelta(hours=1),
        "place": "维修车间",
        "course": "保养后发现漆面划伤",
        "customer_wants": "免费补漆",
        "severity": "high",
        "reply_promised_at": now + timedelta(hours=4),
    } | overrides
    return complaint_log(actor=actor or store_world.staff, store=store_world.store, **data)


def records(world) -> dict:
    from complaints.services.stages import complaint_acknowledge, verification_request

    complaint = log_complaint(world.b)
    complaint_acknowledge(actor=world.b.supervisor, complaint=complaint)
    (verification,) = verification_request(
        actor=world.b.supervisor, complaint=complaint, departments=[world.b.lounge], question="核实"
    )
    return {
        "complaint_pk": complaint.pk,
        "verification_pk": verification.pk,
        "complaint_id": complaint.pk,
        "verification_id": verification.pk,
    }
