"""ingest's served OpenAPI, exercised by schemathesis against the real stack: every answer is one the
document describes, no 5xx but a documented 503, and every article answered 202 reaches Postgres."""

import time
from typing import Any

import psycopg
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bench.stack import Stack
from services.contracts.models import DeadLetter

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

CASES = 300


@pytest.fixture(scope="module")
def accepted() -> list[str]:
    """The article ids ingest answered 202 for, across the generated cases."""
    return []


CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def check_answer(case: schemathesis.Case[Any], stack: Stack, accepted: list[str]) -> None:
    response = case.call(base_url=stack.ingest_url, timeout=30)

    assert response.status_code < 500 or response.status_code == 503, response.text
    case.validate_response(response, checks=CHECKS)
    if case.path == "/v1/articles" and response.status_code == 202:
        accepted.extend(response.json()["article_ids"])


def test_every_answer_is_documented_and_none_is_an_undocumented_server_error(
    stack: Stack, accepted: list[str]
) -> None:
    # Driven through hypothesis directly: schemathesis' pytest plugin does not run under pytest 9.
    schema = schemathesis.openapi.from_url(f"{stack.ingest_url}/openapi.json")
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results), "every operation of the document can be read"
    assert {(o.method.upper(), o.path) for o in operations} >= {("POST", "/v1/articles"), ("GET", "/readyz")}
    for operation in operations:
        examples = CASES if operation.path == "/v1/articles" else 5

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
        )
        def answers(case: schemathesis.Case[Any]) -> None:
            check_answer(case, stack, accepted)

        answers()


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

    letters: list[DeadLetter] = stack.dead_letters()
    assert [(letter.stage, letter.reason) for letter in letters] == []
    assert wanted - stored == set()
