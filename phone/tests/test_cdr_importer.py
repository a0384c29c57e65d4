"""Import of phone-system call records: services, the upload page, the command, the batch API (S2.1, S2.10)."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.api_auth import api_token_create
from org.choices import Role
from phone.cdr.importer import cdr_import_file, cdr_import_records, clean_cdr_number
from phone.cdr.parse import SHANGHAI
from phone.models import Call, CdrImport, PhoneSettings
from promises.models import Promise
from tests.factories import make_customer, make_user

DATA = __import__("pathlib").Path(__file__).parent / "data"


def _import(store, actor, data: bytes, name="cdr.csv", **kwargs) -> CdrImport:
    return cdr_import_file(store=store, actor=actor, binary_file=io.BytesIO(data), filename=name, **kwargs)


def _asterisk_line(start, *, src="13900001111", dst="8011", disposition="NO ANSWER", uid="1.1", billsec=0):
    end = start + timedelta(seconds=20)
    answer = (start + timedelta(seconds=20 - billsec)).strftime("%Y-%m-%d %H:%M:%S") if billsec else ""
    return (
        f'"","{src}","{dst}","from-trunk","""李四"" <{src}>","SIP/ct-trunk-00000003","SIP/{dst}-00000004",'
        f'"Dial","SIP/{dst},20","{start:%Y-%m-%d %H:%M:%S}","{answer}","{end:%Y-%m-%d %H:%M:%S}",20,{billsec},'
        f'"{disposition}","DOCUMENTATION","{uid}"\n'
    ).encode()


@pytest.fixture
def desk(world):
    """A second desk person at extension 8012 of store A (staff A is 8011)."""
    return make_user("staff1b", role=Role.STAFF, store=world.a.store, department=world.a.cs, extension="8012")


def test_numbers_are_normalised_fast_and_otherwise_kept_as_digits():
    assert clean_cdr_number("013812345678") == ("+8613812345678", "13812345678")
    assert clean_cdr_number("01062345678") == ("+861062345678", "01062345678")
    assert clean_cdr_number("8011") == ("8011", "8011")


def test_asterisk_master_csv_becomes_calls_with_staff_and_customer(world):
    customer = make_customer(world.a.store, mobile="13812345678")
    imp = _import(world.a.store, world.a.manager, (DATA / "asterisk_master.csv").read_bytes(), "Master.csv")
    assert imp.state == CdrImport.State.DONE
    assert (imp.format, imp.calls_created, imp.bad_rows) == ("asterisk", 4, 0)
    answered = Call.objects.get(store=world.a.store, number_digits="13812345678", direction="in")
    assert answered.source == "cdr" and answered.customer == customer
    assert answered.answered_by == world.a.staff and answered.department == world.a.cs
    assert (answered.ring_seconds, answered.rings, answered.answered_in_time) == (6.0, 2, True)
    assert (answered.talk_seconds, answered.duration_seconds, answered.missed) == (180, 186, False)
    missed = Call.objects.get(store=world.a.store, number_digits="13900001111")
    assert missed.missed and missed.disposition == "NO ANSWER" and missed.answered_in_time is False
    outgoing = Call.objects.get(store=world.a.store, direction="out")
    assert outgoing.number == "+8613812345678" and outgoing.extension == "8011"
    assert not Promise.objects.exists()  # May 2024 is long past: no call-back promises


def test_freepbx_export_counts_the_legs_of_one_call_once(world, desk):
    """S2.1: the queue's legs are one call, answered by 8012 after 20 s (the 5th ring: too late)."""
    imp = _import(world.a.store, world.a.manager, (DATA / "freepbx_export.csv").read_bytes(), "cdr.csv")
    assert imp.format == "freepbx" and imp.bad_rows == 0
    call = Call.objects.get(store=world.a.store, source_key="1717120000.100")
    assert Call.objects.filter(store=world.a.store, number_digits="13812345678").count() == 1
    assert call.answered_by == desk and call.department == world.a.cs and call.extension == "8012"
    assert call.ring_seconds == 20.0 and call.rings == 5 and call.answered_in_time is False
    assert call.talk_seconds == 25


def test_ring_time_follows_the_store_settings(world, desk):
    PhoneSettings.objects.create(store=world.a.store, ring_cycle_seconds=6.0, max_rings=4)
    _import(world.a.store, world.a.manager, (DATA / "freepbx_export.csv").read_bytes())
    call = Call.objects.get(store=world.a.store, source_key="1717120000.100")
    assert call.rings == 4 and call.answered_in_time is True  # 20 s < 4 × 6 s


def test_gbk_file_is_read(world):
    text = (DATA / "asterisk_master.csv").read_text(encoding="utf-8")
    imp = _import(world.a.store, None, text.encode("gbk"), "Master-gbk.csv")
    assert imp.encoding == "GBK" and imp.calls_created == 4 and imp.bad_rows == 0
    assert imp.created_by is None


def test_reimport_adds_nothing_twice(world):
    data = (DATA / "freepbx_export.csv").read_bytes()
    first = _import(world.a.store, world.a.manager, data)
    again = _import(world.a.store, world.a.manager, data)
    assert first.calls_created == Call.objects.filter(store=world.a.store).count() > 0
    assert (again.calls_created, again.calls_existing) == (0, first.calls_created)


def test_the_same_call_in_another_store_is_that_stores_own(world):
    data = (DATA / "freepbx_export.csv").read_bytes()
    _import(world.a.store, world.a.manager, data)
    other = _import(world.b.store, world.b.manager, data)
    assert other.calls_created == Call.objects.filter(store=world.b.store).count() > 0


def test_bad_lines_are_listed_and_the_rest_imported(world):
    lines = (DATA / "asterisk_master.csv").read_bytes().splitlines(keepends=True)
    broken = b"".join(lines[:2] + [b'"","x","8011","ctx","","","","","","not a date"\n'] + lines[2:])
    broken += b'"","1","2","c","","","","","","2024-05-31 09:00:00","","2024-05-31 09:00:09",9,0,"RINGING","D","9.9"\n'
    imp = _import(world.a.store, world.a.manager, broken)
    assert imp.calls_created == 4 and imp.bad_rows == 2
    assert [e["line"] for e in imp.errors] == [3, 6]
    assert all(e["reason"] for e in imp.errors)


def test_recent_missed_call_from_a_known_number_becomes_a_desk_promise(world):
    """S2.10: a missed call the phone system recorded an hour ago is called back by the desk."""
    start = timezone.now().astimezone(SHANGHAI) - timedelta(hours=1)
    imp = _import(world.a.store, world.a.manager, _asterisk_line(start.replace(tzinfo=None), uid="77.1"))
    assert imp.promises_made == 1
    call = Call.objects.get(store=world.a.store, source_key="77.1")
    promise = Promise.objects.get()
    assert promise.rule_id == "S2.10" and promise.owner_department == world.a.cs and promise.subject == call
    again = _import(world.a.store, world.a.manager, _asterisk_line(start.replace(tzinfo=None), uid="77.1"))
    assert again.promises_made == 0 and Promise.objects.count() == 1


def test_old_missed_call_makes_no_promise(world):
    start = timezone.now().astimezone(SHANGHAI) - timedelta(days=3)
    imp = _import(world.a.store, world.a.manager, _asterisk_line(start.replace(tzinfo=None), uid="78.1"))
    assert imp.calls_created == 1 and imp.promises_made == 0 and not Promise.objects.exists()
    wider = _import(
        world.a.store, world.a.manager, _asterisk_line(start.replace(tzinfo=None), uid="78.2"), window=timedelta(days=7)
    )
    assert wider.promises_made == 1


# --- The upload page --------------------------------------------------------------------------------


def _upload(client, user, store, data=None, name="Master.csv"):
    client.force_login(user)
    data = data if data is not None else (DATA / "asterisk_master.csv").read_bytes()
    return client.post(reverse("phone:cdr_import_start"), {"store": store.pk, "file": SimpleUploadedFile(name, data)})


def test_manager_uploads_and_the_steps_import_the_file(client, world, settings):
    response = _upload(client, world.a.manager, world.a.store)
    imp = CdrImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "phone:cdr_import", kwargs={"cdr_pk": imp.pk}
    )
    assert imp.is_running and imp.lines_total == 4 and imp.calls_created == 0
    page = client.get(response["Location"])
    assert page.status_code == 200 and b'data-testid="cdr-progress"' in page.content
    step = client.post(reverse("phone:cdr_import_step", kwargs={"cdr_pk": imp.pk}), headers={"HX-Request": "true"})
    assert step["HX-Redirect"] == response["Location"]
    imp.refresh_from_db()
    assert imp.state == "done" and imp.calls_created == 4 and imp.file_path == ""
    assert b'data-testid="cdr-counts"' in client.get(response["Location"]).content


def test_steps_resume_where_the_last_one_stopped(world, desk, settings):
    from phone.cdr.upload import cdr_import_step, cdr_upload

    data = (DATA / "freepbx_export.csv").read_bytes() + b"2024-05-31 10:09:00,x,y\n"
    imp = cdr_upload(store=world.a.store, actor=world.a.manager, uploaded=SimpleUploadedFile("cdr.csv", data))
    imp = cdr_import_step(imp=imp, actor=world.a.manager, step_lines=2, chunk_size=16)
    assert imp.is_running and 2 <= imp.rows_read < imp.lines_total and 0 < imp.bytes_read < len(data)
    while imp.is_running:
        imp = cdr_import_step(imp=imp, actor=world.a.manager, step_lines=2, chunk_size=16)
    whole = Call.objects.filter(store=world.a.store)
    assert imp.calls_created == whole.count() and imp.calls_existing == 0 and imp.bad_rows == 1
    assert whole.get(source_key="1717120000.100").answered_by == desk


def test_staff_may_not_import(client, world):
    client.force_login(world.a.staff)
    assert client.get(reverse("phone:cdr_import_start")).status_code == 403
    imp = _import(world.a.store, world.a.manager, (DATA / "asterisk_master.csv").read_bytes())
    assert client.get(reverse("phone:cdr_import", kwargs={"cdr_pk": imp.pk})).status_code == 403


def test_another_stores_manager_does_not_see_the_import(client, world):
    imp = _import(world.a.store, world.a.manager, (DATA / "asterisk_master.csv").read_bytes())
    client.force_login(world.b.manager)
    assert client.get(reverse("phone:cdr_import", kwargs={"cdr_pk": imp.pk})).status_code == 404
    assert client.post(reverse("phone:cdr_import_step", kwargs={"cdr_pk": imp.pk})).status_code == 404
    response = _upload(client, world.b.manager, world.a.store)
    assert response.status_code == 400 and not CdrImport.objects.filter(store=world.b.store).exists()


def test_empty_upload_is_refused(client, world):
    response = _upload(client, world.a.manager, world.a.store, data=b"")
    assert response.status_code == 400 and not CdrImport.objects.filter(file_path__gt="").exists()


# --- The command ---------------------------------------------------------------------------------


def test_command_imports_and_prints_counts_and_bad_lines(world, tmp_path):
    path = tmp_path / "Master.csv"
    path.write_bytes((DATA / "asterisk_master.csv").read_bytes() + b'"","1","2","bad"\n')
    out = io.StringIO()
    call_command("import_cdr", str(path), "--store", "S001", "--user", "manager1", stdout=out)
    text = out.getvalue()
    assert "4" in text and "5" in text
    imp = CdrImport.objects.get()
    assert imp.created_by == world.a.manager and imp.calls_created == 4 and imp.bad_rows == 1
    assert Call.objects.filter(store=world.a.store).count() == 4


# --- The batch API -------------------------------------------------------------------------------

BATCH = "/api/v1/calls/records/batch"


def _headers(user):
    return {"Authorization": f"Bearer {api_token_create(user=user)[1]}"}


def test_api_takes_a_csv_file(client, world):
    data = (DATA / "freepbx_export.csv").read_bytes()
    response = client.post(
        BATCH, {"store": "S001", "file": SimpleUploadedFile("cdr.csv", data)}, headers=_headers(world.a.manager)
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["store"]["code"] == "S001" and body["format"] == "freepbx" and body["calls_created"] == 4


def test_api_takes_json_records_and_lists_the_bad_ones(client, world):
    records = [
        {
            "calldate": "2024-05-31 10:00:00",
            "src": "13812345678",
            "dst": "8011",
            "duration": 40,
            "billsec": 25,
            "disposition": "ANSWERED",
            "uniqueid": "5.1",
            "linkedid": "5.1",
            "dstchannel": "PJSIP/8011-00000001",
        },
        {
            "calldate": "yesterday",
            "src": "13812345678",
            "dst": "8011",
            "duration": 4,
            "billsec": 0,
            "disposition": "NO ANSWER",
            "uniqueid": "5.2",
            "linkedid": "5.2",
        },
    ]
    headers = _headers(world.a.manager)
    response = client.post(
        BATCH, {"store": "S001", "records": records}, content_type="application/json", headers=headers
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["calls_created"] == 1 and body["bad_rows"] == 1 and body["errors"][0]["record"] == 2
    call = Call.objects.get(store=world.a.store, source_key="5.1")
    assert call.answered_by == world.a.staff and call.ring_seconds == 15.0
    again = client.post(
        BATCH, {"store": "S001", "records": records[:1]}, content_type="application/json", headers=headers
    )
    assert again.json()["calls_existing"] == 1


def test_api_staff_and_other_stores_may_not_import(client, world):
    records = {"store": "S001", "records": [{"calldate": "2024-05-31 10:00:00"}]}
    staff = client.post(BATCH, records, content_type="application/json", headers=_headers(world.a.staff))
    assert staff.status_code == 403
    other = client.post(BATCH, records, content_type="application/json", headers=_headers(world.b.manager))
    assert other.status_code == 422 and other.json()["detail"][0]["field"] == "store"
    assert client.post(BATCH, records, content_type="application/json").status_code == 401
    assert not Call.objects.exists()


def test_records_service_numbers_errors_by_record(world):
    imp = cdr_import_records(store=world.a.store, actor=None, records=[{"calldate": "x", "src": "1"}])
    assert imp.format == "json" and imp.bad_rows == 1 and imp.errors[0]["record"] == 1
