"""A customer import whose page was closed or whose command was killed says so and can go on.

The steps of an import (import_validate_step, import_commit_step) each write `heartbeat_at`; a
running import not heard of for IMPORT_STALE_SECONDS has stopped. Its page says where it stopped
and offers to continue (or import nothing, while checking); the import list shows it as stopped.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from customers.models import Customer, ImportJob
from customers.services import imports
from customers.tests.test_services_imports import GOOD, check, csv_upload, upload

State = ImportJob.State
T0 = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)


def started(world):
    """An import whose check did its first chunk at T0 and then nobody went on."""
    with time_machine.travel(T0, tick=False):
        job = upload(world, csv_upload(GOOD))
        job = imports.import_set_mapping(job=job, actor=world.a.manager, mapping=job.mapping)
        job = imports.import_validate_step(job=job, actor=world.a.manager)
    assert job.state == State.VALIDATING and job.processed_rows == 2 and job.heartbeat_at == T0
    return job


def test_a_running_import_is_stopped_only_after_the_stale_time(world, settings):
    settings.IMPORT_STALE_SECONDS = 120
    job = started(world)
    with time_machine.travel(T0 + timedelta(seconds=120), tick=False):
        assert not job.stalled
    with time_machine.travel(T0 + timedelta(seconds=121), tick=False):
        assert job.stalled
        job = imports.import_validate_step(job=job, actor=world.a.manager)  # going on is a sign of life
        assert not job.stalled
    done = check(job, world.a.manager)
    assert done.state == State.VALIDATED and done.valid_rows == 4 and not done.stalled


def test_the_page_of_a_stopped_check_says_so_and_continues_or_imports_nothing(client, world):
    job = started(world)
    client.force_login(world.a.manager)
    page_url = reverse("customers:import_job", kwargs={"job_pk": job.pk})
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        body = client.get(page_url, **ZH).content.decode()
        assert 'data-testid="import-stopped"' in body and "停在第 2 行" in body and "2026-11-30 10:00" in body
        assert 'data-testid="import-continue"' in body and 'data-testid="import-nothing"' in body
        assert 'hx-trigger="load delay:300ms"' not in body  # it does not go on by itself behind the notice
        listing = client.get(reverse("customers:import_list"), **ZH).content.decode()
        assert 'data-testid="import-stopped-state"' in listing
        response = client.post(reverse("customers:import_step", kwargs={"job_pk": job.pk}))
        assert response.status_code == 302 and response.url == page_url
        job.refresh_from_db()
        assert job.processed_rows == 4 and not job.stalled
        body = client.get(page_url).content.decode()
        assert job.state == State.VALIDATED  # the last chunk: the choice comes next
        assert 'data-testid="import-stopped"' not in body and 'data-testid="import-choice"' in body
    # or: import nothing
    other = started(world)
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        client.post(reverse("customers:import_cancel", kwargs={"job_pk": other.pk}))
    other.refresh_from_db()
    assert other.state == State.CANCELLED and not Customer.objects.exists()


def test_a_killed_all_or_nothing_command_leaves_nothing_half_written_and_can_be_continued(client, world, monkeypatch):
    class Killed(BaseException):
        pass

    writes = []
    real = imports._write_chunk

    def write_then_die(job, rows, actor):
        if writes:
            raise Killed  # kill -9 in the middle of writing
        writes.append(len(rows))
        return real(job, rows, actor)

    with time_machine.travel(T0, tick=False):
        job = check(upload(world, csv_upload(GOOD)), world.a.manager)
        monkeypatch.setattr(imports, "_write_chunk", write_then_die)
        with pytest.raises(Killed):
            imports.import_run(job=job, actor=world.a.manager, valid_only=False)
    monkeypatch.setattr(imports, "_write_chunk", real)
    job.refresh_from_db()
    assert job.state == State.IMPORTING and not Customer.objects.exists()  # all or nothing: nothing written
    client.force_login(world.a.manager)
    page_url = reverse("customers:import_job", kwargs={"job_pk": job.pk})
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        body = client.get(page_url, **ZH).content.decode()
        assert 'data-testid="import-stopped"' in body and 'data-testid="import-nothing"' not in body
        step = reverse("customers:import_step", kwargs={"job_pk": job.pk})
        for _ in range(5):
            client.post(step)
        job.refresh_from_db()
    assert job.state == State.DONE and (job.imported_customers, job.imported_vehicles) == (3, 3)


def test_another_stores_people_do_not_see_a_stopped_import(client, world):
    job = started(world)
    client.force_login(world.b.manager)
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        assert client.get(reverse("customers:import_job", kwargs={"job_pk": job.pk})).status_code == 404
        assert client.post(reverse("customers:import_step", kwargs={"job_pk": job.pk})).status_code == 404
    job.refresh_from_db()
    assert job.processed_rows == 2
