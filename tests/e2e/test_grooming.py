"""Browser flow of the morning grooming check (S6.1–S6.4, 班前检查) on a 390 px phone: a supervisor opens today's
check, taps "all pass" for one person, fails one item with a note for another, submits; the correction shows
and the supervisor confirms it with a tap."""

import os
from pathlib import Path

import time_machine
from playwright.sync_api import expect

from checks.models import CorrectiveAction, Round
from checks.services.rounds import rounds_schedule
from checks.tests.helpers import grooming
from org.choices import DepartmentKind
from org.models import Department
from tests.clock import at

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("AFTERSALES_SHOTS", "/tmp/shots"))


def _shot(page, name, *, full_page=True):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SHOTS / name), full_page=full_page)


def test_s6_grooming_check_on_a_phone_all_pass_a_failure_with_a_note_and_its_confirmation(
    page, live_server, world, sign_in
):
    advisers = Department.objects.create(store=world.a.store, kind=DepartmentKind.OTHER, name="服务顾问部")
    world.a.supervisor.supervised_departments.add(advisers)
    with time_machine.travel(at("2026-11-30 08:05"), tick=True):  # Monday, before the 08:30 opening
        area, (first, second) = grooming(world.a, department=advisers, people=("顾问甲", "顾问乙"))
        rounds_schedule()
        round = Round.objects.get(area=area)
        page.set_viewport_size(PHONE)
        sign_in(world.a.supervisor)
        page.goto(f"{live_server.url}/checks/")
        page.locator(f"[data-testid=slot][data-round='{round.pk}']").click()
        page.get_by_test_id("start-round").click()
        cards = page.get_by_test_id("person-card")
        expect(cards).to_have_count(2)
        expect(page.get_by_test_id("progress")).to_contain_text("0 / 2")

        # one tap: every item of the first person passes (htmx redraws the card)
        card = page.locator(f"[data-testid=person-card][data-person='{first.pk}']")
        card.get_by_test_id("all-pass").click()
        expect(card).to_have_attribute("data-state", "checked")
        expect(page.get_by_test_id("progress")).to_contain_text("1 / 2")

        # the second person: S6.2 fails; without a note or a photo the card says which item
        card = page.locator(f"[data-testid=person-card][data-person='{second.pk}']")
        items = card.get_by_test_id("person-item")
        expect(items).to_have_count(4)
        for i in range(4):
            items.nth(i).locator("label.btn-outline-danger" if i == 1 else "label.btn-outline-success").click()
        card.get_by_test_id("save-person").click()
        card = page.locator(f"[data-testid=person-card][data-person='{second.pk}']")
        expect(card.get_by_test_id("item-error")).to_contain_text("S6.2")
        expect(card).to_have_attribute("data-state", "todo")
        card.get_by_test_id("person-item").nth(1).get_by_test_id("comment").fill("头发过耳")
        card.get_by_test_id("save-person").click()
        card = page.locator(f"[data-testid=person-card][data-person='{second.pk}']")
        expect(card).to_have_attribute("data-state", "checked")
        expect(page.get_by_test_id("progress")).to_contain_text("2 / 2")
        expect(card.get_by_test_id("record-discipline")).to_have_attribute(
            "href", f"/conduct/records/new/?person={second.pk}&source=spot_check"
        )
        _shot(page, "grooming-phone-1-check.png")

        page.get_by_test_id("submit-round").click()
        expect(page.get_by_test_id("round-score")).to_have_attribute("data-score", "87.5")
        action = CorrectiveAction.objects.get()
        assert action.owner == second and action.promise.kind == "grooming_correction"
        correction = page.locator(f"[data-testid=person-result][data-person='{second.pk}'] [data-testid=result-action]")
        expect(correction.get_by_test_id("action-state")).to_have_attribute("data-state", "open")
        _shot(page, "grooming-phone-2-correction.png")
        correction.get_by_test_id("confirm-correction").click()
        correction = page.locator(f"[data-testid=person-result][data-person='{second.pk}'] [data-testid=result-action]")
        expect(correction.get_by_test_id("action-state")).to_have_attribute("data-state", "done")
        action.refresh_from_db()
        action.promise.refresh_from_db()
        assert action.state == "done" and action.promise.state == "kept"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "nothing wider than the phone"
        _shot(page, "grooming-phone-3-confirmed.png")
