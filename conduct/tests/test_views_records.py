"""Pages of discipline records (S1.D1a–c, S1.D3, S1.D4): recording on a phone, the list and its filters, one
record and its buttons, the drafts queue, and the wall (another store's user or a colleague: 404)."""

import io
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conduct.choices import DisciplineKind, DisciplineSource, DisciplineState
from conduct.models import AttendanceDay, DisciplineRecord
from conduct.services import discipline as services
from org.choices import Role
from tests.clock import at
from tests.factories import make_user

NOW = "2026-11-24 10:00"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at(NOW), tick=False):
        yield


def _record(world, **extra):
    return services.discipline_record(
        actor=world.a.supervisor,
        store=world.a.store,
        person=extra.pop("person", world.a.staff),
        kind=extra.pop("kind", DisciplineKind.NOISE),
        description="大声喧哗",
        **extra,
    )


def _draft(world):
    day = AttendanceDay.objects.create(store=world.a.store, person=world.a.staff, date=date(2026, 11, 23))
    return services.discipline_draft(
        attendance_day=day, kind=DisciplineKind.LATE, occurred_at=at("2026-11-23 08:45"), minutes=15, description="迟到"
    )


def _jpeg():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def test_s1_d1b_a_supervisor_records_from_the_form_with_a_photo(client, world):
    client.force_login(world.a.supervisor)
    url = reverse("conduct:record_create")
    page = client.get(url)
    assert page.status_code == 200 and b'capture="environment"' in page.content
    response = client.post(
        url,
        {
            "person": world.a.staff.pk,
            "kind": DisciplineKind.PERSONAL_CALL,
            "occurred_at": "2026-11-24T09:40",
            "description": "私人电话",
            "photo": _jpeg(),
        },
    )
    record = DisciplineRecord.objects.get()
    assert response.status_code == 302 and response.url == reverse("conduct:record_detail", args=[record.pk])
    assert record.rule_id == "S1.D1b" and record.occurred_at == at("2026-11-24 09:40") and record.photo
    photo = client.get(reverse("conduct:record_photo", args=[record.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"


def test_s1_d1a_missing_minutes_for_late_is_a_400_naming_the_field(client, world):
    client.force_login(world.a.supervisor)
    response = client.post(
        reverse("conduct:record_create"),
        {
            "person": world.a.staff.pk,
            "kind": DisciplineKind.LATE,
            "occurred_at": "2026-11-24T09:40",
            "description": "迟到",
        },
    )
    assert response.status_code == 400
    assert "minutes" in response.context["form"].errors
    assert not DisciplineRecord.objects.exists()


def test_the_spot_check_link_preselects_the_person(client, world):
    client.force_login(world.a.supervisor)
    response = client.get(reverse("conduct:record_create"), {"person": world.a.staff.pk, "source": "spot_check"})
    form = response.context["form"]
    assert form.initial["person"] == world.a.staff.pk and form.initial["source"] == DisciplineSource.SPOT_CHECK
    client.post(
        reverse("conduct:record_create") + "?source=spot_check",
        {
            "person": world.a.staff.pk,
            "kind": "noise",
            "occurred_at": "2026-11-24T09:40",
            "description": "嬉闹",
            "source": "spot_check",
        },
    )
    assert DisciplineRecord.objects.get().source == DisciplineSource.SPOT_CHECK


def test_the_record_page_refuses_staff_and_auditors_and_hides_others_people(client, world):
    for user in (world.a.staff, world.a.auditor):
        client.force_login(user)
        assert client.get(reverse("conduct:record_create")).status_code == 403
    client.force_login(world.a.supervisor)
    assert client.get(reverse("conduct:record_create"), {"person": world.b.staff.pk}).status_code == 404
    assert client.get(reverse("conduct:record_create"), {"person": "x"}).status_code == 404


def test_another_stores_user_gets_a_404_everywhere(client, world):
    record = _record(world)
    client.force_login(world.b.manager)
    for name in ("record_detail", "record_photo"):
        assert client.get(reverse(f"conduct:{name}", args=[record.pk])).status_code == 404
    for name in ("record_acknowledge", "record_contest", "record_decide", "record_confirm", "record_dismiss"):
        assert client.post(reverse(f"conduct:{name}", args=[record.pk]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("conduct:settings", args=[world.a.store.pk])).status_code == 404
    page = client.get(reverse("conduct:record_list"))
    assert record not in page.context["page"].object_list


def test_a_colleague_gets_a_404_and_staff_see_only_their_own(client, world):
    record = _record(world)
    colleague = make_user("colleague", role=Role.STAFF, store=world.a.store, department=world.a.cs)
    client.force_login(colleague)
    assert client.get(reverse("conduct:record_detail", args=[record.pk])).status_code == 404
    page = client.get(reverse("conduct:record_list"))
    assert list(page.context["page"].object_list) == [] and page.context["only_own"]
    client.force_login(world.a.staff)
    page = client.get(reverse("conduct:record_list"))
    assert list(page.context["page"].object_list) == [record]


def test_the_list_filters(client, world):
    noise = _record(world)
    call = _record(world, kind=DisciplineKind.PERSONAL_CALL)
    client.force_login(world.a.manager)
    url = reverse("conduct:record_list")
    assert list(client.get(url, {"kind": "noise"}).context["page"].object_list) == [noise]
    assert list(client.get(url, {"month": "2026-11"}).context["page"].object_list) == [call, noise]
    assert list(client.get(url, {"month": "2026-10"}).context["page"].object_list) == []
    assert list(client.get(url, {"person": world.a.staff.pk, "state": "recorded"}).context["page"].object_list)
    bad = client.get(url, {"month": "11/2026"})
    assert bad.status_code == 200 and "month" in bad.context["filters"].errors
    assert list(bad.context["page"].object_list) == []
    assert client.get(url, {"person": world.b.staff.pk}).context["filters"].errors  # outside the wall
    partial = client.get(url, {"kind": "noise"}, headers={"HX-Request": "true"})
    assert b'id="record-rows"' in partial.content and b"<html" not in partial.content


def test_contest_then_withdraw_through_the_pages(client, world):
    record = _record(world)
    client.force_login(world.a.staff)
    detail = client.get(reverse("conduct:record_detail", args=[record.pk]))
    assert detail.context["can_answer"] and detail.context["may_contest"]
    refused = client.post(reverse("conduct:record_contest", args=[record.pk]), {"reason": ""})
    assert refused.status_code == 400 and "reason" in refused.context["contest_form"].errors
    client.post(reverse("conduct:record_contest", args=[record.pk]), {"reason": "没有喧哗"})
    record.refresh_from_db()
    assert record.state == DisciplineState.CONTESTED
    client.force_login(world.a.supervisor)  # not the decider
    assert not client.get(reverse("conduct:record_detail", args=[record.pk])).context["can_decide"]
    assert (
        client.post(
            reverse("conduct:record_decide", args=[record.pk]), {"outcome": "withdrawn", "reason": "x"}
        ).status_code
        == 403
    )
    client.force_login(world.a.manager)
    response = client.post(
        reverse("conduct:record_decide", args=[record.pk]),
        {"outcome": "withdrawn", "reason": "核实无误"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and b'data-state="withdrawn"' in response.content
    record.refresh_from_db()
    assert record.state == DisciplineState.WITHDRAWN


def test_the_drafts_queue_confirms_and_dismisses_several(client, world):
    first = _draft(world)
    day = AttendanceDay.objects.create(store=world.a.store, person=world.a.staff, date=date(2026, 11, 20))
    second = services.discipline_draft(
        attendance_day=day,
        kind=DisciplineKind.EARLY_LEAVE,
        occurred_at=at("2026-11-20 17:30"),
        minutes=30,
        description="早退30分钟",
    )
    client.force_login(world.a.supervisor)
    url = reverse("conduct:draft_list")
    assert list(client.get(url).context["page"].object_list) == [second, first]
    refused = client.post(url, {"records": [first.pk, second.pk], "action": "dismiss", "reason": ""})
    assert refused.status_code == 400 and "reason" in refused.context["form"].errors
    assert DisciplineRecord.objects.filter(state=DisciplineState.DRAFT).count() == 2  # nothing half-saved
    client.post(url, {"records": [first.pk], "action": "dismiss", "reason": "调班"})
    confirmed = client.post(url, {"records": [second.pk], "action": "confirm"})
    assert confirmed.status_code == 302, confirmed.context["form"].errors
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == DisciplineState.DISMISSED and second.state == DisciplineState.RECORDED
    client.force_login(world.a.staff)
    assert client.get(url).status_code == 403


def test_confirm_a_draft_on_its_page(client, world):
    record = _draft(world)
    client.force_login(world.a.manager)
    assert client.get(reverse("conduct:record_detail", args=[record.pk])).context["can_review"]
    client.post(reverse("conduct:record_confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.state == DisciplineState.RECORDED
    again = client.post(reverse("conduct:record_confirm", args=[record.pk]))
    assert again.status_code == 400


def test_settings_page(client, world):
    url = reverse("conduct:settings", args=[world.a.store.pk])
    client.force_login(world.a.staff)
    assert client.get(url).status_code == 200 and not client.get(url).context["can_edit"]
    assert client.post(url, {"contest_days": 5}).status_code == 403
    client.force_login(world.a.manager)
    data = {
        "contest_days": 0,
        "late_grace_minutes": 5,
        "early_grace_minutes": 0,
        "late_per_month": 3,
        "records_per_month": 5,
    }
    refused = client.post(url, data)
    assert refused.status_code == 400 and "contest_days" in refused.context["form"].errors
    client.post(url, data | {"contest_days": 5})
    assert world.a.store.conduct_settings.contest_days == 5


def _many(world, n):
    for i in range(n):
        person = make_user(f"p{i}_{n}", role=Role.STAFF, store=world.a.store, department=world.a.cs)
        _record(world, person=person)


def _queries(client, url, **params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def test_the_list_asks_as_much_for_many_records_as_for_few(client, world):
    """No query per row (issue 10): 2 records and 30 on the page ask the same."""
    client.force_login(world.admin)
    url = reverse("conduct:record_list")
    _many(world, 2)
    client.get(url)
    few = _queries(client, url)
    _many(world, 28)
    assert _queries(client, url) == few


def test_a_group_admin_picks_the_store_whose_people_are_listed(client, world):
    client.force_login(world.admin)
    url = reverse("conduct:record_create")
    page = client.get(url, {"store": world.b.store.pk})
    people = list(page.context["form"].fields["person"].queryset)
    assert world.b.staff in people and world.a.staff not in people
    assert b'data-testid="record-stores"' in page.content
    client.post(
        url,
        {
            "store": world.b.store.pk,
            "person": world.b.staff.pk,
            "kind": "desk",
            "occurred_at": "2026-11-24T09:00",
            "description": "桌上放零食",
        },
    )
    assert DisciplineRecord.objects.get().store == world.b.store
    client.force_login(world.a.manager)
    assert client.get(url, {"store": world.b.store.pk}).status_code == 404
