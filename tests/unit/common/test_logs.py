"""Logs are JSON lines that name the article they are about, and `newswire trace` reads them back in order."""

from __future__ import annotations

import io
import json
import logging

from services.common.logs import article_log, json_formatter
from services.monitor.trace import describe, steps


def logged(service: str, message: str, **extra: object) -> dict[str, object]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter(service))
    logger = logging.getLogger(f"test.{service}")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info(message, extra=extra)
    finally:
        logger.removeHandler(handler)
    (line,) = stream.getvalue().splitlines()
    parsed: dict[str, object] = json.loads(line)
    return parsed


def test_a_line_about_an_article_is_one_json_object_with_its_fields() -> None:
    line = logged("store", "stored", **article_log("a1", "store", topic="t", partition=2, offset=17))

    assert {
        k: line[k]
        for k in ("level", "service", "message", "article_id", "stage", "topic", "partition", "offset")
    } == {
        "level": "INFO",
        "service": "store",
        "message": "stored",
        "article_id": "a1",
        "stage": "store",
        "topic": "t",
        "partition": 2,
        "offset": 17,
    }
    assert str(line["time"]).endswith("+00:00")


def test_trace_keeps_one_articles_lines_in_time_order_and_skips_the_rest() -> None:
    lines = [
        "=== 2026-12-07T10:00:00Z starting store",
        json.dumps(
            {"time": "2026-12-07T10:00:03+00:00", "article_id": "a1", "stage": "store", "message": "stored"}
        ),
        json.dumps(
            {
                "time": "2026-12-07T10:00:01+00:00",
                "article_id": "a1",
                "stage": "ingest",
                "message": "published",
                "topic": "raw",
                "partition": 0,
                "offset": 4,
            }
        ),
        json.dumps({"time": "2026-12-07T10:00:02+00:00", "article_id": "b2", "stage": "extract"}),
        "{not json",
    ]

    found = steps(lines, "a1")

    assert [line["stage"] for line in found] == ["ingest", "store"]
    assert "raw[0]@4" in describe(found[0])
