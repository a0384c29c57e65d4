"""Browser flows of the checklist engine (S4.6–S4.10): a hygiene round on a phone, a template edited later."""

import os
from pathlib import Path

import time_machine
from playwright.sync_api import expect

from checks.models import CorrectiveAction, Round
from checks.services.rounds import rounds_schedule
from checks.templatetags.checks_ui import fault_report_url
from checks.tests.helpers import done_round, lounge, png_bytes
from tests.clock import at

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("AFTERSALES_SHOTS", "/tmp/shots"))


def _shot(page, name, *, full_page=True):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SHOTS / name), full_page=full_page)


def _photo_shown(img):
    """The photo is served behind the wall and decoded by the browser (not a broken image)."""
    expect(img).to_be_visible()
    img.page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())


def test_a_hygiene_round_on_a_phone_with_a_failed_item_and_its_photo(page, live_server, world, sign_in):
    """S4.7 on a phone: 3 butts in the ashtray fail the item; a photo is required, taken, and the round scores."""
    # a Monday in business hours: the 10:30 round of the lounge, due 11:00
    # staff1 works at the lounge desk, which owns the lounge's rounds and their corrective actions
    world.a.staff.department = world.a.lounge
    world.a.staff.save(update_fields=["department"])
    with time_machine.travel(at("2026-11-30 10:31"), tick=True):
        _template, area = lounge(world.a)
        rounds_schedule()
        round = Round.objects.get(area=area)
        page.set_viewport_size(PHONE)
        sign_in(world.a.staff)
        page.goto(f"{live_server.url}/checks/")
        slot = page.locator(f"[data-testid=slot][data-round='{round.pk}']")
        expect(slot).to_have_attribute("data-state", "open")
        _shot(page, "checks-phone-1-schedule.png")
        slot.click()
        page.get_by_test_id("start-round").click()
        expect(page.get_by_test_id("check-item")).to_have_count(13)
        _shot(page, "checks-phone-2-start-screen.png", full_page=False)

        items = page.get_by_test_id("check-item")
        for i in range(13):
            item = items.nth(i)
            if item.get_attribute("data-kind") == "measured":
                item.get_by_test_id("value").fill("3")
            else:
                item.locator("label.btn-outline-success").click()
        ashtray = page.locator("[data-testid=check-item][data-kind=measured]")
        expect(ashtray.get_by_test_id("verdict")).to_have_class("small mt-1 text-danger fw-semibold")
        expect(ashtray.locator(".photo-required")).to_be_visible()
        if fault_report_url(Round.objects.get(pk=round.pk).results.get(position=5)):  # the lounge's fault page
            expect(ashtray.get_by_test_id("report-fault")).to_be_visible()
            expect(items.first.get_by_test_id("report-fault")).to_be_hidden()
        expect(page.get_by_test_id("progress")).to_contain_text("13 / 13")

        # without the photo the round is refused, naming the item; nothing is saved
        page.get_by_test_id("submit-round").click()
        expect(page.get_by_test_id("photo-error")).to_be_visible()
        assert Round.objects.get(pk=round.pk).state == "open"
        ashtray = page.locator("[data-testid=check-item][data-kind=measured]")
        expect(ashtray.get_by_test_id("value")).to_have_value("3")
        ashtray.get_by_test_id("comment").fill("烟灰缸内有 3 个烟头")
        ashtray.get_by_test_id("photo").set_input_files(
            {"name": "ashtray.png", "mimeType": "image/png", "buffer": png_bytes((120, 90))}
        )
        ashtray.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, 160)")  # the item above the sticky submit bar, for the screenshot
        _shot(page, "checks-phone-2-round.png")
        _shot(page, "checks-phone-2-round-screen.png", full_page=False)
        page.get_by_test_id("submit-round").click()

        expect(page.get_by_test_id("round-score")).to_have_text("92.3%")
        expect(page.get_by_test_id("round-state")).to_have_attribute("data-state", "done")
        expect(page.get_by_test_id("on-time")).to_have_attribute("data-on-time", "1")
        failed = page.locator("[data-testid=result][data-passed='0']")
        expect(failed).to_have_count(1)
        expect(failed.get_by_test_id("result-action")).to_be_visible()
        _photo_shown(failed.get_by_test_id("result-photo"))
        _shot(page, "checks-phone-3-done.png")

        # the lounge desk puts it right from the corrective action
        action = CorrectiveAction.objects.get()
        assert action.owner_department == world.a.lounge
        failed.get_by_test_id("result-action").locator("a").click()
        page.locator("#id_note").fill("已清空烟灰缸")
        page.locator("#id_photo").set_input_files(
            {"name": "after.png", "mimeType": "image/png", "buffer": png_bytes((90, 120), (60, 160, 60))}
        )
        page.get_by_test_id("close-action").click()
        expect(page.get_by_test_id("action-state")).to_have_attribute("data-state", "done")
        _photo_shown(page.get_by_test_id("action-photo"))
        _shot(page, "checks-phone-4-action.png")


def test_a_template_edited_by_a_manager_leaves_a_past_round_as_it_was(page, live_server, world, sign_in):
    """A round done with the ashtray at most 2 (S4.7); the manager raises it to 5: the round still shows 2."""
    round = done_round(world.a, butts="3")
    template = round.template
    first, second = template.items.order_by("position")[:2]
    sign_in(world.a.manager)
    page.goto(f"{live_server.url}/checks/templates/{template.pk}/")

    # reorder with the arrows (htmx redraws the list only)
    page.locator(f"[data-testid=template-item][data-item='{first.pk}']").get_by_test_id("move-down").click()
    expect(page.get_by_test_id("template-item").first).to_have_attribute("data-item", str(second.pk))

    ashtray = page.locator("[data-testid=template-item]", has_text="烟灰缸")
    ashtray.get_by_test_id("edit-item").click()
    page.locator("#id_text").fill("烟灰缸内烟头数(不超过 5 个)")
    page.locator("#id_max_value").fill("5")
    page.get_by_test_id("save-item").click()
    expect(
        page.locator("[data-testid=template-item]", has_text="烟灰缸").get_by_test_id("template-item-limit")
    ).to_have_text("≤ 5 个")
    _shot(page, "checks-template-edited.png")

    page.goto(f"{live_server.url}/checks/rounds/{round.pk}/")
    failed = page.locator("[data-testid=result][data-passed='0']")
    expect(failed.get_by_test_id("result-text")).to_have_text("烟灰缸内烟头数(不超过 2 个)")
    expect(failed.get_by_test_id("result-value")).to_contain_text("≤ 2 个")
    expect(page.get_by_test_id("round-score")).to_have_text("92.3%")
    expect(page.get_by_test_id("result").first.get_by_test_id("result-text")).to_have_text(first.text)
