"""Browser flow of the roster (S1.D1a): a supervisor sets a cell of the month's grid on a phone; an import
with a bad row lists the row's error and saves nothing; a good file fills the grid."""

from datetime import time

from playwright.sync_api import expect

from org.choices import RosterKind
from org.models import RosterDay
from org.services import roster as services

PHONE = {"width": 390, "height": 844}


def _idle(page):
    """Let the page's own requests finish before acting (the test server's in-memory SQLite)."""
    page.wait_for_load_state("networkidle")


def test_supervisor_sets_a_cell_and_imports_a_month(page, live_server, world, sign_in, tmp_path):
    a = world.a
    early = services.shift_create(actor=a.manager, store=a.store, name="早班", starts=time(8), ends=time(17))
    page.set_viewport_size(PHONE)
    sign_in(a.supervisor)
    page.goto(f"{live_server.url}/org/roster/?store={a.store.pk}&department={a.cs.pk}&month=2026-12")
    _idle(page)

    # a cell: click, choose the shift, saved without a reload
    cell = page.get_by_test_id(f"cell-{a.staff.pk}-2026-12-01")
    # choose only once htmx has taken the new select in (a person takes longer than a test to choose)
    page.evaluate(
        "document.body.addEventListener('htmx:afterProcessNode', e => {"
        " if (e.target.querySelector && e.target.querySelector('[data-testid=cell-select]')) document.body.dataset.cellReady = '1' })"
    )
    cell.get_by_role("link").click()
    expect(page.locator("body")).to_have_attribute("data-cell-ready", "1")
    select = cell.get_by_test_id("cell-select")
    select.select_option(f"shift:{early.pk}")
    expect(page.get_by_test_id(f"cell-{a.staff.pk}-2026-12-01")).to_contain_text("早班")
    expect(page.get_by_test_id(f"cell-{a.staff.pk}-2026-12-01").get_by_test_id("cell-select")).to_have_count(0)
    assert RosterDay.objects.get(person=a.staff, date="2026-12-01").shift == early

    # an import with one bad row: the row's error, nothing saved
    _idle(page)
    page.get_by_test_id("roster-import").click()
    bad = tmp_path / "bad.csv"
    bad.write_bytes("姓名,1,2,3\n客服1,休,早班,假\n王五,早班,,\n".encode("gbk"))
    page.fill("#id_month", "2026-12")
    page.set_input_files("#id_file", str(bad))
    page.get_by_test_id("roster-import-form").locator("button[type=submit]").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("王五")
    expect(errors.locator("tbody tr")).to_have_count(1)
    assert RosterDay.objects.get(person=a.staff, date="2026-12-01").kind == RosterKind.WORK

    # a good file fills the grid
    good = tmp_path / "good.csv"
    good.write_bytes("姓名,1,2,3\n客服1,休,早班,假\n".encode())
    _idle(page)
    page.fill("#id_month", "2026-12")
    page.set_input_files("#id_file", str(good))
    page.get_by_test_id("roster-import-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("roster-month")).to_have_text("2026-12")
    expect(page.get_by_test_id(f"cell-{a.staff.pk}-2026-12-01")).to_contain_text("休")
    expect(page.get_by_test_id(f"cell-{a.staff.pk}-2026-12-02")).to_contain_text("早班")
    expect(page.get_by_test_id(f"cell-{a.staff.pk}-2026-12-03")).to_contain_text("假")
    # the names column stays in view while the days scroll sideways on a phone
    name_cell = page.get_by_test_id(f"roster-row-{a.staff.pk}").locator("td.roster-name")
    assert name_cell.evaluate("el => getComputedStyle(el).position") == "sticky"
