"""Records of store B that tests/test_wall.py puts to the wall, keyed by URL keyword argument: the roster's."""


def records(world) -> dict:
    from datetime import date, time

    from org.services.roster import roster_set, shift_create

    b = world.b
    shift = shift_create(actor=b.manager, store=b.store, name="B早班", starts=time(8), ends=time(17))
    roster_set(actor=b.manager, store=b.store, person=b.staff, day=date(2026, 12, 1), kind="work", shift=shift)
    return {"shift_pk": shift.pk, "person_pk": b.staff.pk}
