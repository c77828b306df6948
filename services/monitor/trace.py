"""`newswire trace ARTICLE_ID`: one article's path through every hop, from the services' JSON logs
(services.common.logs): when ingest published it, extract enriched it and store wrote it, with the topic,
partition and offset of each step, and any dead letter with its reason."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DEFAULT_LOGS = Path.home() / ".cache" / "newswire" / "state" / "dev" / "services" / "logs"
Line = dict[str, Any]


def steps(lines: Iterable[str], article_id: str) -> list[Line]:
    """The JSON log lines about `article_id`, oldest first (lines that are not JSON objects are skipped)."""
    found: list[Line] = []
    for text in lines:
        if not text.startswith("{"):
            continue
        try:
            line = json.loads(text)
        except ValueError:
            continue
        if isinstance(line, dict) and line.get("article_id") == article_id:
            found.append(line)
    return sorted(found, key=lambda line: str(line.get("time", "")))


def describe(line: Line) -> str:
    where = f"{line.get('topic')}[{line.get('partition')}]@{line.get('offset')}" if "topic" in line else ""
    reason = f" (reason {line['reason']})" if "reason" in line else ""
    stage = line.get("stage", line.get("service", "?"))
    return f"{line.get('time', '?'):<33} {stage:<8} {where:<40} {line.get('message', '')}{reason}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newswire trace", description=__doc__.split("\n\n")[0])
    parser.add_argument("article_id")
    parser.add_argument(
        "--logs",
        type=Path,
        action="append",
        help=f"a log file or a folder of *.log files (default {DEFAULT_LOGS})",
    )
    args = parser.parse_args(argv)
    files: list[Path] = []
    for place in args.logs or [DEFAULT_LOGS]:
        files.extend(sorted(place.glob("*.log")) if place.is_dir() else [place])
    lines = (
        text for path in files for text in path.read_text(encoding="utf-8", errors="replace").splitlines()
    )
    found = steps(lines, args.article_id)
    if not found:
        print(
            f"no log line names article {args.article_id} in {', '.join(map(str, files)) or 'no files'}",
            file=sys.stderr,
        )
        return 1
    for line in found:
        print(describe(line))
    return 0
