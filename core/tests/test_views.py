import pytest
from django.urls import reverse


def test_language_choice_is_kept_on_the_account(client, world):
    client.force_login(world.a.staff)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/customers/"})
    assert response.status_code == 302 and response["Location"] == "/customers/"
    world.a.staff.refresh_from_db()
    assert world.a.staff.language == "en"
    assert client.get(reverse("customers:customer_list")).context["LANGUAGE_CODE"] == "en"
    # a foreign redirect target is ignored
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_unbuilt_standard_says_so_plainly(client, world):
    client.force_login(world.a.staff)
    response = client.get(reverse("standard_detail", args=["events"]))
    assert 'data-testid="not-built"' in response.content.decode()
    assert "S5.1" in response.content.decode()
    assert client.get(reverse("standard_detail", args=["nope"])).status_code == 404


def test_healthz_answers_ok_without_database_session_or_translation(client, db, django_assert_num_queries):
    """A load balancer's health check and the load benchmark's floor: no query, no cookie, the same text in any language."""
    assert reverse("healthz") == "/healthz"
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies  # no session and no CSRF cookie made for it
    assert client.get("/healthz", HTTP_ACCEPT_LANGUAGE="zh-hans").content == b"ok\n"
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_an_unknown_api_path_answers_json_in_the_callers_language(client, world):
    client.force_login(world.a.staff)
    response = client.get("/api/v1/no-such-list", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "未找到，或不在您的门店范围内。"}


def test_an_unknown_page_is_still_the_html_404(client, world):
    client.force_login(world.a.staff)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("who", ["admin", "a.manager", "a.supervisor", "a.staff", "a.auditor"])
def test_every_built_section_in_the_navigation_opens_for_every_role(client, world, who):
    """The navigation shows each role the built sections it may open: none is an error page for that role, and a
    section for some roles only (importing call records, confirming drafts) is not shown to the others."""
    from core.standards import STANDARDS

    user = world.admin if who == "admin" else getattr(world.a, who.split(".")[1])
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    for standard in STANDARDS:
        for section in standard.built:
            url = reverse(section.url_name) + section.query
            shown = f'href="{url}"' in page
            assert shown == (not section.roles or user.role in section.roles), (who, url)
            if shown:
                response = client.get(url)
                assert response.status_code == 200, (who, url, response.status_code)
