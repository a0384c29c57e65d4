"""Facilities and fault pages (S4.11): who may do what, the wall, bad input next to its field, query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lounge.choices import FaultSource, FaultState
from lounge.models import Facility, FaultTicket
from lounge.services import faults as services
from lounge.tests.wall import failed_round_result, jpeg_upload, make_facility, report_fault
from lounge.tests.wall import fault_records as b_fault_records
from promises.models import Promise
from tests.factories import make_store_world

HTMX = {"HX-Request": "true"}
ROLES = ["manager", "supervisor", "staff", "auditor"]


def _body(response) -> str:
    return response.content.decode()


# --- The register --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_everyone_sees_the_register_with_facilities_in_and_out_of_order(client, world, who):
    make_facility(world.a.store, name="电视")
    broken = report_fault(world.a, facility=make_facility(world.a.store, name="咖啡机"))
    make_facility(world.b.store, name="乙店按摩椅")
    client.force_login(getattr(world.a, who))
    response = client.get(reverse("lounge:facility_list"))
    assert response.status_code == 200
    body = _body(response)
    assert 'data-name="咖啡机" data-state="out_of_order"' in body
    assert 'data-name="电视" data-state="in_order"' in body
    assert reverse("lounge:fault_detail", args=[broken.pk]) in body
    assert "乙店按摩椅" not in body
    assert ('data-testid="facility-edit"' in body) is (who == "manager")
    assert ('data-testid="facility-defaults"' in body) is (who == "manager")
    assert ('data-testid="facility-report"' in body) is (who != "auditor")


def test_the_register_page_uses_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(6):
        facility = make_facility(world.a.store, name=f"设备{n}")
        if n % 2:
            report_fault(world.a, facility=facility)
    client.force_login(world.a.manager)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("lounge:facility_list")).status_code == 200


@pytest.mark.parametrize(("who", "expected"), [("manager", 200), ("supervisor", 403), ("staff", 403), ("auditor", 403)])
def test_only_managers_add_and_edit_facilities(client, world, who, expected):
    facility = make_facility(world.a.store)
    client.force_login(getattr(world.a, who))
    assert client.get(reverse("lounge:facility_create")).status_code == expected
    assert client.get(reverse("lounge:facility_edit", args=[facility.pk])).status_code == expected
    response = client.post(reverse("lounge:facility_create"), {"name": "电视", "kind": "tv"})
    assert response.status_code == (302 if expected == 200 else 403)
    assert client.post(reverse("lounge:facility_defaults", args=[world.a.store.pk])).status_code in (302, 403)
    assert Facility.objects.filter(name="电视").exists() is (expected == 200)


def test_a_manager_adds_edits_and_takes_a_facility_out_of_use(client, world):
    client.force_login(world.a.manager)
    response = client.post(reverse("lounge:facility_create"), {"name": "投影仪", "kind": "other", "location": "会客区"})
    assert response.status_code == 302
    facility = Facility.objects.get(name="投影仪")
    assert facility.store == world.a.store and facility.active
    response = client.post(
        reverse("lounge:facility_edit", args=[facility.pk]), {"name": "投影仪", "kind": "tv", "location": ""}
    )
    assert response.status_code == 302
    facility.refresh_from_db()
    assert facility.kind == "tv" and facility.active is False  # "in use" unticked
    assert 'data-name="投影仪"' not in _body(client.get(reverse("lounge:facility_list")))
    assert 'data-name="投影仪"' in _body(client.get(reverse("lounge:facility_list"), {"all": "1"}))


def test_a_duplicate_name_is_shown_next_to_the_field_and_nothing_saved(client, world):
    make_facility(world.a.store, name="咖啡机")
    client.force_login(world.a.manager)
    response = client.post(reverse("lounge:facility_create"), {"name": "咖啡机", "kind": "coffee_machine"})
    assert response.status_code == 400
    assert 'data-field="name"' in _body(response)
    assert Facility.objects.filter(store=world.a.store).count() == 1


def test_a_facility_with_an_open_fault_cannot_be_taken_out_of_use(client, world):
    fault = report_fault(world.a)
    client.force_login(world.a.manager)
    response = client.post(
        reverse("lounge:facility_edit", args=[fault.facility_id]), {"name": "咖啡机", "kind": "other"}
    )
    body = _body(response)
    assert response.status_code == 400 and 'class="form-check-input is-invalid"' in body and "S4.11" in body
    assert Facility.objects.get(pk=fault.facility_id).active


def test_the_usual_facilities_button_adds_them_once(client, world):
    client.force_login(world.a.manager)
    client.post(reverse("lounge:facility_defaults", args=[world.a.store.pk]))
    count = Facility.objects.filter(store=world.a.store).count()
    assert count == len(services.DEFAULT_FACILITIES)
    client.post(reverse("lounge:facility_defaults", args=[world.a.store.pk]))
    assert Facility.objects.filter(store=world.a.store).count() == count


def test_another_stores_register_is_404(client, world):
    facility = make_facility(world.b.store)
    client.force_login(world.a.manager)
    assert client.get(reverse("lounge:facility_edit", args=[facility.pk])).status_code == 404
    assert client.post(reverse("lounge:facility_edit", args=[facility.pk]), {"name": "x"}).status_code == 404
    assert client.post(reverse("lounge:facility_defaults", args=[world.b.store.pk])).status_code == 404
    assert not Facility.objects.filter(store=world.b.store).exclude(pk=facility.pk).exists()


# --- Reporting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "expected"), [("manager", 200), ("supervisor", 200), ("staff", 200), ("auditor", 403)])
def test_anyone_who_works_reports_a_fault_auditors_only_look(client, world, who, expected):
    make_facility(world.a.store)
    client.force_login(getattr(world.a, who))
    assert client.get(reverse("lounge:fault_report")).status_code == expected


def test_the_report_form_opens_the_phones_camera(client, world):
    facility = make_facility(world.a.store)
    client.force_login(world.a.staff)
    body = _body(client.get(reverse("lounge:fault_report"), {"facility": facility.pk}))
    assert 'accept="image/*"' in body and 'capture="environment"' in body
    assert 'enctype="multipart/form-data"' in body
    assert f'<option value="{facility.pk}" selected>' in body


def test_staff_report_a_fault_with_a_photo(client, world):
    """S4.11: reported at once — a ticket with its clock, then its page."""
    facility = make_facility(world.a.store)
    client.force_login(world.a.staff)
    response = client.post(
        reverse("lounge:fault_report") + "?source=board",
        {"facility": facility.pk, "description": "屏幕黑屏", "photo": jpeg_upload(), "source": "board"},
    )
    fault = FaultTicket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("lounge:fault_detail", args=[fault.pk])
    assert fault.reported_by == world.a.staff and fault.source == FaultSource.BOARD and fault.photo
    assert fault.promise.kind == "fault_fix"


def test_a_second_report_lands_on_the_open_ticket_with_a_message(client, world):
    fault = report_fault(world.a)
    client.force_login(world.a.supervisor)
    response = client.post(reverse("lounge:fault_report"), {"facility": fault.facility_id, "description": "还在漏水"})
    assert response["Location"] == reverse("lounge:fault_detail", args=[fault.pk])
    assert FaultTicket.objects.count() == 1
    body = _body(client.get(response["Location"]))
    assert "还在漏水" in body  # in the history


def test_a_failed_round_item_fills_the_report(client, world):
    result = failed_round_result(world.a.store, text="空调出风口无冷风", comment="温度 29 度")
    facility = make_facility(world.a.store, name="空调", kind="air_conditioning")
    client.force_login(world.a.staff)
    url = reverse("lounge:fault_report") + f"?result={result.pk}"
    body = _body(client.get(url))
    assert "空调出风口无冷风 — 温度 29 度" in body and 'data-testid="from-round"' in body
    response = client.post(url, {"facility": facility.pk, "description": "空调不制冷", "result": result.pk})
    assert response.status_code == 302
    fault = FaultTicket.objects.get()
    assert fault.round_result == result and fault.source == FaultSource.ROUND


def test_another_stores_facility_or_round_item_is_404(client, world):
    facility = make_facility(world.b.store)
    result = failed_round_result(world.b.store)
    client.force_login(world.a.staff)
    assert client.get(reverse("lounge:fault_report"), {"facility": facility.pk}).status_code == 404
    assert client.get(reverse("lounge:fault_report"), {"result": result.pk}).status_code == 404
    assert client.get(reverse("lounge:fault_report"), {"result": "abc"}).status_code == 404
    response = client.post(reverse("lounge:fault_report"), {"facility": facility.pk, "description": "坏了"})
    assert response.status_code == 400 and 'data-field="facility"' in _body(response)
    assert not FaultTicket.objects.exists()


def test_bad_input_is_named_next_to_each_field_and_nothing_saved(client, world):
    client.force_login(world.a.staff)
    make_facility(world.a.store)
    response = client.post(reverse("lounge:fault_report"), {"facility": "", "description": ""})
    body = _body(response)
    assert response.status_code == 400
    assert 'data-field="facility"' in body and 'data-field="description"' in body
    assert "S4.11" in body
    assert not FaultTicket.objects.exists() and not Promise.objects.exists()


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("photo.jpg", b"GIF89a but not really an image", content_type="image/jpeg"),
        SimpleUploadedFile("photo.pdf", b"%PDF-1.4 a document", content_type="application/pdf"),
    ],
)
def test_a_non_image_photo_is_refused_next_to_the_photo_field(client, world, upload):
    facility = make_facility(world.a.store)
    client.force_login(world.a.staff)
    response = client.post(
        reverse("lounge:fault_report"), {"facility": facility.pk, "description": "坏了", "photo": upload}
    )
    assert response.status_code == 400 and 'data-field="photo"' in _body(response)
    assert not FaultTicket.objects.exists()


def test_an_oversized_photo_is_refused_next_to_the_photo_field(client, world, monkeypatch):
    monkeypatch.setattr("core.images.PHOTO_MAX_BYTES", 500)
    facility = make_facility(world.a.store)
    client.force_login(world.a.staff)
    response = client.post(
        reverse("lounge:fault_report"),
        {"facility": facility.pk, "description": "坏了", "photo": jpeg_upload(size=(300, 300))},
    )
    assert response.status_code == 400 and 'data-field="photo"' in _body(response)
    assert not FaultTicket.objects.exists()


# --- The tickets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_everyone_sees_the_fault_list_of_their_store_only(client, world, who):
    mine = report_fault(world.a, description="甲店的咖啡机坏了")
    report_fault(world.b, description="乙店的咖啡机坏了")
    client.force_login(getattr(world.a, who))
    body = _body(client.get(reverse("lounge:fault_list")))
    assert "甲店的咖啡机坏了" in body and "乙店的咖啡机坏了" not in body
    assert f'data-pk="{mine.pk}"' in body


def test_the_fault_list_filters_by_state_facility_and_period(client, world):
    tv = make_facility(world.a.store, name="电视")
    open_one = report_fault(world.a, facility=tv, description="电视没信号")
    fixed = report_fault(world.a, description="咖啡机坏了")
    services.fault_fix(actor=world.a.staff, fault=fixed, note="好了")
    client.force_login(world.a.staff)
    url = reverse("lounge:fault_list")

    def pks(params):
        body = _body(client.get(url, params, headers=HTMX))
        return {p.pk for p in (open_one, fixed) if f'data-pk="{p.pk}"' in body}

    assert pks({}) == {open_one.pk, fixed.pk}
    assert pks({"state": "active"}) == {open_one.pk}
    assert pks({"state": "fixed"}) == {fixed.pk}
    assert pks({"facility": tv.pk}) == {open_one.pk}
    assert pks({"date_from": "2000-01-01", "date_to": "2000-01-02"}) == set()
    assert pks({"state": "nonsense", "date_from": "not a date", "facility": "x"}) == set()  # facility "x": none
    assert client.get(url, {"state": "nonsense", "date_from": "bad"}).status_code == 200


def test_the_fault_list_is_paged_with_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(30):
        report_fault(world.a, facility=make_facility(world.a.store, name=f"设备{n}"))
    client.force_login(world.a.manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("lounge:fault_list"))
    assert _body(response).count('data-testid="fault-row"') == 25
    assert _body(client.get(reverse("lounge:fault_list"), {"page": 2})).count('data-testid="fault-row"') == 5


@pytest.mark.parametrize("who", ROLES)
def test_the_detail_shows_photo_owner_clock_and_buttons_by_role(client, world, who):
    fault = report_fault(world.a, photo=jpeg_upload())
    client.force_login(getattr(world.a, who))
    body = _body(client.get(reverse("lounge:fault_detail", args=[fault.pk])))
    assert reverse("lounge:fault_photo", args=[fault.pk]) in body
    assert 'data-testid="fault-clock"' in body and world.a.lounge.name in body
    assert ('data-testid="fix-form"' in body) is (who != "auditor")
    assert ('data-testid="close-form"' in body) is (who in ("manager", "supervisor"))


def test_start_and_fix_with_htmx_update_the_panel(client, world):
    fault = report_fault(world.a)
    client.force_login(world.a.staff)
    response = client.post(
        reverse("lounge:fault_start", args=[fault.pk]), {"assignee": world.a.supervisor.pk}, headers=HTMX
    )
    assert response.status_code == 200 and 'id="fault-panel"' in _body(response)
    assert 'data-state="in_progress"' in _body(response) and "<html" not in _body(response)
    client.force_login(world.a.supervisor)  # the ticket is the supervisor's now: they fix it
    response = client.post(
        reverse("lounge:fault_fix", args=[fault.pk]), {"note": "重启路由器", "photo": jpeg_upload()}, headers=HTMX
    )
    assert 'data-state="fixed"' in _body(response) and 'data-testid="fix-photo"' in _body(response)
    fault.refresh_from_db()
    assert fault.state == FaultState.FIXED and fault.owner == world.a.supervisor and fault.fix_photo
    assert client.get(reverse("lounge:fault_fix_photo", args=[fault.pk])).status_code == 200


def test_a_fix_without_a_note_shows_the_error_next_to_the_field(client, world):
    fault = report_fault(world.a)
    client.force_login(world.a.staff)
    response = client.post(reverse("lounge:fault_fix", args=[fault.pk]), {"note": ""}, headers=HTMX)
    assert response.status_code == 200 and 'data-field="note"' in _body(response)
    response = client.post(reverse("lounge:fault_fix", args=[fault.pk]), {"note": "", "photo": jpeg_upload()})
    assert response.status_code == 400 and 'data-field="note"' in _body(response)
    fault.refresh_from_db()
    assert fault.state == FaultState.OPEN and not fault.fix_photo


def test_a_colleague_of_another_store_cannot_be_given_the_ticket(client, world):
    fault = report_fault(world.a)
    client.force_login(world.a.staff)
    response = client.post(reverse("lounge:fault_start", args=[fault.pk]), {"assignee": world.b.staff.pk})
    assert response.status_code == 400 and 'data-field="assignee"' in _body(response)
    fault.refresh_from_db()
    assert fault.state == FaultState.OPEN


def test_close_without_a_fix_by_role(client, world):
    fault = report_fault(world.a)
    client.force_login(world.a.staff)
    assert client.post(reverse("lounge:fault_close", args=[fault.pk]), {"reason": "误报"}).status_code == 403
    client.force_login(world.a.supervisor)
    response = client.post(reverse("lounge:fault_close", args=[fault.pk]), {"reason": ""}, headers=HTMX)
    assert 'data-field="reason"' in _body(response)
    response = client.post(reverse("lounge:fault_close", args=[fault.pk]), {"reason": "误报"})
    assert response.status_code == 302
    fault.refresh_from_db()
    assert fault.state == FaultState.CANCELLED


def test_an_auditor_cannot_start_fix_or_close(client, world):
    fault = report_fault(world.a)
    client.force_login(world.a.auditor)
    for name, data in (("fault_start", {}), ("fault_fix", {"note": "x"}), ("fault_close", {"reason": "x"})):
        assert client.post(reverse(f"lounge:{name}", args=[fault.pk]), data).status_code == 403
    fault.refresh_from_db()
    assert fault.state == FaultState.OPEN


def test_the_photo_is_served_behind_the_wall(client, world):
    fault = report_fault(world.a, photo=jpeg_upload())
    bare = report_fault(world.a, facility=make_facility(world.a.store, name="电视"))
    client.force_login(world.a.auditor)
    response = client.get(reverse("lounge:fault_photo", args=[fault.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert client.get(reverse("lounge:fault_photo", args=[bare.pk])).status_code == 404
    client.force_login(world.b.staff)
    assert client.get(reverse("lounge:fault_photo", args=[fault.pk])).status_code == 404
    assert client.get(reverse("lounge:fault_detail", args=[fault.pk])).status_code == 404


def test_every_fault_page_and_api_route_is_walled(client, world):
    """The store wall (tests/test_wall.py) for this area's URLs alone: store B's records are 404 to store A."""
    from tests.test_wall import all_patterns, build_path

    ids = b_fault_records(world) | {"store_pk": world.b.store.pk}
    mine = [
        (route, p)
        for route, p in all_patterns()
        if p.pattern.converters and set(p.pattern.converters) <= set(ids) and ("fault" in route or "facilit" in route)
    ]
    assert len(mine) >= 12
    for who in ("manager", "supervisor", "staff", "auditor"):
        client.force_login(getattr(world.a, who))
        for route, pattern in mine:
            path = build_path(route, pattern, ids)
            for method in ("get", "post"):
                status = getattr(client, method)(path).status_code
                assert status in (404, 405), f"{method.upper()} {path} gave {status} to {who}"


def test_a_manager_of_two_stores_reports_for_either(client, world):
    other = make_store_world(world.group, "S003", "测试三店", 3)
    world.a.manager.extra_stores.add(other.store)
    facility = make_facility(other.store, name="饮水机")
    client.force_login(world.a.manager)
    response = client.post(reverse("lounge:fault_report"), {"facility": facility.pk, "description": "没有热水"})
    assert response.status_code == 302
    assert FaultTicket.objects.get().store == other.store
