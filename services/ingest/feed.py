"""`newswire feed PATH...`: post .txt/.json/.jsonl files and folders to the ingest API as NDJSON batches.

Batches hold at most `--batch` articles and `--max-batch-bytes` bytes. A 503 or a connection error is
retried with exponential backoff (at most `--retries` times per batch); any other error stops the feed
with the server's reason, the first rejected article's file named when the server names its index.
Exit status: 0 when every article was accepted, 1 when a batch was refused or could not be delivered
or a file could not be read, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx
import orjson
from tqdm import tqdm

from services.ingest.errors import ArticleValidationError
from services.ingest.files import InputRecord, iter_input_records

NDJSON: Final = "application/x-ndjson"
_ARTICLE_INDEX: Final = re.compile(r"articles\[(\d+)\]")


class FeedError(Exception):
    """A batch the server refused, or could not take after every retry; the message says why."""


@dataclass(frozen=True)
class Batch:
    records: list[InputRecord]
    body: bytes


def batches(
    records: Iterable[InputRecord], *, max_articles: int, max_bytes: int, source: str | None
) -> Iterator[Batch]:
    """Group records into NDJSON bodies; `source` fills in records that have none."""
    pending: list[InputRecord] = []
    lines: list[bytes] = []
    size = 0
    for record in records:
        fields = (
            record.fields
            if source is None or "source" in record.fields
            else {**record.fields, "source": source}
        )
        line = orjson.dumps(fields) + b"\n"
        if pending and (len(pending) >= max_articles or size + len(line) > max_bytes):
            yield Batch(pending, b"".join(lines))
            pending, lines, size = [], [], 0
        pending.append(record)
        lines.append(line)
        size += len(line)
    if pending:
        yield Batch(pending, b"".join(lines))


class FeedClient:
    """Posts batches; `sleep` is injected so retries can be tested without waiting."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        api_key: str | None,
        retries: int,
        backoff_s: float = 0.5,
        max_backoff_s: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._headers = {"Content-Type": NDJSON, **({"X-API-Key": api_key} if api_key else {})}
        self._retries = retries
        self._backoff_s = backoff_s
        self._max_backoff_s = max_backoff_s
        self._sleep = sleep

    def post(self, batch: Batch) -> int:
        """The number of articles the server accepted. Blocks; raises FeedError."""
        delay = self._backoff_s
        for attempt in range(self._retries + 1):
            try:
                response = self._client.post("/v1/articles", content=batch.body, headers=self._headers)
            except httpx.TransportError as exc:
                problem = f"cannot reach the ingest API: {exc}"
            else:
                if response.status_code == 202:
                    return int(response.json()["accepted"])
                if response.status_code != 503:
                    raise FeedError(_refusal(response, batch))
                problem = f"HTTP 503: {_reason(response)}"
            if attempt < self._retries:
                self._sleep(delay)
                delay = min(delay * 2, self._max_backoff_s)
        raise FeedError(f"gave up after {self._retries + 1} attempts; last error: {problem}")


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:500]
    if isinstance(body, dict):
        field = f"{body['field']}: " if body.get("field") else ""
        return f"{field}{body.get('reason', body)}"
    return str(body)[:500]


def _refusal(response: httpx.Response, batch: Batch) -> str:
    reason = _reason(response)
    match = _ARTICLE_INDEX.search(reason)
    if match and int(match[1]) < len(batch.records):
        where = batch.records[int(match[1])].origin
    else:
        where = f"the batch starting at {batch.records[0].origin}"
    return f"HTTP {response.status_code} for {where}: {reason}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newswire feed",
        description="Post .txt/.json/.jsonl files and folders to the ingest API as NDJSON batches.",
    )
    parser.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help=".txt/.json/.jsonl files or folders"
    )
    parser.add_argument("--url", default="http://127.0.0.1:8080", help="ingest API base URL")
    parser.add_argument("--api-key", default=None, help="sent as X-API-Key")
    parser.add_argument("--batch", type=int, default=100, help="articles per request (default 100)")
    parser.add_argument("--max-batch-bytes", type=int, default=8 * 1024 * 1024, help="bytes per request")
    parser.add_argument("--source", default=None, help="source of articles that do not name one")
    parser.add_argument(
        "--retries", type=int, default=5, help="retries of a batch after 503 or no connection"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.batch < 1 or args.retries < 0 or args.max_batch_bytes < 1:
        print("newswire feed: --batch and --max-batch-bytes must be >= 1, --retries >= 0", file=sys.stderr)
        return 2
    accepted = 0
    with (
        httpx.Client(base_url=args.url, timeout=args.timeout) as http,
        tqdm(unit="article", disable=args.quiet, desc="accepted") as progress,
    ):
        feeder = FeedClient(http, api_key=args.api_key, retries=args.retries)
        try:
            records = iter_input_records(args.paths)
            for batch in batches(
                records, max_articles=args.batch, max_bytes=args.max_batch_bytes, source=args.source
            ):
                count = feeder.post(batch)
                accepted += count
                progress.update(count)
        except (FeedError, ArticleValidationError, FileNotFoundError) as exc:
            progress.close()
            print(
                f"newswire feed: {exc}\nnewswire feed: {accepted} articles accepted before this",
                file=sys.stderr,
            )
            return 1
    print(f"{accepted} articles accepted")
    return 0
