from datetime import date, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.audit import history_for
from core.models import HistoryAction, HistoryEntry
from org import selectors
from org.choices import Weekday
from org.models import BusinessHours, Store, StoreClosure
from org.services import stores as services

# Stores


def test_group_admin_opens_store_with_default_hours_and_history(world):
    store = services.store_create(
        actor=world.admin,
        code=" s003 ",
        name="测试三店",
        brand="广汽本田",
        city="天津",
        phone="022 2345 6789",
    )
    assert store.code == "S003"
    assert store.group == world.group
    assert store.phone == "022 2345 6789"
    hours = list(store.business_hours.order_by("weekday"))
    assert [h.weekday for h in hours] == list(range(7))
    assert all(h.opens == time(8, 30) and h.closes == time(18, 0) and not h.closed for h in hours)
    entry = HistoryEntry.objects.get(object_id=store.pk, action=HistoryAction.CREATE, content_type__model="store")
    assert entry.store_id == store.pk and entry.actor == world.admin
    assert entry.changes["code"] == ["", "S003"]


def test_store_manager_cannot_open_a_store(world):
    with pytest.raises(PermissionDenied):
        services.store_create(actor=world.a.manager, code="S009", name="x", brand="x", city="x")


def test_store_code_must_be_well_formed_and_unique(world):
    with pytest.raises(ValidationError) as exc:
        services.store_create(actor=world.admin, code="s001", name="", brand="", city="北京")
    errors = exc.value.message_dict
    assert "S001" in errors["code"][0]
    assert set(errors) >= {"code", "name", "brand"}
    with pytest.raises(ValidationError) as exc:
        services.store_create(actor=world.admin, code="S 1!", name="x", brand="x", city="x")
    assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.store_create(actor=world.admin, code="S010", name="x", brand="x", city="x", phone="123")
    assert "phone" in exc.value.message_dict
    assert not Store.objects.filter(code__in=["S010", "S 1!"]).exists()


def test_store_manager_edits_details_but_not_code_and_history_records_change(world):
    store = world.a.store
    services.store_update(actor=world.a.manager, store=store, address="北京市朝阳区东三环 1 号")
    store.refresh_from_db()
    assert store.address == "北京市朝阳区东三环 1 号"
    entry = history_for(store)[0]
    assert entry.changes == {"address": ["", "北京市朝阳区东三环 1 号"]}
    with pytest.raises(ValidationError) as exc:
        services.store_update(actor=world.a.manager, store=store, code="S100")
    assert "code" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.store_update(actor=world.b.manager, store=store, name="x")
    with pytest.raises(PermissionDenied):
        services.store_update(actor=world.a.supervisor, store=store, name="x")


# Business hours and closure days


def test_business_hours_reject_closing_before_opening_and_save_nothing(world):
    store = world.a.store
    with pytest.raises(ValidationError) as exc:
        services.business_hours_set(
            actor=world.a.manager,
            store=store,
            hours={
                0: {"closed": False, "opens": time(9, 0), "closes": time(17, 0)},
                1: {"closed": False, "opens": time(18, 0), "closes": time(9, 0)},
                2: {"closed": False, "opens": time(9, 0), "closes": time(9, 0)},
                3: {"closed": False, "opens": None, "closes": time(9, 0)},
            },
        )
    errors = exc.value.message_dict
    assert set(errors) == {"closes_1", "closes_2", "opens_3"}
    assert (
        str(Weekday.TUESDAY.label) in errors["closes_1"][0]
        and "09:00" in errors["closes_1"][0]
        and "18:00" in errors["closes_1"][0]
    )
    monday = BusinessHours.objects.get(store=store, weekday=0)
    assert monday.opens == time(8, 30)  # nothing half-saved


def test_business_hours_set_closed_day_and_history(world):
    store = world.a.store
    services.business_hours_set(
        actor=world.a.manager,
        store=store,
        hours={
            5: {"closed": False, "opens": "09:00", "closes": "16:30"},
            6: {"closed": True, "opens": time(9, 0), "closes": time(12, 0)},
        },
    )
    saturday, sunday = BusinessHours.objects.filter(store=store, weekday__in=[5, 6]).order_by("weekday")
    assert (saturday.opens, saturday.closes) == (time(9, 0), time(16, 30))
    assert sunday.closed and sunday.opens is None and sunday.closes is None
    entries = selectors.store_history(store)
    assert len(entries) == 2
    assert any(e.changes.get("closed") == [False, True] for e in entries)


def test_closure_days_are_unique_per_store_and_removal_is_kept(world):
    day = date(2026, 12, 24)
    closure = services.closure_add(actor=world.a.manager, store=world.a.store, date=day, reason="盘点")
    with pytest.raises(ValidationError) as exc:
        services.closure_add(actor=world.a.manager, store=world.a.store, date=day)
    assert "2026-12-24" in exc.value.message_dict["date"][0]
    services.closure_add(actor=world.b.manager, store=world.b.store, date=day)  # another store may close too
    with pytest.raises(PermissionDenied):
        services.closure_remove(actor=world.b.manager, closure=closure)
    services.closure_remove(actor=world.a.manager, closure=closure)
    assert not StoreClosure.objects.filter(store=world.a.store).exists()
    actions = [e.action for e in selectors.store_history(world.a.store)]
    assert actions == [HistoryAction.DELETE, HistoryAction.CREATE]


def test_closure_needs_a_date(world):
    with pytest.raises(ValidationError) as exc:
        services.closure_add(actor=world.a.manager, store=world.a.store, date=None)
    assert "date" in exc.value.message_dict


def test_store_wecom_webhook_must_be_https_and_holiday_opening_is_kept(world):
    base = {"code": "S001", "name": "测试一店", "brand": "一汽丰田", "city": "北京"}
    with pytest.raises(ValidationError) as caught:
        services.store_update(actor=world.admin, store=world.a.store, **base, wecom_webhook_url="http://x.example/hook")
    assert set(caught.value.message_dict) == {"wecom_webhook_url"}
    for refused in (
        "https://qyapi.weixin.qq.com@10.0.0.1/cgi-bin/webhook/send?key=abc",
        "https://192.168.1.5/cgi-bin/webhook/send?key=abc",
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
    ):
        with pytest.raises(ValidationError) as caught:
            services.store_update(actor=world.admin, store=world.a.store, **base, wecom_webhook_url=refused)
        assert "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" in caught.value.message_dict["wecom_webhook_url"][0]
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
    store = services.store_update(
        actor=world.admin, store=world.a.store, **base, wecom_webhook_url=url, open_on_public_holidays=True
    )
    assert store.wecom_webhook_url == url and store.open_on_public_holidays
