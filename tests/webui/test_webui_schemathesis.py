"""Schemathesis against /api/openapi.json: no server errors, no response off the schema.

POST /api/releases is left out: it writes to the index, and the session index
is shared; tests/webui/test_webui_api.py covers it with real requests.  The cases come
from ``as_strategy`` under a plain ``@given`` (schemathesis' pytest fixture
loader relies on pytest internals that pytest 9 no longer has).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

#: What is checked: no 5xx, documented status codes, content types, headers and
#: bodies.  Not checked: whether the server accepts exactly the inputs the
#: parameter schemas describe -- it is deliberately lenient (blank values from
#: GET forms are ignored, values are trimmed and lowercased) and some rules span
#: parameters (from <= to, page x per_page within the result window).
EXCLUDED_CHECKS = [positive_data_acceptance, negative_data_rejection]

#: Operations with parameters get hostile (negative) input too.
OPERATIONS = [
    ("/api/search", GenerationMode.POSITIVE),
    ("/api/search", GenerationMode.NEGATIVE),
    ("/api/releases/{release_id}", GenerationMode.POSITIVE),
    ("/api/releases/{release_id}", GenerationMode.NEGATIVE),
    ("/api/stats", GenerationMode.POSITIVE),
    ("/healthz", GenerationMode.POSITIVE),
    ("/api/openapi.json", GenerationMode.POSITIVE),
    ("/api/export", GenerationMode.POSITIVE),
    ("/api/export", GenerationMode.NEGATIVE),
    ("/api/timeline", GenerationMode.POSITIVE),
    ("/api/timeline", GenerationMode.NEGATIVE),
    ("/api/releases/{release_id}/citation", GenerationMode.POSITIVE),
    ("/api/releases/{release_id}/citation", GenerationMode.NEGATIVE),
    ("/api/admin/zero-results", GenerationMode.POSITIVE),
    ("/api/admin/zero-results", GenerationMode.NEGATIVE),
    ("/api/countries/{code}", GenerationMode.POSITIVE),
    ("/api/organisations/{org_id}", GenerationMode.POSITIVE),
    ("/api/people/{person_id}", GenerationMode.NEGATIVE),
]


@pytest.fixture(scope="module")
def api_schema(app):
    # DELETE too: tests/webui/test_webui_delete.py runs it against an index of its own.
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app).exclude(
        method=["POST", "DELETE"])


@pytest.mark.parametrize(("path", "mode"), OPERATIONS, ids=lambda v: getattr(v, "value", v))
def test_api_conforms_to_its_openapi_document(api_schema, path, mode):
    operation = api_schema.include(path=path)
    calls = []

    @settings(
        max_examples=20,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=operation.as_strategy(mode))
    def check(case) -> None:
        response = case.call_and_validate(excluded_checks=EXCLUDED_CHECKS)
        calls.append(response.status_code)

    check()
    assert calls, "schemathesis generated no requests"
    assert all(status < 500 for status in calls)
