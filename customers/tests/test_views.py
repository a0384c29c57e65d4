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
        {"store": world.a.store.pk, "name": "李四", "mobile": "13900001111", "preferred_contact": "mobile",
         "vehicle-plate": "京I12345"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "I" in body and "O" in body
    assert not Customer.objects.filter(name="李四").exists()


def test_create_customer_with_vehicle_records_history(client, world):
    client.force_login(world.a.staff)
    response = client.post(
        reverse("customers:customer_create"),
        {"store": world.a.store.pk, "name": "李四", "mobile": "139 0000 1111", "preferred_contact": "mobile",
         "vehicle-plate": "京a 54321"},
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
