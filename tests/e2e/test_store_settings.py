"""Browser flow of a store's settings: a manager changes the ring cycle (S2.1) and a promise rule."""

from playwright.sync_api import expect

from phone.models import PhoneSettings
from promises.models import PromiseRule


def test_manager_changes_the_ring_cycle_and_a_promise_rules_reminder(page, live_server, world, sign_in):
    sign_in(world.a.manager)
    page.goto(f"{live_server.url}/org/stores/{world.a.store.pk}/")
    page.get_by_test_id("store-phone-settings").click()

    # a ring cycle out of range: the message stands next to the field, nothing is saved
    form = page.get_by_test_id("settings-form")
    form.locator("#id_ring_cycle_seconds").fill("0")
    page.get_by_test_id("settings-save").click()
    expect(page.locator("[data-field=ring_cycle_seconds]")).to_be_visible()
    assert not PhoneSettings.objects.filter(store=world.a.store).exists()

    page.locator("#id_ring_cycle_seconds").fill("6")
    page.get_by_test_id("settings-save").click()
    expect(page.get_by_test_id("settings-saved")).to_be_visible()
    expect(page.get_by_test_id("settings-in-time")).to_contain_text("18")
    expect(page.get_by_test_id("history")).to_contain_text(world.a.manager.name)
    assert PhoneSettings.objects.get(store=world.a.store).ring_cycle_seconds == 6.0

    page.goto(f"{live_server.url}/org/stores/{world.a.store.pk}/")
    page.get_by_test_id("store-promise-rules").click()
    row = page.locator("[data-testid=rule-row][data-kind=message_callback]")
    expect(row).to_have_attribute("data-source", "built_in")
    row.get_by_test_id("rule-edit").click()

    page.locator("#id_remind_at_percent").fill("100")
    page.get_by_test_id("rule-save").click()
    expect(page.locator("[data-field=remind_at_percent]")).to_be_visible()
    assert not PromiseRule.objects.exists()

    page.locator("#id_remind_at_percent").fill("50")
    page.get_by_test_id("rule-save").click()
    row = page.locator("[data-testid=rule-row][data-kind=message_callback]")
    expect(row).to_have_attribute("data-source", "store")
    expect(row.get_by_test_id("rule-remind")).to_have_text("50")
    assert PromiseRule.objects.get(store=world.a.store, kind="message_callback").remind_at_percent == 50
