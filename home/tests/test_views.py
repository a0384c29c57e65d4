import pytest
from django.urls import reverse


@pytest.mark.parametrize("who", ["admin", "manager", "supervisor", "staff", "auditor"])
def test_every_role_has_a_home_page(client, world, who, django_assert_max_num_queries):
    user = world.admin if who == "admin" else getattr(world.a, who)
    client.force_login(user)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    if who in ("admin", "manager", "auditor"):
        assert 'data-testid="home-stores"' in body
