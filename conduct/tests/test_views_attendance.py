"""Pages of the attendance import and list (S1.D1a): the wall, who may import, the check and the choice."""

import pytest
import time_machine
from django.urls import reverse

from conduct.choices import BatchState
from conduct.models import AttendanceBatch, AttendanceDay
from conduct.services import attendance as services
from tests.clock import at

from .attendance_files import csv_upload


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(at("2026-12-01 10:00"), tick=False):
        yield


GOOD = [["客服1", "E1003", "客服部", "2026-11-03", "08:52", "18:05"]]
ONE_BAD = GOOD + [["客服1", "E1003", "客服部", "2026-11-04", "08:52", "25:61"]]


def _batch(world, rows=GOOD, store=None, actor=None):
    return services.attendance_upload(
        actor=actor or world.a.manager, store=store or world.a.store, uploaded=csv_upload(rows)
    )


def test_s1_d1a_upload_then_check_page_shows_the_row_error_and_the_choice(client, world):
    client.force_login(world.a.supervisor)
    page = client.get(reverse("conduct:attendance_import"))
    assert page.status_code == 200 and 'name="source"' in page.content.decode()
    response = client.post(
        reverse("conduct:attendance_import"),
        {"store": world.a.store.pk, "source": "dingtalk", "file": csv_upload(ONE_BAD)},
    )
    batch = AttendanceBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("conduct:attendance_batch", args=[batch.pk])
    body = client.get(response.url).content.decode()
    assert 'data-testid="attendance-error" data-row="5" data-field="clock_out"' in body
    assert "25:61" in body and 'data-testid="attendance-confirm"' in body
    response = client.post(reverse("conduct:attendance_batch_confirm", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.state == BatchState.IMPORTED and batch.drafts_made == 1
    body = client.get(reverse("conduct:attendance_batch", args=[batch.pk])).content.decode()
    assert 'data-testid="attendance-draft" data-kind="late"' in body
    assert body.count('data-testid="attendance-batch-day"') == 1


def test_s1_d1a_a_bad_upload_is_400_with_the_file_error_and_nothing_kept(client, world):
    client.force_login(world.a.manager)
    response = client.post(
        reverse("conduct:attendance_import"),
        {"store": world.a.store.pk, "source": "dingtalk", "file": csv_upload([], title=False, name="x.txt")},
    )
    assert response.status_code == 400 and 'data-testid="form-error"' in response.content.decode()
    assert not AttendanceBatch.objects.exists()


def test_s1_d1a_staff_may_not_import_nor_see_imports(client, world):
    batch = _batch(world)
    client.force_login(world.a.staff)
    assert client.get(reverse("conduct:attendance_import")).status_code == 403
    assert client.get(reverse("conduct:attendance_batches")).status_code == 403
    assert client.get(reverse("conduct:attendance_batch", args=[batch.pk])).status_code == 403
    assert client.post(reverse("conduct:attendance_batch_confirm", args=[batch.pk])).status_code == 403
    assert AttendanceBatch.objects.get().state == BatchState.CHECKED


def test_s1_d1a_an_auditor_reads_imports_but_may_not_confirm(client, world):
    batch = _batch(world)
    client.force_login(world.a.auditor)
    assert client.get(reverse("conduct:attendance_batch", args=[batch.pk])).status_code == 200
    assert client.post(reverse("conduct:attendance_batch_confirm", args=[batch.pk])).status_code == 403


@pytest.mark.parametrize("name", ["attendance_batch", "attendance_batch_confirm", "attendance_batch_refuse"])
def test_s1_d1a_another_stores_batch_is_404(client, world, name):
    batch = _batch(world)
    client.force_login(world.b.manager)
    method = client.get if name == "attendance_batch" else client.post
    assert method(reverse(f"conduct:{name}", args=[batch.pk])).status_code == 404
    assert AttendanceBatch.objects.get().state == BatchState.CHECKED


def test_s1_d1a_a_manager_cannot_upload_into_another_store(client, world):
    client.force_login(world.a.manager)
    response = client.post(
        reverse("conduct:attendance_import"),
        {"store": world.b.store.pk, "source": "dingtalk", "file": csv_upload(GOOD)},
    )
    assert response.status_code == 400 and not AttendanceBatch.objects.exists()


def test_s1_d1a_columns_chosen_again_and_refused(client, world):
    batch = _batch(world)
    client.force_login(world.a.manager)
    url = reverse("conduct:attendance_batch_columns", args=[batch.pk])
    response = client.post(url, {"employee_no": "1", "date": "3"})
    assert response.status_code == 400 and 'data-field="clock_in"' in response.content.decode()
    response = client.post(url, {"employee_no": "1", "date": "3", "clock_in": "5", "clock_out": "4"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.valid_rows == 0
    client.post(reverse("conduct:attendance_batch_refuse", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == BatchState.FAILED and not AttendanceDay.objects.exists()


def test_s1_d1a_batch_list_shows_only_the_persons_stores(client, world):
    mine = _batch(world)
    theirs = _batch(
        world, store=world.b.store, actor=world.b.manager, rows=[["客服2", "E2003", "", "2026-11-03", "", ""]]
    )
    client.force_login(world.a.supervisor)
    body = client.get(reverse("conduct:attendance_batches")).content.decode()
    assert f'data-pk="{mine.pk}"' in body and f'data-pk="{theirs.pk}"' not in body


def test_s1_d1a_attendance_list_the_supervisor_sees_the_department_staff_their_own(client, world):
    services.attendance_import_rows(
        actor=world.a.manager,
        store=world.a.store,
        rows=[
            {"employee_no": "E1003", "date": "2026-11-03", "clock_in": "08:52", "clock_out": "18:05"},
            {"employee_no": "E1001", "date": "2026-11-03", "clock_in": "08:10", "clock_out": "18:05"},
            {"employee_no": "E1002", "date": "2026-11-03", "clock_in": "08:10", "clock_out": "18:05"},
        ],
    )
    url = reverse("conduct:attendance_list")
    client.force_login(world.a.supervisor)
    body = client.get(url, {"month": "2026-11"}).content.decode()
    assert f'data-person="{world.a.staff.pk}"' in body and f'data-person="{world.a.manager.pk}"' not in body
    assert 'data-testid="attendance-summary"' in body and 'data-testid="late"' in body
    client.force_login(world.a.staff)
    body = client.get(url).content.decode()
    assert f'data-person="{world.a.staff.pk}"' in body and f'data-person="{world.a.supervisor.pk}"' not in body
    client.force_login(world.a.manager)
    body = client.get(url, {"month": "2026-11"}).content.decode()
    assert body.count('data-testid="attendance-day"') == 3
    assert client.get(url, {"month": "November"}).status_code == 400
    client.force_login(world.b.manager)
    assert client.get(url, {"store": world.a.store.pk}).status_code == 404


def _queries(client, url, **params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def test_s1_d1a_the_pages_ask_a_constant_number_of_queries(client, world):
    def rows(days):
        return [
            {"employee_no": no, "date": f"2026-11-{d:02d}", "clock_in": "08:52", "clock_out": ""}
            for d in range(1, days + 1)
            for no in ("E1001", "E1002", "E1003")
        ]

    client.force_login(world.a.manager)
    services.attendance_import_rows(actor=world.a.manager, store=world.a.store, rows=rows(2))
    counts = [
        _queries(client, reverse("conduct:attendance_list"), month="2026-11"),
        _queries(client, reverse("conduct:attendance_batches")),
        _queries(client, reverse("conduct:attendance_batch", args=[AttendanceBatch.objects.get().pk])),
    ]
    services.attendance_import_rows(actor=world.a.manager, store=world.a.store, rows=rows(20))
    latest = AttendanceBatch.objects.order_by("-pk").first()
    assert latest.drafts_made == 18 * 3 * 2 and latest.days_written == 18 * 3
    assert [
        _queries(client, reverse("conduct:attendance_list"), month="2026-11"),
        _queries(client, reverse("conduct:attendance_batches")),
        _queries(client, reverse("conduct:attendance_batch", args=[latest.pk])),
    ] == counts


def test_s1_d1a_a_group_admin_chooses_the_store_a_supervisor_has_theirs_given(client, world):
    client.force_login(world.admin)
    body = client.get(reverse("conduct:attendance_import")).content.decode()
    assert '<select name="store"' in body and "S002" in body
    response = client.post(
        reverse("conduct:attendance_import"),
        {
            "store": world.b.store.pk,
            "source": "wecom",
            "file": csv_upload([["客服2", "E2003", "", "2026-11-03", "", ""]]),
        },
    )
    assert response.status_code == 302 and AttendanceBatch.objects.get().store == world.b.store
    client.force_login(world.a.supervisor)
    body = client.get(reverse("conduct:attendance_import")).content.decode()
    assert f'type="hidden" name="store" value="{world.a.store.pk}"' in body


def test_s1_d1a_a_column_not_recognised_must_be_chosen_before_importing(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = "姓名,工号,日期,上班打卡,离开\r\n客服1,E1003,2026-11-03,08:52,18:05\r\n".encode()
    batch = services.attendance_upload(
        actor=world.a.manager, store=world.a.store, uploaded=SimpleUploadedFile("x.csv", data)
    )
    assert "clock_out" not in batch.mapping
    client.force_login(world.a.manager)
    body = client.get(reverse("conduct:attendance_batch", args=[batch.pk])).content.decode()
    assert 'data-testid="attendance-mapping-problems"' in body and 'data-testid="attendance-confirm"' not in body
    client.post(reverse("conduct:attendance_batch_confirm", args=[batch.pk]))
    assert not AttendanceDay.objects.exists()
    client.post(
        reverse("conduct:attendance_batch_columns", args=[batch.pk]),
        {"employee_no": "1", "date": "2", "clock_in": "3", "clock_out": "4"},
    )
    body = client.get(reverse("conduct:attendance_batch", args=[batch.pk])).content.decode()
    assert 'data-testid="attendance-confirm"' in body
