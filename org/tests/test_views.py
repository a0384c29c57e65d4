import re
from datetime import date, time

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.models import HistoryEntry
from org.choices import DepartmentKind, Role
from org.models import BusinessHours, Department, Shift, Store, StoreClosure, User
from tests.factories import make_user

STRONG = "Lounge-Tea-2026!"


@pytest.fixture
def closure(world):
    return StoreClosure.objects.create(store=world.a.store, date=date(2026, 12, 24), reason="盘点")


def kwargs_for(world, closure) -> dict:
    """Values for every URL keyword of the org app, all of store A."""
    return {
        "store_pk": world.a.store.pk,
        "department_pk": world.a.cs.pk,
        "staff_pk": world.a.staff.pk,
        "closure_pk": closure.pk,
        "shift_pk": Shift.objects.get_or_create(
            store=world.a.store, name="早班", defaults={"starts": time(8), "ends": time(17)}
        )[0].pk,
        "person_pk": world.a.staff.pk,
        "day": "2026-12-01",
    }


# Pages that name their store in the query (?store=): the roster's
STORE_IN_QUERY = {"shift_list", "shift_create", "roster", "roster_fill", "roster_import", "roster_export"}


def org_patterns():
    resolver = get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "org":
            return [p for p in entry.url_patterns if isinstance(p, URLPattern)]
    raise AssertionError("org URLs are not included")


def url(name, world, closure):
    pattern = next(p for p in org_patterns() if p.name == name)
    values = kwargs_for(world, closure)
    target = reverse(f"org:{name}", kwargs={key: values[key] for key in pattern.pattern.converters})
    return target + (f"?store={world.a.store.pk}" if name in STORE_IN_QUERY else "")


# Pages that change store A's organisation: the owner, a colleague with less right, another store.
MANAGE_PAGES = [
    "store_edit",
    "business_hours_edit",
    "closure_add",
    "closure_remove",
    "department_create",
    "department_edit",
    "staff_edit",
    "staff_set_active",
    "staff_set_password",
]


@pytest.mark.parametrize("name", MANAGE_PAGES)
def test_manage_pages_owner_colleague_and_other_store(client, world, closure, name):
    target = url(name, world, closure)
    history_before = HistoryEntry.objects.count()

    client.force_login(world.a.manager)
    assert client.get(target).status_code == 200

    for colleague in (world.a.staff, world.a.supervisor, world.a.auditor):
        client.force_login(colleague)
        assert client.get(target).status_code == 403, colleague.username
        assert client.post(target, {"name": "x", "active": "0"}).status_code == 403, colleague.username

    client.force_login(world.b.manager)
    assert client.get(target).status_code == 404
    assert client.post(target, {"name": "x", "active": "0"}).status_code == 404

    assert HistoryEntry.objects.count() == history_before
    assert StoreClosure.objects.filter(pk=closure.pk).exists()
    assert User.objects.get(pk=world.a.staff.pk).is_active


def test_every_org_url_answers_without_server_error(client, world, closure):
    """Walks all URL patterns of the app with the group admin and with another store's manager."""
    names = [p.name for p in org_patterns()]
    assert {"store_list", "store_detail", "staff_list"} <= set(names)
    for name in names:
        target = url(name, world, closure)
        client.force_login(world.admin)
        assert client.get(target).status_code == 200, name
        client.force_login(world.b.manager)
        expected = {"store_list": 200, "staff_list": 200, "staff_create": 200, "store_create": 403}.get(name, 404)
        assert client.get(target).status_code == expected, name


def test_store_list_is_scoped(client, world):
    client.force_login(world.a.manager)
    body = client.get(reverse("org:store_list")).content.decode()
    assert "测试一店" in body and "测试二店" not in body
    assert "org/stores/new/" not in body
    client.force_login(world.admin)
    body = client.get(reverse("org:store_list")).content.decode()
    assert "测试一店" in body and "测试二店" in body
    assert reverse("org:store_create") in body


def test_store_list_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    client.force_login(world.admin)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("org:store_list")).status_code == 200
    for n in range(3, 40):
        store = Store.objects.create(group=world.group, code=f"S{n:03d}", name=f"店{n}", brand="x", city="x")
        Department.objects.create(store=store, kind=DepartmentKind.LOUNGE, name="客户休息室")
        make_user(f"u{n}", role=Role.STAFF, store=store)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("org:store_list"), {"page": 2})
    assert response.status_code == 200


def test_store_detail_owner_reader_and_other_store(client, world, closure):
    target = reverse("org:store_detail", kwargs={"store_pk": world.a.store.pk})
    client.force_login(world.a.manager)
    body = client.get(target).content.decode()
    assert 'data-testid="store-edit"' in body and 'data-testid="closure-add"' in body
    assert "盘点" in body and "客服部" in body and "08:30–18:00" in body
    # the manager reaches the settings of grooming checks (S6) and discipline (S1.D1a) from the store
    for testid in ("store-check-settings", "store-conduct-settings"):
        url = re.search(rf'href="([^"]+)" data-testid="{testid}"', body).group(1).replace("&amp;", "&")
        assert client.get(url).status_code == 200, url
    client.force_login(world.a.auditor)
    response = client.get(target)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="store-edit"' not in body and 'data-testid="closure-add"' not in body
    assert 'data-testid="store-conduct-settings"' not in body
    client.force_login(world.b.staff)
    assert client.get(target).status_code == 404


def test_store_create_only_for_group_admin(client, world):
    target = reverse("org:store_create")
    for person in (world.a.manager, world.a.staff, world.a.auditor):
        client.force_login(person)
        assert client.get(target).status_code == 403
        assert client.post(target, {"code": "S009", "name": "x", "brand": "x", "city": "x"}).status_code == 403
    client.force_login(world.admin)
    assert client.get(target).status_code == 200
    response = client.post(target, {"code": "s009", "name": "测试九店", "brand": "一汽大众", "city": "上海"})
    assert response.status_code == 302
    store = Store.objects.get(code="S009")
    assert store.business_hours.count() == 7
    response = client.post(target, {"code": "S009", "name": "重复", "brand": "x", "city": "x"})
    assert response.status_code == 400
    assert "S009" in response.content.decode()


def test_store_manager_cannot_change_code_through_the_form(client, world):
    client.force_login(world.a.manager)
    target = reverse("org:store_edit", kwargs={"store_pk": world.a.store.pk})
    response = client.post(
        target, {"code": "HACK", "name": "新名字", "brand": "一汽丰田", "city": "北京", "phone": "", "active": ""}
    )
    assert response.status_code == 302
    store = Store.objects.get(pk=world.a.store.pk)
    assert store.code == "S001" and store.name == "新名字" and store.active


def hours_post(**overrides):
    data = {}
    for day in range(7):
        data[f"opens_{day}"] = "08:30"
        data[f"closes_{day}"] = "18:00"
    data.update(overrides)
    return data


def test_business_hours_closing_before_opening_is_400_and_nothing_saved(client, world):
    client.force_login(world.a.manager)
    target = reverse("org:business_hours_edit", kwargs={"store_pk": world.a.store.pk})
    response = client.post(target, hours_post(opens_0="09:00", opens_2="18:00", closes_2="09:00"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "09:00" in body and "18:00" in body and 'data-field="closes_2"' in body
    assert BusinessHours.objects.get(store=world.a.store, weekday=0).opens == time(8, 30)
    response = client.post(target, hours_post(opens_1="25:99"))
    assert response.status_code == 400


def test_business_hours_saved_with_history(client, world):
    client.force_login(world.a.manager)
    target = reverse("org:business_hours_edit", kwargs={"store_pk": world.a.store.pk})
    response = client.post(target, hours_post(closed_6="on", opens_5="09:00", closes_5="12:00"))
    assert response.status_code == 302
    sunday = BusinessHours.objects.get(store=world.a.store, weekday=6)
    assert sunday.closed and sunday.opens is None
    body = client.get(reverse("org:store_detail", kwargs={"store_pk": world.a.store.pk})).content.decode()
    assert "09:00–12:00" in body
    assert HistoryEntry.objects.filter(store=world.a.store, content_type__model="businesshours").count() == 2


def test_closure_add_duplicate_is_400_and_remove_works(client, world, closure):
    client.force_login(world.a.manager)
    add = reverse("org:closure_add", kwargs={"store_pk": world.a.store.pk})
    response = client.post(add, {"date": "2026-12-24", "reason": "again"})
    assert response.status_code == 400
    assert "2026-12-24" in response.content.decode()
    assert client.post(add, {"date": "", "reason": ""}).status_code == 400
    assert client.post(add, {"date": "2026-12-31", "reason": "年终盘点"}).status_code == 302
    assert StoreClosure.objects.filter(store=world.a.store).count() == 2
    remove = reverse("org:closure_remove", kwargs={"closure_pk": closure.pk})
    assert client.post(remove).status_code == 302
    assert not StoreClosure.objects.filter(pk=closure.pk).exists()


def test_department_duplicate_name_is_400(client, world):
    client.force_login(world.a.manager)
    target = reverse("org:department_create", kwargs={"store_pk": world.a.store.pk})
    response = client.post(target, {"kind": "customer_service", "name": "客服部"})
    assert response.status_code == 400
    assert "客服部" in response.content.decode()
    assert Department.objects.filter(store=world.a.store, name="客服部").count() == 1
    assert client.post(target, {"kind": "renewal", "name": "续保部"}).status_code == 302
    edit = reverse("org:department_edit", kwargs={"department_pk": world.a.lounge.pk})
    response = client.post(edit, {"kind": "lounge", "name": "续保部", "active": "on"})
    assert response.status_code == 400
    response = client.post(edit, {"kind": "leisure", "name": "休闲中心"})
    assert response.status_code == 302
    lounge = Department.objects.get(pk=world.a.lounge.pk)
    assert lounge.name == "休闲中心" and not lounge.active
    body = client.get(edit).content.decode()
    assert "客户休息室" in body  # history: before → after


def staff_post(world, **overrides):
    data = {
        "username": "newhire",
        "name": "王五",
        "employee_no": "E1099",
        "gender": "female",
        "position": "前台",
        "role": "staff",
        "store": world.a.store.pk,
        "department": world.a.cs.pk,
        "extension": "8099",
        "badge_no": "",
        "email": "",
        "password": STRONG,
        "password_confirm": STRONG,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_staff_create_owner_colleague_other_store(client, world):
    target = reverse("org:staff_create")
    client.force_login(world.a.manager)
    assert client.get(target, {"store": world.a.store.pk}).status_code == 200
    for colleague in (world.a.staff, world.a.supervisor, world.a.auditor):
        client.force_login(colleague)
        assert client.get(target).status_code == 403
        assert client.post(target, staff_post(world)).status_code == 403
    client.force_login(world.b.manager)
    assert client.get(target, {"store": world.a.store.pk}).status_code == 404
    response = client.post(target, staff_post(world))
    assert response.status_code == 400  # store A is not offered to store B's manager
    assert not User.objects.filter(username="newhire").exists()


def test_staff_create_saves_and_detail_shows_history_without_password(client, world):
    client.force_login(world.a.manager)
    response = client.post(reverse("org:staff_create"), staff_post(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    person = User.objects.get(username="newhire")
    assert person.employee_no == "E1099" and person.department == world.a.cs
    body = client.get(response.url).content.decode()
    assert 'data-testid="history"' in body and "E1099" in body
    assert STRONG not in body and person.password not in body
    assert client.login(username="E1099", password=STRONG)


@pytest.mark.parametrize(
    ("overrides", "field", "needle"),
    [
        ({"employee_no": "E1003"}, "employee_no", "E1003"),
        ({"password": "12345678", "password_confirm": "12345678"}, "password", None),
        ({"password_confirm": "Other-Pass-2026"}, "password_confirm", None),
        ({"username": "Staff1"}, "username", "Staff1"),
        ({"extension": "8011"}, "extension", "8011"),
        ({"role": "group_admin"}, "role", None),
        ({"department": "__b_cs__"}, "department", None),
        ({"name": ""}, "name", None),
    ],
)
def test_staff_create_bad_input_is_400_naming_the_field(client, world, overrides, field, needle):
    if overrides.get("department") == "__b_cs__":
        overrides = {"department": world.b.cs.pk}
    client.force_login(world.a.manager)
    response = client.post(reverse("org:staff_create"), staff_post(world, **overrides))
    assert response.status_code == 400
    body = response.content.decode()
    assert f'data-field="{field}"' in body
    if needle:
        assert needle in body
    assert not User.objects.filter(name="王五").exists()


def test_department_of_another_store_refused_for_group_admin_too(client, world):
    client.force_login(world.admin)
    response = client.post(reverse("org:staff_create"), staff_post(world, department=world.b.cs.pk))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-field="department"' in body and "客服部" in body
    assert not User.objects.filter(username="newhire").exists()


def test_store_manager_is_not_offered_the_group_admin_role(client, world):
    client.force_login(world.a.manager)
    body = client.get(reverse("org:staff_create")).content.decode()
    assert 'value="group_admin"' not in body
    client.force_login(world.admin)
    body = client.get(reverse("org:staff_create")).content.decode()
    assert 'value="group_admin"' in body


def test_staff_detail_three_people(client, world):
    target = reverse("org:staff_detail", kwargs={"staff_pk": world.a.staff.pk})
    client.force_login(world.a.manager)
    body = client.get(target).content.decode()
    assert 'data-testid="staff-edit"' in body
    assert 'data-testid="person-record"' in body
    client.force_login(world.a.supervisor)  # supervises the staff member's department
    response = client.get(target)
    assert response.status_code == 200 and 'data-testid="staff-edit"' not in response.content.decode()
    assert 'data-testid="person-record"' in response.content.decode()  # the page they open before a review
    client.force_login(world.a.staff)
    assert client.get(target).status_code == 200  # their own record
    supervisor_page = reverse("org:staff_detail", kwargs={"staff_pk": world.a.supervisor.pk})
    assert client.get(supervisor_page).status_code == 403
    client.force_login(world.b.manager)
    assert client.get(target).status_code == 404


def test_staff_edit_records_history_and_refuses_extension_taken(client, world):
    client.force_login(world.a.manager)
    target = reverse("org:staff_edit", kwargs={"staff_pk": world.a.supervisor.pk})
    form = client.get(target)
    assert form.status_code == 200
    data = {
        "username": "supervisor1",
        "name": "主管1",
        "employee_no": "E1002",
        "gender": "",
        "position": "客服主管",
        "role": "supervisor",
        "store": world.a.store.pk,
        "department": world.a.cs.pk,
        "supervised_departments": [world.a.cs.pk, world.a.lounge.pk],
        "extension": "8011",
        "badge_no": "",
        "email": "",
    }
    response = client.post(target, data)
    assert response.status_code == 400
    assert "8011" in response.content.decode()
    data["extension"] = "8012"
    assert client.post(target, data).status_code == 302
    supervisor = User.objects.get(pk=world.a.supervisor.pk)
    assert supervisor.position == "客服主管"
    assert set(supervisor.supervised_departments.all()) == {world.a.cs, world.a.lounge}
    body = client.get(reverse("org:staff_detail", kwargs={"staff_pk": supervisor.pk})).content.decode()
    assert "客服主管" in body and "8012" in body


def test_manager_cannot_edit_group_admin(client, world):
    world.admin.store = world.a.store
    world.admin.save()
    client.force_login(world.a.manager)
    target = reverse("org:staff_edit", kwargs={"staff_pk": world.admin.pk})
    assert client.get(target).status_code == 403
    assert client.post(target, {"name": "x", "role": "staff"}).status_code == 403


def test_deactivate_reactivate_and_not_yourself(client, world):
    client.force_login(world.a.manager)
    own = reverse("org:staff_set_active", kwargs={"staff_pk": world.a.manager.pk})
    response = client.post(own, {"active": "0"})
    assert response.status_code == 400
    assert User.objects.get(pk=world.a.manager.pk).is_active
    target = reverse("org:staff_set_active", kwargs={"staff_pk": world.a.staff.pk})
    assert client.post(target, {"active": "0"}).status_code == 302
    assert not User.objects.get(pk=world.a.staff.pk).is_active
    assert not client.login(username="staff1", password="Passw0rd!2026")
    assert client.post(target, {"active": "1"}).status_code == 302
    assert User.objects.get(pk=world.a.staff.pk).is_active


def test_set_password_validates_and_works(client, world):
    client.force_login(world.a.manager)
    target = reverse("org:staff_set_password", kwargs={"staff_pk": world.a.staff.pk})
    response = client.post(target, {"password": "123", "password_confirm": "123"})
    assert response.status_code == 400
    assert 'data-field="password"' in response.content.decode()
    response = client.post(target, {"password": STRONG, "password_confirm": STRONG})
    assert response.status_code == 302
    body = client.get(reverse("org:staff_detail", kwargs={"staff_pk": world.a.staff.pk})).content.decode()
    assert STRONG not in body
    client.logout()
    assert client.login(username="staff1", password=STRONG)


def test_setting_own_password_keeps_the_session(client, world):
    client.force_login(world.a.manager)
    target = reverse("org:staff_set_password", kwargs={"staff_pk": world.a.manager.pk})
    assert client.post(target, {"password": STRONG, "password_confirm": STRONG}).status_code == 302
    assert client.get(reverse("org:staff_list")).status_code == 200


def test_staff_list_filters_search_and_wall(client, world):
    client.force_login(world.a.manager)
    target = reverse("org:staff_list")
    body = client.get(target).content.decode()
    assert "客服1" in body and "经理1" in body and "客服2" not in body and "总部刘总" not in body
    body = client.get(target, {"role": "supervisor"}).content.decode()
    assert "主管1" in body and "客服1" not in body
    body = client.get(target, {"q": "E1003"}).content.decode()
    assert "客服1" in body and "主管1" not in body
    body = client.get(target, {"department": world.a.lounge.pk}).content.decode()
    assert "客服1" not in body
    body = client.get(target, {"store": world.b.store.pk}).content.decode()
    assert "客服2" not in body  # another store's filter value is ignored, not obeyed
    world.a.staff.is_active = False
    world.a.staff.save()
    assert "客服1" not in client.get(target).content.decode()
    assert "客服1" in client.get(target, {"active": "no"}).content.decode()
    assert "客服1" in client.get(target, {"active": "all"}).content.decode()
    partial = client.get(target, {"active": "all"}, headers={"HX-Request": "true"}).content.decode()
    assert partial.startswith('<div id="staff-rows">') and "<html" not in partial


def test_staff_list_links_only_records_the_person_may_open(client, world):
    client.force_login(world.a.staff)
    body = client.get(reverse("org:staff_list")).content.decode()
    assert "主管1" in body  # the directory shows colleagues
    assert reverse("org:staff_detail", kwargs={"staff_pk": world.a.supervisor.pk}) not in body
    assert reverse("org:staff_detail", kwargs={"staff_pk": world.a.staff.pk}) in body
    assert reverse("org:staff_create") not in body


def test_staff_list_pages_by_25_with_constant_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.a.manager)
    target = reverse("org:staff_list")
    with django_assert_max_num_queries(12):
        assert client.get(target).status_code == 200
    for n in range(60):
        make_user(f"bulk{n:02d}", role=Role.STAFF, store=world.a.store, department=world.a.lounge, name=f"员工{n:02d}")
    with django_assert_max_num_queries(12):
        response = client.get(target, {"department": world.a.lounge.pk, "page": 2})
    body = response.content.decode()
    assert body.count("/org/staff/") - body.count("/org/staff/new/") >= 25
    assert "员工25" in body and "员工24" not in body
    assert f"department={world.a.lounge.pk}" in body and "page=3" in body  # the pager keeps the filter
    client.force_login(world.a.supervisor)
    with django_assert_max_num_queries(12):
        assert client.get(target).status_code == 200


def test_admin_pages_of_the_org_models_open_for_a_superuser(client, world, closure):
    root = User.objects.create_superuser("root", "root@example.com", STRONG, name="root")
    client.force_login(root)
    for model in ("dealergroup", "store", "department", "storeclosure", "user", "signinattempt"):
        assert client.get(f"/admin/org/{model}/").status_code == 200, model
    for model, pk in (("store", world.a.store.pk), ("department", world.a.cs.pk), ("user", world.a.staff.pk)):
        assert client.get(f"/admin/org/{model}/{pk}/change/").status_code == 200, model
    for model in ("store", "department", "user"):
        assert client.get(f"/admin/org/{model}/add/").status_code == 200, model
    response = client.post(
        "/admin/org/user/add/",
        {
            "username": "viaadmin",
            "name": "后台",
            "role": "staff",
            "store": world.a.store.pk,
            "usable_password": "true",
            "password1": STRONG,
            "password2": STRONG,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(username="viaadmin").check_password(STRONG)


@pytest.mark.parametrize(
    "url",
    [
        "https://qyapi.weixin.qq.com@10.0.0.1/cgi-bin/webhook/send?key=abc",
        "https://10.0.0.1/cgi-bin/webhook/send?key=abc",
        "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
    ],
)
def test_store_page_refuses_a_webhook_that_is_not_wecoms_robot_and_saves_nothing(client, world, url):
    client.force_login(world.a.manager)
    target = reverse("org:store_edit", kwargs={"store_pk": world.a.store.pk})
    data = {"code": "S001", "name": "新名字", "brand": "一汽丰田", "city": "北京", "wecom_webhook_url": url}
    response = client.post(target, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    body = response.content.decode()
    assert "企业微信群机器人" in body and "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" in body
    store = Store.objects.get(pk=world.a.store.pk)
    assert store.name != "新名字" and store.wecom_webhook_url == ""
    good = {**data, "wecom_webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"}
    assert client.post(target, good).status_code == 302
    assert Store.objects.get(pk=world.a.store.pk).wecom_webhook_url == good["wecom_webhook_url"]
