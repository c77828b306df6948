"""`newswire contracts export [DIR] [--asyncapi FILE]`: write one JSON Schema per contract (the files in
contracts/schemas/) and the AsyncAPI document of the topics (contracts/asyncapi.json)."""

import argparse
import json
from pathlib import Path

from services.contracts.asyncapi import asyncapi_text
from services.contracts.models import CONTRACTS

SCHEMA_DIR = Path(__file__).parent / "schemas"
ASYNCAPI_FILE = Path(__file__).parent / "asyncapi.json"


def schema_files() -> dict[str, str]:
    """File name -> JSON Schema text, for every contract."""
    files = {}
    for name, model in CONTRACTS.items():
        file_name = name.replace("newswire.", "").replace("/", ".v") + ".schema.json"
        schema = {"$id": name, **model.model_json_schema()}
        files[file_name] = json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newswire contracts")
    sub = parser.add_subparsers(dest="action", required=True)
    export = sub.add_parser("export")
    export.add_argument("directory", nargs="?", type=Path, default=SCHEMA_DIR)
    export.add_argument(
        "--asyncapi", type=Path, default=ASYNCAPI_FILE, help="where the AsyncAPI document goes"
    )
    args = parser.parse_args(argv)
    args.directory.mkdir(parents=True, exist_ok=True)
    for file_name, text in schema_files().items():
        (args.directory / file_name).write_text(text, encoding="utf-8")
        print(args.directory / file_name)
    args.asyncapi.parent.mkdir(parents=True, exist_ok=True)
    args.asyncapi.write_text(asyncapi_text(), encoding="utf-8")
    print(args.asyncapi)
    return 0
