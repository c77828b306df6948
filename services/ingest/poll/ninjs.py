"""Our small reader of IPTC ninjs (News in JSON) 1.x and 2.x.

A ninjs feed here is a JSON array of ninjs items, an object whose `items` (or `data`) is such an array,
or one ninjs item alone. Each item is validated against `data/ninjs.schema.json` (the properties we
read, with the constraints the IPTC specifications give them); an item that breaks it is refused with
the schema's message and its place, and the other items are still read.

1.x: `headline`, `body_text` / `body_html`; 2.x: `headlines[]` and `bodies[]` (the first with role
`main`, else the first, is taken; a text/plain body is preferred to an HTML one).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import jsonschema_rs
import orjson

from services.contracts.models import utc
from services.ingest.errors import FeedUnreadable
from services.ingest.poll.items import FeedItem, RefusedItem, html_to_text, item_key

SCHEMA_PATH: Final = Path(__file__).parent / "data" / "ninjs.schema.json"


@dataclass(frozen=True, slots=True)
class NinjsReader:
    """Reads ninjs documents against the schema it was loaded with (`NinjsReader.load()`)."""

    validator: Any

    @classmethod
    def load(cls, path: Path = SCHEMA_PATH) -> NinjsReader:
        """Blocks (reads the schema file); raises OSError or ValueError for a missing or bad schema."""
        schema = json.loads(path.read_text(encoding="utf-8"))
        return cls(jsonschema_rs.validator_for(schema, validate_formats=True))

    def read(self, body: bytes) -> tuple[list[FeedItem], list[RefusedItem]]:
        """The items of a ninjs document, and those refused with their reason.
        Raises FeedUnreadable when the body is not JSON or holds no ninjs item list."""
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise FeedUnreadable(f"not JSON: {exc}") from None
        items: list[FeedItem] = []
        refused: list[RefusedItem] = []
        for index, raw in enumerate(_item_list(document)):
            errors = list(self.validator.iter_errors(raw))
            if errors:
                first = errors[0]
                where = "/".join(str(part) for part in first.instance_path) or "item"
                refused.append(RefusedItem(_raw_key(raw), f"ninjs item {index}: {where}: {first.message}"))
                continue
            assert isinstance(raw, dict)  # the schema requires an object
            items.append(_item(raw))
        return items, refused


def _item_list(document: object) -> Sequence[object]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for name in ("items", "data"):
            if isinstance(document.get(name), list):
                return document[name]  # type: ignore[no-any-return]
        if "uri" in document:
            return [document]
    raise FeedUnreadable("JSON, but neither a ninjs item nor a list of them (no `uri`, `items` or `data`)")


def _item(raw: Mapping[str, Any]) -> FeedItem:
    title = raw.get("headline") or _pick(raw.get("headlines"), prefer_plain=True)
    text = raw.get("body_text") or raw.get("body_html") or _pick(raw.get("bodies"), prefer_plain=True)
    uri = str(raw["uri"])
    return FeedItem(
        key=item_key(feed_id=uri, link=None, title=title, text=text),
        title=html_to_text(title) if title else None,
        link=uri if uri.startswith(("http://", "https://")) else None,
        published_at=_date(raw.get("versioncreated") or raw.get("firstcreated")),
        text=html_to_text(text) if text else None,
        summary=None,
        lang=raw.get("language"),
    )


def _pick(values: object, *, prefer_plain: bool) -> str | None:
    """The value of the main entry of a 2.x `headlines`/`bodies` list: role `main` first, then a
    text/plain one, then the first."""
    if not isinstance(values, list) or not values:
        return None

    def rank(entry: Mapping[str, Any]) -> tuple[bool, bool]:
        plain = str(entry.get("contenttype", "text/plain")).startswith("text/plain")
        return (entry.get("role") != "main", prefer_plain and not plain)

    best = min(values, key=rank)
    value = best.get("value")
    return value if isinstance(value, str) and value.strip() else None


def _date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return utc(datetime.fromisoformat(value))
    except ValueError:
        return None


def _raw_key(raw: object) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("uri"), str) and raw["uri"].strip():
        return item_key(feed_id=raw["uri"], link=None, title=None, text=None)
    return "sha256:" + hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()
