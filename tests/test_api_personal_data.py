"""Personal data in the API (issue 8, section 3; PIPL): every phone number in every answer is masked, for
every role; a number in full is an explicit request, refused to auditors and written to the personal-data log.

The walk takes the GET operations from the OpenAPI document itself, so a new endpoint is walked too.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.validators import national_digits
from customers.models import PersonalDataLog
from tests.api import api_caller

API = "/api/v1"
ROLES = ("staff", "supervisor", "manager", "auditor", "admin")


@pytest.fixture(autouse=True)
def _clock():
    """A fixed Wednesday morning in Beijing: nothing here depends on the day or the hour it runs."""
    with time_machine.travel(datetime(2026, 6, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def _person(world, role):
    return world.admin if role == "admin" else getattr(world.b, role)


@pytest.fixture
def api(client):
    """call(user, method, path, body=None, **params) with a fresh API token of the user."""
    return api_caller(client)


@pytest.fixture
def seeded(world):
    """Store B with a record of every kind that holds or points to a phone number; path ids by parameter name."""
    from checks.tests import wall as checks_wall
    from complaints.tests import wall as complaints_wall
    from lounge.tests import wall as lounge_wall
    from phone.services.calls import call_log
    from phone.services.messages import message_take
    from phone.tests import wall as phone_wall
    from tests.factories import make_customer, make_vehicle

    b = world.b
    customer = make_customer(b.store, name="乙店王五", mobile="13611112222", landline="010 6543 2109", actor=b.staff)
    vehicle = make_vehicle(customer, plate="津B12345", actor=b.staff)
    ids = {"customer_id": customer.pk, "vehicle_id": vehicle.pk}
    for module in (phone_wall, complaints_wall, lounge_wall, checks_wall):
        ids |= {key: value for key, value in module.records(world).items() if key.endswith("_id")}
    # a customer's call, an unknown caller's, a message with a number of its own
    call_log(actor=b.staff, store=b.store, number="13611112222", outcome="handled")
    call_log(actor=b.staff, store=b.store, number="0755 8888 7777", outcome="handled")
    message_take(
        actor=b.staff,
        store=b.store,
        for_user=b.staff,
        caller_name="李先生",
        caller_number="13733334444",
        text="请回电",
    )
    return ids


def _numbers() -> set[str]:
    """Every phone number the database holds, in each form it could leak in: E.164, national digits, shown."""
    from complaints.models import Complaint
    from customers.models import Customer
    from phone.models import Call, IncomingCall, Message

    raw = set()
    for model, fields in (
        (Customer, ("mobile", "landline")),
        (Call, ("number",)),
        (Message, ("caller_number",)),
        (Complaint, ("contact_phone",)),
        (IncomingCall, ("number",)),
    ):
        for row in model.objects.values_list(*fields):
            raw |= {value for value in row if value and len(value) > 6}
    forms = set()
    for number in raw:
        forms.add(number)
        if number.startswith("+"):
            digits = national_digits(number)
            forms |= {digits, digits[-8:]}  # the last eight digits are never all shown by a mask
    return forms


def _get_operations():
    from aftersales.api import api

    doc = api.get_openapi_schema(path_prefix=API + "/")
    return sorted(path for path, ops in doc["paths"].items() if "get" in ops)


def _leaks(text: str, numbers: set[str]) -> set[str]:
    compact = re.sub(r"[\s\-]", "", text)
    return {number for number in numbers if number in compact}


@pytest.mark.parametrize("role", ROLES)
def test_no_get_answer_holds_a_phone_number_in_full_for_any_role(world, api, seeded, role):
    numbers = _numbers()
    assert len(numbers) >= 8, numbers  # the walk below has something to find
    user = _person(world, role)
    walked = 0
    for path in _get_operations():
        names = re.findall(r"{(\w+)}", path)
        if any(name not in seeded for name in names):
            continue
        url = re.sub(r"{(\w+)}", lambda m: str(seeded[m.group(1)]), path)[len(API) :]
        response = api(user, "get", url, page_size=100)
        if response.status_code != 200 or not response["Content-Type"].startswith("application/json"):
            continue  # a photo, or a record the role may not read
        walked += 1
        assert not _leaks(response.content.decode(), numbers), (role, url)
    assert walked >= 20
    assert not PersonalDataLog.objects.exists(), "reading is never a reveal"


def test_write_answers_show_numbers_masked(world, api, seeded):
    b = world.b
    answers = [
        api(b.staff, "post", "/calls/incoming", {"number": "13655556666", "extension": b.staff.extension}),
        api(b.staff, "post", "/calls", {"number": "13655556666", "outcome": "handled"}),
        api(b.staff, "post", "/messages", {"for_user": b.supervisor.pk, "caller_name": "赵", "caller_number": "13655556666", "text": "回电"}),
        api(b.staff, "post", "/customers", {"name": "赵六", "mobile": "13655556666"}),
        api(b.staff, "patch", f"/customers/{seeded['customer_id']}", {"notes": "老客户"}),
    ]  # fmt: skip
    for response in answers:
        assert response.status_code in (200, 201), response.content
        text = response.content.decode()
        assert "13655556666" not in text and "13611112222" not in text, text
        assert "136****6666" in text or "136****2222" in text


@pytest.mark.parametrize(
    ("path", "field", "number"),
    [
        ("/customers/{customer_id}/reveal-phone/mobile", "mobile", "+8613611112222"),
        ("/customers/{customer_id}/reveal-phone/landline", "landline", "+861065432109"),
        ("/calls/{call_id}/reveal-number", "number", "+8613987654321"),
        ("/complaints/{complaint_id}/reveal-phone", "contact_phone", "+8613987654321"),
        ("/messages/{message_id}/reveal-number", "caller_number", "+8613987654321"),
    ],
)
def test_reveal_is_explicit_logged_and_refused_to_auditors_and_other_stores(world, api, seeded, path, field, number):
    url = path.format(**seeded)
    # the message is for store B's supervisor: its recipient may see the caller's number
    who = world.b.supervisor if "messages" in path else world.b.staff
    response = api(who, "post", url)
    assert response.status_code == 200, response.content
    assert response.json()["field"] == field and response.json()["number"] == number
    log = PersonalDataLog.objects.get()
    assert (log.actor, log.action, log.store_id) == (who, "reveal", world.b.store.pk)
    assert api(world.b.auditor, "post", url).status_code == 403
    assert api(world.a.staff, "post", url).status_code == 404
    assert api(world.a.manager, "post", url).status_code == 404
    assert PersonalDataLog.objects.count() == 1, "a refused reveal is not logged"


def test_a_message_number_is_revealed_only_to_its_recipients(world, api, seeded):
    """S2.3: the message is for store B's supervisor; a colleague who is not a recipient may not see the number."""
    assert api(world.b.staff, "post", f"/messages/{seeded['message_id']}/reveal-number").status_code == 403
    assert api(world.b.manager, "post", f"/messages/{seeded['message_id']}/reveal-number").status_code == 200


def test_a_call_without_a_number_has_nothing_to_reveal(world, api):
    from phone.services.calls import call_log

    call = call_log(actor=world.b.staff, store=world.b.store, number="", outcome="handled")
    response = api(world.b.staff, "post", f"/calls/{call.pk}/reveal-number")
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "number"
    assert not PersonalDataLog.objects.exists()
