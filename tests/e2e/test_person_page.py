"""Browser flow of the person page (S6.1–S6.4, S1.D1a–S1.D4): a supervisor opens a person's page on a phone
before a review, sees the grooming and discipline figures, and follows a link to the records behind one."""

from playwright.sync_api import expect

from insights.tests.people_helpers import people_month

PHONE = {"width": 390, "height": 844}


def test_a_supervisor_reviews_a_person_on_a_phone(page, live_server, world, sign_in):
    people_month(world)
    page.set_viewport_size(PHONE)
    sign_in(world.a.supervisor)
    page.goto(f"{live_server.url}/insights/people/{world.a.staff.pk}/?period=month&date=2026-11-15")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("person-name")).to_have_text(world.a.staff.name)
    expect(page.get_by_test_id("person-period")).to_contain_text("2026-11-01")
    expect(page.get_by_test_id("figure-grooming-share")).to_have_text("50.0%")
    expect(page.get_by_test_id("figure-discipline")).to_have_text("1")
    expect(page.get_by_test_id("figure-discipline-withdrawn")).to_have_text("1")
    expect(page.get_by_test_id("discipline-kind-row")).to_have_count(2)
    # the page fits the phone: nothing wider than the screen but inside a scrolling table
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width

    # the discipline figure opens to the record behind it
    page.get_by_test_id("figure-discipline").click()
    page.wait_for_load_state("networkidle")
    rows = page.get_by_test_id("record-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(world.a.staff.name)
    expect(page.get_by_test_id("record-state")).to_have_count(1)

    # and back on the person's page, the grooming figure opens to the people checked
    page.go_back()
    page.get_by_test_id("figure-grooming-checked").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("record-row")).to_have_count(2)
