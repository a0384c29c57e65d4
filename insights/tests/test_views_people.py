"""The people figures page, the records behind each figure and the person page (S6.1–S6.4, S1.D1a–S1.D4, S1.D2)."""

import pytest
from django.urls import reverse

from org.choices import Role
from tests.factories import make_user

from .people_helpers import MONTH, people_month

PAGE = reverse("insights:people")
RECORDS = reverse("insights:people_records")


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, {**MONTH, **params})


def person_url(user) -> str:
    return reverse("insights:person", args=[user.pk])


@pytest.fixture
def data(world):
    return people_month(world)


def test_anonymous_is_sent_to_sign_in(client, data):
    assert client.get(PAGE).status_code == 302
    assert client.get(person_url(data.a.staff)).status_code == 302


@pytest.mark.parametrize("who", ["staff", "supervisor", "manager", "auditor", "admin"])
def test_the_person_page_opens_for_the_person_their_supervisor_managers_auditors_and_admins(client, data, who):
    """The person themself, their supervisor, the store manager, the auditor, the group admin: 200."""
    viewer = data.admin if who == "admin" else getattr(data.a, who)
    response = get(client, viewer, person_url(data.a.staff))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="figure-grooming-share">50.0%' in body
    assert 'data-testid="figure-discipline"' in body
    assert response.context["figures"]["late"] == 1


def test_a_colleague_or_another_store_s_user_gets_404(client, data):
    """Never a colleague (staff of the same department), nor a supervisor of another department, nor anyone of
    another store, nor a bad id."""
    a, b = data.a, data.b
    colleague = make_user("colleague1", role=Role.STAFF, store=a.store, department=a.cs)
    lounge_lead = make_user("lounge_lead", role=Role.SUPERVISOR, store=a.store, department=a.lounge)
    for viewer in (colleague, lounge_lead, b.staff, b.manager, b.supervisor, b.auditor):
        assert get(client, viewer, person_url(a.staff)).status_code == 404, viewer
    assert get(client, a.manager, "/insights/people/999999/").status_code == 404


def test_the_person_page_shows_withdrawn_records_as_withdrawn(client, data):
    response = get(client, data.a.supervisor, person_url(data.a.staff))
    rows = {(row["kind"], row["state"]) for row in response.context["discipline"]}
    assert rows == {("late", "recorded"), ("noise", "withdrawn")}
    assert "figure=discipline_withdrawn&amp;kind=noise&amp;state=withdrawn" in response.content.decode()


def test_the_person_page_shows_calls_for_customer_service_and_complaints_naming_them(client, data):
    response = get(client, data.a.manager, person_url(data.a.staff))
    assert response.context["show_calls"] is True
    assert response.context["show_lounge"] is False
    assert response.context["figures"]["complaints"] == 1


def test_a_bad_date_on_the_person_page_says_so_and_shows_this_month(client, data):
    response = get(client, data.a.manager, person_url(data.a.staff), date="2026-13-45")
    assert response.status_code == 200
    assert 'data-testid="filter-error"' in response.content.decode()


def test_the_people_page_of_a_group_is_store_by_store(client, data):
    """A group administrator sees one row per store, each naming its store."""
    response = get(client, data.admin, PAGE)
    assert response.status_code == 200
    stores = {row["id"]: row for row in response.context["stores"]}
    assert set(stores) == {data.a.store.pk, data.b.store.pk}
    assert "S001" in stores[data.a.store.pk]["name"]
    assert response.content.decode().count('data-testid="store-table-row"') == 2


def test_a_store_manager_sees_the_people_of_the_store(client, data):
    response = get(client, data.a.manager, PAGE)
    assert response.status_code == 200
    assert response.context["stores"] == []
    ids = {row["id"] for row in response.context["people"]}
    assert ids == {data.a.staff.pk, data.a.supervisor.pk}
    assert response.context["figures"]["discipline"] == 2


def test_a_supervisor_sees_only_their_departments_people(client, data):
    """A supervisor of customer service sees its people; another department's supervisor sees neither the rows
    nor the records of customer service's people."""
    lounge_lead = make_user("lounge_lead", role=Role.SUPERVISOR, store=data.a.store, department=data.a.lounge)
    assert {row["id"] for row in get(client, data.a.supervisor, PAGE).context["people"]} == {
        data.a.staff.pk,
        data.a.supervisor.pk,
    }
    lounge_page = get(client, lounge_lead, PAGE).context
    assert lounge_page["people"] == [] and lounge_page["departments"] == []
    assert (lounge_page["figures"]["discipline"], lounge_page["figures"]["late"]) == (0, 0)
    assert get(client, lounge_lead, RECORDS, figure="discipline", person=data.a.staff.pk).status_code == 404
    response = get(client, lounge_lead, RECORDS, figure="discipline")
    assert response.status_code == 200 and len(response.context["page"].object_list) == 0


def test_the_records_agree_with_the_figures(client, data):
    response = get(client, data.a.manager, RECORDS, figure="late")
    assert len(response.context["page"].object_list) == 1
    response = get(client, data.a.manager, RECORDS, figure="discipline", person=data.a.staff.pk)
    assert [r.kind for r in response.context["page"].object_list] == ["late"]
    response = get(client, data.a.manager, RECORDS, figure="discipline_withdrawn", kind="noise", state="withdrawn")
    assert len(response.context["page"].object_list) == 1
    response = get(client, data.a.manager, RECORDS, figure="items_checked", item="工装整洁")
    assert len(response.context["page"].object_list) == 3
    response = get(client, data.a.manager, RECORDS, figure="carry_overs")
    assert 'data-testid="record-row"' in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"figure": "nothing"},
        {"figure": "late", "kind": "late"},
        {"figure": "discipline", "kind": "bogus"},
        {"figure": "discipline", "state": "bogus"},
        {"figure": "late", "item": "x"},
    ],
)
def test_a_bad_records_link_is_404(client, data, params):
    assert get(client, data.a.manager, RECORDS, **params).status_code == 404


def test_another_store_s_records_are_404(client, data):
    """The store wall: store B's manager naming store A's store or person gets 404."""
    assert get(client, data.b.manager, RECORDS, figure="late", store=data.a.store.pk).status_code == 404
    assert get(client, data.b.manager, RECORDS, figure="late", person=data.a.staff.pk).status_code == 404


def test_the_people_page_on_an_empty_period(client, data):
    response = get(client, data.a.manager, PAGE, period="day", date="2026-12-01")
    assert response.status_code == 200
    assert response.context["figures"]["grooming_share"] is None


def test_htmx_gets_the_body_only(client, data):
    client.force_login(data.a.manager)
    response = client.get(PAGE, MONTH, HTTP_HX_REQUEST="true")
    assert response.content.decode().startswith('<div id="people-body"')


@pytest.mark.parametrize("who", ["supervisor", "staff", "manager"])
def test_the_page_s_figures_are_the_records_the_user_may_list(client, data, who):
    """Every card agrees with its records view for the same user: a supervisor's figures are their people's,
    a staff member's their own (asking for everyone), a manager's the store's."""
    viewer = getattr(data.a, who)
    figures = get(client, viewer, PAGE, person="").context["figures"]
    for key in ("grooming_checked", "items_checked", "discipline", "late", "missing_punch", "carry_overs"):
        page = get(client, viewer, RECORDS, figure=key, person="").context["page"]
        assert page.paginator.count == figures[key], (who, key)
    if who == "staff":
        assert figures["discipline"] == 1  # their own late arrival, not their supervisor's record
