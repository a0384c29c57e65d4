"""Phone API: the incoming-call push, calls, transcripts, messages; errors and the store wall."""

import pytest

from org.choices import Role
from phone.models import Call, IncomingCall, Message
from phone.services.calls import call_log, missed_call_promise
from phone.services.messages import message_take
from promises.choices import PromiseState
from tests.api import api_caller
from tests.factories import make_customer, make_user

API = "/api/v1"


@pytest.fixture
def call(client):
    """call(user, method, path, body=None, **params) with a fresh API token of the user."""
    return api_caller(client)


@pytest.fixture
def pbx(world):
    """The phone system's integration account of store A."""
    return make_user("pbx-a", role=Role.STAFF, store=world.a.store, employee_no="PBX1", name="电话系统")


def fields(response):
    return {item["field"] for item in response.json()["detail"]}


def test_incoming_call_pops_up_for_the_extension(call, world, pbx):
    make_customer(world.a.store, name="王五", mobile="13700001234")
    response = call(pbx, "post", "/calls/incoming", {"number": "13700001234", "extension": "8011"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["user"]["id"] == world.a.staff.pk and body["customer"]["name"] == "王五"
    assert IncomingCall.objects.get().user == world.a.staff
    assert not Call.objects.exists()


def test_incoming_call_with_unknown_extension_or_foreign_store_is_refused(call, world, pbx):
    assert fields(call(pbx, "post", "/calls/incoming", {"number": "13700001234", "extension": "9999"})) == {"extension"}
    response = call(pbx, "post", "/calls/incoming", {"number": "13700001234", "extension": "8021", "store": "S002"})
    assert response.status_code == 422 and fields(response) == {"store"}


def test_auditor_cannot_push_or_log(call, world):
    assert call(world.a.auditor, "post", "/calls/incoming", {"number": "1", "extension": "8011"}).status_code == 403
    assert call(world.a.auditor, "post", "/calls", {"outcome": "handled"}).status_code == 403


def test_create_call_converts_rings_and_finds_the_customer(call, world):
    customer = make_customer(world.a.store, name="张三", mobile="13812345678")
    response = call(
        world.a.staff,
        "post",
        "/calls",
        {"number": "+86 138 1234 5678", "rings": 3, "purpose": "booking", "outcome": "handled"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["customer"]["id"] == customer.pk
    assert (body["rings"], body["ring_seconds"], body["answered_in_time"]) == (3, 10.0, True)


def test_create_call_with_bad_number_is_422_naming_number(call, world):
    response = call(world.a.staff, "post", "/calls", {"number": "12-ab-34", "outcome": "handled"})
    assert response.status_code == 422
    assert fields(response) == {"number"}
    assert response.json()["detail"][0]["code"] == "phone_digits"
    assert not Call.objects.exists()


def test_dropped_call_through_the_api_makes_a_desk_promise(call, world):
    response = call(world.a.staff, "post", "/calls", {"number": "13812345678", "outcome": "dropped"})
    promise = missed_call_promise(Call.objects.get(pk=response.json()["id"]))
    assert promise.state == PromiseState.OPEN and promise.rule_id == "S2.10"


def test_transcript_is_checked(call, world):
    created = call(world.a.staff, "post", "/calls", {"number": "13812345678", "outcome": "handled"}).json()
    response = call(
        world.a.staff,
        "post",
        f"/calls/{created['id']}/transcript",
        {"transcript": "客服:您好,测试一店客服部,我是客服1,请问有什么可以帮助您的?"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["script_score"] is not None
    assert any(item["key"] == "greeting" and item["passed"] for item in response.json()["script_items"])
    assert fields(call(world.a.staff, "post", f"/calls/{created['id']}/transcript", {})) == {"transcript"}


def test_call_list_and_detail_are_walled(call, world, django_assert_max_num_queries):
    mine = call_log(actor=world.a.staff, store=world.a.store, number="1", outcome="handled")
    theirs = call_log(actor=world.b.staff, store=world.b.store, number="2", outcome="handled")
    for _ in range(5):
        call_log(actor=world.a.staff, store=world.a.store, number="3", outcome="missed")
    call(world.a.manager, "get", "/calls")  # the token is made on the first call
    with django_assert_max_num_queries(6):
        listed = call(world.a.manager, "get", "/calls")
    ids = {c["id"] for c in listed.json()["items"]}
    assert mine.pk in ids and theirs.pk not in ids
    assert call(world.a.manager, "get", "/calls", missed="true").json()["count"] == 5
    assert call(world.a.manager, "get", f"/calls/{theirs.pk}").status_code == 404
    assert call(world.a.manager, "post", f"/calls/{theirs.pk}/transcript", {"transcript": "x"}).status_code == 404


def test_message_to_a_colleague_and_read(call, world):
    response = call(
        world.a.staff,
        "post",
        "/messages",
        {
            "for_user": world.a.supervisor.pk,
            "caller_name": "李先生",
            "caller_number": "13812345678",
            "text": "回电",
            "callback_wanted": True,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["promise_state"] == "open" and body["callback_due_at"]
    assert call(world.a.staff, "get", "/messages").json()["count"] == 0
    assert call(world.a.supervisor, "get", "/messages").json()["count"] == 1
    assert call(world.a.staff, "post", f"/messages/{body['id']}/read").status_code == 403
    read = call(world.a.supervisor, "post", f"/messages/{body['id']}/read")
    assert read.status_code == 200 and read.json()["read_at"]


def test_message_errors_name_the_fields(call, world):
    response = call(
        world.a.staff,
        "post",
        "/messages",
        {"for_user": world.b.staff.pk, "caller_name": "李先生", "text": "回电", "callback_wanted": True},
    )
    assert response.status_code == 422 and fields(response) == {"for_user"}
    response = call(
        world.a.staff,
        "post",
        "/messages",
        {"for_user": world.a.supervisor.pk, "caller_name": "李先生", "text": "回电", "callback_wanted": True},
    )
    assert fields(response) == {"caller_number"}
    assert not Message.objects.exists()


def test_another_stores_message_is_404(call, world):
    message = message_take(
        actor=world.b.staff, store=world.b.store, for_user=world.b.supervisor, caller_name="x", text="y"
    )
    assert call(world.a.manager, "post", f"/messages/{message.pk}/read").status_code == 404
