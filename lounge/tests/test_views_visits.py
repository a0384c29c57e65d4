"""Lounge visit pages: the visit, the visits list, the one-tap steps, the drink menu and the settings.

The three people on every page: the store's people (staff, supervisor, manager) act, the auditor
only reads, a person of another store gets a 404.
"""

import pytest
from django.urls import reverse

from lounge.models import Drink, LoungeSettings, Seat, Visit
from lounge.services.visits import visit_depart, visit_greet, visit_serve
from lounge.tests.wall import make_visit
from tests.factories import make_customer, make_vehicle

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def visit(world):
    customer = make_customer(world.a.store, name="张伟", mobile="13811112222", actor=world.a.staff)
    make_vehicle(customer, plate="京A12345", actor=world.a.staff)
    return make_visit(world.a, customer=customer)


def url(name, **kwargs):
    return reverse(f"lounge:{name}", kwargs=kwargs or None)


# --- The visit page and the list -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "supervisor", "manager", "auditor"])
def test_the_stores_people_read_the_visit_page(client, world, visit, who):
    client.force_login(getattr(world.a, who))
    response = client.get(url("visit_detail", visit_pk=visit.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "张伟" in body and 'data-step="arrived"' in body
    assert ('data-testid="visit-update-form"' in body) is (who != "auditor")


def test_another_stores_person_gets_404_for_the_visit_and_its_steps(client, world, visit):
    client.force_login(world.b.manager)
    assert client.get(url("visit_detail", visit_pk=visit.pk)).status_code == 404
    for name in ("visit_greet", "visit_serve", "visit_introduce", "visit_farewell", "visit_depart", "visit_update"):
        assert client.post(url(name, visit_pk=visit.pk)).status_code == 404, name
    visit.refresh_from_db()
    assert visit.greeted_at is None and visit.departed_at is None


def test_the_auditor_may_not_take_a_step(client, world, visit):
    client.force_login(world.a.auditor)
    assert client.post(url("visit_greet", visit_pk=visit.pk)).status_code == 403
    assert client.post(url("visit_update", visit_pk=visit.pk), {"repair_order": "x"}).status_code == 403
    visit.refresh_from_db()
    assert visit.greeted_at is None and visit.repair_order == ""


def test_a_step_from_the_visit_page_redirects_back_with_a_message(client, world, visit, menu):
    client.force_login(world.a.staff)
    here = url("visit_detail", visit_pk=visit.pk)
    response = client.post(url("visit_greet", visit_pk=visit.pk), {"next": here})
    assert response.status_code == 302 and response.url == here
    response = client.post(url("visit_serve", visit_pk=visit.pk), {"drink": menu["tea"].pk, "next": here}, follow=True)
    assert visit.servings.get().drink_name == "绿茶"
    assert 'data-step="served"' in response.content.decode()


def test_a_refused_step_shows_why_and_changes_nothing(client, world, visit, menu):
    client.force_login(world.a.staff)
    response = client.post(url("visit_serve", visit_pk=visit.pk), {"drink": menu["tea"].pk}, follow=True)
    assert "S4.1" in response.content.decode()
    assert not visit.servings.exists()
    # an unknown next is never followed off the site
    response = client.post(url("visit_greet", visit_pk=visit.pk), {"next": "https://example.com/"})
    assert response.url == url("visit_detail", visit_pk=visit.pk)


def test_update_form_changes_the_seat_and_status_and_refuses_bad_input(client, world, visit):
    seat = Seat.objects.create(store=world.a.store, label="B2")
    b_seat = Seat.objects.create(store=world.b.store, label="B2")
    client.force_login(world.a.staff)
    target = url("visit_update", visit_pk=visit.pk)
    response = client.post(target, {"seat": seat.pk, "repair_order": "RO-7", "service_status": "洗车中"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.seat, visit.repair_order, visit.service_status) == (seat, "RO-7", "洗车中")
    response = client.post(target, {"seat": b_seat.pk, "repair_order": "RO-8"})
    assert response.status_code == 400 and 'data-field="seat"' in response.content.decode()
    response = client.post(target, {"repair_order": "R" * 31})
    assert response.status_code == 400 and 'data-field="repair_order"' in response.content.decode()
    visit.refresh_from_db()
    assert visit.repair_order == "RO-7"


@pytest.mark.parametrize("who", ["staff", "auditor", "manager"])
def test_visits_list_shows_only_the_persons_stores(client, world, visit, who):
    make_visit(world.b, guest_name="乙店访客")
    client.force_login(getattr(world.a, who))
    body = client.get(url("visit_list")).content.decode()
    assert "张伟" in body and "乙店访客" not in body


def test_visits_list_filters_by_date_and_presence(client, world, visit):
    gone = make_visit(world.a, guest_name="已走的客人")
    visit_depart(actor=world.a.staff, visit=gone)
    client.force_login(world.a.staff)
    body = client.get(url("visit_list"), {"in_lounge": "1"}).content.decode()
    assert "张伟" in body and "已走的客人" not in body
    body = client.get(url("visit_list"), {"in_lounge": "0"}).content.decode()
    assert "张伟" not in body and "已走的客人" in body
    body = client.get(url("visit_list"), {"day": "2001-01-01"}).content.decode()
    assert "张伟" not in body
    assert client.get(url("visit_list"), {"day": "not a date", "page": "x"}).status_code == 200


def test_visits_list_uses_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.a.staff)
    for n in range(3):
        make_visit(world.a, guest_name=f"客人{n}")
    client.get(url("visit_list"))  # the session is saved once
    with django_assert_max_num_queries(9):
        client.get(url("visit_list"))
    for n in range(15):
        visit = make_visit(world.a, guest_name=f"后来{n}")
        visit_greet(actor=world.a.staff, visit=visit)
    with django_assert_max_num_queries(9):
        response = client.get(url("visit_list"))
    assert response.content.decode().count("data-visit=") == 18


# --- The drink menu ------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "manages"), [("manager", True), ("staff", False), ("auditor", False)])
def test_drink_menu_page_by_role(client, world, menu, who, manages):
    client.force_login(getattr(world.a, who))
    body = client.get(url("drink_list")).content.decode()
    assert "咖啡" in body
    assert ('data-testid="drink-add"' in body) is manages
    assert ('data-testid="drink-toggle"' in body) is (who != "auditor")


def test_manager_adds_and_renames_drinks_and_bad_input_is_refused(client, world, menu):
    client.force_login(world.a.manager)
    response = client.post(url("drink_create"), {"store": world.a.store.pk, "name": "奶茶", "active": "on"})
    assert response.status_code == 302
    assert Drink.objects.get(store=world.a.store, name="奶茶").active
    response = client.post(url("drink_create"), {"store": world.a.store.pk, "name": "咖啡", "active": "on"})
    assert response.status_code == 400 and 'data-field="name"' in response.content.decode()
    coffee = menu["coffee"]
    prefix = f"d{coffee.pk}"
    response = client.post(
        url("drink_edit", drink_pk=coffee.pk), {f"{prefix}-name": "美式咖啡", f"{prefix}-position": "5"}
    )
    assert response.status_code == 302
    coffee.refresh_from_db()
    assert (coffee.name, coffee.position, coffee.active) == ("美式咖啡", 5, False)
    response = client.post(url("drink_edit", drink_pk=coffee.pk), {f"{prefix}-name": "", f"{prefix}-position": "-1"})
    assert response.status_code == 400
    coffee.refresh_from_db()
    assert coffee.name == "美式咖啡"


def test_staff_toggle_availability_but_may_not_edit_the_menu(client, world, menu):
    client.force_login(world.a.staff)
    coffee = menu["coffee"]
    assert client.post(url("drink_available", drink_pk=coffee.pk)).status_code == 302
    coffee.refresh_from_db()
    assert coffee.available is False
    assert client.post(url("drink_edit", drink_pk=coffee.pk), {f"d{coffee.pk}-name": "x"}).status_code == 403
    assert client.post(url("drink_create"), {"store": world.a.store.pk, "name": "x"}).status_code == 403
    client.force_login(world.a.auditor)
    assert client.post(url("drink_available", drink_pk=coffee.pk)).status_code == 403


def test_another_stores_drink_menu_is_404(client, world, menu):
    client.force_login(world.b.manager)
    assert client.get(url("drink_list"), {"store": world.a.store.pk}).status_code == 404
    assert client.post(url("drink_available", drink_pk=menu["coffee"].pk)).status_code == 404
    assert client.post(url("drink_edit", drink_pk=menu["coffee"].pk), {}).status_code == 404
    response = client.post(url("drink_create") + f"?store={world.a.store.pk}", {"name": "x"})
    assert response.status_code == 404
    assert not Drink.objects.filter(name="x").exists()


# --- Lounge settings -----------------------------------------------------------------------------

GOOD = {
    "greet_within_seconds": "45",
    "refill_every_minutes": "15",
    "help_within_minutes": "3",
    "fix_within_hours": "8",
    "requests_per_seat_per_10_minutes": "5",
    "maintenance_department": "",
}


def test_manager_changes_the_lounge_settings(client, world):
    client.force_login(world.a.manager)
    target = url("settings", store_pk=world.a.store.pk)
    assert client.get(target).status_code == 200
    response = client.post(target, GOOD | {"maintenance_department": world.a.cs.pk})
    assert response.status_code == 302
    found = LoungeSettings.objects.get(store=world.a.store)
    assert (found.greet_within_seconds, found.refill_every_minutes, found.maintenance_department) == (
        45,
        15,
        world.a.cs,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"greet_within_seconds": "3"}, "greet_within_seconds"),
        ({"refill_every_minutes": "abc"}, "refill_every_minutes"),
        ({"fix_within_hours": ""}, "fix_within_hours"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(client, world, changes, field):
    client.force_login(world.a.manager)
    response = client.post(url("settings", store_pk=world.a.store.pk), GOOD | changes)
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert not LoungeSettings.objects.filter(store=world.a.store, greet_within_seconds=45).exists()


def test_another_stores_department_is_not_offered_for_maintenance(client, world):
    client.force_login(world.a.manager)
    response = client.post(url("settings", store_pk=world.a.store.pk), GOOD | {"maintenance_department": world.b.cs.pk})
    assert response.status_code == 400 and 'data-field="maintenance_department"' in response.content.decode()


@pytest.mark.parametrize("who", ["staff", "supervisor", "auditor"])
def test_colleagues_read_the_settings_but_may_not_change_them(client, world, who):
    client.force_login(getattr(world.a, who))
    target = url("settings", store_pk=world.a.store.pk)
    body = client.get(target).content.decode()
    assert 'data-testid="settings-values"' in body and 'data-testid="settings-form"' not in body
    assert client.post(target, GOOD).status_code == 403


def test_another_stores_manager_gets_404_for_the_settings(client, world):
    client.force_login(world.b.manager)
    target = url("settings", store_pk=world.a.store.pk)
    assert client.get(target).status_code == 404
    assert client.post(target, GOOD).status_code == 404


def test_a_serving_through_the_page_is_recorded_once(client, world, visit, menu):
    """S4.2: a double tap serves once per post; the second is a refill, as the attendant tapped twice."""
    visit_greet(actor=world.a.staff, visit=visit)
    visit_serve(actor=world.a.staff, visit=visit, drink=menu["coffee"])
    client.force_login(world.a.staff)
    client.post(url("visit_serve", visit_pk=visit.pk), {"drink": menu["coffee"].pk}, **HX)
    assert visit.servings.count() == 2 and visit.servings.last().refill


def test_arrival_through_the_page_without_htmx(client, world, visit):
    client.force_login(world.a.staff)
    response = client.post(url("visit_arrive"), {"store": world.a.store.pk, "guest_name": "陈先生"})
    assert response.status_code == 302
    assert Visit.objects.filter(guest_name="陈先生").exists()
    response = client.post(url("visit_arrive"), {"store": world.a.store.pk, "q": "京A12345"})
    assert response.status_code == 400  # 张伟 is already in the lounge
    assert "张伟" in response.content.decode()
    assert Visit.objects.count() == 2
