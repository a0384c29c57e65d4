"""Browser flow of a broken facility (S4.11): reported from a phone with a photo, out of order on the
facilities page, work started, fixed with a note — and the facility back in order."""

import io

from playwright.sync_api import expect

from lounge.models import FaultTicket
from lounge.tests.wall import make_facility
from org.choices import Role
from tests.factories import make_user

PHONE = {"width": 390, "height": 844}


def _idle(page):
    """Let a new page's own requests (the bell) finish before acting: the test server's in-memory SQLite
    refuses a session write made at the same moment as another request's ("database table is locked")."""
    page.wait_for_load_state("networkidle")


def _jpeg(path):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (180, 60, 40)).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


def test_a_fault_through_to_its_fix_on_a_phone(page, live_server, world, sign_in, tmp_path):
    coffee = make_facility(world.a.store, name="咖啡机", location="水吧")
    make_facility(world.a.store, name="电视", kind="tv")
    mechanic = make_user("lounge1", role=Role.STAFF, store=world.a.store, department=world.a.lounge, name="休息区小王")
    page.set_viewport_size(PHONE)

    # an attendant sees the coffee machine is broken and reports it with a photo from the phone
    sign_in(world.a.staff)
    page.goto(f"{live_server.url}/lounge/facilities/")
    row = page.locator('[data-testid="facility"][data-name="咖啡机"]')
    expect(row).to_have_attribute("data-state", "in_order")
    row.get_by_test_id("facility-report").click()
    _idle(page)
    expect(page.locator("#id_facility")).to_have_value(str(coffee.pk))
    expect(page.locator("#id_photo")).to_have_attribute("capture", "environment")
    page.get_by_test_id("fault-save").click()  # nothing written yet: the rule is named next to the field
    expect(page.locator('[data-field="description"]')).to_contain_text("S4.11")
    _idle(page)
    page.fill("#id_description", "出不了热水，指示灯一直闪")
    page.set_input_files("#id_photo", str(_jpeg(tmp_path / "coffee.jpg")))
    page.get_by_test_id("fault-save").click()
    expect(page.get_by_test_id("fault")).to_have_attribute("data-state", "open")
    expect(page.get_by_test_id("fault-description")).to_have_text("出不了热水，指示灯一直闪")
    photo = page.get_by_test_id("fault-photo")
    expect(photo).to_be_visible()
    _idle(page)  # the photo is served behind the wall as a JPEG
    served = page.request.get(live_server.url + photo.get_attribute("src"))
    assert served.ok and served.headers["content-type"] == "image/jpeg"
    expect(page.get_by_test_id("fault-owner")).to_contain_text(world.a.lounge.name)
    expect(page.get_by_test_id("fault-clock")).to_have_attribute("data-state", "open")
    fault = FaultTicket.objects.get()
    assert fault.promise.kind == "fault_fix" and fault.photo

    # the facilities page shows it out of order, linked to its ticket
    page.goto(f"{live_server.url}/lounge/facilities/")
    expect(row).to_have_attribute("data-state", "out_of_order")
    expect(row.get_by_test_id("facility-state")).to_be_visible()
    expect(page.get_by_test_id("out-of-order-count")).to_be_visible()

    # the lounge's own colleague takes it: work started, then fixed with a note (htmx, no reload)
    sign_in(mechanic)
    page.goto(f"{live_server.url}/lounge/faults/")
    page.locator(f'[data-testid="fault-row"][data-pk="{fault.pk}"]').click()
    expect(page.get_by_test_id("fault")).to_have_attribute("data-state", "open")
    _idle(page)
    page.get_by_test_id("fault-start").click()
    expect(page.get_by_test_id("fault")).to_have_attribute("data-state", "in_progress")
    expect(page.get_by_test_id("step-started")).to_be_visible()
    page.get_by_test_id("fault-fix").click()  # without saying what was done: refused next to the field
    expect(page.locator('[data-field="note"]')).to_be_visible()
    expect(page.get_by_test_id("fault")).to_have_attribute("data-state", "in_progress")
    page.fill("#id_note", "清洗水路，更换加热管")
    page.get_by_test_id("fault-fix").click()
    expect(page.get_by_test_id("fault")).to_have_attribute("data-state", "fixed")
    expect(page.get_by_test_id("fix-note")).to_have_text("清洗水路，更换加热管")
    expect(page.get_by_test_id("fault-clock")).to_have_attribute("data-state", "kept")
    expect(page.get_by_test_id("fault-actions")).to_have_count(0)

    # back in order
    page.goto(f"{live_server.url}/lounge/facilities/")
    expect(row).to_have_attribute("data-state", "in_order")
    expect(page.get_by_test_id("all-in-order")).to_be_visible()
    fault.refresh_from_db()
    assert fault.state == "fixed" and fault.fixed_by == mechanic and fault.promise.state == "kept"
