"""Browser flow of a discipline record (S1.D1b): a supervisor records an incident on a phone, the staff member
contests it with a reason, the store manager withdraws it with a reason — and it shows as withdrawn."""

from playwright.sync_api import expect

from conduct.models import DisciplineRecord

PHONE = {"width": 390, "height": 844}


def _idle(page):
    """Let a new page's own requests (the bell) finish before acting (the test server's in-memory SQLite)."""
    page.wait_for_load_state("networkidle")


def _fits(page, width=PHONE["width"]):
    """Nothing wider than the screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_record_contest_withdraw_on_a_phone(page, live_server, world, sign_in):
    page.set_viewport_size(PHONE)

    # the supervisor sees a long personal call and records it from the phone
    sign_in(world.a.supervisor)
    page.goto(f"{live_server.url}/conduct/records/new/")
    _idle(page)
    _fits(page)
    page.select_option("#id_person", str(world.a.staff.pk))
    page.select_option("#id_kind", "late")
    page.fill("#id_description", "上班时间打私人电话二十分钟")
    page.get_by_test_id("record-save").click()  # a late arrival without minutes: refused next to the field
    expect(page.locator('[data-field="minutes"]')).to_contain_text("S1.D1a")
    _idle(page)
    page.select_option("#id_kind", "personal_call")
    page.get_by_test_id("record-save").click()
    expect(page.get_by_test_id("record")).to_have_attribute("data-state", "recorded")
    expect(page.get_by_test_id("record-rule")).to_have_text("S1.D1b")
    expect(page.get_by_test_id("record-actions")).to_have_count(0)  # the recorder neither answers nor decides
    record = DisciplineRecord.objects.get()
    assert record.person == world.a.staff and record.recorded_by == world.a.supervisor

    # the staff member signs in and contests it with a reason
    sign_in(world.a.staff)
    page.goto(f"{live_server.url}/conduct/records/")
    page.locator(f'[data-testid="record-row"][data-pk="{record.pk}"]').click()
    expect(page.get_by_test_id("record")).to_have_attribute("data-state", "recorded")
    _idle(page)
    _fits(page)
    page.get_by_test_id("record-contest").click()  # no reason: refused next to the field
    expect(page.locator('[data-field="reason"]')).to_be_visible()
    page.fill("#id_reason", "当时在给客户回电，有通话记录")
    page.get_by_test_id("record-contest").click()
    expect(page.get_by_test_id("record")).to_have_attribute("data-state", "contested")
    expect(page.get_by_test_id("contest-reason")).to_have_text("当时在给客户回电，有通话记录")
    expect(page.get_by_test_id("record-actions")).to_have_count(0)

    # the store manager withdraws it with a reason
    sign_in(world.a.manager)
    page.goto(f"{live_server.url}/conduct/records/{record.pk}/")
    _idle(page)
    expect(page.get_by_test_id("decision-due")).to_be_visible()
    page.check('input[name="outcome"][value="withdrawn"]')
    page.fill("#id_reason", "核实为客户回电")
    page.get_by_test_id("record-decide").click()
    expect(page.get_by_test_id("record")).to_have_attribute("data-state", "withdrawn")
    expect(page.get_by_test_id("withdrawn-note")).to_be_visible()
    expect(page.get_by_test_id("decision-reason")).to_have_text("核实为客户回电")

    # still listed, as withdrawn
    page.goto(f"{live_server.url}/conduct/records/")
    expect(page.locator(f'[data-testid="record-row"][data-pk="{record.pk}"]')).to_have_attribute(
        "data-state", "withdrawn"
    )
    _fits(page)
    page.set_viewport_size({"width": 1024, "height": 768})  # and on a tablet
    page.goto(f"{live_server.url}/conduct/records/{record.pk}/")
    _idle(page)
    _fits(page, 1024)
    record.refresh_from_db()
    assert record.state == "withdrawn" and record.promise.state == "kept"
