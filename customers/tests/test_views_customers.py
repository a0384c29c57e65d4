import pytest
from django.urls import reverse

from core.models import HistoryEntry
from customers.choices import PersonalDataAction
from customers.models import Customer, PersonalDataLog, Vehicle
from tests.factories import make_customer, make_vehicle


@pytest.fixture
def alice(world):
    customer = make_customer(world.a.store, name="张三", mobile="13812345678", actor=world.a.staff)
    make_vehicle(customer, plate="京A12345", actor=world.a.staff)
    return customer


def test_search_finds_by_partial_plate_phone_digits_name_and_initials(client, world, alice):
    client.force_login(world.a.staff)
    url = reverse("customers:search")
    for query in ["a123", "京A1", "5678", "张", "zs", "1234 5678"]:
        response = client.get(url, {"q": query})
        assert response.status_code == 200
        assert "张三" in response.content.decode(), query
    assert "13812345678" not in client.get(url, {"q": "5678"}).content.decode()
    assert "138****5678" in client.get(url, {"q": "5678"}).content.decode()


def test_search_never_crosses_the_store_wall(client, world, alice):
    client.force_login(world.b.staff)
    response = client.get(reverse("customers:search"), {"q": "zs"})
    assert "张三" not in response.content.decode()


def test_create_customer_with_invalid_plate_saves_nothing(client, world):
    client.force_login(world.a.staff)
    response = client.post(
        reverse("customers:customer_create"),
        {
            "store": world.a.store.pk,
            "name": "李四",
            "mobile": "13900001111",
            "preferred_contact": "mobile",
            "vehicle-plate": "京I12345",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "I" in body and "O" in body
    assert not Customer.objects.filter(name="李四").exists()


def test_create_customer_with_vehicle_records_history(client, world):
    client.force_login(world.a.staff)
    response = client.post(
        reverse("customers:customer_create"),
        {
            "store": world.a.store.pk,
            "name": "李四",
            "mobile": "139 0000 1111",
            "preferred_contact": "mobile",
            "vehicle-plate": "京a 54321",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    customer = Customer.objects.get(name="李四")
    assert customer.mobile == "+8613900001111"
    assert customer.name_initials == "ls"
    assert Vehicle.objects.get(owner=customer).plate == "京A54321"
    assert HistoryEntry.objects.filter(object_id=customer.pk, action="create").exists()


def test_reveal_phone_is_logged(client, world, alice):
    client.force_login(world.a.staff)
    response = client.post(reverse("customers:reveal_phone", args=[alice.pk, "mobile"]))
    assert "138 1234 5678" in response.content.decode()
    log = PersonalDataLog.objects.get()
    assert log.actor == world.a.staff and log.customer == alice and log.action == PersonalDataAction.REVEAL


def test_customer_detail_of_other_store_is_404(client, world, alice):
    client.force_login(world.b.manager)
    assert client.get(reverse("customers:customer_detail", args=[alice.pk])).status_code == 404
    client.force_login(world.a.auditor)
    assert client.get(reverse("customers:customer_detail", args=[alice.pk])).status_code == 200
    assert client.post(reverse("customers:reveal_phone", args=[alice.pk, "mobile"])).status_code == 403


@pytest.mark.parametrize("count", [3, 40])
def test_lists_use_a_constant_number_of_queries(client, world, count, django_assert_max_num_queries):
    for n in range(count):
        customer = make_customer(world.a.store, name=f"客户{n}", mobile=f"1380000{n:04d}", actor=world.a.staff)
        make_vehicle(customer, plate=f"京A{n:05d}", actor=world.a.staff)
    client.force_login(world.a.staff)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("customers:customer_list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("customers:vehicle_list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("customers:search"), {"q": "客户"}).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("customers:customer_detail", args=[customer.pk])).status_code == 200


def test_list_shows_masked_phones_and_pages(client, world):
    for n in range(30):
        make_customer(world.a.store, name=f"客户{n}", mobile=f"1380000{n:04d}", actor=world.a.staff)
    client.force_login(world.a.staff)
    body = client.get(reverse("customers:customer_list")).content.decode()
    assert "138****0029" in body and "13800000029" not in body
    page2 = client.get(reverse("customers:customer_list"), {"page": 2}).content.decode()
    assert "客户4<" in page2 or "客户4 " in page2 or "客户4</a>" in page2


def test_edit_customer_bad_phone_keeps_old_values(client, world, alice):
    client.force_login(world.a.staff)
    response = client.post(
        reverse("customers:customer_edit", args=[alice.pk]),
        {"name": "张三丰", "mobile": "1234", "preferred_contact": "mobile"},
    )
    assert response.status_code == 400
    assert 'data-field="mobile"' in response.content.decode()
    alice.refresh_from_db()
    assert alice.name == "张三" and alice.mobile == "+8613812345678"


def test_duplicate_plate_form_links_to_existing_record(client, world, alice):
    other = make_customer(world.a.store, name="李四", mobile="13900001111", actor=world.a.staff)
    client.force_login(world.a.staff)
    response = client.post(reverse("customers:vehicle_create", args=[other.pk]), {"plate": "京A 12345"})
    assert response.status_code == 400
    assert f"/customers/{alice.pk}/#vehicle-" in response.content.decode()


def test_vin_check_digit_confirmation_in_the_form(client, world, alice):
    from core.validators import vin_check_digit

    body = "LFMAPE2C0J012345"
    vin = body[:8] + "0" + body[8:]
    good = vin[:8] + vin_check_digit(vin) + vin[9:]
    wrong = good[:8] + ("1" if good[8] != "1" else "2") + good[9:]
    client.force_login(world.a.staff)
    url = reverse("customers:vehicle_create", args=[alice.pk])
    response = client.post(url, {"vin": wrong})
    assert response.status_code == 400 and 'name="vin_check_confirmed"' in response.content.decode()
    response = client.post(url, {"vin": wrong, "vin_check_confirmed": "on"})
    assert response.status_code == 302
    vehicle = Vehicle.objects.get(vin=wrong)
    assert vehicle.vin_check_confirmed_by == world.a.staff


def test_erase_needs_reason_and_name(client, world, alice):
    client.force_login(world.a.manager)
    url = reverse("customers:customer_erase", args=[alice.pk])
    assert client.post(url, {"reason": "", "confirm_name": "张三"}).status_code == 400
    assert client.post(url, {"reason": "申请", "confirm_name": "李四"}).status_code == 400
    alice.refresh_from_db()
    assert alice.erased_at is None
    assert client.post(url, {"reason": "客户申请", "confirm_name": "张三"}).status_code == 302
    alice.refresh_from_db()
    assert alice.erased_at is not None
