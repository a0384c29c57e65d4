"""Records of store B that tests/test_wall.py puts to the wall, keyed by URL keyword argument (``records``):
a discipline record of store B's staff member, with a photo (S1.D1a–c, S1.D3, S1.D4), and an attendance import
of store B with a late arrival (S1.D1a)."""


def records(world) -> dict:
    from conduct.services.discipline import discipline_record
    from lounge.tests.wall import jpeg_upload

    record = discipline_record(
        actor=world.b.supervisor,
        store=world.b.store,
        person=world.b.staff,
        kind="noise",
        description="大声喧哗",
        photo=jpeg_upload(),
    )
    from datetime import timedelta

    from django.utils import timezone

    from conduct.services.attendance import attendance_import_rows

    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    batch = attendance_import_rows(
        actor=world.b.manager,
        store=world.b.store,
        rows=[{"name": world.b.staff.name, "date": yesterday, "clock_in": "23:50", "clock_out": ""}],
    )
    return {"record_pk": record.pk, "record_id": record.pk, "batch_pk": batch.pk, "batch_id": batch.pk}
