"""The read replica: `core.db.figures_reads()` and `core.db_router.ReplicaRouter`.

Without a replica configured (the usual test run) the router is not installed and these tests check its decisions and
the settings that install it. With DATABASE_REPLICA_URL set, replica_checks.py checks real queries on a replica that
mirrors the test database; on PostgreSQL, `test_the_router_on_a_mirrored_replica` runs that file in a second pytest
with the replica URL pointing at the same database (Django's TEST MIRROR setting).
"""

import os
import subprocess
import sys
import threading

import pytest
from django.db import connection

from core.db import figures_reads, in_figures_reads
from core.db_router import ReplicaRouter
from core.tests.test_deploy_settings import ROOT, clean_env, print_settings


def test_figures_reads_is_a_context_and_a_decorator_and_restores_the_outside():
    assert not in_figures_reads()
    with figures_reads():
        assert in_figures_reads()
        with figures_reads():
            assert in_figures_reads()
        assert in_figures_reads()  # the inner block gives back the outer's state
    assert not in_figures_reads()

    @figures_reads()
    def view():
        return in_figures_reads()

    assert view() and view()  # reusable: each call enters afresh
    assert not in_figures_reads()


def test_figures_reads_belongs_to_the_thread_that_entered_it():
    seen = []
    with figures_reads():
        thread = threading.Thread(target=lambda: seen.append(in_figures_reads()))
        thread.start()
        thread.join()
    assert seen == [False]


def test_figures_reads_ends_when_the_block_raises():
    with pytest.raises(ValueError), figures_reads():
        raise ValueError
    assert not in_figures_reads()


def test_without_a_replica_every_read_goes_to_the_primary():
    router = ReplicaRouter()
    with figures_reads():
        assert router.db_for_read(None) == "default"
    assert router.db_for_read(None) == "default"


def test_writes_and_migrations_always_go_to_the_primary():
    router = ReplicaRouter()
    with figures_reads():
        assert router.db_for_write(None) == "default"
    assert router.allow_migrate("default", "org") is True
    assert router.allow_migrate("replica", "org") is False
    assert router.allow_migrate("replica", "promises", model_name="promise") is False


def _settings_of(tmp_path, *names, **variables):
    return print_settings(tmp_path, f"repr([getattr(s, n, None) for n in {list(names)!r}])", **variables)


def test_a_replica_url_adds_the_replica_database_mirrored_in_tests_and_the_router(tmp_path):
    out = _settings_of(
        tmp_path,
        "DATABASES",
        "DATABASE_ROUTERS",
        DATABASE_URL="postgres://app:pw@primary:5432/aftersales",
        DATABASE_REPLICA_URL="postgres://reader:pw@replica:5432/aftersales",
    )
    assert out.returncode == 0, out.stderr
    databases, routers = eval(out.stdout)  # the repr of two settings
    assert set(databases) == {"default", "replica"}
    assert databases["default"]["HOST"] == "primary" and databases["replica"]["HOST"] == "replica"
    assert databases["replica"]["USER"] == "reader"
    assert databases["replica"]["TEST"]["MIRROR"] == "default"
    assert routers == ["core.db_router.ReplicaRouter"]


def test_without_a_replica_url_there_is_no_router(tmp_path):
    out = _settings_of(tmp_path, "DATABASES", "DATABASE_ROUTERS", DATABASE_URL="postgres://app:pw@primary/aftersales")
    databases, routers = eval(out.stdout)
    assert set(databases) == {"default"} and routers == []


def test_a_replica_without_a_primary_url_is_refused_by_name(tmp_path):
    out = _settings_of(tmp_path, "DATABASES", DATABASE_REPLICA_URL="postgres://reader:pw@replica:5432/aftersales")
    assert out.returncode != 0
    assert "DATABASE_REPLICA_URL needs DATABASE_URL" in out.stderr


# A read replica is a PostgreSQL set-up: on a PostgreSQL run (DATABASE_URL), replica_checks.py runs in a second
# pytest whose replica is its own primary. (Not a test file of its own: it only means something with a replica.)
if os.environ.get("DATABASE_URL", "").startswith("postgres"):

    def test_the_router_on_a_mirrored_replica(tmp_path):
        """replica_checks.py in a second pytest, whose replica URL is its primary's: the test database is mirrored."""
        primary = connection.settings_dict
        # Its own database name, so that its test database (test_<name>) is not this run's.
        name = f"{primary['NAME'].removeprefix('test_')}_replica_check"
        auth = primary["USER"] + (f":{primary['PASSWORD']}" if primary["PASSWORD"] else "")
        url = f"postgres://{auth}@{primary['HOST'] or '127.0.0.1'}:{primary['PORT'] or 5432}/{name}"
        env = clean_env(tmp_path, DATABASE_URL=url, DATABASE_REPLICA_URL=url)
        env.pop("PYTEST_XDIST_WORKER", None)
        env.pop("PYTEST_ADDOPTS", None)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "--create-db",
                "core/tests/replica_checks.py",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
        assert " passed" in result.stdout and "skipped" not in result.stdout, result.stdout[-2000:]
