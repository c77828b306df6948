"""auth.py: which headers carry a key, and what is refused."""

import pytest
from pydantic import SecretStr

from services.ingest.auth import ApiKeyChecker, presented_key
from services.ingest.errors import Unauthorized

KEYS = [SecretStr("first-key-0123456789"), SecretStr("second-key-0123456789")]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"x-api-key": " k1 "}, "k1"),
        ({"authorization": "Bearer k2"}, "k2"),
        ({"authorization": "bearer k2"}, "k2"),
        ({"x-api-key": "k1", "authorization": "Bearer k2"}, "k1"),
        ({"authorization": "Basic dXNlcjpwYXNz"}, None),
        ({"authorization": "Bearer "}, None),
        ({}, None),
    ],
)
def test_presented_key(headers: dict[str, str], expected: str | None) -> None:
    assert presented_key(headers) == expected


def test_any_configured_key_is_accepted() -> None:
    checker = ApiKeyChecker(KEYS)
    checker.check({"x-api-key": "first-key-0123456789"})
    checker.check({"authorization": "Bearer second-key-0123456789"})


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing API key"),
        ({"x-api-key": "first-key-012345678"}, "invalid API key"),
        ({"x-api-key": "first-key-01234567890"}, "invalid API key"),
        ({"x-api-key": "clé-inconnue"}, "invalid API key"),
    ],
)
def test_refusals_say_why(headers: dict[str, str], reason: str) -> None:
    with pytest.raises(Unauthorized) as caught:
        ApiKeyChecker(KEYS).check(headers)
    assert caught.value.reason.startswith(reason)
    assert caught.value.http_status == 401


def test_a_checker_without_keys_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="at least one key"):
        ApiKeyChecker([])
