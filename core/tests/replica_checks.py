"""Reads on a configured read replica (DATABASE_REPLICA_URL), run when the replica mirrors the test database.

test_db_router.py runs this file (not collected by name: it needs a replica) on PostgreSQL with the replica URL set to the primary's. The tests are transactional:
the replica is another connection and sees only committed rows, as a real replica does.
"""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from core.db import figures_reads

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(autouse=True)
def _a_replica_is_configured():
    assert "replica" in settings.DATABASES, "run with DATABASE_REPLICA_URL set (test_db_router.py does)"


def queries_on_each():
    return CaptureQueriesContext(connections["default"]), CaptureQueriesContext(connections["replica"])


def test_figures_reads_go_to_the_replica_and_see_committed_rows():
    User = get_user_model()
    User.objects.create(username="replica-check")
    on_default, on_replica = queries_on_each()
    with on_default, on_replica, figures_reads():
        assert User.objects.filter(username="replica-check").count() == 1
    assert len(on_replica.captured_queries) == 1
    assert len(on_default.captured_queries) == 0


def test_other_reads_and_every_write_go_to_the_primary():
    User = get_user_model()
    on_default, on_replica = queries_on_each()
    with on_default, on_replica:
        User.objects.count()
        with figures_reads():
            user = User.objects.create(username="written-inside")
            User.objects.filter(pk=user.pk).update(is_active=False)
    assert len(on_replica.captured_queries) == 0
    assert len(on_default.captured_queries) == 3


def test_inside_a_transaction_on_the_primary_reads_stay_there():
    """The replica cannot see what the open transaction wrote, so the router does not send reads there."""
    User = get_user_model()
    on_default, on_replica = queries_on_each()
    with on_default, on_replica, transaction.atomic(), figures_reads():
        User.objects.create(username="not-yet-committed")
        assert User.objects.filter(username="not-yet-committed").exists()
    assert len(on_replica.captured_queries) == 0


def test_migrations_never_touch_the_replica():
    from django.db import router

    assert router.allow_migrate("default", "org", model_name="user")
    assert not router.allow_migrate("replica", "org", model_name="user")


def test_the_figures_pages_read_from_the_replica(client):
    from tests.factories import make_world

    world = make_world()
    client.force_login(world.a.manager)
    on_default, on_replica = queries_on_each()
    with on_default, on_replica:
        for url in ("/insights/telephone/", "/insights/lounge/", "/insights/telephone/records/?figure=calls"):
            assert client.get(url).status_code == 200
    figures = [q["sql"] for q in on_replica.captured_queries]
    assert any("phone_call" in sql for sql in figures) and any("lounge_visit" in sql for sql in figures)
    assert not any("phone_call" in q["sql"] or "lounge_visit" in q["sql"] for q in on_default.captured_queries)
