"""Schema fuzzing: schemathesis generates requests for every operation of both OpenAPI
schemas (the REST API and the Open Trivia DB-compatible one) and sends them to a live
server; any 5xx, or a response whose body or content type breaks the schema, fails.

Teacher endpoints are fuzzed with a valid API token (so their bodies get past the auth).
The number of examples per operation is bounded so the whole file runs in well under a
minute; run it on PostgreSQL with ``DATABASE_URL=postgres://...`` as the rest of the suite.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from quiz.api import opentdb as api_opentdb
from quiz.api import rest as api_rest

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
FUZZ = settings(
    max_examples=15,
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


@rest.parametrize()
@FUZZ
def test_rest_api(case, live_server, bank, auth):
    case.call_and_validate(base_url=live_server.url, headers=auth, checks=CHECKS)


@opentdb.parametrize()
@FUZZ
def test_opentdb_api(case, live_server, bank, no_rate_limit):
    case.call_and_validate(base_url=live_server.url, checks=CHECKS)


def test_the_fuzzed_schemas_are_the_published_ones(client):
    for url, api in [("/api/v1/", api_rest.api), ("/opentdb/", api_opentdb.api)]:
        fuzzed = json.loads(json.dumps(api.get_openapi_schema(path_prefix=url.rstrip("/"))))
        assert client.get(url + "openapi.json").json() == fuzzed
