"""Every service logs one JSON object per line on stderr (python-json-logger): `time` (UTC, ISO 8601),
`level`, `service`, `logger`, `message`, and where a line is about one article the fields of `ArticleLog`
(`article_id`, `topic`, `partition`, `offset`, `stage`, `reason`). `newswire trace ARTICLE_ID` follows one
article through every hop by these fields; `jq 'select(.article_id == "…")' logs/*.log` does the same."""

from __future__ import annotations

import logging.config
from typing import Any, TypedDict

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from services.common.messages import Position

# Chatty below WARNING: a line per connection, request (the poller's httpx) or rebalance step.
QUIET_LOGGERS = ("kafka", "aiokafka", "faust", "mode", "uvicorn.access", "httpx", "httpcore")


class ArticleLog(TypedDict, total=False):
    """The `extra` of a log line about one article (every key optional)."""

    article_id: str
    topic: str
    partition: int
    offset: int
    stage: str
    reason: str


def article_log(
    article_id: str | None, stage: str, *, topic: str, partition: int, offset: int, reason: str | None = None
) -> ArticleLog:
    """The fields of a line about one article at `stage`, at topic/partition/offset."""
    fields = ArticleLog(stage=stage, topic=topic, partition=partition, offset=offset)
    if article_id is not None:
        fields["article_id"] = article_id
    if reason is not None:
        fields["reason"] = reason
    return fields


def at_position(
    article_id: str | None, stage: str, position: Position, reason: str | None = None
) -> ArticleLog:
    """The fields of a line about the article of the consumed message at `position`."""
    return article_log(
        article_id,
        stage,
        topic=position.topic,
        partition=position.partition,
        offset=position.offset,
        reason=reason,
    )


def key_of(position: Position) -> str | None:
    """The article id a message is keyed by (every topic of ours is keyed by it), when it decodes."""
    try:
        return position.key.decode() if position.key else None
    except UnicodeDecodeError:
        return None


def json_formatter(service: str) -> JsonFormatter:
    return JsonFormatter(
        "%(levelname)s %(name)s %(message)s",
        rename_fields={"levelname": "level", "name": "logger", "timestamp": "time"},
        static_fields={"service": service},
        timestamp=True,
        json_ensure_ascii=False,
        # uvicorn repeats each message with terminal colours in `color_message`
        reserved_attrs=[*RESERVED_ATTRS, "color_message"],
    )


def logging_config(service: str, level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` dict: JSON lines on stderr for every logger (uvicorn's and faust's
    included, which take it as their own configuration)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": json_formatter, "service": service}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
        },
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        "loggers": {
            # uvicorn's own loggers have handlers of their own unless told otherwise
            **{name: {"handlers": [], "propagate": True} for name in ("uvicorn", "uvicorn.error")},
            **{name: {"level": "WARNING"} for name in QUIET_LOGGERS},
        },
    }


def configure_logging(service: str, level: str = "INFO") -> None:
    logging.config.dictConfig(logging_config(service, level))
