"""API tokens: made by a command, stored hashed, revocable, refused once revoked or deactivated."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.api_auth import api_token_create, api_token_revoke
from core.models import ApiToken, HistoryEntry

ME = "/api/v1/me"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def make_token(username, *extra):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", username, *extra, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_create_command_prints_a_token_that_works(client, world):
    token, warning = make_token("staff1", "--name", "phone system")
    assert token.startswith("as_") and len(token) > 40
    assert "Bearer" in warning  # how to send it, and that it is shown once
    response = client.get(ME, headers=bearer(token))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "staff1"
    assert body["role"] == "staff"
    assert [s["code"] for s in body["stores"]] == ["S001"]
    assert body["token"] == {"key_prefix": token[:8], "name": "phone system"}


def test_only_the_hash_of_the_token_is_stored(world):
    record, token = api_token_create(user=world.a.staff, name="DMS")
    stored = ApiToken.objects.get(pk=record.pk)
    assert stored.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.key_prefix == token[:8]
    row = ApiToken.objects.filter(pk=record.pk).values().get()
    assert token not in {str(value) for value in row.values()}
    assert HistoryEntry.objects.filter(object_id=record.pk, action="create").exists()


def test_create_command_refuses_an_unknown_account(world):
    with pytest.raises(CommandError):
        make_token("nobody")


def test_revoked_token_is_refused(client, world):
    token, _ = make_token("staff1")
    assert client.get(ME, headers=bearer(token)).status_code == 200
    out = StringIO()
    call_command("revoke_api_token", token[:8], stdout=out)
    assert "staff1" in out.getvalue()
    response = client.get(ME, headers=bearer(token))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "detail" in response.json()
    with pytest.raises(CommandError):  # already revoked
        call_command("revoke_api_token", token[:8], stdout=StringIO())


def test_revoke_by_whole_token_or_id(world):
    first, token = api_token_create(user=world.a.staff)
    second, _ = api_token_create(user=world.a.staff)
    assert api_token_revoke(token=token).pk == first.pk
    assert api_token_revoke(token_id=second.pk).revoked_at is not None


def test_token_of_a_deactivated_person_is_refused(client, world):
    token, _ = make_token("staff1")
    world.a.staff.is_active = False
    world.a.staff.save()
    assert client.get(ME, headers=bearer(token)).status_code == 401


def test_wrong_or_missing_token_is_refused(client, world):
    token, _ = make_token("staff1")
    assert client.get(ME, headers=bearer(token[:-1] + ("x" if token[-1] != "x" else "y"))).status_code == 401
    assert client.get(ME, headers=bearer("not-a-token")).status_code == 401
    assert client.get(ME).status_code == 401
    # a wrong token on a write is a 401 too, not a CSRF refusal
    assert (
        client.post("/api/v1/customers", {}, content_type="application/json", headers=bearer("as_x")).status_code == 401
    )


def test_last_used_is_written_at_most_once_a_minute(client, world):
    record, token = api_token_create(user=world.a.staff)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.get(ME, headers=bearer(token))
        record.refresh_from_db()
        first = record.last_used_at
        assert first is not None
        traveller.shift(timedelta(seconds=30))
        client.get(ME, headers=bearer(token))
        record.refresh_from_db()
        assert record.last_used_at == first
        traveller.shift(timedelta(seconds=31))
        client.get(ME, headers=bearer(token))
        record.refresh_from_db()
        assert record.last_used_at > first


def test_list_command_shows_prefixes_not_tokens(world):
    _, token = api_token_create(user=world.a.staff, name="phone")
    api_token_create(user=world.b.staff, name="dms")
    out = StringIO()
    call_command("list_api_tokens", "staff1", stdout=out)
    text = out.getvalue()
    assert token[:8] in text and token not in text
    assert "staff2" not in text


def test_signed_in_browser_may_call_the_api_and_needs_csrf_to_write(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.a.staff)
    assert browser.get(ME).json()["token"] is None
    response = browser.post("/api/v1/customers", {"name": "李四"}, content_type="application/json")
    assert response.status_code == 403
    # an API token needs no CSRF token
    _, token = api_token_create(user=world.a.staff)
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/customers", {"name": "李四"}, content_type="application/json", headers=bearer(token)
    )
    assert response.status_code == 201


def test_answers_come_in_the_persons_language(client, world):
    _, token = api_token_create(user=world.a.staff)
    response = client.post("/api/v1/vehicles", {}, content_type="application/json", headers=bearer(token))
    assert response.status_code == 422
    with translation.override("zh-hans"):
        assert response.json()["detail"][0]["message"] == gettext("This field is required.")
    world.a.staff.language = "en"
    world.a.staff.save()
    response = client.post("/api/v1/vehicles", {}, content_type="application/json", headers=bearer(token))
    assert response.json()["detail"][0]["message"] == "This field is required."
