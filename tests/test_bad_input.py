"""Bad input never reaches a 500 (issue 8, section 4): ids too big for the database, ids that are not
ASCII digits ("²" passes str.isdigit()), and bodies over the size limit — on every web page and the API."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from core.api_auth import api_token_create
from core.validators import MAX_ID, parse_id
from tests.api import api_caller

BIG = "99999999999999999999"  # above 2^64: an OverflowError in the database driver if it got there
JUST_OVER = str(MAX_ID + 1)


@pytest.fixture(autouse=True)
def _clock():
    """A fixed Wednesday morning in Beijing: nothing here depends on the day or the hour it runs."""
    with time_machine.travel(datetime(2026, 6, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


BAD_IDS = (BIG, JUST_OVER, "²", "١٢", "0", "-1", "1e3", " 12 ", "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), (" 12 ", 12), (12, 12), (str(MAX_ID), MAX_ID), (BIG, None), (JUST_OVER, None), ("²", None),
     ("١٢", None), ("0", None), ("-1", None), ("1e3", None), ("", None), (None, None), (True, None), (0, None)],
)  # fmt: skip
def test_parse_id_accepts_only_ascii_digits_within_the_id_range(value, expected):
    assert parse_id(value) == expected


def _web_patterns(resolver=None, prefix=""):
    """(route, int parameter names) of every web page (the API and the admin are tested elsewhere)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(("api/", "admin/")):
            continue
        if isinstance(entry, URLResolver):
            yield from _web_patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _fill(route: str, value: str) -> str:
    path = re.sub(r"<int:\w+>", value, route)
    path = re.sub(r"<(?:str|slug):\w+>", "mobile", path)
    return "/" + path.lstrip("^").rstrip("$")


@pytest.fixture
def raw_client():
    """A client that answers like the server does: a crash is a 500 response, not an exception in the test."""
    return Client(raise_request_exception=False)


def _web_routes():
    return sorted(set(_web_patterns()))


def test_every_web_page_with_an_id_too_big_or_not_an_id_is_never_a_500(world, raw_client):
    """Every `<int:…>` of every web URL given an id above 2^63, for the group admin and for a store's staff."""
    routes = [r for r in _web_routes() if "<int:" in r]
    assert len(routes) > 30
    for user in (world.admin, world.a.staff):
        raw_client.force_login(user)
        for route in routes:
            for value in (BIG, JUST_OVER):
                path = _fill(route, value)
                for method in ("get", "post"):
                    response = getattr(raw_client, method)(path)
                    assert response.status_code < 500, (method, path, response.status_code)


FILTERS = ("store", "area", "department", "person", "staff", "facility", "call", "result", "owner", "drink",
           "incoming", "seat", "visit", "customer", "vehicle", "round", "template", "page")  # fmt: skip


FORM_IDS = ("recipient", "for_user", "for_department", "departments", "staff_involved", "answered_by", "owner",
            "assignee", "action_owner", "facility", "pick", "incoming", "drink", "seat", "template", "area")  # fmt: skip


def test_every_web_page_given_bad_ids_in_its_query_is_never_a_500(world, raw_client):
    """`?store=²`, `?area=<2^64>`, … on every page without a path id: a clear answer (a 404 or the filter
    refused), never a 500."""
    routes = [r for r in _web_routes() if "<" not in r]
    for user in (world.admin, world.a.manager):
        raw_client.force_login(user)
        for route in routes:
            path = _fill(route, "")
            for value in (BIG, "²", "a\x00b"):
                response = raw_client.get(path, dict.fromkeys((*FILTERS, "q", "number"), value))
                assert response.status_code < 500, (path, value, response.status_code)
            for value in (BIG, "²"):  # the same names as form fields
                response = raw_client.post(path, dict.fromkeys((*FILTERS, *FORM_IDS), value))
                assert response.status_code < 500, ("post", path, value, response.status_code)


def test_store_for_page_takes_only_an_id_behind_the_wall(world):
    from django.http import Http404

    from org.access import store_for_page

    assert store_for_page(world.admin, str(world.b.store.pk)) == world.b.store
    assert store_for_page(world.a.staff) == world.a.store
    for ref in (*BAD_IDS[:-1], str(world.b.store.pk)):
        with pytest.raises(Http404):
            store_for_page(world.a.staff, ref)


# --- The API ---------------------------------------------------------------------------------------


@pytest.fixture
def api(raw_client):
    """call(user, method, path, body=None, **params) with a fresh API token of the user."""
    return api_caller(raw_client)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"/calls?person={BIG}", "person"),
        (f"/calls/{BIG}", "call_id"),
        (f"/vehicles?owner={BIG}", "owner"),
        (f"/complaints?department={BIG}", "department"),
        (f"/complaints/{JUST_OVER}", "complaint_id"),
        (f"/checks/rounds?area={BIG}", "area"),
        (f"/lounge/faults?facility={BIG}", "facility"),
        ("/customers/0", "customer_id"),
    ],
)
def test_api_ids_out_of_range_are_a_422_naming_the_field(world, api, path, field):
    response = api(world.a.manager, "get", path)
    assert response.status_code == 422, response.content
    assert [item["field"] for item in response.json()["detail"]] == [field]
    assert "9223372036854775807" in response.json()["detail"][0]["message"] or field == "customer_id"


def test_api_body_ids_out_of_range_and_odd_store_names_are_a_422(world, api):
    from complaints.models import Complaint

    body = {"outcome": "handled", "answered_by": int(BIG)}
    response = api(world.a.staff, "post", "/calls", body)
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "answered_by"
    for store in ("²", int(BIG), "S001" * 10):
        response = api(world.a.staff, "post", "/calls", {"outcome": "handled", "store": store})
        assert response.status_code == 422, response.content
        assert [item["field"] for item in response.json()["detail"]] == ["store"]
    assert not Complaint.objects.exists()


def test_api_complaint_verification_departments_out_of_range_is_a_422(world, api):
    from complaints.tests.wall import log_complaint

    complaint = log_complaint(world.a)
    response = api(world.a.supervisor, "post", f"/complaints/{complaint.pk}/verifications", {"departments": [int(BIG)]})
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["field"] == "departments"
    assert not complaint.verifications.exists()


# --- A body over the size limit ----------------------------------------------------------------------


def test_api_body_over_the_size_limit_is_a_json_413_in_the_callers_language(world, api, settings):
    from customers.models import Customer

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = {"name": "张三", "notes": "很" * 400_000}  # 1.2 MB in UTF-8
    response = api(world.a.staff, "post", "/customers", body)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "发送的内容过大：一次最多 1 MB。请少发一些，或换一个较小的文件。"}
    assert not Customer.objects.exists()
    # also where the API reads the body itself (call records as JSON)
    response = api(world.a.manager, "post", "/calls/records/batch", {"records": [{"src": "1" * 2_000_000}]})
    assert response.status_code == 413 and "1 MB" in response.json()["detail"]


def test_web_form_over_the_size_limit_is_a_clear_413_page(world, raw_client, settings):
    from urllib.parse import urlencode

    from customers.models import Customer

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    raw_client.force_login(world.a.staff)
    data = urlencode({"name": "张三", "mobile": "13812345678", "notes": "很" * 400_000})
    response = raw_client.post("/customers/new/", data, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    page = response.content.decode()
    assert "发送的内容过大" in page and "未保存任何内容" in page and 'data-testid="request-too-big"' in page
    assert not Customer.objects.exists()


# --- Text limits: the same in the API and on the web -------------------------------------------------


def _unlimited_strings(schema, components, where, seen, found):
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        if name not in seen:
            seen.add(name)
            _unlimited_strings(components[name], components, f"{where}>{name}", seen, found)
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            _unlimited_strings(sub, components, where, seen, found)
    limited = {"maxLength", "enum", "pattern", "const"} & set(schema) or schema.get("format") in (
        "date",
        "date-time",
        "binary",  # an uploaded photo: its size is checked (PHOTO_MAX_BYTES), not its length as text
    )
    if schema.get("type") == "string" and not limited:
        found.append(where)
    if schema.get("type") == "array":
        if "maxItems" not in schema:
            found.append(f"{where}[] (no maxItems)")
        _unlimited_strings(schema.get("items", {}), components, f"{where}[]", seen, found)
    for name, sub in schema.get("properties", {}).items():
        _unlimited_strings(sub, components, f"{where}.{name}", seen, found)


def test_every_text_the_api_takes_has_a_length_limit(client, world):
    """Every string of every request body, query and path parameter in the OpenAPI document has a maxLength."""
    doc = client.get("/api/v1/openapi.json").json()
    components = doc["components"]["schemas"]
    found, inputs = [], 0
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            for parameter in op.get("parameters", []):
                inputs += 1
                _unlimited_strings(
                    parameter["schema"], components, f"{method} {path} ?{parameter['name']}", set(), found
                )
            for content in op.get("requestBody", {}).get("content", {}).values():
                inputs += 1
                _unlimited_strings(content["schema"], components, f"{method} {path} body", set(), found)
    assert inputs > 50
    assert not found, found


@pytest.mark.parametrize(
    ("schema", "field", "form", "form_field"),
    [
        ("phone.api.CallIn", "notes", "phone.forms.CallForm", "notes"),
        ("phone.api.CallIn", "transcript", "phone.forms.CallForm", "transcript"),
        ("phone.api.MessageIn", "text", "phone.forms.MessageForm", "text"),
        ("customers.api.CustomerIn", "notes", "customers.forms.customers.CustomerForm", "notes"),
        ("complaints.api.ComplaintIn", "course", "complaints.forms.ComplaintForm", "course"),
        ("complaints.api.ComplaintReplyIn", "reply_text", "complaints.forms.ReplyForm", "reply_text"),
    ],
)
def test_api_and_web_form_share_one_limit(schema, field, form, form_field):
    from django.utils.module_loading import import_string

    api_limit = next(
        m.max_length for m in import_string(schema).model_fields[field].metadata if hasattr(m, "max_length")
    )
    assert api_limit == import_string(form).base_fields[form_field].max_length
    assert 200 <= api_limit <= 20000


def test_a_megabyte_of_notes_or_message_text_is_refused_by_api_and_web_alike(world, api, raw_client):
    from phone.models import Call, Message

    mb = "很" * 1_000_000
    for path, body, field in (
        ("/calls", {"outcome": "handled", "notes": mb}, "notes"),
        ("/messages", {"for_user": world.a.supervisor.pk, "caller_name": "李", "text": mb}, "text"),
        ("/customers", {"name": "张三", "notes": mb}, "notes"),
    ):
        response = api(world.a.staff, "post", path, body)
        assert response.status_code == 422, response.content
        (item,) = response.json()["detail"]
        assert item["field"] == field and item["code"] == "string_too_long"
        assert item["message"] == "请确保此文字最多 2000 个字符。"
    call = Call.objects.create(store=world.a.store, number="+8613812345678", started_at="2026-06-10T10:00+08:00")
    response = api(world.a.staff, "post", f"/calls/{call.pk}/transcript", {"transcript": "很" * 20_001})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "transcript"
    raw_client.force_login(world.a.staff)
    from django.urls import reverse

    response = raw_client.post(
        reverse("phone:message_create"),
        {"recipient": f"u{world.a.supervisor.pk}", "caller_name": "李", "text": "很" * 2001},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and 'data-field="text"' in response.content.decode()
    assert not Message.objects.exists() and not Call.objects.exclude(pk=call.pk).exists()
    call.refresh_from_db()
    assert call.transcript == ""


# --- NUL characters (PostgreSQL cannot store them in text) --------------------------------------------


def test_nul_characters_are_refused_naming_the_field_never_a_database_error(world, api, raw_client):
    from django.core.validators import ProhibitNullCharactersValidator
    from django.utils.translation import override

    from customers.models import Customer

    response = api(world.a.staff, "get", "/customers", q="张\x00")
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    assert item["field"] == "q" and item["code"] == "null_characters_not_allowed"
    with override("zh-hans"):
        assert item["message"] == str(ProhibitNullCharactersValidator.message) == "不允许是用空字符串。"
    for body, field in (({"name": "张\x00三"}, "name"), ({"name": "张三", "notes": ["a", {"x": "\x00"}]}, "notes")):
        response = api(world.a.staff, "post", "/customers", body)
        assert response.status_code == 422 and response.json()["detail"][0]["field"] == field
    assert not Customer.objects.exists()
    # a multipart form sent to the API (the call records upload)
    token = api_token_create(user=world.a.manager)[1]
    response = raw_client.post(
        "/api/v1/calls/records/batch", {"store": "S0\x0001"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "store"
    raw_client.force_login(world.a.staff)
    response = raw_client.get("/customers/", {"q": "\x00"})
    assert response.status_code == 400 and response.content.decode()


def test_web_complaint_verification_with_departments_out_of_range_is_refused_clearly(world, raw_client):
    from django.urls import reverse

    from complaints.tests.wall import log_complaint

    complaint = log_complaint(world.a)
    raw_client.force_login(world.a.supervisor)
    for value in (BIG, "²"):
        response = raw_client.post(
            reverse("complaints:complaint_verify", args=[complaint.pk]),
            {"departments": [value], "question": "核实"},
            HTTP_HX_REQUEST="true",
        )
        # the form shown again, its error on the field (400, as every refused stage form), nothing saved
        assert response.status_code == 400, response.status_code
        assert response.context["verify_form"].errors["departments"][0] == f"“{value}”不是一个有效的值"
        assert not complaint.verifications.exists()


def test_staff_form_with_store_ids_out_of_range_is_refused_clearly(world, raw_client):
    from django.urls import reverse

    raw_client.force_login(world.admin)
    for value in (BIG, "²"):
        response = raw_client.post(
            reverse("org:staff_edit", args=[world.a.manager.pk]),
            {"username": "manager1", "name": "经理1", "role": "store_manager", "store": world.a.store.pk,
             "extra_stores": [value], "supervised_departments": [value]},
        )  # fmt: skip
        assert response.status_code in (200, 400), response.status_code
        assert response.context["form"].errors["extra_stores"][0] == f"“{value}”不是一个有效的值"
    assert not world.a.manager.extra_stores.exists()
