"""The JSON API under /api/v1/ (django-ninja); each app adds its router here.

Authentication: ``Authorization: Bearer <token>`` (``manage.py create_api_token``) or the signed-in
browser session (core.api_auth). Every endpoint asks the store wall (org.access). Errors are JSON
in the caller's language: ``{"detail": "…"}``, or for bad input (422) one entry per problem naming
the field, ``{"detail": [{"field": …, "message": …, "code": …}]}``.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.renderers import JSONRenderer

from checks.api import router as checks_router
from complaints.api import router as complaints_router
from conduct.api.attendance import router as conduct_attendance_router
from core.api_auth import api_auth
from core.views import request_too_big_message
from customers.api import router as customers_router
from lounge.api.faults import router as lounge_faults_router
from lounge.api.requests import router as lounge_requests_router
from lounge.api.visits import router as lounge_visits_router
from org.api import router as org_router
from phone.api import router as phone_router
from phone.cdr.api import router as cdr_router


class Utf8JSONRenderer(JSONRenderer):
    """Chinese text as UTF-8 rather than \\u escapes: readable and shorter."""

    json_dumps_params = {"ensure_ascii": False}


ERROR_RESPONSES = {
    "400": ("Not JSON: the body could not be read.", "ValidationErrorOut"),
    "401": ("No valid token or session.", "ErrorOut"),
    "403": ("The caller's role lacks the right.", "ErrorOut"),
    "404": ("Not found, or not in the caller's stores.", "ErrorOut"),
    "413": ("The body is over the size limit.", "ErrorOut"),
    "422": ("Bad input: one entry per problem, naming the field.", "ValidationErrorOut"),
}


def document_errors(schema: dict) -> dict:
    """Every error an operation can answer, in its OpenAPI entry: the handlers below answer them for every
    endpoint (a token refused, a role short of the right, bad input…), so each operation documents them
    here, in one place, rather than in each of its `response=` lists."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            params = operation.get("parameters", [])
            has_body = "requestBody" in operation
            codes = ["401", "403"]
            if any(p.get("in") == "path" for p in params):
                codes.append("404")
            if params or has_body:
                codes.append("422")
            if has_body:
                codes += ["400", "413"]
            responses = operation.setdefault("responses", {})
            for code in codes:
                if code not in responses and int(code) not in responses:
                    description, component = ERROR_RESPONSES[code]
                    responses[int(code)] = {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
                    }
    return schema


class AftersalesAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return document_errors(super().get_openapi_schema(*args, **kwargs))


api = AftersalesAPI(
    title="aftersales API",
    version="1",
    description=(
        "The after-sales system's JSON API for integrations (phone systems, DMS).\n\n"
        "**Authentication:** `Authorization: Bearer <token>`; an administrator makes a token with "
        "`manage.py create_api_token <username>` (shown once, stored hashed, revocable with "
        "`manage.py revoke_api_token <prefix>`). The API acts as that person: their role decides what "
        "they may do, their stores what they may see. A signed-in browser may call the API too "
        "(writes need the CSRF token).\n\n"
        "**Errors** are JSON in the person's language (Chinese unless they chose English): "
        '`{"detail": "…"}`; bad input is 422 with one entry per problem naming the field, '
        '`{"detail": [{"field": "plate", "message": "…", "code": "…"}]}`.\n\n'
        "**Lists** are paged: `page`, `page_size` (at most 100); the answer gives `count` and `pages`."
    ),
    urls_namespace="api",
    docs_url="/docs",
    auth=api_auth,
    renderer=Utf8JSONRenderer(),
)
api.add_router("", org_router)
api.add_router("", customers_router)
api.add_router("", phone_router)
api.add_router("", cdr_router)
api.add_router("", complaints_router)
api.add_router("", lounge_visits_router)
api.add_router("", lounge_requests_router)
api.add_router("", lounge_faults_router)
api.add_router("", checks_router)
api.add_router("", conduct_attendance_router)


# --- Errors as JSON ------------------------------------------------------------------------------


def _service_error_items(exc: DjangoValidationError) -> list[dict]:
    """A service's ValidationError as one entry per message, naming the field where there is one."""
    items = []
    groups = exc.error_dict.items() if hasattr(exc, "error_dict") else [(None, exc.error_list)]
    for field, errors in groups:
        for error in errors:
            message = error.message
            if error.params:
                message = message % error.params
            items.append(
                {
                    "field": None if field in (None, NON_FIELD_ERRORS) else field,
                    "message": str(message),
                    "code": error.code or "invalid",
                }
            )
    return items


def service_validation_error(request, exc: DjangoValidationError):
    body = {"detail": _service_error_items(exc)}
    existing = getattr(exc, "existing", None)  # customers.services.DuplicateVehicle
    if existing is not None:
        body["existing"] = {
            "id": existing.pk,
            "owner_id": existing.owner_id,
            "url": reverse("api:vehicle_detail", kwargs={"vehicle_id": existing.pk}),
            "web_url": exc.existing_url,
        }
    return api.create_response(request, body, status=422)


def _schema_message(error: dict) -> str:
    """pydantic's English message replaced by Django's own, translated wording where one fits."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("This field is not known here; check its name.")
    if kind.startswith("int_"):
        return _("Enter a whole number.")
    if kind.startswith("date"):
        return _("Enter a valid date.")
    if kind in ("enum", "literal_error"):
        return _("Select a valid choice. That choice is not one of the available choices.")
    if kind == "less_than_equal":
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {"limit_value": ctx.get("le")}
    if kind == "greater_than_equal":
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {"limit_value": ctx.get("ge")}
    if kind == "string_too_long":
        return _("Ensure this text has at most %(limit)s characters.") % {"limit": ctx.get("max_length")}
    if kind == "too_long":
        return _("Send at most %(limit)s items.") % {"limit": ctx.get("max_length")}
    if kind == "json_invalid":
        return _("Enter a valid JSON.")
    return _("Enter a valid value.")


def schema_validation_error(request, exc: SchemaValidationError):
    """ninja's input validation (types, required fields) in the same shape as the services' errors."""
    items = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        # loc is (source, field…) for query and path parameters, (body, parameter, field…) for a body.
        parts = loc[2:] if loc[:1] == ["body"] else loc[1:]
        items.append({"field": ".".join(parts) or None, "message": _schema_message(error), "code": error.get("type")})
    return api.create_response(request, {"detail": items}, status=422)


def request_too_big(request, exc):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE: JSON 413 in the caller's language, like every other error."""
    return api.create_response(request, {"detail": request_too_big_message()}, status=413)


def not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found, or not in your stores.")}, status=404)


def permission_denied(request, exc):
    return api.create_response(request, {"detail": _("Your role does not allow this.")}, status=403)


def not_authenticated(request, exc: AuthenticationError):
    message = exc.message if exc.message != "Unauthorized" else _("Sign in, or send an API token.")
    response = api.create_response(request, {"detail": message}, status=exc.status_code)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def http_error(request, exc: HttpError):
    if exc.status_code == 400:  # ninja could not parse the body as JSON
        body = {"detail": [{"field": None, "message": _("Enter a valid JSON."), "code": "json_invalid"}]}
        return api.create_response(request, body, status=400)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


api.add_exception_handler(DjangoValidationError, service_validation_error)
api.add_exception_handler(SchemaValidationError, schema_validation_error)
api.add_exception_handler(RequestDataTooBig, request_too_big)
api.add_exception_handler(Http404, not_found)
api.add_exception_handler(PermissionDenied, permission_denied)
api.add_exception_handler(AuthenticationError, not_authenticated)
api.add_exception_handler(HttpError, http_error)
