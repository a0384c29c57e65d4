"""Browser flow of an import whose page was closed half-way: it says it stopped, and goes on when asked."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from phone.cdr import upload
from phone.models import Call, CdrImport
from phone.tests.test_cdr_importer_steps import export


def test_manager_sees_a_stopped_call_record_import_and_continues_it(page, live_server, world, sign_in):
    data, _bad = export(40)
    imp = upload.cdr_upload(
        store=world.a.store, actor=world.a.manager, uploaded=SimpleUploadedFile("话单.csv", data.encode())
    )
    imp = upload.cdr_import_step(imp=imp, actor=world.a.manager, step_lines=10, chunk_size=16)
    assert imp.is_running and imp.rows_read < imp.lines_total
    # its page was closed ten minutes ago (relative to whatever the clock says)
    CdrImport.objects.filter(pk=imp.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))

    sign_in(world.a.manager)
    page.goto(f"{live_server.url}/phone/records/import/{imp.pk}/")
    notice = page.get_by_test_id("cdr-stopped")
    expect(notice).to_contain_text(f"停在第 {imp.rows_read} 行")
    expect(page.get_by_test_id("cdr-progress")).to_have_count(0)  # nothing goes on behind the notice
    page.get_by_test_id("cdr-continue").click()
    expect(page.get_by_test_id("cdr-counts")).to_be_visible()
    expect(page.get_by_test_id("cdr-state")).to_have_text("已完成")
    page.get_by_role("link", name="新建导入").click()  # the list of recent imports no longer says stopped
    expect(page.get_by_role("cell", name="已完成")).to_be_visible()
    expect(page.get_by_text("已停止")).to_have_count(0)
    imp.refresh_from_db()
    assert imp.state == CdrImport.State.DONE and imp.calls_created == Call.objects.filter(store=world.a.store).count()
