"""Lounge figures in the browser (S4.1–S4.11): the page draws its charts, a figure opens to its records,
and changing the period updates the figures in place."""

import re

import time_machine
from playwright.sync_api import expect

from insights.tests.lounge_helpers import NOW, make_lounge_week


def test_manager_reads_the_lounge_figures_and_opens_a_figures_records(page, live_server, world, sign_in):
    make_lounge_week(world)
    with time_machine.travel(NOW, tick=True):
        sign_in(world.a.manager)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{live_server.url}/insights/lounge/?period=week&date=2026-03-11")
        expect(page.get_by_test_id("figure-visits")).to_have_text("6")
        expect(page.get_by_test_id("figure-greet-p90")).to_contain_text("61")
        expect(page.get_by_test_id("figure-rounds-on-time-share")).to_have_text("40.0%")
        # both charts are drawn (ECharts puts a canvas into each)
        expect(page.locator(".insights-chart canvas")).to_have_count(2)
        expect(page.get_by_test_id("person-row")).to_have_count(2)

        # a figure opens to exactly the records it counts
        page.get_by_test_id("figure-visits-not-greeted").click()
        expect(page.get_by_test_id("record-row")).to_have_count(1)
        expect(page.get_by_test_id("records-table")).to_contain_text("2026-03-12 10:00")
        page.go_back()

        page.get_by_test_id("figure-faults-fixed").click()
        expect(page.get_by_test_id("record-row")).to_have_count(3)

        # another period: the figures and charts are swapped in place (htmx)
        page.goto(f"{live_server.url}/insights/lounge/?period=week&date=2026-03-11")
        page.locator("#id_period").select_option("day")
        expect(page.get_by_test_id("figure-visits")).to_have_text("3")
        expect(page).to_have_url(re.compile(r"/insights/lounge/\?.*period=day"))
        expect(page.locator(".insights-chart canvas")).to_have_count(2)


def test_staff_see_their_own_lounge_figures(page, live_server, world, sign_in):
    make_lounge_week(world)
    with time_machine.travel(NOW, tick=True):
        sign_in(world.a.staff)
        page.goto(f"{live_server.url}/insights/lounge/?period=week&date=2026-03-11")
        expect(page.get_by_test_id("figure-visits")).to_have_text("3")
        expect(page.get_by_test_id("person-row")).to_have_count(1)
        expect(page.get_by_test_id("person-row")).to_contain_text(world.a.staff.name)
