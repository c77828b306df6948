import json

from services.contracts.export import SCHEMA_DIR, schema_files


def test_the_committed_json_schemas_match_the_models() -> None:
    for file_name, text in schema_files().items():
        committed = SCHEMA_DIR / file_name
        assert committed.exists(), f"{file_name} missing: run `make contracts`"
        assert json.loads(committed.read_text(encoding="utf-8")) == json.loads(text), (
            f"{file_name} is stale: run `make contracts`"
        )
