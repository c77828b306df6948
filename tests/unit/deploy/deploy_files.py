"""Loading the deployment files (docker-compose.yml, deploy/**) for the deploy tests, with no Docker or
kubectl.

Kustomize overlays are not rendered here: `kustomization()` and `manifests_of()` read what each
kustomization lists, which is enough for invariants that hold file by file. Tests that need the rendered
overlays use `render()` (kubectl kustomize), and skip when kubectl is not installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import yaml

REPO: Final = Path(__file__).resolve().parents[3]
DEPLOY: Final = REPO / "deploy"
K8S: Final = DEPLOY / "k8s"
COMPOSE_FILE: Final = REPO / "docker-compose.yml"
DASHBOARDS: Final = DEPLOY / "grafana" / "dashboards"
# Documents only: never listed in a kustomization, never applied.
TEMPLATES: Final = frozenset({K8S / "base" / "secret.template.yaml"})
WORKLOAD_KINDS: Final = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job"})
NEWSWIRE_IMAGE: Final = "newswire"
# The workloads the base defines, each running the newswire image.
NEWSWIRE_WORKLOADS: Final = frozenset(
    {
        "newswire-ingest",
        "newswire-extract",
        "newswire-store",
        "newswire-poll",
        "newswire-migrate",
        "newswire-lag-exporter",
    }
)
# The poller's sources file: compose mounts it, deploy/poll/kustomization.yaml makes it a ConfigMap.
POLL_SOURCES_EXAMPLE: Final = DEPLOY / "poll" / "sources.example.yml"

Doc = dict[str, Any]


def yaml_files() -> list[Path]:
    """Every YAML file of the deployment: docker-compose.yml and deploy/**/*.y(a)ml."""
    return sorted([COMPOSE_FILE, *DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml")])


def json_files() -> list[Path]:
    return sorted(DEPLOY.rglob("*.json"))


def load_yaml(path: Path) -> list[Doc]:
    """The non-empty documents of a (possibly multi-document) YAML file. Raises yaml.YAMLError."""
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc is not None]


def load_one(path: Path) -> Doc:
    (doc,) = load_yaml(path)
    return doc


def load_json(path: Path) -> Doc:
    loaded: Doc = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def compose() -> Doc:
    return load_one(COMPOSE_FILE)


def kustomization_dirs() -> list[Path]:
    return sorted(path.parent for path in K8S.rglob("kustomization.yaml"))


def kustomization(directory: Path) -> Doc:
    return load_one(directory / "kustomization.yaml")


def patch_paths(kust: Doc) -> list[str]:
    return [patch["path"] for patch in kust.get("patches", []) if "path" in patch]


def referenced_files(directory: Path) -> set[Path]:
    """Files a kustomization names directly (resources that are files, and patch files)."""
    kust = kustomization(directory)
    names = [*kust.get("resources", []), *patch_paths(kust), *kust.get("components", [])]
    return {(directory / name).resolve() for name in names if (directory / name).is_file()}


def manifests_of(directory: Path) -> Iterator[tuple[Path, Doc]]:
    """Every Kubernetes object a kustomization lists as a resource, following bases recursively."""
    for name in kustomization(directory).get("resources", []):
        target = (directory / name).resolve()
        if not target.exists():
            continue  # reported by test_every_kustomization_names_resources_and_patches_that_exist
        if target.is_dir():
            yield from manifests_of(target)
        else:
            for doc in load_yaml(target):
                yield target, doc


def all_manifests() -> list[tuple[Path, Doc]]:
    """Every object listed as a resource by some kustomization, each once."""
    seen: dict[tuple[Path, str, str], Doc] = {}
    for directory in kustomization_dirs():
        for path, doc in manifests_of(directory):
            seen[(path, doc["kind"], doc["metadata"]["name"])] = doc
    return [(path, doc) for (path, _, _), doc in sorted(seen.items(), key=lambda item: item[0])]


def pod_spec(workload: Doc) -> Doc:
    spec: Doc = workload["spec"]["template"]["spec"]
    return spec


def containers(workload: Doc) -> list[Doc]:
    spec = pod_spec(workload)
    return [*spec.get("initContainers", []), *spec["containers"]]


def is_newswire(container: Doc) -> bool:
    image: str = container["image"]
    return image == NEWSWIRE_IMAGE or image.rsplit("/", 1)[-1].split(":")[0] == NEWSWIRE_IMAGE


def base_config() -> dict[str, str]:
    (doc,) = [doc for _, doc in manifests_of(K8S / "base") if doc["kind"] == "ConfigMap"]
    data: dict[str, str] = doc["data"]
    return data


def patches_of(directory: Path) -> list[Doc]:
    """The patch documents of a kustomization: patch files and inline patches."""
    docs: list[Doc] = []
    for patch in kustomization(directory).get("patches", []):
        if "path" in patch:
            docs.extend(load_yaml(directory / patch["path"]))
        else:
            docs.extend(doc for doc in yaml.safe_load_all(patch["patch"]) if doc)
    return docs


def effective_config(overlay: Path) -> dict[str, str]:
    """The base ConfigMap data with the overlay's ConfigMap patches applied (a map merge)."""
    data = dict(base_config())
    for doc in patches_of(overlay):
        if doc.get("kind") == "ConfigMap":
            data.update(doc.get("data", {}))
    return data


def kubectl() -> str | None:
    """kubectl, if installed with a built-in kustomize of v5 or later (the overlays use v5 fields)."""
    binary = shutil.which("kubectl")
    if binary is None:
        return None
    result = subprocess.run([binary, "version", "--client", "-o", "json"], capture_output=True, text=True)
    version = json.loads(result.stdout or "{}").get("kustomizeVersion", "") if result.returncode == 0 else ""
    major = version.removeprefix("v").split(".")[0]
    return binary if major.isdigit() and int(major) >= 5 else None


def render(overlay: Path) -> list[Doc]:
    """`kubectl kustomize overlay`, parsed. Raises CalledProcessError when the build fails."""
    binary = kubectl()
    assert binary is not None
    result = subprocess.run([binary, "kustomize", str(overlay)], capture_output=True, text=True, check=True)
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]
