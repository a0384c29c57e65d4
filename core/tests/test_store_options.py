"""A group's filters list only the chosen store's departments and people (issue 10): 50 stores' 1,500 people
in one drop-down are slow to render and useless to scroll. Any of them is still accepted."""

from django.urls import reverse


def _options(html: str, name: str) -> str:
    start = html.index(f'name="{name}"')
    return html[start : html.index("</select>", start)]


def test_a_group_admin_is_asked_to_choose_a_store_first(client, world):
    client.force_login(world.admin)
    page = client.get(reverse("phone:call_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    people = _options(page, "person")
    assert world.a.staff.name not in people and world.b.staff.name not in people
    assert "先选择门店，再从该门店的部门和人员中选择。" in page


def test_choosing_a_store_lists_its_people_only(client, world):
    client.force_login(world.admin)
    page = client.get(reverse("phone:call_list"), {"store": world.b.store.pk}).content.decode()
    people = _options(page, "person")
    assert world.b.staff.name in people and world.a.staff.name not in people


def test_a_person_of_another_listed_store_is_still_accepted_and_shown(client, world):
    client.force_login(world.admin)
    page = client.get(reverse("phone:call_list"), {"person": world.a.staff.pk}).content.decode()
    assert world.a.staff.name in _options(page, "person")
    complaints = client.get(reverse("complaints:complaint_list"), {"department": world.a.cs.pk}).content.decode()
    assert "invalid-feedback" not in complaints
    assert f"{world.a.store.code} {world.a.cs.name}" in _options(complaints, "department")


def test_one_store_lists_its_own_without_asking(client, world):
    client.force_login(world.a.manager)
    page = client.get(reverse("complaints:complaint_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert world.a.staff.name in _options(page, "staff")
    assert "先选择门店" not in page


def test_the_figures_filter_follows_the_same_rule(client, world):
    client.force_login(world.admin)
    page = client.get(reverse("insights:telephone"), {"store": world.a.store.pk}).content.decode()
    assert world.a.staff.name in _options(page, "person") and world.b.staff.name not in _options(page, "person")
    departments = _options(page, "department")
    assert f"{world.a.store.code} {world.a.cs.name}" in departments
    assert f"{world.b.store.code} {world.b.cs.name}" not in departments
