"""The AsyncAPI document describes every topic as the services really use it: one channel per topic, its
contract as the payload, the key and headers the producers set, the dev topic layout, and the example
messages. (That the AsyncAPI parser accepts it: tests/integration/test_asyncapi.py.)"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from pydantic import BaseModel

from services.common.deadletter import dead_letter, dead_letter_message
from services.common.messages import Outgoing, Position
from services.common.topics_cli import TopicsSettings
from services.common.worker_settings import WorkerSettings
from services.contracts.asyncapi import (
    DEV_PARTITIONS,
    DEV_REPLICAS,
    DOCUMENT_VERSION,
    SERVICE_GROUPS,
    asyncapi_document,
    asyncapi_text,
)
from services.contracts.budget import topic_limits
from services.contracts.export import ASYNCAPI_FILE
from services.contracts.models import CONTRACTS, EnrichedArticle
from services.contracts.topics import Topics
from services.extract.consumer.batch import outputs_for
from services.extract.settings import ExtractSettings
from services.store.settings import StoreSettings

EXAMPLES = Path(__file__).parents[3] / "services" / "contracts" / "examples"
DOCUMENT_URI = "urn:newswire:asyncapi"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return asyncapi_document()


def channel_of(document: dict[str, Any], topic: str) -> dict[str, Any]:
    (channel,) = [c for c in document["channels"].values() if c["address"] == topic]
    return dict(channel)


def message_pointer(document: dict[str, Any], topic: str) -> str:
    """Where the one message of `topic`'s channel is in `document`, as a JSON pointer."""
    (ref,) = [str(m["$ref"]) for m in channel_of(document, topic)["messages"].values()]
    return ref.removeprefix("#")


def message_of(document: dict[str, Any], topic: str) -> dict[str, Any]:
    name = message_pointer(document, topic).removeprefix("/components/messages/")
    return dict(document["components"]["messages"][name])


def validator(document: dict[str, Any], pointer: str) -> jsonschema_rs.Validator:
    """A draft-07 validator (AsyncAPI's default schema format is its superset) of the schema at `pointer`
    in `document`, its `#/components/schemas/...` references resolved inside the document."""
    registry = jsonschema_rs.Registry([(DOCUMENT_URI, document)])
    return jsonschema_rs.Draft7Validator(
        {"$ref": f"{DOCUMENT_URI}#{pointer}"}, registry=registry, validate_formats=True
    )


def payload_errors(document: dict[str, Any], topic: str, value: dict[str, Any]) -> list[str]:
    pointer = message_pointer(document, topic)
    return [str(error) for error in validator(document, f"{pointer}/payload").iter_errors(value)]


def test_the_committed_document_is_the_generated_one() -> None:
    assert ASYNCAPI_FILE.exists(), "services/contracts/asyncapi.json missing: run `make contracts`"
    committed = json.loads(ASYNCAPI_FILE.read_text(encoding="utf-8"))

    assert committed == json.loads(asyncapi_text()), "asyncapi.json is stale: run `make contracts`"


def test_it_is_an_asyncapi_3_document_versioned_like_the_contracts(document: dict[str, Any]) -> None:
    major = DOCUMENT_VERSION.split(".")[0]

    assert document["asyncapi"] == "3.0.0"
    assert {name.rsplit("/", 1)[1] for name in CONTRACTS} == {major}
    assert {topic.rsplit(".v", 1)[1] for topic in Topics().all()} == {major}


def test_the_server_is_the_local_broker_and_says_production_differs(document: dict[str, Any]) -> None:
    (server,) = document["servers"].values()

    assert (server["host"], server["protocol"]) == ("127.0.0.1:19092", "kafka")
    assert "production" in server["description"]
    assert "KAFKA_BOOTSTRAP_SERVERS" in server["description"]


def test_every_topic_has_a_channel_addressed_by_its_production_name(document: dict[str, Any]) -> None:
    addresses = [channel["address"] for channel in document["channels"].values()]

    assert sorted(addresses) == sorted(Topics().all())
    assert "Topics.named(prefix)" in document["info"]["description"]


def test_every_channel_has_one_receive_operation_for_subscribers(document: dict[str, Any]) -> None:
    operations = document["operations"].values()

    for name, channel in document["channels"].items():
        (operation,) = [op for op in operations if op["channel"]["$ref"] == f"#/channels/{name}"]
        assert operation["action"] == "receive"
        assert [m["$ref"] for m in operation["messages"]] == [
            f"#/channels/{name}/messages/{message}" for message in channel["messages"]
        ]


def test_a_subscriber_is_told_not_to_join_a_pipeline_group(document: dict[str, Any]) -> None:
    for operation in document["operations"].values():
        group = operation["bindings"]["kafka"]["groupId"]
        check = jsonschema_rs.Draft7Validator(group)

        assert check.is_valid(group["examples"][0])
        assert not any(check.is_valid(service) for service in SERVICE_GROUPS)


def test_the_pipeline_groups_named_are_the_services_own() -> None:
    assert set(SERVICE_GROUPS) == {
        ExtractSettings.model_fields["app_id"].default,
        StoreSettings.model_fields["app_id"].default,
    }


def test_each_channel_binding_states_the_dev_layout_and_the_size_budget(document: dict[str, Any]) -> None:
    limits = topic_limits(Topics())

    for topic in Topics().all():
        binding = channel_of(document, topic)["bindings"]["kafka"]
        assert binding["topic"] == topic
        assert (binding["partitions"], binding["replicas"]) == (DEV_PARTITIONS, DEV_REPLICAS)
        assert binding["topicConfiguration"]["max.message.bytes"] == limits[topic]


def test_the_dev_layout_is_what_the_services_create() -> None:
    assert WorkerSettings.model_fields["topic_partitions"].default == DEV_PARTITIONS
    assert TopicsSettings.model_fields["partitions"].default == DEV_PARTITIONS
    assert WorkerSettings.model_fields["topic_replication_factor"].default == DEV_REPLICAS


@pytest.mark.parametrize(("contract", "model"), CONTRACTS.items())
def test_each_payload_is_its_contracts_json_schema(
    document: dict[str, Any], contract: str, model: type[BaseModel]
) -> None:
    (message,) = [m for m in document["components"]["messages"].values() if m["title"] == contract]
    schemas = document["components"]["schemas"]
    own = json.loads(json.dumps(model.model_json_schema()).replace('"#/$defs/', '"#/components/schemas/'))
    definitions = own.pop("$defs", {})

    assert message["payload"] == {"$ref": f"#/components/schemas/{model.__name__}"}
    assert schemas[model.__name__] == own
    assert {name: schemas[name] for name in definitions} == definitions


@pytest.mark.parametrize("topic", Topics().all())
def test_each_example_follows_its_payload_key_and_headers_schemas(
    document: dict[str, Any], topic: str
) -> None:
    pointer = message_pointer(document, topic)
    message = message_of(document, topic)
    (example,) = message["examples"]
    on_disk = json.loads((EXAMPLES / f"{example['name']}.json").read_text(encoding="utf-8"))

    assert example["payload"] == on_disk
    assert payload_errors(document, topic, example["payload"]) == []
    validator(document, f"{pointer}/headers").validate(example["headers"])
    validator(document, f"{pointer}/bindings/kafka/key").validate(
        message["bindings"]["kafka"]["key"]["examples"][0]
    )


BREAKS: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
    "unknown entity type": (lambda a: a["entities"][0].update(type="PLANET"), '"PLANET" is not one of'),
    "negative offset": (lambda a: a["events"][0]["trigger"].update(start=-1), "-1 is less than the minimum"),
    "unknown field": (lambda a: a.update(colour="red"), "'colour' was unexpected"),
    "not a date-time": (lambda a: a.update(ingested_at="yesterday"), '"yesterday" is not a "date-time"'),
}


@pytest.mark.parametrize("name", BREAKS)
def test_a_payload_breaking_the_contract_is_refused_down_to_the_shared_definitions(
    document: dict[str, Any], name: str
) -> None:
    change, error = BREAKS[name]
    article = json.loads((EXAMPLES / "enriched_article.json").read_text(encoding="utf-8"))
    change(article)

    errors = payload_errors(document, Topics().enriched, article)

    assert len(errors) == 1
    assert error in errors[0]


def assert_documented(document: dict[str, Any], sent: Outgoing) -> None:
    """`sent` is keyed and has headers as the document says of its topic."""
    pointer = message_pointer(document, sent.topic)
    headers = {name: value.decode() for name, value in sent.headers}
    key = sent.key.decode() if sent.key is not None else None

    assert payload_errors(document, sent.topic, json.loads(sent.value)) == []
    validator(document, f"{pointer}/headers").validate(headers)
    validator(document, f"{pointer}/bindings/kafka/key").validate(key)
    assert headers["schema"] == message_of(document, sent.topic)["title"]


def test_extract_sends_what_the_document_says(document: dict[str, Any]) -> None:
    article = EnrichedArticle.model_validate_json((EXAMPLES / "enriched_article.json").read_bytes())

    sent = outputs_for(article, Topics(), {})

    for message in sent:
        assert_documented(document, message)
    assert sent[0].key == article.article_id.encode()
    assert [m.key for m in sent[1:]] == [event.id.encode() for event in article.events]


@pytest.mark.parametrize("key", [b"k-17", None], ids=["keyed", "unkeyed"])
def test_a_dead_letter_is_sent_as_the_document_says(document: dict[str, Any], key: bytes | None) -> None:
    position = Position(Topics().raw, 2, 1841, key, b'{"article_id": "k-17"}', {})
    letter = dead_letter("extract", ValueError("not a RawArticle"), position)

    sent = dead_letter_message(letter, Topics().deadletter)

    assert_documented(document, sent)
    assert sent.key == key
