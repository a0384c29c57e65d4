"""The demo loader never loads into a database in use (that it gives the same data on every run is checked in
demo/tests/test_load.py, which loads the demo for its tests)."""

import pytest

from customers.models import Customer
from demo import load as demo
from org.choices import Role
from org.models import Store
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_demo_is_not_loaded_into_a_database_that_is_in_use():
    make_user("owner", role=Role.GROUP_ADMIN, name="店主")

    result = demo.demo_load()

    assert not result.loaded
    assert not Store.objects.exists()
    assert Customer.objects.count() == 0
