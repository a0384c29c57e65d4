"""Shapes and helpers every app's API router shares: errors, store references, paging, PATCH input."""

from collections.abc import Callable
from typing import Annotated

import pydantic
from ninja import Field, Schema
from ninja.errors import HttpError, ValidationErrorContext
from ninja.params.models import Body, BodyModel

from core.pagination import CappedPaginator
from core.validators import MAX_ID

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100

# A record's id wherever the API takes one (path, query, body): a bigger number or one below 1 is a
# 422 naming the field, never a database error. Every `int` id of every router uses this one type.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _store_key(value):
    """An id sent as a number is read as text: store_from_ref tells an id from a code (with parse_id)."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


# A store named by the caller: its code (S001) or its id; one field, one error message.
StoreKey = Annotated[
    str,
    pydantic.BeforeValidator(_store_key),
    Field(max_length=20),
    pydantic.WithJsonSchema(
        {"anyOf": [{"type": "string", "maxLength": 20}, {"type": "integer", "minimum": 1, "maximum": MAX_ID}]}
    ),
]

ERRORS_TEXT = """

**Errors** (JSON, in the caller's language): 401 without a valid token or session; 403 when the
caller's role lacks the right (an auditor writing); 404 for a record outside the caller's stores;
422 for bad input, `{"detail": [{"field": "plate", "message": "…", "code": "…"}]}`, one entry per
problem, `field` null for a problem with the whole request."""


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    field: str | None = Field(description="The input field at fault; null for the request as a whole.")
    message: str = Field(description="What is wrong and how to put it right, in the caller's language.")
    code: str = Field(description="A stable code, for example `vin_check_digit`, `duplicate`, `missing`.")


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


# The answers a write endpoint may give besides its success: refused (403), not behind the wall (404), invalid (422).
WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class RevealedPhoneOut(Schema):
    field: str = Field(description="Which number of the record: `mobile`, `landline`, `number`, `contact_phone`…")
    number: str = Field(
        description="The number in full: E.164 (+8613812345678), or digits as the phone system gave them."
    )
    formatted: str = Field(description="The number as people write it, 138 1234 5678.")


REVEAL_TEXT = """

**Phone numbers (PIPL):** every answer of this API shows phone numbers masked (138****5678). A number in
full is an explicit request (`POST …/reveal…`), allowed to the roles that may see numbers (staff,
supervisors, managers, group administrators; not auditors: 403), and **each is written to the
personal-data log** (who, when, which record), as the *show* button on the web does."""


def revealed_phone(field: str, number: str) -> dict:
    """A number in full in the RevealedPhoneOut shape (the reveal was logged by the service)."""
    from core.validators import format_phone

    return {"field": field, "number": number, "formatted": format_phone(number) if number.startswith("+") else number}


class StoreRef(Schema):
    id: int
    code: str
    name: str


class PersonRef(Schema):
    id: int
    name: str


class PageQuery(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Records per page, at most 100.")
    store: str = Field("", max_length=10, description="Only this store, by its code (for example S001).")


class PageOut(Schema):
    count: int = Field(description="Records matching, on all pages, counted up to 10,000; `more` says there are more.")
    more: bool = Field(
        False, description="More records match than `count` says (over 10,000): narrow the list with a filter."
    )
    page: int
    page_size: int
    pages: int


def page_of(qs, query: PageQuery, out: Callable[..., dict] | None = None) -> dict:
    """One page of a queryset in the PageOut shape, with its items (each shaped by `out`, when given).

    The count stops at core.pagination.COUNT_CAP (a group's millions of calls cannot be counted on every
    request); pages beyond it are empty, like pages beyond the last."""
    pages = CappedPaginator(qs, query.page_size)
    size = query.page_size
    start = (query.page - 1) * size
    items = list(qs[start : start + size]) if start < pages.count else []
    return {
        "count": pages.count,
        "more": pages.capped,
        "page": query.page,
        "page_size": size,
        "pages": pages.num_pages,
        "items": [out(item) for item in items] if out is not None else items,
    }


def form_limit(form_class, name: str) -> int:
    """The max_length of a web form's field: the API takes the same text as the web page, no more."""
    return form_class.base_fields[name].max_length


def store_ref(store) -> dict:
    return {"id": store.pk, "code": store.code, "name": store.name}


def person_ref(user) -> dict | None:
    """A person in the PersonRef shape; None stays None."""
    return {"id": user.pk, "name": user.name or user.username} if user else None


def one_of_store(model, pk, store, field: str):
    """The record of `model` with that id in the store, None for no id; another store's or none is a 422 on `field`."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if pk is None:
        return None
    found = model.objects.filter(pk=pk, store=store).first()
    if found is None:
        raise ValidationError({field: [ValidationError(_("Not found in the store."), code="invalid")]})
    return found


def patch_data(payload: Schema, *, text: set[str], nullable: set[str] = frozenset()) -> dict:
    """The fields a PATCH sent: null clears a text (to "") or a nullable field, else means unchanged.

    The body is optional in the signature so that the store wall (404) is asked before an empty
    body could be refused; an empty body changes nothing.
    """
    data = payload.dict(exclude_unset=True)
    for key, value in list(data.items()):
        if value is None:
            if key in text:
                data[key] = ""
            elif key not in nullable:
                del data[key]
    return data


# ---------------------------------------------------------------------------------------------
# A typed body whose errors wait until the endpoint has asked the store wall


class _BodyAfterWallModel(BodyModel):
    @classmethod
    def get_request_data(cls, request, api, path_params):
        # An empty body is an empty object: each required field it lacks is named.
        data = super().get_request_data(request, api, path_params)
        if data is None:
            varname = getattr(cls, "__read_from_single_attr__", None)
            data = {varname: {}} if varname else {}
        return data

    @classmethod
    def resolve(cls, request, api, path_params):
        try:
            return super().resolve(request, api, path_params)
        except HttpError as exc:  # not JSON: 400, as for every endpoint
            request.body_error = exc
        except pydantic.ValidationError as exc:  # 422 naming each field, as for every endpoint
            context = ValidationErrorContext(pydantic_validation_error=exc, model=cls)
            request.body_error = api.validation_error_from_error_contexts([context])
        return dict.fromkeys(cls.model_fields)


class BodyAfterWall(Body):
    """A typed JSON body, in the OpenAPI document like any other, whose errors wait for the store wall.

    ninja reads and validates a body before the endpoint runs, so a bad body sent to another store's
    record would be a 400 or 422 where the wall promises a 404 whatever is sent. With this marker
    the endpoint asks the wall first, then ``after_wall`` raises the body's error, unchanged.

    Why it subclasses ninja's internals (``ninja.params.models.Body`` and ``BodyModel``, their
    ``_model``, ``_param_source``, ``get_request_data`` and ``resolve``, and ``ValidationErrorContext``),
    checked against django-ninja 1.7.1: its public API has no per-parameter way to defer a body.
    - ``Body(...)`` / ``BodyEx[...]`` only describe a parameter; a pydantic validator put in their
      ``Annotated`` metadata would catch a field's error, but not the two errors ninja raises outside
      the field: a body that is not JSON (``HttpError(400)`` from the parser, before pydantic) and an
      empty body (the whole parameter missing). Both must be a 404 for another store's record.
    - A custom ``ninja.parser.Parser`` is public but set once for the whole API: it cannot turn a parse
      error into a deferred one for these endpoints and keep the 400 of every other endpoint.
    - Reading ``request.body`` in the endpoint with the body documented by ``openapi_extra`` (as
      lounge.api.faults does for its multipart uploads) is public, but drops the typed
      ``payload: X = BodyAfterWall(...)`` parameter and ninja's own 422 shape, so every endpoint would
      rebuild both. A new ninja version is taken only once the tests that send a bad body to
      another store's record pass (lounge/tests/test_api_visits.py, complaints/tests/test_api.py).
    """

    _model = _BodyAfterWallModel

    @classmethod
    def _param_source(cls) -> str:
        return "body"


def after_wall(request, payload):
    """The payload, or the error its body gave (see BodyAfterWall); call it once the wall has let the caller in."""
    error = getattr(request, "body_error", None)
    if error is not None:
        raise error
    return payload
