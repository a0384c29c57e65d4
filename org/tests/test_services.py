from datetime import date, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.audit import history_for
from core.models import HistoryAction, HistoryEntry
from org import selectors, services
from org.choices import DepartmentKind, Role, Weekday
from org.models import BusinessHours, Department, Store, StoreClosure, User

STRONG = "Lounge-Tea-2026!"


def staff_data(world, **overrides):
    data = {
        "username": "newhire",
        "name": "王五",
        "employee_no": "E1099",
        "gender": "male",
        "position": "客服专员",
        "role": Role.STAFF,
        "store": world.a.store,
        "department": world.a.cs,
        "supervised_departments": [],
        "extra_stores": [],
        "extension": "8099",
        "badge_no": "B-99",
        "email": "",
    }
    return data | overrides


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


# Stores


def test_group_admin_opens_store_with_default_hours_and_history(world):
    store = services.store_create(
        actor=world.admin,
        data={"code": " s003 ", "name": "测试三店", "brand": "广汽本田", "city": "天津", "phone": "022 2345 6789"},
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
        services.store_create(actor=world.a.manager, data={"code": "S009", "name": "x", "brand": "x", "city": "x"})


def test_store_code_must_be_well_formed_and_unique(world):
    with pytest.raises(ValidationError) as exc:
        services.store_create(actor=world.admin, data={"code": "s001", "name": "", "brand": "", "city": "北京"})
    errors = errors_of(exc)
    assert "S001" in errors["code"][0]
    assert set(errors) >= {"code", "name", "brand"}
    with pytest.raises(ValidationError) as exc:
        services.store_create(actor=world.admin, data={"code": "S 1!", "name": "x", "brand": "x", "city": "x"})
    assert "code" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.store_create(
            actor=world.admin, data={"code": "S010", "name": "x", "brand": "x", "city": "x", "phone": "123"}
        )
    assert "phone" in errors_of(exc)
    assert not Store.objects.filter(code__in=["S010", "S 1!"]).exists()


def test_store_manager_edits_details_but_not_code_and_history_records_change(world):
    store = world.a.store
    services.store_update(actor=world.a.manager, store=store, data={"address": "北京市朝阳区东三环 1 号"})
    store.refresh_from_db()
    assert store.address == "北京市朝阳区东三环 1 号"
    entry = history_for(store)[0]
    assert entry.changes == {"address": ["", "北京市朝阳区东三环 1 号"]}
    with pytest.raises(ValidationError) as exc:
        services.store_update(actor=world.a.manager, store=store, data={"code": "S100"})
    assert "code" in errors_of(exc)
    with pytest.raises(PermissionDenied):
        services.store_update(actor=world.b.manager, store=store, data={"name": "x"})
    with pytest.raises(PermissionDenied):
        services.store_update(actor=world.a.supervisor, store=store, data={"name": "x"})


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
    errors = errors_of(exc)
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
    assert "2026-12-24" in errors_of(exc)["date"][0]
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
    assert "date" in errors_of(exc)


# Departments


def test_department_name_is_unique_per_store(world):
    with pytest.raises(ValidationError) as exc:
        services.department_create(actor=world.a.manager, store=world.a.store, kind="customer_service", name=" 客服部 ")
    assert "客服部" in errors_of(exc)["name"][0]
    department = services.department_create(
        actor=world.a.manager, store=world.a.store, kind=DepartmentKind.RENEWAL, name="续保部"
    )
    assert HistoryEntry.objects.filter(object_id=department.pk, action=HistoryAction.CREATE).exists()
    with pytest.raises(ValidationError) as exc:
        services.department_update(
            actor=world.a.manager, department=department, kind=DepartmentKind.RENEWAL, name="客服部", active=True
        )
    assert "name" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.department_create(actor=world.a.manager, store=world.a.store, kind="nonsense", name="")
    assert set(errors_of(exc)) == {"kind", "name"}


def test_department_update_records_history(world):
    services.department_update(
        actor=world.a.manager, department=world.a.lounge, kind=DepartmentKind.LEISURE, name="休闲中心", active=False
    )
    entry = history_for(world.a.lounge)[0]
    assert entry.changes["name"] == ["客户休息室", "休闲中心"]
    assert entry.changes["active"] == [True, False]
    with pytest.raises(PermissionDenied):
        services.department_update(
            actor=world.a.supervisor, department=world.a.lounge, kind="lounge", name="x", active=True
        )


# Staff


def test_manager_opens_account_with_history_and_no_password_in_it(world):
    person = services.staff_create(actor=world.a.manager, data=staff_data(world), password=STRONG)
    assert person.check_password(STRONG)
    assert person.group == world.group and person.store == world.a.store
    entry = history_for(person)[0]
    assert entry.action == HistoryAction.CREATE and entry.actor == world.a.manager
    assert entry.changes["employee_no"] == ["", "E1099"]
    text = str(entry.changes)
    assert STRONG not in text and person.password not in text and "password" not in entry.changes


def test_weak_password_is_refused_with_the_rule(world):
    for weak in ["12345678", "password", "abc", "newhire1"]:
        with pytest.raises(ValidationError) as exc:
            services.staff_create(actor=world.a.manager, data=staff_data(world), password=weak)
        assert "password" in errors_of(exc), weak
    assert not User.objects.filter(username="newhire").exists()


def test_duplicate_employee_number_username_and_extension_are_refused(world):
    data = staff_data(world, username="STAFF1", employee_no="E1003", extension="8011")
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=world.a.manager, data=data, password=STRONG)
    errors = errors_of(exc)
    assert set(errors) >= {"username", "employee_no", "extension"}
    assert "客服1" in errors["employee_no"][0]
    # the same extension in another store is fine
    services.staff_create(
        actor=world.b.manager,
        data=staff_data(world, store=world.b.store, department=world.b.cs, extension="8011"),
        password=STRONG,
    )


def test_employee_number_may_not_be_another_sign_in_name(world):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=world.a.manager, data=staff_data(world, employee_no="staff1"), password=STRONG)
    assert "employee_no" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=world.a.manager, data=staff_data(world, username="E2003"), password=STRONG)
    assert "username" in errors_of(exc)


def test_department_must_be_of_the_persons_store(world):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=world.admin, data=staff_data(world, department=world.b.cs), password=STRONG)
    assert "department" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.staff_create(
            actor=world.admin,
            data=staff_data(world, role=Role.SUPERVISOR, supervised_departments=[world.a.cs, world.b.lounge]),
            password=STRONG,
        )
    assert "客户休息室" in errors_of(exc)["supervised_departments"][0]


def test_store_manager_cannot_make_group_admins_or_reach_other_stores(world):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=world.a.manager, data=staff_data(world, role=Role.GROUP_ADMIN), password=STRONG)
    assert "role" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.staff_create(
            actor=world.a.manager,
            data=staff_data(world, role=Role.STORE_MANAGER, extra_stores=[world.b.store]),
            password=STRONG,
        )
    assert "S002" in errors_of(exc)["extra_stores"][0]
    with pytest.raises(ValidationError) as exc:
        services.staff_create(
            actor=world.a.manager, data=staff_data(world, store=world.b.store, department=None), password=STRONG
        )
    assert "store" in errors_of(exc)
    with pytest.raises(PermissionDenied):
        services.staff_create(actor=world.a.supervisor, data=staff_data(world), password=STRONG)
    with pytest.raises(PermissionDenied):
        services.staff_update(actor=world.a.manager, staff=world.admin, data={"name": "x"})
    with pytest.raises(PermissionDenied):
        services.staff_update(actor=world.b.manager, staff=world.a.staff, data={"name": "x"})


def test_extra_stores_and_supervised_departments_only_for_their_roles(world):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(
            actor=world.admin,
            data=staff_data(world, extra_stores=[world.b.store], supervised_departments=[world.a.cs]),
            password=STRONG,
        )
    assert set(errors_of(exc)) >= {"extra_stores", "supervised_departments"}
    auditor = services.staff_create(
        actor=world.admin,
        data=staff_data(world, role=Role.AUDITOR, department=None, extra_stores=[world.b.store]),
        password=STRONG,
    )
    assert list(auditor.extra_stores.all()) == [world.b.store]


def test_group_admin_without_store_belongs_to_the_group(world):
    person = services.staff_create(
        actor=world.admin,
        data=staff_data(world, role=Role.GROUP_ADMIN, store=None, department=None, extension=""),
        password=STRONG,
    )
    assert person.store is None and person.group == world.group
    with pytest.raises(ValidationError) as exc:
        services.staff_create(
            actor=world.admin,
            data=staff_data(world, username="x2", employee_no="E9", store=None, department=None),
            password=STRONG,
        )
    assert "store" in errors_of(exc)


def test_staff_update_keeps_history_and_further_stores_outside_the_managers_wall(world):
    world.a.auditor.extra_stores.add(world.b.store)
    services.staff_update(
        actor=world.a.manager,
        staff=world.a.auditor,
        data={"position": "稽核员", "department": world.a.lounge, "extra_stores": []},
    )
    world.a.auditor.refresh_from_db()
    assert world.a.auditor.position == "稽核员"
    assert list(world.a.auditor.extra_stores.all()) == [world.b.store]  # S002 is not store A's manager's to drop
    entry = history_for(world.a.auditor)[0]
    assert entry.changes == {"position": ["", "稽核员"], "department": ["", "客户休息室"]}


def test_nobody_changes_their_own_role(world):
    with pytest.raises(ValidationError) as exc:
        services.staff_update(actor=world.a.manager, staff=world.a.manager, data={"role": Role.STAFF})
    assert "role" in errors_of(exc)


def test_store_manager_can_change_roles_up_to_their_own(world):
    services.staff_update(actor=world.a.manager, staff=world.a.staff, data={"role": Role.SUPERVISOR})
    world.a.staff.refresh_from_db()
    assert world.a.staff.role == Role.SUPERVISOR
    with pytest.raises(ValidationError):
        services.staff_update(actor=world.a.manager, staff=world.a.staff, data={"role": Role.GROUP_ADMIN})


def test_deactivate_and_reactivate_but_not_yourself(world):
    with pytest.raises(ValidationError) as exc:
        services.staff_set_active(actor=world.a.manager, staff=world.a.manager, active=False)
    assert "active" in errors_of(exc)
    services.staff_set_active(actor=world.a.manager, staff=world.a.staff, active=False)
    world.a.staff.refresh_from_db()
    assert not world.a.staff.is_active
    services.staff_set_active(actor=world.a.manager, staff=world.a.staff, active=True)
    changes = [e.changes["is_active"] for e in history_for(world.a.staff)]
    assert changes == [[False, True], [True, False]]
    with pytest.raises(PermissionDenied):
        services.staff_set_active(actor=world.b.manager, staff=world.a.staff, active=False)
    with pytest.raises(PermissionDenied):
        services.staff_set_active(actor=world.a.auditor, staff=world.a.staff, active=False)


def test_set_password_validates_and_never_logs_it(world):
    with pytest.raises(ValidationError) as exc:
        services.staff_set_password(actor=world.a.manager, staff=world.a.staff, password="staff1")
    assert "password" in errors_of(exc)
    services.staff_set_password(actor=world.a.manager, staff=world.a.staff, password=STRONG)
    world.a.staff.refresh_from_db()
    assert world.a.staff.check_password(STRONG)
    entry = history_for(world.a.staff)[0]
    assert STRONG not in str(entry.changes) and world.a.staff.password not in str(entry.changes)
    assert entry.changes["password"][1] == services.PASSWORD_PLACEHOLDER


# Selectors


def test_directory_and_openable_records_follow_the_role(world):
    directory_a = set(selectors.staff_directory(world.a.staff).values_list("username", flat=True))
    assert directory_a == {"manager1", "supervisor1", "staff1", "auditor1"}
    assert "admin" in set(selectors.staff_directory(world.admin).values_list("username", flat=True))
    assert selectors.openable_staff_ids(world.a.staff) == {world.a.staff.pk}
    assert selectors.openable_staff_ids(world.a.supervisor) == {world.a.supervisor.pk, world.a.staff.pk}
    assert selectors.openable_staff_ids(world.a.auditor) is None
    assert selectors.assignable_roles(world.a.manager) == [
        Role.STORE_MANAGER,
        Role.SUPERVISOR,
        Role.STAFF,
        Role.AUDITOR,
    ]
    assert selectors.assignable_roles(world.a.supervisor) == []
    assert Role.GROUP_ADMIN in selectors.assignable_roles(world.admin)


def test_department_of_store_b_is_invisible_to_store_a(world):
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.department_get_for_user(world.a.manager, world.b.cs.pk)
    assert selectors.department_get_for_user(world.a.manager, world.a.cs.pk) == Department.objects.get(pk=world.a.cs.pk)


def test_admin_site_accounts_are_managed_only_by_superusers(world):
    world.a.staff.is_staff = True
    world.a.staff.save()
    assert not selectors.may_manage_person(world.a.manager, world.a.staff)
    assert not selectors.may_manage_person(world.admin, world.a.staff)
    with pytest.raises(PermissionDenied):
        services.staff_set_password(actor=world.admin, staff=world.a.staff, password=STRONG)
    root = User.objects.create_superuser("root", "root@example.com", STRONG, name="root")
    assert selectors.may_manage_person(root, world.a.staff)


def test_store_wecom_webhook_must_be_https_and_holiday_opening_is_kept(world):
    import pytest
    from django.core.exceptions import ValidationError

    from org import services

    base = {"code": "S001", "name": "测试一店", "brand": "一汽丰田", "city": "北京"}
    with pytest.raises(ValidationError) as caught:
        services.store_update(
            actor=world.admin, store=world.a.store, data={**base, "wecom_webhook_url": "http://x.example/hook"}
        )
    assert set(caught.value.message_dict) == {"wecom_webhook_url"}
    for refused in (
        "https://qyapi.weixin.qq.com@10.0.0.1/cgi-bin/webhook/send?key=abc",
        "https://192.168.1.5/cgi-bin/webhook/send?key=abc",
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
    ):
        with pytest.raises(ValidationError) as caught:
            services.store_update(actor=world.admin, store=world.a.store, data={**base, "wecom_webhook_url": refused})
        assert "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" in caught.value.message_dict["wecom_webhook_url"][0]
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
    store = services.store_update(
        actor=world.admin, store=world.a.store, data={**base, "wecom_webhook_url": url, "open_on_public_holidays": True}
    )
    assert store.wecom_webhook_url == url and store.open_on_public_holidays
