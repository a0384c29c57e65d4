"""API tokens for integrations (phone systems, DMS): made, checked and revoked here.

A token is shown once, when it is made; the database keeps only its SHA-256 hash and its first
characters (to recognise it in lists). A request authenticates with ``Authorization: Bearer
<token>``, or with the browser's signed-in session (CSRF-checked on writes). Either way the API
acts as the token's person, with their role and stores, in their language.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from .audit import history_record
from .models import ApiToken, HistoryAction

TOKEN_PREFIX = "as_"  # recognisable in logs and by secret scanners
PREFIX_LENGTH = 8  # characters kept in clear, for display
LAST_USED_PRECISION = timedelta(minutes=1)  # at most one write per token per minute


def token_hash(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def api_token_create(*, user, name: str = "", actor=None) -> tuple[ApiToken, str]:
    """Make a token for the person; returns the record and the token, which is never shown again."""
    if not user.is_active:
        raise ValidationError({"user": [_("This account is deactivated; it cannot have API tokens.")]})
    plain = _new_token()
    token = ApiToken(user=user, name=(name or "").strip(), key_prefix=plain[:PREFIX_LENGTH], key_hash=token_hash(plain))
    token.full_clean()
    token.save()
    history_record(
        actor=actor,
        obj=token,
        action=HistoryAction.CREATE,
        after={"user": user.username, "name": token.name, "key_prefix": token.key_prefix},
    )
    return token, plain


@transaction.atomic
def api_token_revoke(
    *, token_id: int | None = None, prefix: str | None = None, token: str | None = None, actor=None
) -> ApiToken:
    """Revoke one active token, named by its id, its prefix or the whole token; it stops working at once."""
    qs = ApiToken.objects.select_for_update().filter(revoked_at__isnull=True)
    if token_id is not None:
        qs = qs.filter(pk=token_id)
    elif token:
        qs = qs.filter(key_hash=token_hash(token.strip()))
    elif prefix:
        qs = qs.filter(key_prefix=prefix.strip()[:PREFIX_LENGTH])
    else:
        raise ValidationError(_("Name the token to revoke by its id, its prefix or the token itself."))
    found = list(qs[:2])
    if not found:
        raise ValidationError(_("No active API token matches."))
    if len(found) > 1:
        raise ValidationError(_("Several active API tokens have this prefix; revoke by id or with the whole token."))
    record = found[0]
    record.revoked_at = timezone.now()
    record.save(update_fields=["revoked_at"])
    history_record(
        actor=actor,
        obj=record,
        action=HistoryAction.UPDATE,
        before={"revoked_at": ""},
        after={"revoked_at": record.revoked_at.isoformat()},
        note=_("API token revoked."),
    )
    return record


def api_token_user(token: str):
    """(person, token record) for an active token of an active person, else (None, None).

    Notes the use in last_used_at, at most once a minute, so a busy integration costs no write
    per request.
    """
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None, None
    record = ApiToken.objects.select_related("user").filter(key_hash=token_hash(token), revoked_at__isnull=True).first()
    if record is None or not record.user.is_active:
        return None, None
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        record.last_used_at = now
    return record.user, record


def _use_language(request, user) -> None:
    """Answer in the person's own language, as core.middleware does for web pages."""
    if user.language:
        translation.activate(user.language)
        request.LANGUAGE_CODE = translation.get_language()


class TokenAuth(HttpBearer):
    """``Authorization: Bearer as_…``: a token made by ``manage.py create_api_token``."""

    def authenticate(self, request, token):
        user, record = api_token_user(token.strip())
        if user is None:
            # A token was presented and is wrong, revoked or its person deactivated: stop here
            # rather than fall back to the session.
            raise AuthenticationError(message=_("The API token is not valid or has been revoked."))
        request.user = user
        request.api_token = record
        _use_language(request, user)
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; writes need the CSRF token, as on web pages."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("CSRF verification failed. Request aborted."))
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = request.user
        if key is None or not user.is_authenticated or not user.is_active:
            return None
        _use_language(request, user)
        return user


api_auth = [TokenAuth(), SessionAuth()]
