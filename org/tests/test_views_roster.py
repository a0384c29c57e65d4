"""The roster pages (S1.D1a): shifts, the monthly grid and its cells, the import and the export — each with
the owner, a colleague with less right and a person of another store."""

import io
from datetime import date, time

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from org.choices import RosterKind
from org.models import RosterDay, Shift, StoreClosure
from org.services import roster as services
from tests.clock import at

DEC = date(2026, 12, 1)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def early(world):
    return services.shift_create(
        actor=world.a.manager, store=world.a.store, name="早班", starts=time(8, 0), ends=time(17, 0)
    )


def _grid(client, store, **params):
    return client.get(reverse("org:roster"), {"store": store.pk, **params})


def _cell_url(person, day=DEC):
    return reverse("org:roster_cell", kwargs={"person_pk": person.pk, "day": day.isoformat()})


# Shifts


def test_s1_d1a_manager_adds_and_edits_a_shift_and_others_may_not(client, world, early):
    client.force_login(world.a.manager)
    url = reverse("org:shift_create") + f"?store={world.a.store.pk}"
    response = client.post(url, {"name": "", "starts": "08:00", "ends": "08:00"})
    assert response.status_code == 400 and "name" in response.context["form"].errors
    response = client.post(url, {"name": "中班", "starts": "08:00", "ends": "08:00"})
    assert response.status_code == 400 and "ends" in response.context["form"].errors
    assert not Shift.objects.filter(name="中班").exists()
    response = client.post(url, {"name": "早班", "starts": "07:00", "ends": "09:00"})
    assert response.status_code == 400 and "name" in response.context["form"].errors
    response = client.post(url, {"name": "夜班", "starts": "22:00", "ends": "06:00"})
    assert response.status_code == 302
    night = Shift.objects.get(name="夜班")
    response = client.post(
        reverse("org:shift_edit", kwargs={"shift_pk": night.pk}), {"name": "夜班", "starts": "22:00", "ends": "06:30"}
    )
    assert response.status_code == 302
    night.refresh_from_db()
    assert night.ends == time(6, 30) and not night.active  # the box unticked: retired
    page = client.get(reverse("org:shift_list"), {"store": world.a.store.pk}).content.decode()
    assert "夜班" in page and "早班" in page

    client.force_login(world.a.supervisor)
    assert client.get(url).status_code == 403
    assert client.get(reverse("org:shift_list")).status_code == 200
    client.force_login(world.b.manager)
    assert client.get(reverse("org:shift_edit", kwargs={"shift_pk": early.pk})).status_code == 404
    assert client.get(url).status_code == 404
    assert client.get(reverse("org:shift_list"), {"store": world.a.store.pk}).status_code == 404


# The grid


def test_s1_d1a_grid_shows_shift_rest_leave_hours_and_closed_days(client, world, early):
    a = world.a
    services.roster_set(actor=a.manager, store=a.store, person=a.staff, day=DEC, kind="work", shift=early)
    services.roster_set(actor=a.manager, store=a.store, person=a.staff, day=date(2026, 12, 2), kind="rest")
    services.roster_set(actor=a.manager, store=a.store, person=a.staff, day=date(2026, 12, 3), kind="leave")
    StoreClosure.objects.create(store=a.store, date=date(2026, 12, 4), reason="盘点")
    client.force_login(a.auditor)
    response = _grid(client, a.store, month="2026-12", department=a.cs.pk)
    assert response.status_code == 200
    cells = {c["day"].day: c for c in response.context["rows"][1]["cells"]}
    assert response.context["rows"][1]["person"] == a.staff
    assert cells[1]["label"] == "早班" and cells[2]["label"] == "休" and cells[3]["label"] == "假"
    assert cells[4]["label"] == "—" and "table-secondary" in cells[4]["css"]
    assert cells[5]["title"] == "08:30–18:00" and not cells[5]["rostered"]
    assert not any(c["editable"] for row in response.context["rows"] for c in row["cells"])  # auditors read
    assert len(response.context["days"]) == 31


def test_s1_d1a_grid_wall_and_staff_see_their_own_department_only(client, world):
    a = world.a
    client.force_login(world.b.manager)
    assert _grid(client, a.store).status_code == 404
    assert client.get(reverse("org:roster"), {"store": world.b.store.pk, "department": a.cs.pk}).status_code == 404
    client.force_login(a.staff)
    with time_machine.travel(at("2026-11-27 10:00"), tick=False):
        response = _grid(client, a.store)
    assert response.status_code == 200 and response.context["department"] == a.cs
    assert response.context["month"] == date(2026, 11, 1)
    assert not any(c["editable"] for row in response.context["rows"] for c in row["cells"])
    assert _grid(client, a.store, department=a.lounge.pk).status_code == 403
    client.force_login(a.supervisor)
    response = _grid(client, a.store, month="2026-13")
    assert response.status_code == 200 and response.context["form"].errors["month"]


def test_s1_d1a_supervisor_sets_a_cell_with_htmx(client, world, early):
    a = world.a
    client.force_login(a.supervisor)
    response = client.get(_cell_url(a.staff), **HTMX)
    assert response.status_code == 200 and 'data-testid="cell-select"' in response.content.decode()
    response = client.post(_cell_url(a.staff), {"value": f"shift:{early.pk}"}, **HTMX)
    assert response.status_code == 200 and "早班" in response.content.decode()
    assert RosterDay.objects.get(person=a.staff, date=DEC).shift == early
    client.post(_cell_url(a.staff), {"value": "leave"}, **HTMX)
    assert RosterDay.objects.get(person=a.staff, date=DEC).kind == RosterKind.LEAVE
    response = client.post(_cell_url(a.staff), {"value": "default"})
    assert response.status_code == 302 and not RosterDay.objects.exists()
    response = client.post(_cell_url(a.staff), {"value": "shift:999999"}, **HTMX)
    assert response.status_code == 200 and 'data-testid="cell-error"' in response.content.decode()
    assert not RosterDay.objects.exists()


def test_s1_d1a_cell_wall_staff_403_other_store_404(client, world):
    a = world.a
    client.force_login(a.staff)
    assert client.post(_cell_url(a.staff), {"value": "rest"}).status_code == 403
    client.force_login(a.auditor)
    assert client.get(_cell_url(a.staff)).status_code == 403
    client.force_login(a.supervisor)
    assert client.get(_cell_url(a.manager)).status_code == 403  # not of their department
    assert (
        client.get(reverse("org:roster_cell", kwargs={"person_pk": a.staff.pk, "day": "2026-02-30"})).status_code == 404
    )
    client.force_login(world.b.supervisor)
    assert client.post(_cell_url(a.staff), {"value": "rest"}).status_code == 404
    assert not RosterDay.objects.exists()


# Import and export


def test_s1_d1a_import_page_lists_row_errors_then_a_good_file_fills_the_grid(client, world, early):
    a = world.a
    client.force_login(a.supervisor)
    url = reverse("org:roster_import") + f"?store={a.store.pk}"
    assert client.get(url).status_code == 200
    bad = SimpleUploadedFile("r.csv", "姓名,1,2\n客服1,早班,休\n王五,早班,\n".encode("gbk"))
    response = client.post(url, {"month": "2026-12", "file": bad})
    assert response.status_code == 400
    assert [e["row"] for e in response.context["found"].errors] == [3]
    assert "王五" in response.content.decode() and not RosterDay.objects.exists()
    good = SimpleUploadedFile("r.csv", "姓名,1,2\n客服1,早班,休\n".encode())
    response = client.post(url, {"month": "2026-12", "file": good, "department": a.cs.pk})
    assert response.status_code == 302 and "month=2026-12" in response["Location"]
    assert RosterDay.objects.count() == 2
    response = client.post(url, {"month": "12/2026", "file": SimpleUploadedFile("r.txt", b"x")})
    assert response.status_code == 400 and "month" in response.context["form"].errors

    for reader in (a.auditor, a.staff):
        client.force_login(reader)
        assert client.get(url).status_code == 403
    client.force_login(world.b.manager)
    assert client.get(url).status_code == 404


def test_s1_d1a_export_is_the_grid_in_excel_and_formula_safe(client, world, early):
    a = world.a
    formula = services.shift_create(actor=a.manager, store=a.store, name="=1+1", starts=time(9), ends=time(18))
    services.roster_set(actor=a.manager, store=a.store, person=a.staff, day=DEC, kind="work", shift=formula)
    services.roster_set(actor=a.manager, store=a.store, person=a.staff, day=date(2026, 12, 2), kind="rest")
    client.force_login(a.manager)
    response = client.get(
        reverse("org:roster_export"), {"store": a.store.pk, "month": "2026-12", "department": a.cs.pk}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[1]: row for row in sheet.iter_rows(values_only=True)}
    staff_row = rows[a.staff.name]
    assert staff_row[3] == "'=1+1" and staff_row[4] == "休" and staff_row[5] is None
    client.force_login(world.b.manager)
    assert client.get(reverse("org:roster_export"), {"store": a.store.pk}).status_code == 404


def _count(client, url, params) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["org:roster", "org:roster_export"])
def test_s1_d1a_grid_asks_as_much_for_many_people_and_days_as_for_one(client, world, early, name):
    from org.choices import Role
    from tests.factories import make_user

    a = world.a
    client.force_login(a.supervisor)
    params = {"store": a.store.pk, "department": a.cs.pk, "month": "2026-12"}
    _count(client, reverse(name), params)  # warm: the session, the translations
    few = _count(client, reverse(name), params)
    for n in range(8):
        person = make_user(f"cs{n}", role=Role.STAFF, store=a.store, department=a.cs)
        for day in (1, 2, 3):
            services.roster_set(
                actor=a.manager, store=a.store, person=person, day=date(2026, 12, day), kind="work", shift=early
            )
    assert _count(client, reverse(name), params) == few


def test_s1_d1a_fill_sets_the_chosen_weekdays_of_the_people_ticked(client, world, early):
    a = world.a
    url = reverse("org:roster_fill") + f"?store={a.store.pk}&month=2026-12&department={a.cs.pk}"
    client.force_login(a.supervisor)
    page = client.get(url)
    assert page.status_code == 200
    assert set(page.context["form"].fields["people"].queryset) == {a.supervisor, a.staff}
    fill = {"people": [a.staff.pk], "first": "2026-12-01", "last": "2026-12-07", "weekdays": ["5", "6"]}
    response = client.post(url, {**fill, "value": "rest"})
    assert response.status_code == 302
    assert sorted(r.date.day for r in RosterDay.objects.filter(person=a.staff)) == [5, 6]  # Saturday, Sunday
    response = client.post(url, {**fill, "weekdays": ["0", "1", "2", "3", "4"], "value": f"shift:{early.pk}"})
    assert response.status_code == 302 and RosterDay.objects.filter(person=a.staff, shift=early).count() == 5
    # bad input: a stretch backwards, nobody ticked, another department's person — nothing saved
    before = RosterDay.objects.count()
    response = client.post(url, {**fill, "first": "2026-12-08", "value": "leave"})
    assert response.status_code == 400 and "last" in response.context["form"].errors
    response = client.post(url, {**fill, "people": [a.manager.pk], "value": "leave"})
    assert response.status_code == 400 and "people" in response.context["form"].errors
    response = client.post(url, {**fill, "last": "2027-03-01", "value": "leave"})
    assert response.status_code == 400 and "last" in response.context["form"].errors
    assert RosterDay.objects.count() == before
    client.force_login(a.staff)
    assert client.get(url).status_code == 403
    client.force_login(world.b.manager)
    assert client.get(url).status_code == 404


def test_s1_d1a_fill_service_refuses_bad_input_naming_the_field(world, early):
    a = world.a
    with pytest.raises(ValidationError) as exc:
        services.roster_fill(
            actor=a.manager, store=a.store, people=[], first=DEC, last=DEC, weekdays=set(), kind="holiday"
        )
    assert set(exc.value.message_dict) == {"people", "weekdays", "kind"}
    with pytest.raises(PermissionDenied):
        services.roster_fill(
            actor=a.auditor, store=a.store, people=[a.staff], first=DEC, last=DEC, weekdays={1}, kind="rest"
        )
    assert not RosterDay.objects.exists()
