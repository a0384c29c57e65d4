"""Phone-system records keep call-back promises like the console does (S2.3, S2.10), and keep the caller-ID name.

Staff who call back from their desk phone are in the records as an outgoing call: that call keeps the
promise of the missed call from that number (or of a message for it) exactly as a call logged at the
console would, through the one rule in phone.services.calls.callbacks_keep. The clock is frozen.
"""

import io
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from core.api_auth import api_token_create
from phone.cdr.importer import cdr_import_file
from phone.cdr.parse import SHANGHAI
from phone.cdr.upload import cdr_import_step, cdr_upload
from phone.models import Call, Message
from phone.services.calls import call_log
from phone.services.messages import message_take
from promises.choices import PromiseState
from promises.models import Promise
from tests.factories import make_customer

NOW = datetime(2026, 11, 30, 11, 0, tzinfo=SHANGHAI)  # a Monday, the store open 08:30–18:00
NUMBER = "13900001111"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _missed(start, *, uid, src=NUMBER, name="李四"):
    end = start + timedelta(seconds=20)
    return (
        f'"","{src}","8011","from-trunk","""{name}"" <{src}>","SIP/ct-trunk-00000003","SIP/8011-00000004",'
        f'"Dial","SIP/8011,20","{start:%Y-%m-%d %H:%M:%S}",,"{end:%Y-%m-%d %H:%M:%S}",20,0,'
        f'"NO ANSWER","DOCUMENTATION","{uid}"\n'
    )


def _outgoing(start, *, uid, dst="0" + NUMBER, ext="8011", disposition="ANSWERED"):
    answer = start + timedelta(seconds=5)
    end = start + timedelta(seconds=65)
    answered = disposition == "ANSWERED"
    return (
        f'"","{ext}","{dst}","from-internal","""客服"" <{ext}>","SIP/{ext}-00000005","SIP/ct-trunk-00000006",'
        f'"Dial","SIP/ct-trunk/{dst},60","{start:%Y-%m-%d %H:%M:%S}",'
        f'{f"{answer:%Y-%m-%d %H:%M:%S}" if answered else ""},"{end:%Y-%m-%d %H:%M:%S}",65,'
        f'{60 if answered else 0},"{disposition}","DOCUMENTATION","{uid}"\n'
    )


def _at(hour, minute):
    return datetime(2026, 11, 30, hour, minute)


def _import(store, actor, text: str, **kwargs):
    return cdr_import_file(
        store=store, actor=actor, binary_file=io.BytesIO(text.encode()), filename="Master.csv", **kwargs
    )


def _missed_promise(store, uid):
    call = Call.objects.get(store=store, source_key=uid)
    return Promise.objects.get(kind="missed_callback", subject_id=call.pk)


def test_a_missed_call_and_its_call_back_in_one_file_end_kept(world):
    """S2.10: the missed call (09:50) makes the promise, the desk's call at 09:58 keeps it, on time."""
    make_customer(world.a.store, mobile=NUMBER)
    imp = _import(world.a.store, world.a.manager, _missed(_at(9, 50), uid="1.1") + _outgoing(_at(9, 58), uid="1.2"))
    assert imp.promises_made == 1
    promise = _missed_promise(world.a.store, "1.1")
    assert promise.state == PromiseState.KEPT
    assert promise.kept_at == _at(9, 58).replace(tzinfo=SHANGHAI)
    assert promise.closed_by == world.a.staff  # extension 8011: the person who called back


def test_newest_first_file_still_keeps_the_promise(world):
    """Exports are often newest first: the call-back comes before the missed call in the file."""
    _import(world.a.store, world.a.manager, _outgoing(_at(9, 58), uid="2.2") + _missed(_at(9, 50), uid="2.1"))
    assert _missed_promise(world.a.store, "2.1").state == PromiseState.KEPT


def test_a_call_back_in_a_later_file_keeps_the_promise(world):
    _import(world.a.store, world.a.manager, _missed(_at(9, 50), uid="3.1"))
    assert _missed_promise(world.a.store, "3.1").state == PromiseState.OPEN
    # PIPL: the title goes to the bell and WeCom with the unknown caller's number masked
    assert "139****1111" in _missed_promise(world.a.store, "3.1").title and NUMBER not in Promise.objects.get().title
    _import(world.a.store, world.a.manager, _outgoing(_at(10, 30), uid="3.2"))
    promise = _missed_promise(world.a.store, "3.1")  # 40 min later: kept, but after the 15 business minutes
    assert promise.state == PromiseState.LATE and promise.kept_at == _at(10, 30).replace(tzinfo=SHANGHAI)


def test_an_outgoing_call_before_the_missed_call_keeps_nothing(world):
    _import(world.a.store, world.a.manager, _outgoing(_at(9, 40), uid="4.2") + _missed(_at(9, 50), uid="4.1"))
    assert _missed_promise(world.a.store, "4.1").state == PromiseState.OPEN


def test_an_unanswered_call_back_or_another_number_keeps_nothing(world):
    text = (
        _missed(_at(9, 50), uid="5.1")
        + _outgoing(_at(9, 55), uid="5.2", disposition="NO ANSWER")
        + _outgoing(_at(9, 56), uid="5.3", dst="013700002222")
    )
    _import(world.a.store, world.a.manager, text)
    assert _missed_promise(world.a.store, "5.1").state == PromiseState.OPEN


def test_another_stores_records_keep_nothing_in_this_store(world):
    _import(world.a.store, world.a.manager, _missed(_at(9, 50), uid="6.1"))
    _import(world.b.store, world.b.manager, _outgoing(_at(9, 58), uid="6.2", ext="8021"))
    assert _missed_promise(world.a.store, "6.1").state == PromiseState.OPEN


def test_a_console_missed_call_is_kept_by_the_desk_phone_call_back(world):
    """The same rule whichever way the missed call was recorded."""
    missed = call_log(actor=world.a.staff, store=world.a.store, number=NUMBER, outcome="missed")
    missed.started_at = NOW - timedelta(minutes=30)
    missed.save(update_fields=["started_at"])
    _import(world.a.store, world.a.manager, _outgoing(_at(10, 45), uid="7.2"))
    promise = Promise.objects.get(kind="missed_callback", subject_id=missed.pk)
    assert promise.state == PromiseState.KEPT


def test_a_message_call_back_is_kept_only_by_its_recipient_calling(world):
    """S2.3: a message for staff A (8011) is kept by 8011's call, not by a colleague's at 8012."""
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        message = message_take(
            actor=world.a.supervisor,
            store=world.a.store,
            for_user=world.a.staff,
            caller_name="王先生",
            caller_number=NUMBER,
            text="请回电",
            callback_wanted=True,
        )
    from tests.factories import make_user

    make_user("desk2", role="staff", store=world.a.store, department=world.a.lounge, extension="8012")
    _import(world.a.store, world.a.manager, _outgoing(_at(8, 50), uid="8.0"))  # before the message: nothing
    message.refresh_from_db()
    assert message.called_back_at is None and message.promise.state == PromiseState.OPEN
    _import(world.a.store, world.a.manager, _outgoing(_at(10, 0), uid="8.1", ext="8012"))
    message.refresh_from_db()
    assert message.called_back_at is None and message.promise.state == PromiseState.OPEN
    _import(world.a.store, world.a.manager, _outgoing(_at(10, 5), uid="8.2"))
    message = Message.objects.select_related("promise").get(pk=message.pk)
    assert message.called_back_at is not None and message.promise.state == PromiseState.KEPT
    assert message.callback_call.source_key == "8.2"


def test_the_command_keeps_the_promise(world, tmp_path):
    path = tmp_path / "Master.csv"
    path.write_text(_missed(_at(9, 50), uid="9.1") + _outgoing(_at(9, 58), uid="9.2"), encoding="utf-8")
    call_command("import_cdr", str(path), "--store", "S001", stdout=io.StringIO())
    assert _missed_promise(world.a.store, "9.1").state == PromiseState.KEPT


def test_the_upload_steps_keep_the_promise_across_steps(world, settings):
    """The upload page reads the file in steps: the missed call in one, its call-back in a later one."""
    filler = "".join(_outgoing(_at(9, 51) + timedelta(seconds=i), uid=f"10.f{i}", dst="01062345678") for i in range(4))
    data = (_missed(_at(9, 50), uid="10.1") + filler + _outgoing(_at(9, 58), uid="10.2")).encode()
    imp = cdr_upload(store=world.a.store, actor=world.a.manager, uploaded=SimpleUploadedFile("Master.csv", data))
    steps = 0
    while imp.is_running:
        imp = cdr_import_step(imp=imp, actor=world.a.manager, step_lines=2, chunk_size=64)
        steps += 1
    assert steps > 1 and imp.state == "done"
    assert _missed_promise(world.a.store, "10.1").state == PromiseState.KEPT


def test_the_upload_page_keeps_the_promise(client, world):
    client.force_login(world.a.manager)
    data = (_missed(_at(9, 50), uid="11.1") + _outgoing(_at(9, 58), uid="11.2")).encode()
    response = client.post(
        reverse("phone:cdr_import_start"),
        {"store": world.a.store.pk, "file": SimpleUploadedFile("Master.csv", data)},
    )
    assert response.status_code == 302
    client.post(response["Location"] + "step/", headers={"HX-Request": "true"})
    assert _missed_promise(world.a.store, "11.1").state == PromiseState.KEPT


def test_the_batch_api_keeps_the_promise(client, world):
    records = [
        {
            "calldate": "2026-11-30 09:50:00",
            "src": NUMBER,
            "dst": "8011",
            "clid": f'"李四" <{NUMBER}>',
            "duration": 20,
            "billsec": 0,
            "disposition": "NO ANSWER",
            "uniqueid": "12.1",
            "linkedid": "12.1",
            "dstchannel": "PJSIP/8011-00000001",
        },
        {
            "calldate": "2026-11-30 09:58:00",
            "src": "8011",
            "dst": NUMBER,
            "duration": 65,
            "billsec": 60,
            "disposition": "ANSWERED",
            "uniqueid": "12.2",
            "linkedid": "12.2",
            "channel": "PJSIP/8011-00000002",
            "dstchannel": "PJSIP/trunk-00000003",
        },
    ]
    token = api_token_create(user=world.a.manager)[1]
    response = client.post(
        "/api/v1/calls/records/batch",
        {"store": "S001", "records": records},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["promises_made"] == 1
    assert _missed_promise(world.a.store, "12.1").state == PromiseState.KEPT
    assert Call.objects.get(source_key="12.1").caller_name == "李四"


def test_the_caller_id_name_is_kept_for_incoming_calls_only(world):
    text = (
        _missed(_at(9, 50), uid="13.1", name="王 小明")
        + _missed(_at(9, 52), uid="13.2", src="13700002222", name="13700002222")
        + _outgoing(_at(9, 58), uid="13.3")
    )
    _import(world.a.store, world.a.manager, text)
    names = dict(Call.objects.filter(store=world.a.store).values_list("source_key", "caller_name"))
    assert names == {"13.1": "王 小明", "13.2": "", "13.3": ""}


def test_the_console_rule_is_unchanged_a_logged_call_back_keeps_the_promise(world):
    missed = call_log(actor=world.a.staff, store=world.a.store, number=NUMBER, outcome="missed")
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        call_log(
            actor=world.a.staff,
            store=world.a.store,
            number=NUMBER,
            direction="out",
            outcome="handled",
        )
    assert Promise.objects.get(subject_id=missed.pk, kind="missed_callback").state == PromiseState.KEPT
