"""`newswire extract`: the extraction without Kafka, over files, for scoring and trying the NLP.

    newswire extract FILES... [--output OUT.jsonl] [--source NAME] [--model NAME] [--processes N]

FILES are .txt/.json/.jsonl files or folders, read by ingest's own reader (`ingest.files`) and turned
into RawArticles by ingest's own validation (`ingest.articles`), so an article gets the same id,
normalised text and title here as through the HTTP API. No FILES, or `-`, reads JSONL from stdin.
Each article then takes the worker's code path (analyse -> `enrich.enrich`) and is written as one
EnrichedArticle JSON line to OUT (`-` or no --output: stdout), in input order.

A record that cannot be read or validated, or an article the NLP fails on, is reported on stderr with
where it came from; the others are still written. Exit status: 0 when every record was written,
1 when any failed, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Final

import orjson

from services.contracts.models import RawArticle
from services.extract.consumer.pool import NlpPool
from services.extract.enrich import enrich
from services.extract.errors import ExtractError
from services.extract.nlp.results import AnalysisFailure
from services.extract.settings import ExtractSettings
from services.ingest.articles import raw_article_from_fields
from services.ingest.errors import ArticleValidationError
from services.ingest.files import InputRecord, input_files, iter_input_records
from services.ingest.settings import IngestSettings

STDIN: Final = "-"
DEFAULT_SOURCE: Final = str(IngestSettings.model_fields["default_source"].default)


@dataclass(frozen=True)
class _Problem:
    """A record that could not be read; reported in input order with the records around it."""

    origin: str
    reason: str


def _parser(settings: ExtractSettings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newswire extract", description="Extract entities and PLOVER events from files, without Kafka."
    )
    parser.add_argument("files", nargs="*", help=".txt/.json/.jsonl files or folders; '-' or none: stdin")
    parser.add_argument("-o", "--output", default=STDIN, help="output JSONL file ('-': stdout)")
    parser.add_argument("--source", default=DEFAULT_SOURCE, help="source of articles that name none")
    parser.add_argument("--model", default=settings.spacy_model, help="spaCy pipeline package")
    parser.add_argument(
        "--processes", type=int, default=settings.nlp_processes, help="NLP processes (<= 1: in-process)"
    )
    parser.add_argument("--batch", type=int, default=settings.batch_max, help="articles per NLP batch")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (see the module docstring)."""
    settings = ExtractSettings()
    args = _parser(settings).parse_args(argv)
    if args.processes < 0 or args.batch < 1:
        print("newswire extract: --processes must be >= 0 and --batch >= 1", file=sys.stderr)
        return 2
    ingested_at = datetime.now(UTC)
    failures = 0
    with ExitStack() as stack:
        out: IO[bytes] = (
            sys.stdout.buffer if args.output == STDIN else stack.enter_context(Path(args.output).open("wb"))
        )
        pool = stack.enter_context(NlpPool(args.model, args.processes, settings.nlp_batch_size))
        for batch in _batches(_records(args.files), args.batch):
            articles: list[tuple[str, RawArticle]] = []
            for item in batch:
                if isinstance(item, _Problem):
                    failures += _report(item.origin, item.reason)
                    continue
                try:
                    raw = raw_article_from_fields(
                        item.fields, default_source=args.source, ingested_at=ingested_at
                    )
                except ArticleValidationError as exc:
                    failures += _report(item.origin, f"{exc.field}: {exc.reason}")
                    continue
                articles.append((item.origin, raw))
            outcomes = pool.analyse_sync([raw.text for _, raw in articles])
            for (origin, raw), outcome in zip(articles, outcomes, strict=True):
                if isinstance(outcome, AnalysisFailure):
                    failures += _report(origin, f"analysis failed: {outcome.reason}")
                    continue
                try:
                    enriched = enrich(raw, outcome)
                except ExtractError as exc:
                    failures += _report(origin, exc.reason)
                    continue
                out.write(enriched.model_dump_json().encode("utf-8") + b"\n")
            out.flush()
    return 1 if failures else 0


def _report(origin: str, reason: str) -> int:
    print(f"newswire extract: {origin}: {reason}", file=sys.stderr)
    return 1


def _records(files: Sequence[str]) -> Iterator[InputRecord | _Problem]:
    """Every record of every input, in order; unreadable inputs become `_Problem`s (a broken line of
    a .jsonl file ends that file, as ingest's reader stops there)."""
    for name in files or [STDIN]:
        if name == STDIN:
            yield from _stdin_records()
            continue
        try:
            found = input_files([Path(name)])
        except (FileNotFoundError, ArticleValidationError) as exc:
            yield _Problem(name, str(exc))
            continue
        for file in found:
            try:
                yield from iter_input_records([file])
            except ArticleValidationError as exc:
                yield _Problem(exc.origin or str(file), f"{exc.reason} (rest of the file skipped)")
            except OSError as exc:
                yield _Problem(str(file), str(exc))


def _stdin_records() -> Iterator[InputRecord | _Problem]:
    for number, line in enumerate(sys.stdin.buffer, start=1):
        origin = f"<stdin>:{number}"
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield _Problem(origin, f"invalid JSON: {exc}")
            continue
        if isinstance(value, dict):
            yield InputRecord(origin, value)
        else:
            yield _Problem(origin, "must be a JSON object")


def _batches(items: Iterator[InputRecord | _Problem], size: int) -> Iterator[list[InputRecord | _Problem]]:
    batch: list[InputRecord | _Problem] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
