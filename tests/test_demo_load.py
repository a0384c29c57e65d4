"""The demo loader on an empty database: the same data on every run, and never into a database in use."""

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from aftersales import demo
from customers.models import Customer
from org.choices import Role
from org.models import Store
from tests.factories import make_user
from tests.test_demo import _fingerprint

pytestmark = pytest.mark.django_db


def test_demo_data_is_the_same_on_every_run():
    class Undo(Exception):
        pass

    prints = []
    # "The same day gives the same month": both loads at one moment, even if a load runs past midnight
    moment = timezone.now()
    for _run in range(2):
        with time_machine.travel(moment, tick=False), pytest.raises(Undo), transaction.atomic():
            demo.demo_load()
            prints.append(_fingerprint())
            raise Undo

    assert prints[0] == prints[1]
    assert len(prints[0][1]) == 350
    # the month on the telephone too: the same calls, complaints and messages, in the same states
    assert len(prints[0][3]) > 4000
    assert len(prints[0][4]) == 24
    assert len(prints[0][5]) > 100


def test_demo_is_not_loaded_into_a_database_that_is_in_use():
    make_user("owner", role=Role.GROUP_ADMIN, name="店主")

    result = demo.demo_load()

    assert not result.loaded
    assert not Store.objects.exists()
    assert Customer.objects.count() == 0
