import pytest

from lounge.services.visits import drink_save


@pytest.fixture
def world(world):
    """The two-store world, with staff1/staff2 working at their store's lounge desk and the supervisors
    looking after the lounge too: lounge records (requests, fault tickets) are acted on by the desk that
    owns them, its supervisor and the managers (org.access.may_act_on). Who else may not is tested in
    tests/test_act_matrix.py with a colleague of another department."""
    for side in (world.a, world.b):
        side.staff.department = side.lounge
        side.staff.save(update_fields=["department"])
        side.supervisor.supervised_departments.add(side.lounge)
    return world


@pytest.fixture
def menu(world):
    """Store A's drink menu: coffee and green tea."""
    return {
        "coffee": drink_save(actor=world.a.manager, store=world.a.store, name="咖啡"),
        "tea": drink_save(actor=world.a.manager, store=world.a.store, name="绿茶"),
    }
