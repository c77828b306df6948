"""ingest's served OpenAPI, exercised by schemathesis against the real stack: every answer is one the
document describes, no 5xx but a documented 503, and every article answered 202 reaches Postgres."""

import time
from typing import Any

import psycopg
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bench.stack import Stack
from services.contracts.models import DeadLetter
from tests.integration.test_pipeline import dead_letters_for_topic

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

CASES = 300


@pytest.fixture(scope="module")
def accepted() -> list[str]:
    """The article ids ingest answered 202 for, across the generated cases."""
    return []


@pytest.fixture
def served(stack: Stack) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{stack.ingest_url}/openapi.json")


schema = schemathesis.pytest.from_fixture("served")


@schema.parametrize()
@settings(max_examples=CASES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_answer_is_documented_and_none_is_an_undocumented_server_error(
    case: schemathesis.Case[Any], stack: Stack, accepted: list[str]
) -> None:
    response = case.call(base_url=stack.ingest_url, timeout=30)

    assert response.status_code < 500 or response.status_code == 503, response.text
    case.validate_response(
        response,
        checks=[
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ],
    )
    if case.path == "/v1/articles" and response.status_code == 202:
        accepted.extend(response.json()["article_ids"])


def test_every_article_answered_202_reaches_postgres_and_none_is_dead_lettered(
    stack: Stack, accepted: list[str]
) -> None:
    wanted = set(accepted)
    assert wanted, "the generated cases had no accepted article"
    deadline = time.monotonic() + 180
    stored: set[str] = set()
    while time.monotonic() < deadline and stored != wanted:
        with psycopg.connect(stack.database_url) as conn:
            rows = conn.execute("SELECT article_id FROM articles WHERE article_id = ANY(%s)", [list(wanted)])
            stored = {row[0] for row in rows}
        time.sleep(1)

    letters: list[DeadLetter] = dead_letters_for_topic(stack)
    assert [(letter.stage, letter.reason) for letter in letters] == []
    assert wanted - stored == set()
