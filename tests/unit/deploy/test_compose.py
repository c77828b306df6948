"""docker-compose.yml: ordering, health checks and settings of the local stack (read as text: no Docker)."""

from __future__ import annotations

import re
import shlex
from typing import Any

import pytest

from services.cli import COMMANDS
from services.ingest.poll.settings import PollSettings
from services.ingest.poll.sources import load_sources
from tests.unit.deploy.deploy_files import DEPLOY, POLL_SOURCES_EXAMPLE, REPO, Doc, compose, load_one

ONE_SHOT = "migrate"
WORKERS = ("ingest", "extract", "store", "poll")
PORTS = {
    "ingest": "NEWSWIRE_INGEST_PORT",
    "extract": "NEWSWIRE_EXTRACT_WEB_PORT",
    "store": "NEWSWIRE_STORE_WEB_PORT",
    "poll": "NEWSWIRE_POLL_WEB_PORT",
}
HOSTS = {
    "ingest": "NEWSWIRE_INGEST_HOST",
    "extract": "NEWSWIRE_EXTRACT_WEB_HOST",
    "store": "NEWSWIRE_STORE_WEB_HOST",
    "poll": "NEWSWIRE_POLL_WEB_HOST",
}


def _services() -> dict[str, Doc]:
    services: dict[str, Doc] = compose()["services"]
    return services


def _runs_newswire(service: Doc) -> bool:
    return "build" in service or str(service.get("image", "")).startswith("${NEWSWIRE_IMAGE")


def _healthcheck_text(service: Doc) -> str:
    test: Any = service["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(test)


def _interpolated(value: Any) -> str:
    """A compose value with `${VAR:-default}` replaced by its default."""
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", str(value))


MONITORING = ("lag-exporter", "alert-log", "postgres-exporter", "prometheus", "alertmanager", "grafana")


def test_the_stack_has_its_infrastructure_the_one_shot_job_the_services_the_poller_and_monitoring() -> None:
    assert set(_services()) == {"kafka", "postgres", ONE_SHOT, *WORKERS, *MONITORING}


def test_prometheus_alerts_through_alertmanager_to_the_alert_log_and_scrapes_the_exporters() -> None:
    prometheus = load_one(DEPLOY / "prometheus" / "prometheus.yml")
    alertmanager = load_one(DEPLOY / "alertmanager" / "alertmanager.yml")
    local = load_one(DEPLOY / "alertmanager" / "alertmanager.local.yml")
    jobs = {job["job_name"]: job for job in prometheus["scrape_configs"]}

    (targets,) = prometheus["alerting"]["alertmanagers"][0]["static_configs"]
    assert targets["targets"] == ["alertmanager:9093"]
    assert jobs["newswire-lag"]["static_configs"][0]["targets"] == ["lag-exporter:9308"]
    assert jobs["postgres"]["static_configs"][0]["targets"] == ["postgres-exporter:9187"]
    (receiver,) = alertmanager["receivers"]
    assert receiver["webhook_configs"][0]["url"] == "http://alert-log:9099/alerts"
    # The same routing as the local stack's, but for the rendered wait.
    assert {k: v for k, v in alertmanager["route"].items() if k != "group_wait"} == {
        k: v for k, v in local["route"].items() if k != "group_wait"
    }


@pytest.mark.parametrize("name", sorted(_services()))
def test_every_long_running_service_has_a_healthcheck_and_only_migrate_runs_once(name: str) -> None:
    service = _services()[name]
    if name == ONE_SHOT:
        assert service["restart"] == "no"
        assert "healthcheck" not in service
    else:
        assert _healthcheck_text(service)
        assert service["restart"] == "unless-stopped"


@pytest.mark.parametrize("name", WORKERS)
def test_every_newswire_service_waits_for_migrate_to_finish(name: str) -> None:
    service = _services()[name]

    assert _runs_newswire(service)
    assert service["depends_on"][ONE_SHOT] == {"condition": "service_completed_successfully"}


def test_migrate_waits_for_healthy_kafka_and_postgres_then_upgrades_the_schema_and_creates_topics() -> None:
    migrate = _services()[ONE_SHOT]
    script = _interpolated(" ".join(migrate["command"]))

    assert _runs_newswire(migrate)
    assert migrate["depends_on"] == {
        "kafka": {"condition": "service_healthy"},
        "postgres": {"condition": "service_healthy"},
    }
    assert migrate["entrypoint"] == ["/bin/sh", "-c"]
    assert script.startswith("set -e;")
    assert "newswire db upgrade" in script
    topics = shlex.split(script.split("newswire topics ensure", 1)[1])
    assert topics == ["--bootstrap", "kafka:9092", "--partitions", "4"]


def test_workers_create_missing_topics_with_the_partition_count_migrate_uses() -> None:
    script = _interpolated(" ".join(_services()[ONE_SHOT]["command"]))
    partitions = script.rsplit("--partitions", 1)[1].split()[0]

    assert (
        _interpolated(_services()["extract"]["environment"]["NEWSWIRE_EXTRACT_TOPIC_PARTITIONS"])
        == partitions
    )
    assert _interpolated(_services()["store"]["environment"]["NEWSWIRE_STORE_TOPIC_PARTITIONS"]) == partitions


def test_every_service_waited_on_as_healthy_has_a_healthcheck() -> None:
    services = _services()
    for name, service in services.items():
        for dependency, condition in service.get("depends_on", {}).items():
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{name} waits on {dependency}"


@pytest.mark.parametrize("name", WORKERS)
def test_newswire_healthchecks_use_python_not_curl_on_the_port_the_service_binds(name: str) -> None:
    service = _services()[name]
    test = service["healthcheck"]["test"]
    env = service["environment"]

    assert test[:3] == ["CMD", "python", "-c"]
    assert "curl" not in _healthcheck_text(service)
    assert f"http://127.0.0.1:{env[PORTS[name]]}/readyz" in test[3]
    assert env[HOSTS[name]] == "0.0.0.0"
    assert service["command"][0] in COMMANDS


def test_every_newswire_service_uses_the_in_stack_broker() -> None:
    for name in (ONE_SHOT, *WORKERS):
        assert _services()[name]["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"


def test_extract_runs_two_replicas_with_one_nlp_process_each_and_no_fixed_name_or_host_port() -> None:
    extract = _services()["extract"]

    assert extract["deploy"]["replicas"] == 2
    assert extract["environment"]["NEWSWIRE_EXTRACT_NLP_PROCESSES"] == 1
    assert "container_name" not in extract
    assert "ports" not in extract


def test_the_poller_runs_once_on_the_example_sources_mounted_read_only_where_its_setting_points() -> None:
    poll = _services()["poll"]
    env = poll["environment"]
    (mount,) = [_interpolated(volume) for volume in poll["volumes"]]
    source, target, mode = mount.split(":")

    # One process per sources file: a second would poll the same feeds.
    assert poll.get("deploy", {}).get("replicas", 1) == 1
    assert (REPO / source).resolve() == POLL_SOURCES_EXAMPLE.resolve()
    assert target == env["NEWSWIRE_POLL_SOURCES"]
    assert mode == "ro"
    assert load_sources(POLL_SOURCES_EXAMPLE)
    # It publishes to the broker and keeps its state in Postgres, so it waits for both, as the store does.
    assert poll["depends_on"] == _services()["store"]["depends_on"]
    ingest_prefix = _services()["ingest"]["environment"]["NEWSWIRE_INGEST_TOPIC_PREFIX"]
    assert env["NEWSWIRE_POLL_TOPIC_PREFIX"] == ingest_prefix
    # The polls in flight get NEWSWIRE_POLL_STOP_TIMEOUT_S to finish before Docker kills the process.
    stop_timeout_s = PollSettings.model_fields["stop_timeout_s"].default
    assert int(poll["stop_grace_period"].removesuffix("s")) > stop_timeout_s
    assert "ports" not in poll


def test_kafka_runs_kraft_without_topic_auto_creation() -> None:
    env = _services()["kafka"]["environment"]

    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"].split(",")


def test_migrations_run_as_the_owner_and_the_store_as_its_own_role_neither_the_superuser() -> None:
    postgres = _services()["postgres"]["environment"]
    owner = _interpolated(postgres["NEWSWIRE_OWNER_PASSWORD"])
    store = _interpolated(postgres["NEWSWIRE_STORE_PASSWORD"])
    roles_script = (REPO / "deploy/compose/postgres-roles.sh").read_text()

    assert _interpolated(_services()[ONE_SHOT]["environment"]["DATABASE_URL"]) == (
        f"postgresql://newswire_owner:{owner}@postgres:5432/newswire"
    )
    assert _interpolated(_services()["store"]["environment"]["DATABASE_URL"]) == (
        f"postgresql://newswire:{store}@postgres:5432/newswire"
    )
    # The poller's state is in the store's database, written as the store's role.
    poll_url = _services()["poll"]["environment"]["DATABASE_URL"]
    assert poll_url == _services()["store"]["environment"]["DATABASE_URL"]
    assert postgres["POSTGRES_USER"] not in ("newswire", "newswire_owner")
    for role in ("newswire_owner", "newswire", "newswire_analyst"):
        assert f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE" in roles_script


def test_every_bind_mount_points_into_the_repository() -> None:
    for name, service in _services().items():
        for volume in service.get("volumes", []):
            source = _interpolated(volume).split(":", 1)[0]
            if source.startswith("./"):
                assert (REPO / source).exists(), f"{name}: {source} missing"


def test_host_ports_bind_to_loopback_only() -> None:
    for name, service in _services().items():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} on every interface"
