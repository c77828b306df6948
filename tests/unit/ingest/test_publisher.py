"""publisher.py and readiness.py without a broker: the producer configuration, readiness probing and
sharing, refusal while the broker is known down and once closed.
(Publishing itself is tested against the real broker in tests/integration/test_ingest_http.py.)"""

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka.errors import KafkaTimeoutError

from services.ingest import publisher as publisher_module
from services.ingest.articles import raw_article_from_text
from services.ingest.errors import BrokerUnavailable
from services.ingest.outgoing import encode
from services.ingest.publisher import KafkaPublisher, producer_config
from services.ingest.readiness import SharedReadiness
from tests.unit.ingest.conftest import INGESTED_AT, make_settings


@pytest.fixture
def listening_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_the_producer_is_idempotent_with_acks_all_and_bounded_waits() -> None:
    config = producer_config(make_settings(publish_timeout_s=2.5, linger_ms=7), "client")
    assert (config["acks"], config["enable_idempotence"]) == ("all", True)
    assert config["max_block_ms"] == config["request_timeout_ms"] == config["bootstrap_timeout_ms"] == 2500
    # kafka-python refuses a delivery timeout below linger + request timeout.
    assert config["delivery_timeout_ms"] >= config["linger_ms"] + config["request_timeout_ms"]
    assert config["max_request_size"] == make_settings().max_message_bytes


def test_bootstrap_servers_are_split_on_commas() -> None:
    config = producer_config(make_settings(kafka_bootstrap_servers="a:1, b:2,"), "client")
    assert config["bootstrap_servers"] == ["a:1", "b:2"]


def test_ready_when_a_bootstrap_server_accepts_connections(listening_port: int, closed_port: int) -> None:
    servers = f"127.0.0.1:{closed_port},127.0.0.1:{listening_port}"
    assert KafkaPublisher(make_settings(kafka_bootstrap_servers=servers)).check_ready() is None


def test_not_ready_names_the_unreachable_servers(closed_port: int) -> None:
    publisher = KafkaPublisher(make_settings(kafka_bootstrap_servers=f"127.0.0.1:{closed_port}"))
    reason = publisher.check_ready()
    assert reason is not None
    assert f"127.0.0.1:{closed_port}" in reason


def test_the_readiness_answer_is_reused_within_the_cache_window(closed_port: int) -> None:
    servers = f"127.0.0.1:{closed_port}"
    cached = KafkaPublisher(make_settings(kafka_bootstrap_servers=servers, readiness_cache_s=3600))
    assert cached.check_ready() is not None
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", closed_port))
        sock.listen()
        assert cached.check_ready() is not None
        assert (
            KafkaPublisher(make_settings(kafka_bootstrap_servers=servers, readiness_cache_s=0)).check_ready()
            is None
        )


def test_a_closed_publisher_refuses_without_touching_the_network(closed_port: int) -> None:
    publisher = KafkaPublisher(make_settings(kafka_bootstrap_servers=f"127.0.0.1:{closed_port}"))
    publisher.close()
    publisher.close()
    with pytest.raises(BrokerUnavailable, match="closed"):
        publisher.connect()
    assert publisher.check_ready() == "the publisher is closed"


def test_publishing_nothing_needs_no_broker(closed_port: int) -> None:
    KafkaPublisher(make_settings(kafka_bootstrap_servers=f"127.0.0.1:{closed_port}")).publish([])


def test_publishing_while_the_broker_is_unreachable_is_refused_before_any_send(closed_port: int) -> None:
    publisher = KafkaPublisher(make_settings(kafka_bootstrap_servers=f"127.0.0.1:{closed_port}"))
    article = raw_article_from_text("Un article.", external_id="1", source="s", ingested_at=INGESTED_AT)

    # Not "cannot reach Kafka" after the producer's bootstrap timeout: refused on the known verdict.
    with pytest.raises(BrokerUnavailable, match="no Kafka bootstrap server reachable"):
        publisher.publish(encode([article]))


class CountingProbe:
    def __init__(self, answer: str | None) -> None:
        self.answer = answer
        self.calls = 0

    def __call__(self) -> str | None:
        self.calls += 1
        return self.answer


def test_server_processes_share_one_verdict_within_its_ttl(tmp_path: Path) -> None:
    probe = CountingProbe("broker down")
    now = [1000.0]
    first, second = (
        SharedReadiness(probe, ttl_s=5, directory=tmp_path, clock=lambda: now[0]) for _ in range(2)
    )

    answers = [first.reason(), second.reason()]
    probe.answer = None
    now[0] += 4
    still = second.reason()
    now[0] += 2
    after = second.reason()

    assert answers == ["broker down", "broker down"]
    assert still == "broker down"
    assert after is None
    assert probe.calls == 2


def test_a_failed_publish_marks_the_broker_down_for_every_process(tmp_path: Path) -> None:
    now = [1000.0]
    publishing, answering = (
        SharedReadiness(CountingProbe(None), ttl_s=5, directory=tmp_path, clock=lambda: now[0])
        for _ in range(2)
    )

    publishing.mark_down("Kafka did not acknowledge")

    assert answering.reason() == "Kafka did not acknowledge"
    now[0] += 5
    assert answering.reason() is None


class BrokenProducer:
    """A producer whose every send fails as kafka-python's does once an idempotent batch expired."""

    def __init__(self) -> None:
        self.closed = False

    def send(self, *args: object, **kwargs: object) -> "BrokenProducer":
        return self

    def get(self, timeout: float) -> None:
        raise KafkaTimeoutError("Timeout after waiting for 10 secs.")

    def close(self, timeout: float | None = None) -> None:
        self.closed = True


def test_a_failed_publish_drops_the_producer_so_the_next_one_starts_afresh(
    monkeypatch: pytest.MonkeyPatch, listening_port: int
) -> None:
    made: list[BrokenProducer] = []

    def make(**config: object) -> BrokenProducer:
        made.append(BrokenProducer())
        return made[-1]

    monkeypatch.setattr(publisher_module, "KafkaProducer", make)
    settings = make_settings(kafka_bootstrap_servers=f"127.0.0.1:{listening_port}", readiness_cache_s=0)
    publisher = KafkaPublisher(settings)
    article = raw_article_from_text("Un article.", external_id="1", source="s", ingested_at=INGESTED_AT)

    for _ in range(2):
        with pytest.raises(BrokerUnavailable, match="did not acknowledge"):
            publisher.publish(encode([article]))

    assert len(made) == 2
    assert made[0].closed
