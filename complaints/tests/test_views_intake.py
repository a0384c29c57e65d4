"""The complaint intake page (S2.4, S2.6): filled from a call, presets in business hours, date limits,
starred fields.

Every test runs at a frozen moment (the store world is open 08:30–18:00 every day).
"""

from datetime import timedelta

import pytest
import time_machine
from django.utils import translation

from complaints.models import Complaint
from complaints.tests.wall import log_complaint
from customers.selectors import customer_timeline
from phone.models import Call
from tests.clock import at
from tests.factories import make_customer, make_vehicle

LATE = at("2026-11-30 23:32")  # a Monday night; the store closed at 18:00


def _form(world, **overrides):
    data = {
        "store": world.a.store.pk,
        "channel": "phone",
        "customer_name": "王五",
        "contact_phone": "13812345678",
        "vehicle_involved": "on",
        "vehicle_model": "凯美瑞",
        "plate": "京A12345",
        "department": world.a.cs.pk,
        "staff_unknown": "on",
        "happened_at": "2026-11-30T11:00",
        "place": "展厅",
        "course": "态度差",
        "customer_wants": "道歉",
        "severity": "medium",
        "reply_preset": "2h",
    }
    return data | overrides


# --- Presets in business hours (S2.6) ----------------------------------------------------------


def test_the_form_shows_each_presets_time_and_saves_it(client, world):
    with time_machine.travel(LATE, tick=False):
        client.force_login(world.a.staff)
        page = client.get("/complaints/new/").content.decode()
        assert 'data-testid="preset-time-2h"' in page and "12-01" in page and "10:30" in page
        response = client.post("/complaints/new/", _form(world, happened_at="2026-11-30T17:00"))
    assert response.status_code == 302
    assert Complaint.objects.get().reply_promised_at == at("2026-12-01 10:30")


# --- Dates far off are refused, naming the field and the rule ----------------------------------


def test_a_reply_more_than_30_days_ahead_is_refused_nothing_saved(client, world, noon):
    client.force_login(world.a.staff)
    far = (noon + timedelta(days=31)).strftime("%Y-%m-%dT%H:%M")
    with translation.override("zh-hans"):
        response = client.post(
            "/complaints/new/", _form(world, reply_preset="custom", reply_custom=far), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    body = response.content.decode()
    assert response.status_code == 400 and not Complaint.objects.exists()
    assert "S2.6" in body and "30 天" in body


# --- Starred fields and the stage label --------------------------------------------------------


def test_required_fields_are_starred_with_a_legend_and_aria_required(client, world, noon):
    client.force_login(world.a.staff)
    page = client.get("/complaints/new/").content.decode()
    assert 'data-testid="required-legend"' in page
    for name in ("customer_name", "contact_phone", "department", "happened_at", "place", "course", "customer_wants"):
        tag = page.split(f'name="{name}"')[0].rsplit("<", 1)[1] + page.split(f'name="{name}"')[1].split(">", 1)[0]
        assert 'aria-required="true"' in tag and "required" in tag, name
        label = page.split(f'for="id_{name}"')[1].split("</label>", 1)[0]
        assert "required-mark" in label, name
    assert 'max="2026-12-30T12:00"' in page  # the custom reply time: 30 days ahead at most
    assert 'min="2025-11-30T12:00"' in page and 'max="2026-11-30T12:00"' in page  # happened: the last 365 days
    optional = page.split('for="id_staff_involved"')[1].split("</label>", 1)[0]
    assert "required-mark" not in optional  # required only without "unknown": said in its help text


def test_the_closed_stage_reads_closed_not_the_shop_hours_word(client, world, noon):
    complaint = log_complaint(world.a)
    client.force_login(world.a.supervisor)
    with translation.override("zh-hans"):
        page = client.get(f"/complaints/{complaint.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    stage = page.split('data-testid="stage-closed"')[1].split("</li>")[0]
    assert "已结案" in stage and "不营业" not in page


# --- Filled from a call; linked to the customer and on their timeline --------------------------


def _call(world, store_world=None, **extra):
    store_world = store_world or world.a
    return Call.objects.create(
        store=store_world.store,
        number="+8613900001111",
        number_digits="13900001111",
        department=store_world.cs,
        started_at=at("2026-11-30 11:20"),
        purpose="complaint",
        outcome="complaint",
        notes="客户说保养后发动机异响，前台态度冷淡",
        **extra,
    )


def test_the_form_is_filled_from_the_call_what_was_said_included(client, world, noon):
    call = _call(world, caller_name="李先生")
    client.force_login(world.a.staff)
    page = client.get(f"/complaints/new/?call={call.pk}").content.decode()
    assert "客户说保养后发动机异响" in page and "李先生" in page and "+8613900001111" in page
    assert 'value="2026-11-30T11:20"' in page


def test_a_customer_made_after_the_call_is_found_by_number_and_linked(client, world, noon):
    call = _call(world, caller_name="李先生")
    customer = make_customer(world.a.store, name="李大伟", mobile="13900001111")
    make_vehicle(customer, plate="京B54321")
    client.force_login(world.a.staff)
    page = client.get(f"/complaints/new/?call={call.pk}").content.decode()
    assert "李大伟" in page and "京B54321" in page
    response = client.post(
        "/complaints/new/",
        _form(world, call=call.pk, customer_name="李大伟", contact_phone="139 0000 1111", plate="京B54321"),
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.call == call and complaint.customer == customer
    timeline = customer_timeline(customer)
    assert any(item.kind == "complaint" and complaint.number in item.title for item in timeline)


@pytest.mark.parametrize("ref", ["other", "99999999999999999999", "x1"])
def test_another_stores_call_or_no_id_cannot_fill_or_link(client, world, noon, ref):
    call = _call(world, world.b)
    call_id = call.pk if ref == "other" else ref
    client.force_login(world.a.staff)
    assert client.get(f"/complaints/new/?call={call_id}").status_code == 404
    assert client.post("/complaints/new/", _form(world, call=call_id)).status_code == 404
    assert not Complaint.objects.exists()
