"""The Kubernetes manifests (deploy/k8s): every file parses and is used, and every workload declares probes,
resources and a locked-down security context. Static: the files as each kustomization lists them
(test_overlays.py covers what the overlays change and renders them)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest

from services.cli import COMMANDS
from services.ingest.poll.sources import load_sources
from tests.unit.deploy.deploy_files import (
    DEPLOY,
    K8S,
    NEWSWIRE_WORKLOADS,
    POLL_SOURCES_EXAMPLE,
    TEMPLATES,
    WORKLOAD_KINDS,
    Doc,
    all_manifests,
    containers,
    effective_config,
    is_newswire,
    json_files,
    kustomization,
    kustomization_dirs,
    load_json,
    load_one,
    load_yaml,
    manifests_of,
    patch_paths,
    pod_spec,
    referenced_files,
    yaml_files,
)

PORT_SETTINGS = {
    "newswire-ingest": "NEWSWIRE_INGEST_PORT",
    "newswire-extract": "NEWSWIRE_EXTRACT_WEB_PORT",
    "newswire-store": "NEWSWIRE_STORE_WEB_PORT",
    "newswire-poll": "NEWSWIRE_POLL_WEB_PORT",
}
# The faust workers' /livez is their agent's heartbeat; ingest and the poller have no agent: their /healthz
# says the process answers.
LIVENESS_PATHS = {"newswire-ingest": "/healthz", "newswire-poll": "/healthz"}
# Addresses a feed, a redirect or a linked page must not make the poller reach: private (RFC 1918), shared
# (CGNAT), link-local (the cloud metadata endpoint 169.254.169.254), loopback, and their IPv6 counterparts.
INTERNAL_NETWORKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16",
                     "127.0.0.0/8", "fc00::/7", "fe80::/10", "::1/128")  # fmt: skip


def _ids(paths: list[Path]) -> list[str]:
    return [str(path.relative_to(K8S.parent.parent)) for path in paths]


def _workloads(docs: list[Doc]) -> list[Doc]:
    return [doc for doc in docs if doc["kind"] in WORKLOAD_KINDS]


def _listed_workloads() -> list[Doc]:
    return _workloads([doc for _, doc in all_manifests()])


def _by_kind(docs: list[Doc], kind: str) -> dict[str, Doc]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def _port_numbers(container: Doc) -> dict[Any, int]:
    ports = container.get("ports", [])
    return {
        **{p["name"]: p["containerPort"] for p in ports if "name" in p},
        **{p["containerPort"]: p["containerPort"] for p in ports},
    }


@pytest.mark.parametrize("path", yaml_files(), ids=_ids(yaml_files()))
def test_every_yaml_file_parses_into_mappings(path: Path) -> None:
    docs = load_yaml(path)

    assert docs, f"{path} is empty"
    assert all(isinstance(doc, dict) for doc in docs)


@pytest.mark.parametrize("path", json_files(), ids=_ids(json_files()))
def test_every_json_file_parses(path: Path) -> None:
    assert load_json(path)


@pytest.mark.parametrize("directory", kustomization_dirs(), ids=_ids(kustomization_dirs()))
def test_every_kustomization_names_resources_and_patches_that_exist(directory: Path) -> None:
    kust = kustomization(directory)
    for name in [*kust.get("resources", []), *kust.get("components", [])]:
        target = directory / name
        assert target.is_file() or (target / "kustomization.yaml").is_file(), f"{directory}: {name} missing"
    for name in patch_paths(kust):
        assert (directory / name).is_file(), f"{directory}: patch {name} missing"


def test_every_manifest_file_is_used_by_a_kustomization_except_the_documented_templates() -> None:
    used = set().union(*(referenced_files(directory) for directory in kustomization_dirs()))
    files = {path.resolve() for path in K8S.rglob("*.yaml") if path.name != "kustomization.yaml"}

    assert files - used == {path.resolve() for path in TEMPLATES}
    assert not used & {path.resolve() for path in TEMPLATES}


def test_no_listed_manifest_carries_a_placeholder_secret() -> None:
    for path, doc in all_manifests():
        assert "REPLACE_ME" not in str(doc), f"{path}: placeholder in {doc['kind']} {doc['metadata']['name']}"


def test_the_base_defines_the_three_services_the_poller_the_lag_exporter_and_the_migration_job() -> None:
    names = {doc["metadata"]["name"] for doc in _workloads([doc for _, doc in manifests_of(K8S / "base")])}

    assert names == NEWSWIRE_WORKLOADS


@pytest.mark.parametrize("workload", _listed_workloads(), ids=lambda doc: doc["metadata"]["name"])
def test_every_pod_runs_as_non_root_without_privileges(workload: Doc) -> None:
    spec = pod_spec(workload)
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert spec.get("automountServiceAccountToken") is False
    for container in containers(workload):
        security = container["securityContext"]
        assert security.get("runAsNonRoot", spec["securityContext"]["runAsNonRoot"]) is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"]["drop"] == ["ALL"]


@pytest.mark.parametrize("workload", _listed_workloads(), ids=lambda doc: doc["metadata"]["name"])
def test_every_container_requests_cpu_and_memory_and_caps_memory(workload: Doc) -> None:
    for container in containers(workload):
        resources = container["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"]), container["name"]
        assert "memory" in resources["limits"], container["name"]


@pytest.mark.parametrize(
    "workload",
    [doc for doc in _listed_workloads() if doc["kind"] != "Job"],
    ids=lambda doc: doc["metadata"]["name"],
)
def test_every_long_running_container_has_liveness_and_readiness_probes_on_its_own_ports(
    workload: Doc,
) -> None:
    for container in pod_spec(workload)["containers"]:
        ports = _port_numbers(container)
        for probe_name in ("livenessProbe", "readinessProbe"):
            probe = container[probe_name]
            action = probe.get("httpGet") or probe.get("tcpSocket")
            if action is not None:
                assert action["port"] in ports, f"{container['name']} {probe_name} port {action['port']}"
            else:
                assert probe["exec"]["command"]


@pytest.mark.parametrize(
    "workload",
    [doc for doc in _listed_workloads() if doc["metadata"]["name"] in NEWSWIRE_WORKLOADS],
    ids=lambda doc: doc["metadata"]["name"],
)
def test_newswire_pods_have_a_read_only_root_and_an_empty_dir_for_every_writable_path(workload: Doc) -> None:
    spec = pod_spec(workload)
    volumes = {volume["name"]: volume for volume in spec["volumes"]}
    # Service links would inject NEWSWIRE_INGEST_PORT=tcp://... for the Service newswire-ingest.
    assert spec["enableServiceLinks"] is False
    for container in containers(workload):
        assert is_newswire(container)
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        mounts = {mount["mountPath"]: mount for mount in container["volumeMounts"]}
        assert "/tmp" in mounts
        for path, mount in mounts.items():
            volume = volumes[mount["name"]]
            # Configuration (a ConfigMap) is mounted read-only; anything writable is a disposable emptyDir.
            if "configMap" in volume:
                assert mount.get("readOnly") is True, f"{container['name']}: {path} is writable"
            else:
                assert "emptyDir" in volume, f"{container['name']}: {path} is neither an emptyDir nor config"
        assert container["args"][0] in COMMANDS, f"unknown newswire command {container['args']}"


def test_worker_datadirs_are_mounted_where_the_config_points() -> None:
    config = effective_config(K8S / "base")
    workloads = _by_kind([doc for _, doc in manifests_of(K8S / "base")], "Deployment")
    for name, setting in (
        ("newswire-extract", "NEWSWIRE_EXTRACT_DATADIR"),
        ("newswire-store", "NEWSWIRE_STORE_DATADIR"),
    ):
        (container,) = pod_spec(workloads[name])["containers"]
        assert config[setting] in {mount["mountPath"] for mount in container["volumeMounts"]}


def test_health_probes_use_the_services_endpoints_and_the_configured_ports() -> None:
    config = effective_config(K8S / "base")
    workloads = _by_kind([doc for _, doc in manifests_of(K8S / "base")], "Deployment")
    for name, setting in PORT_SETTINGS.items():
        (container,) = pod_spec(workloads[name])["containers"]
        assert _port_numbers(container)["http"] == int(config[setting])
        assert container["livenessProbe"]["httpGet"]["path"] == LIVENESS_PATHS.get(name, "/livez")
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"


def test_the_poller_is_a_singleton_whose_old_pod_stops_before_the_new_one_starts() -> None:
    # Two pods would poll the same feeds: twice the requests to every site, and racing publications.
    poll = _by_kind([doc for _, doc in manifests_of(K8S / "base")], "Deployment")["newswire-poll"]

    assert poll["spec"]["replicas"] == 1
    assert poll["spec"]["strategy"] == {"type": "Recreate"}
    for overlay in kustomization_dirs():
        replicas = {entry["name"] for entry in kustomization(overlay).get("replicas", [])}
        assert "newswire-poll" not in replicas, f"{overlay} scales the poller"
    assert not any(
        doc["kind"] in ("HorizontalPodAutoscaler", "ScaledObject", "PodDisruptionBudget")
        and "newswire-poll" in str(doc)
        for _, doc in all_manifests()
    )


def test_the_poller_reads_the_generated_sources_configmap_where_the_config_points() -> None:
    config = effective_config(K8S / "base")
    poll = _by_kind([doc for _, doc in manifests_of(K8S / "base")], "Deployment")["newswire-poll"]
    (container,) = pod_spec(poll)["containers"]
    volumes = {volume["name"]: volume for volume in pod_spec(poll)["volumes"]}
    (generator,) = load_one(DEPLOY / "poll" / "kustomization.yaml")["configMapGenerator"]
    (entry,) = generator["files"]
    key, _, file_name = entry.partition("=")
    mounts = {
        mount["mountPath"]: volumes[mount["name"]]
        for mount in container["volumeMounts"]
        if "configMap" in volumes[mount["name"]]
    }
    directory, _, file_in_pod = config["NEWSWIRE_POLL_SOURCES"].rpartition("/")

    assert "../../poll" in kustomization(K8S / "base")["resources"]
    assert (DEPLOY / "poll" / file_name).resolve() == POLL_SOURCES_EXAMPLE.resolve()
    assert mounts[directory]["configMap"]["name"] == generator["name"] == "newswire-poll-sources"
    assert key == file_in_pod
    # The example the base ships is a sources file the poller accepts (it stops at start on an invalid one).
    assert load_sources(POLL_SOURCES_EXAMPLE)


def test_every_service_selects_the_pods_of_a_workload_and_targets_a_declared_port() -> None:
    docs = [doc for _, doc in all_manifests()]
    for service in _by_kind(docs, "Service").values():
        selector = service["spec"]["selector"]
        matching = [
            w
            for w in _workloads(docs)
            if selector.items() <= w["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert matching, f"Service {service['metadata']['name']} selects no pod"
        ports = set().union(*(_port_numbers(c) for w in matching for c in pod_spec(w)["containers"]))
        assert all(port["targetPort"] in ports for port in service["spec"]["ports"])


def test_network_policies_deny_by_default_and_open_every_newswire_port_to_the_scraper() -> None:
    docs = [doc for _, doc in manifests_of(K8S / "base")]
    policies = _by_kind(docs, "NetworkPolicy")
    deny = policies["newswire-default-deny"]["spec"]
    assert set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny
    assert "egress" not in deny
    for workload in _workloads(docs):
        assert (
            deny["podSelector"]["matchLabels"].items()
            <= workload["spec"]["template"]["metadata"]["labels"].items()
        )
    scrape = {
        port["port"]
        for rule in policies["newswire-allow-metrics-scrape"]["spec"]["ingress"]
        for port in rule["ports"]
    }
    served = {
        p["containerPort"]
        for w in _workloads(docs)
        for c in pod_spec(w)["containers"]
        for p in c.get("ports", [])
    }
    assert served <= scrape


def test_only_the_poller_reaches_the_internet_on_http_ports_and_never_an_internal_address() -> None:
    docs = [doc for _, doc in manifests_of(K8S / "base")]
    policy = _by_kind(docs, "NetworkPolicy")["newswire-allow-feed-egress"]["spec"]
    (selector,) = policy["podSelector"]["matchLabels"].items()
    (rule,) = policy["egress"]
    labelled = {
        w["metadata"]["name"]
        for w in _workloads(docs)
        if w["spec"]["template"]["metadata"]["labels"].get(selector[0]) == selector[1]
    }
    blocks = [peer["ipBlock"] for peer in rule["to"]]

    assert labelled == {"newswire-poll"}
    assert policy["policyTypes"] == ["Egress"]
    assert {(port["protocol"], port["port"]) for port in rule["ports"]} == {("TCP", 80), ("TCP", 443)}
    assert all("ipBlock" in peer for peer in rule["to"])
    assert {block["cidr"] for block in blocks} == {"0.0.0.0/0", "::/0"}
    excluded = [ipaddress.ip_network(cidr) for block in blocks for cidr in block.get("except", [])]
    for cidr in INTERNAL_NETWORKS:
        network = ipaddress.ip_network(cidr)
        assert any(
            network.version == other.version and network.subnet_of(other)  # type: ignore[arg-type]
            for other in excluded
        ), f"the poller may reach {cidr}"
    # No other policy opens 80/443 to anything.
    for name, other in _by_kind(docs, "NetworkPolicy").items():
        if name != "newswire-allow-feed-egress":
            ports = {p["port"] for r in other["spec"].get("egress", []) for p in r.get("ports", [])}
            assert not ports & {80, 443}, name


def test_pods_that_use_kafka_or_postgres_carry_the_label_that_opens_their_egress() -> None:
    for workload in _workloads([doc for _, doc in manifests_of(K8S / "base")]):
        labels = workload["spec"]["template"]["metadata"]["labels"]
        env_names = {e["name"] for c in containers(workload) for e in c.get("env", [])}
        assert labels.get("newswire.io/kafka-client") == "true"
        assert (labels.get("newswire.io/postgres-client") == "true") == ("DATABASE_URL" in env_names)
