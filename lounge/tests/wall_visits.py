"""Records of store B that tests/test_wall.py puts to the wall, keyed by URL keyword argument."""


def make_visit(store_world, **kwargs):
    """A visit of the store in the lounge now, recorded by the store's staff."""
    from lounge.services.visits import visit_arrive

    return visit_arrive(actor=kwargs.pop("actor", store_world.staff), store=store_world.store, **kwargs)


def records(world) -> dict:
    from lounge.services.visits import drink_save, lounge_settings_update, visit_greet, visit_serve
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
