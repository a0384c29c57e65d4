import time

from django.core.exceptions import RequestDataTooBig
from django.utils import translation

SESSION_TOUCH_SECONDS = 300


def session_touched_at_sign_in(sender, request, user, **kwargs):
    """Signing in writes the session anyway: it counts as its first touch."""
    if request is not None and hasattr(request, "session"):
        request.session["_touched"] = int(time.time())


class SessionTouchMiddleware:
    """A signed-in person's session stays alive while they work (SESSION_COOKIE_AGE after their last page), but
    is written at most every five minutes, not on every request: saving the session on every page was one
    database write per page view, which a group's hundreds of people at once cannot afford (issue 10).
    The idle limit is therefore kept to within five minutes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get("_touched", 0) >= SESSION_TOUCH_SECONDS:
                session["_touched"] = now  # modified: SessionMiddleware saves it and renews the cookie
        return response


class UserLanguageMiddleware:
    """A signed-in person's own language choice wins over the browser's (English or Chinese)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        return response


class NullCharacterMiddleware:
    """Text with a NUL character is refused at the door, for every page and the API (issue 8, section 4).

    PostgreSQL cannot store NUL (0x00) in text, so a `?q=%00` or a JSON string with "\\u0000" would be a
    database error (500) wherever it reached a query. Django's form fields refuse NUL; query strings read
    directly, the API's JSON bodies and its form fields did not. Here, once, for all of them: the API
    answers 422 naming the field, a page answers 400 with the same message.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = self._field_with_nul(request)
        if field is not None:
            return self._refuse(request, field)
        return self.get_response(request)

    @staticmethod
    def _has_nul(value) -> bool:
        if isinstance(value, str):
            return "\x00" in value
        if isinstance(value, dict):
            return any(
                NullCharacterMiddleware._has_nul(k) or NullCharacterMiddleware._has_nul(v) for k, v in value.items()
            )
        if isinstance(value, list):
            return any(NullCharacterMiddleware._has_nul(v) for v in value)
        return False

    def _field_with_nul(self, request) -> str | None:
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key.replace("\x00", "")
        if not request.path.startswith("/api/") or request.method in ("GET", "HEAD", "OPTIONS"):
            return None  # pages read their bodies through forms, which refuse NUL themselves
        content_type = request.content_type or ""
        try:
            if content_type == "application/json":
                import json

                try:
                    data = json.loads(request.body or b"null")
                except ValueError:
                    return None  # not JSON: the API answers that itself
                if isinstance(data, dict):
                    for key, value in data.items():
                        if self._has_nul(key) or self._has_nul(value):
                            return key.replace("\x00", "")
                elif self._has_nul(data):
                    return ""
            elif content_type.startswith(("multipart/", "application/x-www-form-urlencoded")):
                # Read the body first (413 past the limit): the form is then parsed from memory and the
                # endpoint may still read the body itself; a body never read here stays unread.
                request.body  # noqa: B018
                for key, values in request.POST.lists():
                    if "\x00" in key or any("\x00" in v for v in values):
                        return key.replace("\x00", "")
        except RequestDataTooBig:
            return None  # too big: the API answers 413 when it reads the body
        return None

    @staticmethod
    def _refuse(request, field: str):
        from django.core.validators import ProhibitNullCharactersValidator
        from django.http import HttpResponseBadRequest, JsonResponse

        message = str(ProhibitNullCharactersValidator.message)
        if request.path.startswith("/api/"):
            body = {"detail": [{"field": field or None, "message": message, "code": "null_characters_not_allowed"}]}
            return JsonResponse(body, status=422, json_dumps_params={"ensure_ascii": False})
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy of settings.CONTENT_SECURITY_POLICY with every answer.

    Django 5.2 has none built in; this is the whole of it. Scripts come only from our own static files:
    no inline <script>, no onclick=, no hx-on and no htmx trigger filters (htmx runs those with eval).
    A view may set its own header, which is left alone.
    """

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
