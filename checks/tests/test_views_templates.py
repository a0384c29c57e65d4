"""Template editor and areas: managers edit with no programmer; others view; store B's are 404."""

import pytest

from checks.choices import ItemKind
from checks.models import Area, ChecklistTemplate, TemplateItem
from checks.services import templates

from .helpers import lounge


def _people(world, who):
    return {
        "manager": world.a.manager,
        "supervisor": world.a.supervisor,
        "staff": world.a.staff,
        "auditor": world.a.auditor,
        "b_manager": world.b.manager,
    }[who]


def _item_data(**overrides):
    return {
        "text": "前台无杂物",
        "rule_id": "S1.D3",
        "kind": ItemKind.PASS_FAIL,
        "min_value": "",
        "max_value": "",
        "unit": "",
        "photo_on_fail": "on",
    } | overrides


@pytest.mark.parametrize("who", ["manager", "staff", "auditor"])
def test_template_list_for_everyone_who_views(client, world, who, django_assert_max_num_queries):
    lounge(world.a)
    for n in range(3):  # more templates, the same number of queries
        template = templates.template_create(actor=world.a.manager, store=world.a.store, name=f"检查{n}")
        templates.template_item_add(actor=world.a.manager, template=template, text="整洁", rule_id="S6.1")
    client.force_login(_people(world, who))
    with django_assert_max_num_queries(10):
        response = client.get("/checks/templates/")
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="template-row"' in body
    assert ('data-testid="new-template"' in body) is (who == "manager")


@pytest.mark.parametrize(("who", "status"), [("manager", 302), ("supervisor", 403), ("auditor", 403)])
def test_default_lounge_button_three_people(client, world, who, status):
    client.force_login(_people(world, who))
    response = client.post("/checks/templates/default-lounge/", {"store": world.a.store.pk})
    assert response.status_code == status
    assert ChecklistTemplate.objects.filter(store=world.a.store).exists() is (status == 302)
    if status == 302:
        assert Area.objects.filter(store=world.a.store, name="客户休息区").exists()
        assert client.post("/checks/templates/default-lounge/", {"store": world.a.store.pk}).status_code == 302
        assert ChecklistTemplate.objects.filter(store=world.a.store).count() == 1


def test_default_lounge_button_for_another_store_is_404(client, world):
    client.force_login(world.a.manager)
    assert client.post("/checks/templates/default-lounge/", {"store": world.b.store.pk}).status_code == 404
    assert not ChecklistTemplate.objects.exists()


def test_manager_creates_a_template_and_adds_items(client, world):
    client.force_login(world.a.manager)
    assert client.get("/checks/templates/new/").status_code == 200
    response = client.post("/checks/templates/new/", {"name": "前台检查", "purpose": "desk", "active": "on"})
    template = ChecklistTemplate.objects.get()
    assert response.status_code == 302 and response.url == f"/checks/templates/{template.pk}/"
    response = client.post(f"/checks/templates/{template.pk}/items/", _item_data())
    assert response.status_code == 302
    response = client.post(
        f"/checks/templates/{template.pk}/items/",
        _item_data(text="烟灰缸烟头", rule_id="S4.7", kind="measured", max_value="2", unit="个"),
    )
    assert response.status_code == 302
    items = list(template.items.order_by("position"))
    assert [(i.rule_id, i.max_value) for i in items] == [("S1.D3", None), ("S4.7", 2)]
    page = client.get(f"/checks/templates/{template.pk}/").content.decode()
    assert page.count('data-testid="template-item"') == 2 and "≤ 2 个" in page


def test_duplicate_template_name_is_named(client, world):
    lounge(world.a)
    client.force_login(world.a.manager)
    response = client.post("/checks/templates/new/", {"name": "客户休息区卫生巡检", "purpose": "other"})
    assert response.status_code == 400 and 'data-field="name"' in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"rule_id": "S9.9"}, "rule_id"),
        ({"rule_id": ""}, "rule_id"),
        ({"text": ""}, "text"),
        ({"kind": "measured"}, "max_value"),
        ({"kind": "measured", "min_value": "5", "max_value": "2"}, "min_value"),
        ({"kind": "measured", "max_value": "abc"}, "max_value"),
    ],
)
def test_bad_item_input_is_named_and_nothing_is_saved(client, world, overrides, field):
    template, _area = lounge(world.a)
    count = template.items.count()
    client.force_login(world.a.manager)
    response = client.post(f"/checks/templates/{template.pk}/items/", _item_data(**overrides))
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert template.items.count() == count


@pytest.mark.parametrize(("who", "status"), [("manager", 200), ("staff", 200), ("auditor", 200), ("b_manager", 404)])
def test_template_page_three_people(client, world, who, status):
    template, _area = lounge(world.a)
    client.force_login(_people(world, who))
    response = client.get(f"/checks/templates/{template.pk}/")
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert ('data-testid="item-add-form"' in body) is (who == "manager")
        assert ('data-testid="move-up"' in body) is (who == "manager")


@pytest.mark.parametrize(("who", "status"), [("manager", 302), ("staff", 403), ("auditor", 403), ("b_manager", 404)])
def test_template_edits_three_people(client, world, who, status):
    template, _area = lounge(world.a)
    item = template.items.order_by("position").first()
    client.force_login(_people(world, who))
    data = {"name": "休息区巡检", "purpose": "lounge_hygiene", "description": "", "active": "on"}
    assert client.post(f"/checks/templates/{template.pk}/", data).status_code == status
    assert client.post(f"/checks/templates/{template.pk}/items/", _item_data()).status_code == status
    assert client.get(f"/checks/items/{item.pk}/").status_code == (200 if status == 302 else status)
    assert client.post(f"/checks/items/{item.pk}/", _item_data(text="沙发整洁", rule_id="S4.6")).status_code == status
    assert client.post(f"/checks/items/{item.pk}/move/", {"direction": "down"}).status_code == status
    assert client.post(f"/checks/items/{item.pk}/remove/").status_code == status
    template.refresh_from_db()
    changed = status == 302
    assert (template.name == "休息区巡检") is changed
    assert TemplateItem.objects.filter(pk=item.pk).exists() is not changed


def test_moving_items_with_htmx_redraws_the_list(client, world):
    template, _area = lounge(world.a)
    first, second = template.items.order_by("position")[:2]
    client.force_login(world.a.manager)
    response = client.post(f"/checks/items/{second.pk}/move/", {"direction": "up"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith('<ol class="list-group')
    assert body.index(f'data-item="{second.pk}"') < body.index(f'data-item="{first.pk}"')


def test_editing_an_item_through_the_page(client, world):
    template, _area = lounge(world.a)
    ashtray = template.items.get(kind=ItemKind.MEASURED)
    client.force_login(world.a.manager)
    response = client.post(
        f"/checks/items/{ashtray.pk}/",
        _item_data(text="烟灰缸烟头不超过 3 个", rule_id="S4.7", kind="measured", max_value="3", unit="个"),
    )
    assert response.status_code == 302
    ashtray.refresh_from_db()
    assert ashtray.max_value == 3 and ashtray.text == "烟灰缸烟头不超过 3 个"
    response = client.post(f"/checks/items/{ashtray.pk}/", _item_data(rule_id="S4.7", kind="measured"))
    assert response.status_code == 400 and 'data-field="max_value"' in response.content.decode()
    history = client.get(f"/checks/templates/{template.pk}/").content.decode()
    assert "烟灰缸烟头不超过 3 个" in history and 'data-testid="history"' in history


# --- Areas ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "staff", "auditor"])
def test_area_list_for_everyone_who_views(client, world, who, django_assert_max_num_queries):
    template, _area = lounge(world.a)
    for n in range(3):  # more areas, the same number of queries
        templates.area_create(
            actor=world.a.manager, store=world.a.store, name=f"区域{n}", template=template, department=world.a.cs
        )
    client.force_login(_people(world, who))
    with django_assert_max_num_queries(9):
        response = client.get("/checks/areas/")
    body = response.content.decode()
    assert response.status_code == 200 and "客户休息区" in body
    assert ('data-testid="edit-area"' in body) is (who == "manager")


def test_manager_creates_and_edits_an_area(client, world):
    template, area = lounge(world.a)
    client.force_login(world.a.manager)
    data = {
        "name": "展厅",
        "template": template.pk,
        "department": world.a.cs.pk,
        "every_minutes": "120",
        "due_within_minutes": "30",
        "active": "on",
    }
    assert client.get("/checks/areas/new/").status_code == 200
    assert client.post("/checks/areas/new/", data).status_code == 302
    response = client.post("/checks/areas/new/", data | {"name": "大厅", "due_within_minutes": "150"})
    assert response.status_code == 400 and 'data-field="due_within_minutes"' in response.content.decode()
    response = client.post("/checks/areas/new/", data | {"name": "大厅", "department": world.b.cs.pk})
    assert response.status_code == 400 and 'data-field="department"' in response.content.decode()
    assert Area.objects.filter(store=world.a.store).count() == 2
    response = client.post(f"/checks/areas/{area.pk}/", data | {"name": "客户休息区", "every_minutes": "45"})
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.every_minutes == 45 and area.department == world.a.cs and area.active


@pytest.mark.parametrize(("who", "status"), [("manager", 200), ("staff", 403), ("auditor", 403), ("b_manager", 404)])
def test_area_edit_three_people(client, world, who, status):
    _template, area = lounge(world.a)
    client.force_login(_people(world, who))
    assert client.get(f"/checks/areas/{area.pk}/").status_code == status
    if who in ("staff", "auditor"):
        assert client.get("/checks/areas/new/").status_code == 403
