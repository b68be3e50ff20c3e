"""Schema fuzzing: schemathesis generates requests for every operation of both OpenAPI
schemas (the REST API and the Open Trivia DB-compatible one) and sends them to the
project's WSGI application (the whole middleware stack, the real database); any 5xx, or a
response whose body or content type breaks the schema, fails.

In process rather than through a live server: each operation's examples then run in one
transaction that is rolled back, instead of a table flush per operation (seconds each on
PostgreSQL). The Open Trivia DB client tests use a live server.

Teacher endpoints are fuzzed with a valid API token (so their bodies get past the auth).
The number of examples per operation is bounded so the whole file runs in well under a
minute; run it on PostgreSQL with ``DATABASE_URL=postgres://...`` as the rest of the suite.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from config.wsgi import application
from quiz.api import opentdb as api_opentdb
from quiz.api import rest as api_rest

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


# The schemas as the servers publish them at /api/v1/openapi.json and /opentdb/openapi.json.
rest = schemathesis.openapi.from_dict(api_rest.api.get_openapi_schema(path_prefix="/api/v1"))
opentdb = schemathesis.openapi.from_dict(api_opentdb.api.get_openapi_schema(path_prefix="/opentdb"))
rest.app = opentdb.app = application


@pytest.fixture
def in_process(db):
    """Keep the test's connection (and its transaction) across requests, as Django's test
    client does: the request signals would otherwise close it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@rest.parametrize()
@FUZZ
def test_rest_api(case, in_process, bank, auth):
    case.call_and_validate(headers=auth, checks=CHECKS)


@opentdb.parametrize()
@FUZZ
def test_opentdb_api(case, in_process, bank, no_rate_limit):
    case.call_and_validate(checks=CHECKS)


def test_the_fuzzed_schemas_are_the_published_ones(client):
    for url, api in [("/api/v1/", api_rest.api), ("/opentdb/", api_opentdb.api)]:
        fuzzed = json.loads(json.dumps(api.get_openapi_schema(path_prefix=url.rstrip("/"))))
        assert client.get(url + "openapi.json").json() == fuzzed


def _operations():
    for prefix, api in [("/api/v1", api_rest.api), ("/opentdb", api_opentdb.api)]:
        schema = api.get_openapi_schema(path_prefix=prefix)
        for path, methods in schema["paths"].items():
            for method, operation in methods.items():
                if method == "get":
                    yield path, operation.get("parameters", [])


@pytest.mark.parametrize("value", ["%00", "a%00b", "%ED%A0%80", "9" * 40, "x" * 5000, "-1", "1e309"])
def test_no_query_parameter_value_causes_a_server_error(client, bank, auth, no_rate_limit, value):
    """Values random generation rarely hits, in every parameter of every GET (as sent on the
    wire): NUL characters (PostgreSQL refuses them in text), bytes that are not UTF-8, huge
    numbers, long strings."""
    for path, parameters in _operations():
        url = (
            path.replace("{slug}", "north-korea-russia")
            .replace("{question_id}", "1")
            .replace("{class_id}", "1")
        )
        for parameter in parameters:
            if parameter["in"] != "query":
                continue
            # The other parameters valid, so the odd value gets past the first check.
            others = {"amount": "1", "command": "reset"} if url.startswith("/opentdb") else {}
            query = "&".join(f"{k}={v}" for k, v in others.items() if k != parameter["name"])
            response = client.get(f"{url}?{query}&{parameter['name']}={value}", headers=auth)
            assert response.status_code < 500, (url, parameter["name"], value, response.status_code)
        if "{slug}" in path:
            response = client.get(path.replace("{slug}", value[:100]), headers=auth)
            assert response.status_code < 500, (path, value)
