"""The OpenAPI document: checked in, served, and honoured by the live service (schemathesis)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from sp4n.service.openapi import openapi_text

from .conftest import Live

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_checked_in_document_matches_the_app() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == openapi_text(), (
        "docs/openapi.json is stale: python -m sp4n.service.openapi > docs/openapi.json"
    )


def test_the_live_service_serves_it(live: Live) -> None:
    status, _, served = live.server.request("GET", "/openapi.json")
    assert status == 200
    assert served["openapi"].startswith("3.1")
    assert served == json.loads(DOCUMENT.read_text(encoding="utf-8"))


def test_no_5xx_and_every_response_matches_the_schema(live: Live) -> None:
    """schemathesis against the live process, a few examples per operation (its pytest plugin
    does not run under this pytest, so each operation's strategy is driven here)."""
    schema = schemathesis.openapi.from_url(f"{live.server.base}/openapi.json")
    headers = live.headers("national", "nas-fuzz", "national_admin")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    covered = {(o.method.upper(), o.path) for o in operations}
    assert covered >= {
        ("GET", "/v1/complaints"),
        ("GET", "/v1/complaints/lookup"),
        ("POST", "/v1/imports"),
        ("GET", "/v1/feed/consumers"),
        ("POST", "/v1/feed/consumers/{name}/skip"),
        ("POST", "/v1/webhooks"),
        ("DELETE", "/v1/webhooks/{name}"),
        ("GET", "/open311/v2/servicerequestupdates.{fmt}"),
    }

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

        check()
    metrics = live.server.request("GET", "/metrics")[2]
    assert 'method="POST",route="/v1/complaints/{complaint_id}/{trigger}"' in metrics  # the calls were made
    assert 'method="GET",route="/v1/complaints"' in metrics
    assert 'method="POST",route="/v1/webhooks"' in metrics
