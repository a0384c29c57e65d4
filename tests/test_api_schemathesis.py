"""The API against its own OpenAPI document, with generated input (issue 8, section 4; schemathesis).

Every operation of /api/v1/openapi.json gets generated requests — valid ones and deliberately broken
ones — as a store manager with an API token: no answer may be a server error, and every status code
and body must be one the document promises. Fixed seed (derandomize) and a bounded number of examples
per operation, so the run is the same every time and takes about a minute.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import schemathesis
import time_machine
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.api_auth import api_token_create

EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def api_schema(db, settings):
    """The document as the running app serves it, called through WSGI inside the test's transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from aftersales.wsgi import application

    settings.ALLOWED_HOSTS = ["*"]
    # As Django's test client does: a request must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def token(world):
    """A store manager of store A: the role with the most rights inside one store."""
    from tests.factories import make_customer

    make_customer(world.a.store, name="张三", mobile="13812345678", actor=world.a.staff)
    return api_token_create(user=world.a.manager)[1]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_no_server_error_and_only_documented_status_codes(case, token):
    with time_machine.travel(datetime(2026, 6, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
        )
