"""The AsyncAPI Initiative's own parser (@asyncapi/parser, pinned in tools/asyncapi/) accepts the committed
document, and refuses a broken one naming what is wrong. Needs node and npm, no broker; the first run
installs the parser from the lock (scripts/asyncapi-validator.sh)."""

import json
import subprocess
from pathlib import Path

from services.contracts.export import ASYNCAPI_FILE

VALIDATOR = Path(__file__).parents[2] / "scripts" / "asyncapi-validator.sh"
# A first run installs the parser (about 10 s from the registry).
TIMEOUT_S = 300


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VALIDATOR), str(path)], capture_output=True, text=True, timeout=TIMEOUT_S, check=False
    )


def test_the_parser_accepts_the_committed_document() -> None:
    result = validate(ASYNCAPI_FILE)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"valid AsyncAPI 3.0.0 {ASYNCAPI_FILE}" in result.stdout
    assert "error" not in result.stdout.split()


def test_the_parser_refuses_a_channel_naming_a_missing_message(tmp_path: Path) -> None:
    document = json.loads(ASYNCAPI_FILE.read_text(encoding="utf-8"))
    document["channels"]["events"]["messages"]["EventMessage"] = {"$ref": "#/components/messages/Missing"}
    broken = tmp_path / "asyncapi.json"
    broken.write_text(json.dumps(document), encoding="utf-8")

    result = validate(broken)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "error invalid-ref" in result.stdout
    assert "'#/components/messages/Missing' does not exist" in result.stdout
    assert f"INVALID {broken}" in result.stdout
