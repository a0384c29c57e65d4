"""The complaint intake (S2.4, S2.6): filled from a call, presets in business hours, date limits, starred fields.

Every test runs at a frozen moment (the store world is open 08:30–18:00 every day).
"""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from complaints.choices import ComplaintState, ReplyPreset
from complaints.forms import reply_preset_times, reply_time_from_preset
from complaints.models import Complaint
from complaints.services import complaints, stages
from complaints.tests.wall import log_complaint
from customers.selectors import customer_timeline
from org.models import StoreClosure
from phone.models import Call
from tests.clock import at
from tests.factories import make_customer, make_vehicle

LATE = at("2026-11-30 23:32")  # a Monday night; the store closed at 18:00
NOON = at("2026-11-30 12:00")


@pytest.fixture
def noon():
    with time_machine.travel(NOON, tick=False):
        yield NOON


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


def test_presets_at_a_late_hour_run_from_the_next_opening(world):
    """At 23:32, closed since 18:00: 2 business hours are 10:30 the next morning, not 01:32."""
    store = world.a.store
    assert reply_time_from_preset("2h", None, store=store, now=LATE) == at("2026-12-01 10:30")
    assert reply_time_from_preset("today_18", None, store=store, now=LATE) == at("2026-12-01 18:00")
    assert reply_time_from_preset("tomorrow_12", None, store=store, now=LATE) == at("2026-12-01 12:00")
    # 24 hours from 23:32 is 23:32 tomorrow, closed: the last open moment before it, 18:00
    assert reply_time_from_preset("24h", None, store=store, now=LATE) == at("2026-12-01 18:00")


def test_presets_in_open_hours_and_across_a_closure_day(world):
    store = world.a.store
    assert reply_time_from_preset("2h", None, store=store, now=at("2026-11-30 17:00")) == at("2026-12-01 09:30")
    assert reply_time_from_preset("2h", None, store=store, now=at("2026-11-30 10:00")) == at("2026-11-30 12:00")
    assert reply_time_from_preset("today_18", None, store=store, now=at("2026-11-30 10:00")) == at("2026-11-30 18:00")
    assert reply_time_from_preset("24h", None, store=store, now=at("2026-11-30 10:00")) == at("2026-12-01 10:00")
    StoreClosure.objects.create(store=store, date=datetime(2026, 12, 1).date(), reason="盘点")
    assert reply_time_from_preset("tomorrow_12", None, store=store, now=at("2026-11-30 10:00")) == at(
        "2026-12-02 12:00"
    )
    assert reply_time_from_preset("2h", None, store=store, now=LATE) == at("2026-12-02 10:30")


def test_custom_time_is_taken_as_given_and_an_unknown_preset_gives_nothing(world):
    custom = at("2026-12-02 15:00")
    assert reply_time_from_preset("custom", custom, store=world.a.store, now=LATE) == custom
    assert reply_time_from_preset("bogus", custom, store=world.a.store, now=LATE) is None
    assert set(reply_preset_times(world.a.store, now=LATE)) == set(ReplyPreset.values) - {"custom"}


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
    far = (NOON + timedelta(days=31)).strftime("%Y-%m-%dT%H:%M")
    with translation.override("zh-hans"):
        response = client.post(
            "/complaints/new/", _form(world, reply_preset="custom", reply_custom=far), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    body = response.content.decode()
    assert response.status_code == 400 and not Complaint.objects.exists()
    assert "S2.6" in body and "30 天" in body


def test_the_service_refuses_far_replies_and_long_past_events(world, noon):
    with pytest.raises(ValidationError) as caught:
        complaints.complaint_log(
            actor=world.a.staff,
            store=world.a.store,
            **{
                "customer_name": "王五",
                "contact_phone": "13812345678",
                "vehicle_involved": False,
                "department": world.a.cs,
                "staff_unknown": True,
                "happened_at": NOON - timedelta(days=400),
                "place": "展厅",
                "course": "态度差",
                "customer_wants": "道歉",
                "severity": "medium",
                "reply_promised_at": NOON + timedelta(days=45),
            },
        )
    codes = {field: [e.code for e in errors] for field, errors in caught.value.error_dict.items()}
    assert codes == {"happened_at": ["too_old"], "reply_promised_at": ["too_far"]}
    assert not Complaint.objects.exists()


def test_reopening_with_a_reply_too_far_ahead_is_refused(world, noon):
    complaint = log_complaint(world.a)
    Complaint.objects.filter(pk=complaint.pk).update(state=ComplaintState.CLOSED)
    with pytest.raises(ValidationError) as caught:
        stages.complaint_reopen(
            actor=world.a.supervisor,
            complaint=complaint,
            reason="客户不满意",
            reply_promised_at=NOON + timedelta(days=31),
        )
    assert caught.value.error_dict["reply_promised_at"][0].code == "too_far"
    assert Complaint.objects.get(pk=complaint.pk).state == ComplaintState.CLOSED


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


def test_a_complaint_without_a_call_links_the_customer_of_its_number(world, noon):
    customer = make_customer(world.a.store, name="赵六", mobile="13700002222")
    make_customer(world.b.store, name="别店客户", mobile="13600003333")
    complaint = log_complaint(world.a, contact_phone="13700002222")
    assert complaint.customer == customer
    other = log_complaint(world.a, contact_phone="13600003333")  # another store's customer: never linked
    assert other.customer is None


@pytest.mark.parametrize("ref", ["other", "99999999999999999999", "x1"])
def test_another_stores_call_or_no_id_cannot_fill_or_link(client, world, noon, ref):
    call = _call(world, world.b)
    call_id = call.pk if ref == "other" else ref
    client.force_login(world.a.staff)
    assert client.get(f"/complaints/new/?call={call_id}").status_code == 404
    assert client.post("/complaints/new/", _form(world, call=call_id)).status_code == 404
    assert not Complaint.objects.exists()
