"""Reading articles from files and folders, for `newswire feed` and the offline `newswire extract`.

* `.txt`: one article; fields ``{"text": <content>, "external_id": <file name>}``.
* `.json`: one JSON object, or an array of objects, each the fields of one article.
* `.jsonl` / `.ndjson`: one JSON object per line; blank lines are skipped.
* A folder is walked recursively, in sorted path order, for files with those suffixes; hidden files and
  folders (name starting with ".") are skipped. A file named explicitly must have one of the suffixes.

Files are read as UTF-8 (a leading byte-order mark is dropped). Records are yielded lazily, one file at
a time. A record that cannot be read raises `ArticleValidationError` whose `origin` says where:
``path`` for a .txt or a single-object .json, ``path[i]`` for the i-th (0-based) element of a JSON
array, ``path:n`` for line n (1-based) of a .jsonl. Field validation proper is `articles.py`'s job.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import orjson

from services.ingest.errors import ArticleValidationError

TEXT_SUFFIXES: Final = frozenset({".txt"})
JSON_SUFFIXES: Final = frozenset({".json"})
JSONL_SUFFIXES: Final = frozenset({".jsonl", ".ndjson"})
SUFFIXES: Final = TEXT_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES
_BOM: Final = "\ufeff"


@dataclass(frozen=True)
class InputRecord:
    """The raw fields of one article and where they were read (`path`, `path[i]` or `path:line`)."""

    origin: str
    fields: dict[str, object]


def iter_input_records(paths: Sequence[Path]) -> Iterator[InputRecord]:
    """Yield the records of every file in `paths` (files and folders), in order.

    Blocks on file I/O. Raises FileNotFoundError for a path that does not exist, and
    ArticleValidationError (with `origin`) for an unsupported file type, undecodable bytes, invalid
    JSON or a JSON value that is not an object.
    """
    for path in paths:
        for file in _expand(path):
            yield from _read_file(file)


def input_files(paths: Sequence[Path]) -> list[Path]:
    """The files `iter_input_records` would read, in the same order (for progress bars)."""
    return [file for path in paths for file in _expand(path)]


def _expand(path: Path) -> list[Path]:
    if path.is_dir():
        found = (
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.suffix.lower() in SUFFIXES
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        return sorted(found, key=lambda p: p.relative_to(path).as_posix())
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")
    if path.suffix.lower() not in SUFFIXES:
        raise ArticleValidationError(
            "path",
            f"unsupported file type {path.suffix or '(none)'!r}; expected .txt, .json or .jsonl",
            origin=str(path),
        )
    return [path]


def _read_file(path: Path) -> Iterator[InputRecord]:
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        yield InputRecord(
            str(path), {"text": _decode(path.read_bytes(), str(path)), "external_id": path.name}
        )
    elif suffix in JSON_SUFFIXES:
        yield from _read_json(path)
    else:
        yield from _read_jsonl(path)


def _read_json(path: Path) -> Iterator[InputRecord]:
    origin = str(path)
    value = _parse_json(_decode(path.read_bytes(), origin), origin)
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield InputRecord(f"{origin}[{index}]", _as_object(item, f"{origin}[{index}]"))
    else:
        yield InputRecord(origin, _as_object(value, origin))


def _read_jsonl(path: Path) -> Iterator[InputRecord]:
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            origin = f"{path}:{number}"
            line = _decode(raw, origin)
            if not line.strip():
                continue
            yield InputRecord(origin, _as_object(_parse_json(line, origin), origin))


def _decode(data: bytes, origin: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleValidationError("record", f"not valid UTF-8 (byte {exc.start})", origin=origin) from None
    return text.removeprefix(_BOM)


def _parse_json(text: str, origin: str) -> object:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ArticleValidationError("record", f"invalid JSON: {exc}", origin=origin) from None


def _as_object(value: object, origin: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise ArticleValidationError("record", "must be a JSON object", origin=origin)
    return value
