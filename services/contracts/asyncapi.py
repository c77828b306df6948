"""The AsyncAPI 3.0 document of the project's Kafka topics, built from the contract models, topic names,
keys, headers and size budget. `newswire contracts export` writes it to `asyncapi.json`; a unit test keeps
the committed file equal to what this module builds, and `scripts/asyncapi-validator.sh` checks it with
the AsyncAPI Initiative's parser.

Point of view: an AsyncAPI 3 document describes what one application does. This one describes a
subscriber, any application that reads newswire's topics, so each topic has one `receive` operation: the
subscriber's, which is what code generated from the document implements. The services' own publishing is
not modelled as `send` operations (that would describe an application that both writes and reads every
topic, which no subscriber is); each channel says in words which hop writes it and which reads it.

Payloads are the contracts' own JSON Schemas (`model_json_schema()`): pydantic's `#/$defs/...`
references would not resolve once embedded in a larger document, so the definitions the contracts share
(Mention, Entity, ...) and the contracts themselves go to `components.schemas` and the references are
generated to point there.

Topic names are production's (`Topics()`). Tests and parallel stacks on one broker put a prefix in front
of every name (`Topics.named(prefix)`); the document does not describe prefixed names.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from services.contracts.budget import topic_limits
from services.contracts.headers import INGESTED_AT, SCHEMA, make_headers
from services.contracts.models import (
    CONTRACTS,
    DEADLETTER_SCHEMA,
    ENRICHED_ARTICLE_SCHEMA,
    EVENT_SCHEMA,
    RAW_ARTICLE_SCHEMA,
)
from services.contracts.topics import Topics

JsonObject = dict[str, Any]

ASYNCAPI_VERSION: Final = "3.0.0"
KAFKA_BINDING_VERSION: Final = "0.5.0"
# The contracts' version: every contract is `/1` and every topic `.v1`. A breaking change is a new topic
# version, and so a new major here.
DOCUMENT_VERSION: Final = "1.0.0"
EXAMPLES_DIR: Final = Path(__file__).parent / "examples"
SERVER: Final = "local"
LOCAL_BOOTSTRAP: Final = "127.0.0.1:19092"
# The dev layout (`newswire topics ensure` and the workers' defaults); production sets its own.
DEV_PARTITIONS: Final = 4
DEV_REPLICAS: Final = 1
# The pipeline's own consumer groups: a subscriber joining one would take partitions away from a hop.
SERVICE_GROUPS: Final = ("newswire-extract", "newswire-store")
_SCHEMA_REF: Final = "#/components/schemas/{model}"


@dataclass(frozen=True)
class _TopicDoc:
    """What the document says about one topic besides its contract."""

    channel: str
    operation: str
    address: str
    contract: str
    example_file: str
    key_field: str
    key_nullable: bool
    key_description: str
    description: str
    ingested_at: str
    # The example file and field holding the example's `ingested_at` header.
    example_time: tuple[str, str]


def _topic_docs(topics: Topics) -> tuple[_TopicDoc, ...]:
    article_key = "The article's `article_id` (the value's `article_id`), UTF-8."
    article_time = (
        "When the article entered the pipeline, ISO 8601 with offset, UTF-8: when ingest accepted it, or, "
        "for an article re-published by `newswire replay`, when it was replayed (the value's `ingested_at` "
        "keeps the original). End-to-end latency is measured from it."
    )
    return (
        _TopicDoc(
            channel="rawArticles",
            operation="receiveRawArticles",
            address=topics.raw,
            contract=RAW_ARTICLE_SCHEMA,
            example_file="raw_article.json",
            key_field="article_id",
            key_nullable=False,
            key_description=article_key,
            description="Articles as ingest accepted them, one record per article. Written by ingest "
            "(acknowledged by every in-sync replica before its HTTP 2xx), read by extract "
            "(group `newswire-extract`).",
            ingested_at=article_time,
            example_time=("raw_article.json", "ingested_at"),
        ),
        _TopicDoc(
            channel="enrichedArticles",
            operation="receiveEnrichedArticles",
            address=topics.enriched,
            contract=ENRICHED_ARTICLE_SCHEMA,
            example_file="enriched_article.json",
            key_field="article_id",
            key_nullable=False,
            key_description=article_key,
            description="Each raw article with the entities and events extraction found in its text. "
            "Written by extract, read by store (group `newswire-store`) and downstream subscribers. "
            "The same article may arrive again: re-delivered (identical) or re-extracted (a newer "
            "`extractor_version`, whose entities and events replace the older ones).",
            ingested_at=article_time + " Copied from the raw article's header.",
            example_time=("enriched_article.json", "ingested_at"),
        ),
        _TopicDoc(
            channel="events",
            operation="receiveEvents",
            address=topics.events,
            contract=EVENT_SCHEMA,
            example_file="event.json",
            key_field="id",
            key_nullable=False,
            key_description="The event's `id` (the value's `id`), UTF-8; deterministic, so a re-delivered "
            "event has the same key.",
            description="One record per extracted event, carrying its `article_id`. Written by extract "
            "next to the enriched article, for subscribers that want events without articles.",
            ingested_at=article_time + " Copied from the raw article's header.",
            # The event example is an event of the enriched example's article.
            example_time=("enriched_article.json", "ingested_at"),
        ),
        _TopicDoc(
            channel="deadLetters",
            operation="receiveDeadLetters",
            address=topics.deadletter,
            contract=DEADLETTER_SCHEMA,
            example_file="dead_letter.json",
            key_field="key",
            key_nullable=True,
            key_description="The failed message's own key (the value's `key`), UTF-8 with undecodable "
            "bytes replaced; no key (null) when the failed message had none.",
            description="Messages a hop could not process, with why (`stage`, `reason`) and where from "
            "(`topic`, `partition`, `offset`). Written by extract and store, which then go on with the "
            "next message; a large original travels as its head, size and sha256.",
            ingested_at="When the hop gave up on the message (the value's `failed_at`), ISO 8601 with "
            "offset, UTF-8.",
            example_time=("dead_letter.json", "failed_at"),
        ),
    )


def asyncapi_document() -> JsonObject:
    """The AsyncAPI 3.0.0 document of every topic in `Topics()`, as JSON-ready dicts. Reads the example
    messages in `examples/`; raises OSError or ValueError when one is missing or not JSON."""
    topics = Topics()
    docs = _topic_docs(topics)
    limits = topic_limits(topics)
    models = [CONTRACTS[doc.contract] for doc in docs]
    payloads, shared = models_json_schema(
        [(model, "validation") for model in models], ref_template=_SCHEMA_REF
    )
    messages = {
        model.__name__: _message(doc, model, payloads[(model, "validation")])
        for doc, model in zip(docs, models, strict=True)
    }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": _info(),
        "defaultContentType": "application/json",
        "servers": {
            SERVER: {
                "host": LOCAL_BOOTSTRAP,
                "protocol": "kafka",
                "title": "Local broker",
                "description": "The single KRaft broker `make run` starts (scripts/infra.sh; `make test` "
                "uses 127.0.0.1:29092). A production cluster's bootstrap servers differ: the services "
                "read them from `KAFKA_BOOTSTRAP_SERVERS`.",
            }
        },
        "channels": {
            doc.channel: _channel(doc, name, limits[doc.address])
            for doc, name in zip(docs, messages, strict=True)
        },
        "operations": {
            doc.operation: _operation(doc, name) for doc, name in zip(docs, messages, strict=True)
        },
        "components": {"schemas": shared["$defs"], "messages": messages},
    }


def asyncapi_text() -> str:
    """`asyncapi_document()` as the JSON text committed in `asyncapi.json`."""
    return json.dumps(asyncapi_document(), indent=2, ensure_ascii=False) + "\n"


def _info() -> JsonObject:
    return {
        "title": "newswire topics",
        "version": DOCUMENT_VERSION,
        "description": "The Kafka topics of newswire (ingest -> extract -> store), seen from a "
        "subscriber. Every value is one JSON object following the contract named in its `schema` "
        "header. Records with the same key go to the same partition and are read in the order "
        "they were written.\n\n"
        "Delivery is at least once: a subscriber may see a record twice and should be idempotent on "
        "its key. A contract changes compatibly within a topic; a breaking change is a new topic "
        "(`.v2`).\n\n"
        "Topic names are production's. Tests and parallel stacks sharing a broker prefix every name "
        "(`Topics.named(prefix)` in services/contracts/topics.py).\n\n"
        "Generated by `newswire contracts export` from services/contracts; do not edit by hand.",
        "license": {"name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"},
    }


def _channel(doc: _TopicDoc, message: str, max_message_bytes: int) -> JsonObject:
    return {
        "address": doc.address,
        "title": doc.address,
        "description": doc.description,
        "messages": {message: {"$ref": f"#/components/messages/{message}"}},
        "bindings": {
            "kafka": {
                "topic": doc.address,
                "partitions": DEV_PARTITIONS,
                "replicas": DEV_REPLICAS,
                "topicConfiguration": {"max.message.bytes": max_message_bytes},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _operation(doc: _TopicDoc, message: str) -> JsonObject:
    return {
        "action": "receive",
        "title": f"Receive {doc.address}",
        "summary": f"Read {doc.address} in a consumer group of your own.",
        "channel": {"$ref": f"#/channels/{doc.channel}"},
        "messages": [{"$ref": f"#/channels/{doc.channel}/messages/{message}"}],
        "bindings": {
            "kafka": {
                "groupId": {
                    "type": "string",
                    "description": "The subscriber's own consumer group; one of the pipeline's "
                    "would take partitions away from its hop.",
                    "not": {"enum": list(SERVICE_GROUPS)},
                    "examples": [f"my-app-{doc.channel}"],
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _message(doc: _TopicDoc, model: type[BaseModel], payload: JsonObject) -> JsonObject:
    example = _example(doc.example_file)
    key = example[doc.key_field]
    key_schema: JsonObject = {"type": "string", "minLength": 1}
    if doc.key_nullable:
        key_schema = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    time_file, time_field = doc.example_time
    return {
        "name": model.__name__,
        "title": doc.contract,
        "summary": " ".join(inspect.cleandoc(model.__doc__ or model.__name__).split("\n\n")[0].split()),
        "contentType": "application/json",
        "headers": _headers_schema(doc),
        "payload": payload,
        "bindings": {
            "kafka": {
                "key": {**key_schema, "description": doc.key_description, "examples": [key]},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
        "examples": [
            {
                "name": doc.example_file.removesuffix(".json"),
                "summary": f"services/contracts/examples/{doc.example_file}, keyed {json.dumps(key)}",
                "headers": _example_headers(doc, _example(time_file)[time_field]),
                "payload": example,
            }
        ],
    }


def _example(file_name: str) -> JsonObject:
    example: JsonObject = json.loads((EXAMPLES_DIR / file_name).read_text(encoding="utf-8"))
    return example


def _headers_schema(doc: _TopicDoc) -> JsonObject:
    return {
        "type": "object",
        "description": "Kafka record headers; each value is UTF-8 text. Other headers may be added.",
        "required": [SCHEMA, INGESTED_AT],
        "properties": {
            SCHEMA: {
                "type": "string",
                "const": doc.contract,
                "description": "The contract the value follows, `newswire.<Model>/<version>`.",
            },
            INGESTED_AT: {"type": "string", "format": "date-time", "description": doc.ingested_at},
        },
    }


def _example_headers(doc: _TopicDoc, when: str) -> dict[str, str]:
    # What the services send for this example (the same serialisation), not a hand-written copy.
    headers = make_headers(doc.contract, datetime.fromisoformat(when))
    return {name: value.decode() for name, value in headers}
