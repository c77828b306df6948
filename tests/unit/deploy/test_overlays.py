"""The kustomize overlays (deploy/k8s/overlays): what each environment changes must stay consistent with the
base, statically, and both overlays must render (with kubectl, when installed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.common.topics_admin import TopicLayout
from services.contracts.topics import RAW_ARTICLES
from tests.unit.deploy.deploy_files import (
    K8S,
    NEWSWIRE_WORKLOADS,
    WORKLOAD_KINDS,
    Doc,
    containers,
    effective_config,
    is_newswire,
    kubectl,
    kustomization,
    load_yaml,
    manifests_of,
    patches_of,
    render,
)

OVERLAYS = [K8S / "overlays" / "dev", K8S / "overlays" / "prod"]


def _workloads(docs: list[Doc]) -> list[Doc]:
    return [doc for doc in docs if doc["kind"] in WORKLOAD_KINDS]


def _by_kind(docs: list[Doc], kind: str) -> dict[str, Doc]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


@pytest.mark.parametrize("directory", [K8S / "base", K8S / "overlays" / "prod"], ids=lambda path: path.name)
def test_the_scaled_object_watches_the_extract_group_on_the_raw_topic_within_the_partitions(
    directory: Path,
) -> None:
    config = effective_config(directory)
    scaled = _by_kind([doc for _, doc in manifests_of(K8S / "base")], "ScaledObject")["newswire-extract"]
    for patch in patches_of(directory):
        if patch.get("kind") == "ScaledObject" and "spec" in patch:
            scaled = {**scaled, "spec": {**scaled["spec"], **patch["spec"]}}
    (trigger,) = scaled["spec"]["triggers"]

    assert scaled["spec"]["scaleTargetRef"]["name"] == "newswire-extract"
    assert trigger["type"] == "kafka"
    assert trigger["metadata"]["consumerGroup"] == config["NEWSWIRE_EXTRACT_APP_ID"]
    assert trigger["metadata"]["topic"] == config["NEWSWIRE_EXTRACT_TOPIC_PREFIX"] + RAW_ARTICLES
    assert trigger["metadata"]["bootstrapServers"] == config["KAFKA_BOOTSTRAP_SERVERS"]
    assert scaled["spec"]["maxReplicaCount"] <= int(config["NEWSWIRE_TOPIC_PARTITIONS"])


@pytest.mark.parametrize("directory", [K8S / "base", *OVERLAYS], ids=lambda path: path.name)
def test_the_job_and_every_service_agree_on_the_topic_prefix_and_partition_count(directory: Path) -> None:
    config = effective_config(directory)
    prefixes = {key: value for key, value in config.items() if key.endswith("TOPIC_PREFIX")}
    partitions = {key: value for key, value in config.items() if key.endswith("TOPIC_PARTITIONS")}

    assert set(prefixes) == {
        f"NEWSWIRE_{s}TOPIC_PREFIX" for s in ("", "INGEST_", "EXTRACT_", "STORE_", "POLL_", "LAG_")
    }
    assert set(partitions) == {f"NEWSWIRE_{s}TOPIC_PARTITIONS" for s in ("", "EXTRACT_", "STORE_")}
    assert len(set(prefixes.values())) == 1, prefixes
    assert len(set(partitions.values())) == 1, partitions


def test_extract_replicas_are_left_to_the_autoscaler_in_the_base_and_in_prod() -> None:
    (extract,) = [
        doc
        for _, doc in manifests_of(K8S / "base")
        if doc["metadata"]["name"] == "newswire-extract" and doc["kind"] == "Deployment"
    ]
    prod_replicas = {entry["name"] for entry in kustomization(K8S / "overlays" / "prod").get("replicas", [])}

    assert "replicas" not in extract["spec"]
    assert "newswire-extract" not in prod_replicas


def test_prod_requires_api_keys_and_connects_the_store_poller_and_migrations_as_their_own_roles() -> None:
    config = effective_config(K8S / "overlays" / "prod")
    refs = {
        (doc["metadata"]["name"], env["name"]): env["valueFrom"]["secretKeyRef"]
        for doc in patches_of(K8S / "overlays" / "prod")
        if doc["kind"] in WORKLOAD_KINDS
        for container in doc["spec"]["template"]["spec"].get("containers", [])
        for env in container.get("env", [])
        if env.get("valueFrom")
    }
    values = {
        (doc["metadata"]["name"], env["name"]): env["value"]
        for doc in patches_of(K8S / "overlays" / "prod")
        if doc["kind"] in WORKLOAD_KINDS
        for container in doc["spec"]["template"]["spec"].get("containers", [])
        for env in container.get("env", [])
        if env.get("value")
    }
    (cluster,) = [
        d for d in load_yaml(K8S / "overlays" / "prod" / "postgres-cluster.yaml") if d["kind"] == "Cluster"
    ]
    roles = {role["name"]: role for role in cluster["spec"]["managed"]["roles"]}

    assert config["NEWSWIRE_INGEST_ENV"] == "prod"
    assert config["KAFKA_BOOTSTRAP_SERVERS"].startswith("newswire-kafka-kafka-bootstrap.")
    assert refs[("newswire-ingest", "NEWSWIRE_INGEST_API_KEYS")]["optional"] is False
    assert refs[("newswire-migrate", "DATABASE_URL")] == {"name": "newswire-pg-app", "key": "uri"}
    assert cluster["spec"]["bootstrap"]["initdb"]["owner"] == "newswire_owner"
    assert refs[("newswire-store", "PGPASSWORD")] == {"name": "newswire-pg-store", "key": "password"}
    assert values[("newswire-store", "DATABASE_URL")].startswith("postgresql://newswire@")
    # The poller keeps its state as the store's role, never as the owner.
    assert refs[("newswire-poll", "PGPASSWORD")] == refs[("newswire-store", "PGPASSWORD")]
    assert values[("newswire-poll", "DATABASE_URL")] == values[("newswire-store", "DATABASE_URL")]
    assert {name: (r["superuser"], r["createdb"]) for name, r in roles.items()} == {
        "newswire": (False, False),
        "newswire_analyst": (False, False),
    }


needs_kubectl = pytest.mark.skipif(
    kubectl() is None, reason="kubectl with a built-in kustomize v5+ is not installed"
)


# Secrets an overlay expects to exist without generating them: CloudNativePG's, and the API keys the
# cluster operator creates (see base/secret.template.yaml).
EXTERNAL_SECRETS = {"dev": set[str](), "prod": {"newswire-pg-app", "newswire-pg-store", "newswire-ingest"}}


@needs_kubectl
@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda path: path.name)
def test_each_overlay_renders_with_every_secret_it_needs_generated_or_expected(overlay: Path) -> None:
    docs = render(overlay)
    secrets = set(_by_kind(docs, "Secret"))
    refs = [
        env["valueFrom"]["secretKeyRef"]
        for workload in _workloads(docs)
        for container in containers(workload)
        for env in container.get("env", [])
        if "secretKeyRef" in env.get("valueFrom", {})
    ]

    assert {doc["metadata"]["namespace"] for doc in docs if doc["kind"] != "Namespace"} == {"newswire"}
    for ref in refs:
        assert ref["name"] in secrets | EXTERNAL_SECRETS[overlay.name] or ref.get("optional") is True, ref


@needs_kubectl
@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda path: path.name)
def test_the_overlays_patches_keep_every_newswire_container_probed_and_locked_down(overlay: Path) -> None:
    workloads = [w for w in _workloads(render(overlay)) if w["metadata"]["name"] in NEWSWIRE_WORKLOADS]

    assert {w["metadata"]["name"] for w in workloads} == NEWSWIRE_WORKLOADS
    for workload in workloads:
        for container in containers(workload):
            assert is_newswire(container)
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
            assert "memory" in container["resources"]["limits"]
        if workload["kind"] == "Deployment":
            (container,) = workload["spec"]["template"]["spec"]["containers"]
            assert {"livenessProbe", "readinessProbe"} <= set(container)


@needs_kubectl
@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda path: path.name)
def test_each_overlay_runs_one_poller_on_the_sources_configmap_it_renders(overlay: Path) -> None:
    docs = render(overlay)
    poll = _by_kind(docs, "Deployment")["newswire-poll"]
    volumes = {volume["name"]: volume for volume in poll["spec"]["template"]["spec"]["volumes"]}
    (name,) = [volume["configMap"]["name"] for volume in volumes.values() if "configMap" in volume]

    assert poll["spec"]["replicas"] == 1
    assert poll["spec"]["strategy"]["type"] == "Recreate"
    # The generated name carries a hash of the file, so a new sources file rolls the poller.
    assert name.startswith("newswire-poll-sources-")
    assert "sources.yml" in _by_kind(docs, "ConfigMap")[name]["data"]


@needs_kubectl
def test_the_dev_overlay_needs_no_operator_and_prod_keeps_autoscaling_and_scraping() -> None:
    dev_kinds = {doc["kind"] for doc in render(K8S / "overlays" / "dev")}
    prod_kinds = {doc["kind"] for doc in render(K8S / "overlays" / "prod")}

    assert not dev_kinds & {"ScaledObject", "PodMonitor", "ServiceMonitor", "PrometheusRule", "Cluster"}
    assert {"ScaledObject", "PodMonitor", "PrometheusRule", "Cluster", "PodDisruptionBudget"} <= prod_kinds


def test_prod_backs_the_database_up_every_night_and_monitors_it() -> None:
    docs = {d["kind"]: d for d in load_yaml(K8S / "overlays" / "prod" / "postgres-cluster.yaml")}
    cluster, scheduled = docs["Cluster"], docs["ScheduledBackup"]

    assert cluster["spec"]["backup"]["barmanObjectStore"]["destinationPath"].startswith("s3://")
    assert cluster["spec"]["backup"]["retentionPolicy"]
    assert cluster["spec"]["monitoring"]["enablePodMonitor"] is True
    assert scheduled["spec"]["cluster"]["name"] == cluster["metadata"]["name"]
    assert len(scheduled["spec"]["schedule"].split()) == 6  # CNPG's cron starts with seconds


def test_prod_topics_are_replicated_three_times_two_in_sync_and_required() -> None:
    config = effective_config(K8S / "overlays" / "prod")

    assert config["NEWSWIRE_TOPIC_REPLICATION_FACTOR"] == "3"
    assert config["NEWSWIRE_TOPIC_MIN_INSYNC_REPLICAS"] == "2"
    assert config["NEWSWIRE_TOPIC_REQUIRE_REPLICATION"] == "true"
    layout = TopicLayout(
        int(config["NEWSWIRE_TOPIC_PARTITIONS"]),
        int(config["NEWSWIRE_TOPIC_REPLICATION_FACTOR"]),
        int(config["NEWSWIRE_TOPIC_MIN_INSYNC_REPLICAS"]),
        require_replication=True,
    )
    assert layout.problems() == []


def test_the_single_broker_layouts_would_be_refused_if_replication_were_required() -> None:
    config = effective_config(K8S / "overlays" / "dev")

    assert config["NEWSWIRE_TOPIC_REQUIRE_REPLICATION"] == "false"
    assert TopicLayout(
        1, int(config["NEWSWIRE_TOPIC_REPLICATION_FACTOR"]), require_replication=True
    ).problems()
