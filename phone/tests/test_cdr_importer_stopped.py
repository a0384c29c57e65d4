"""A call-record import whose command was killed, or whose page was closed, says so (S2.1).

Each batch and each step writes `heartbeat_at` with the counts so far. A running import not heard of
for IMPORT_STALE_SECONDS has stopped: one read at once (command, API) cannot go on and is marked
failed, saying how far it got (its page, or the worker's job, does that); one from the upload page
waits, and its page offers to continue.
"""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from phone.cdr import importer as cdr_import
from phone.cdr import upload
from phone.models import Call, CdrImport
from phone.tests.test_cdr_importer_steps import export
from promises.services import worker_tick

State = CdrImport.State
T0 = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


class Killed(BaseException):
    pass


def killed_command(world, monkeypatch):
    """cdr_import_file (the command, the API) killed after its first batch of calls."""
    monkeypatch.setattr(cdr_import, "BATCH_SIZE", 5)
    real = cdr_import._write
    batches = []

    def write_then_die(ctx, rows):
        if len(batches) == 1:
            raise Killed
        batches.append(rows)
        return real(ctx, rows)

    monkeypatch.setattr(cdr_import, "_write", write_then_die)
    data, _bad = export(40)
    with time_machine.travel(T0, tick=False), pytest.raises(Killed):
        cdr_import.cdr_import_file(
            store=world.a.store, actor=world.a.manager, binary_file=io.BytesIO(data.encode()), filename="m.csv"
        )
    monkeypatch.setattr(cdr_import, "_write", real)
    imp = CdrImport.objects.get()
    assert imp.state == State.RUNNING and imp.calls_created == 5 == Call.objects.count()
    assert imp.heartbeat_at == T0 and not imp.resumable
    return imp


def test_a_killed_command_import_is_marked_failed_when_its_page_is_opened(client, world, monkeypatch):
    imp = killed_command(world, monkeypatch)
    client.force_login(world.a.manager)
    url = reverse("phone:cdr_import", kwargs={"cdr_pk": imp.pk})
    with time_machine.travel(T0 + timedelta(seconds=60), tick=False):
        assert 'data-testid="cdr-progress"' in client.get(url).content.decode()  # still working, as far as we know
    imp.refresh_from_db()
    assert imp.state == State.RUNNING
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        body = client.get(url, **ZH).content.decode()
    imp.refresh_from_db()
    assert imp.state == State.FAILED and imp.finished_at == T0 + timedelta(minutes=10)
    assert 'data-testid="cdr-result"' in body and "5" in imp.message and "导入" in body
    assert 'data-testid="cdr-progress"' not in body


def test_the_worker_marks_a_killed_command_import_failed_and_leaves_a_page_import_waiting(world, monkeypatch):
    imp = killed_command(world, monkeypatch)
    data, _bad = export(40)
    with time_machine.travel(T0, tick=False):
        page_imp = upload.cdr_upload(
            store=world.a.store, actor=world.a.manager, uploaded=SimpleUploadedFile("p.csv", data.encode())
        )
        page_imp = upload.cdr_import_step(imp=page_imp, actor=world.a.manager, step_lines=10, chunk_size=16)
    with time_machine.travel(T0 + timedelta(seconds=90), tick=False):
        assert worker_tick()["cdr_imports_stopped"] == 0
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        assert worker_tick()["cdr_imports_stopped"] == 1
        assert worker_tick()["cdr_imports_stopped"] == 0
        imp.refresh_from_db()
        page_imp.refresh_from_db()
        assert imp.state == State.FAILED
        assert page_imp.state == State.RUNNING and page_imp.stalled and page_imp.resumable


def test_a_stopped_page_import_says_so_and_continues_where_it_stopped(client, world):
    data, _bad = export(40)
    with time_machine.travel(T0, tick=False):
        imp = upload.cdr_upload(
            store=world.a.store, actor=world.a.manager, uploaded=SimpleUploadedFile("p.csv", data.encode())
        )
        imp = upload.cdr_import_step(imp=imp, actor=world.a.manager, step_lines=10, chunk_size=16)
    read, added = imp.rows_read, imp.calls_created
    assert imp.is_running and 0 < read < imp.lines_total and imp.heartbeat_at == T0
    client.force_login(world.a.manager)
    url = reverse("phone:cdr_import", kwargs={"cdr_pk": imp.pk})
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        body = client.get(url, **ZH).content.decode()
        assert 'data-testid="cdr-stopped"' in body and 'data-testid="cdr-continue"' in body
        assert f"{read}" in body and "2026-11-30 10:00" in body and 'data-testid="cdr-progress"' not in body
        listing = client.get(reverse("phone:cdr_import_start"), **ZH).content.decode()
        assert "已停止" in listing
        response = client.post(reverse("phone:cdr_import_step", kwargs={"cdr_pk": imp.pk}))
        assert response.status_code == 302
        imp.refresh_from_db()
        assert imp.rows_read > read and imp.calls_created > added and not imp.stalled
        while imp.is_running:
            imp = upload.cdr_import_step(imp=imp, actor=world.a.manager)
    assert imp.state == State.DONE and imp.calls_created == Call.objects.count()


def test_another_stores_manager_cannot_see_or_continue_a_stopped_import(client, world):
    data, _bad = export(40)
    with time_machine.travel(T0, tick=False):
        imp = upload.cdr_upload(
            store=world.a.store, actor=world.a.manager, uploaded=SimpleUploadedFile("p.csv", data.encode())
        )
        imp = upload.cdr_import_step(imp=imp, actor=world.a.manager, step_lines=10, chunk_size=16)
    client.force_login(world.b.manager)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        assert client.get(reverse("phone:cdr_import", kwargs={"cdr_pk": imp.pk})).status_code == 404
        assert client.post(reverse("phone:cdr_import_step", kwargs={"cdr_pk": imp.pk})).status_code == 404
    assert CdrImport.objects.get().rows_read == imp.rows_read
