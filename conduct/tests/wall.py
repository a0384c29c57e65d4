"""Records of store B that tests/test_wall.py puts to the wall, keyed by URL keyword argument (``records``):
a discipline record of store B's staff member, with a photo (S1.D1a–c, S1.D3, S1.D4)."""


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
    return {"record_pk": record.pk, "record_id": record.pk}
