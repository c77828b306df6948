"""The Dockerfile and .dockerignore, read as text (no Docker engine here): one non-root image, every role."""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Final

from tests.unit.deploy.deploy_files import K8S, REPO, compose, load_yaml, manifests_of, pod_spec

DOCKERFILE: Final = (REPO / "Dockerfile").read_text(encoding="utf-8")
IGNORE_LINES: Final = [
    line.strip()
    for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]


def _instructions(name: str) -> list[str]:
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.split(None, 1)[:1] == [name]]


def _ignored(path: str) -> bool:
    """Docker's rule: the last matching pattern wins; `!` re-includes."""
    ignored = False
    for pattern in IGNORE_LINES:
        negate = pattern.startswith("!")
        bare = pattern.removeprefix("!").rstrip("/")
        if fnmatch.fnmatch(path, bare) or path.startswith(bare + "/"):
            ignored = not negate
    return ignored


def test_the_image_builds_from_python_3_11_slim_and_runs_the_newswire_cli() -> None:
    assert "ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm" in DOCKERFILE
    assert all(line.startswith("${PYTHON_IMAGE}") for line in _instructions("FROM"))
    assert json.loads(_instructions("ENTRYPOINT")[-1]) == ["newswire"]


def test_the_package_is_installed_with_the_pinned_constraints_and_no_pip_cache() -> None:
    installs = [line for line in _instructions("RUN") if "pip install" in line]

    assert installs
    assert all("--no-cache-dir" in line and "-c constraints.txt" in line for line in installs)
    assert any(
        re.search(r"pip install --no-cache-dir -c constraints.txt \.(\s|$)", line) for line in installs
    )


def test_the_image_runs_as_the_numeric_non_root_user_the_pods_declare() -> None:
    user = _instructions("USER")[-1]
    uid = int(user.split(":")[0])

    assert uid != 0
    for _, doc in manifests_of(K8S / "base"):
        if doc["kind"] in {"Deployment", "Job"}:
            assert pod_spec(doc)["securityContext"]["runAsUser"] == uid


def test_the_image_exposes_the_ports_compose_uses() -> None:
    exposed = {int(port) for line in _instructions("EXPOSE") for port in line.split()}
    services = compose()["services"]

    assert int(services["ingest"]["environment"]["NEWSWIRE_INGEST_PORT"]) in exposed
    assert int(services["extract"]["environment"]["NEWSWIRE_EXTRACT_WEB_PORT"]) in exposed
    assert int(services["store"]["environment"]["NEWSWIRE_STORE_WEB_PORT"]) in exposed
    assert int(services["poll"]["environment"]["NEWSWIRE_POLL_WEB_PORT"]) in exposed


def test_the_build_context_holds_the_sources_and_lock_but_not_the_venv_tests_or_git() -> None:
    for needed in ("pyproject.toml", "constraints.txt", "services/cli.py", "services/store/alembic.ini"):
        assert not _ignored(needed), needed
    for excluded in (
        ".venv/bin/python",
        ".git/config",
        "tests/unit/__init__.py",
        "services/__pycache__",
        "deploy/k8s",
    ):
        assert _ignored(excluded), excluded


def test_every_file_the_dockerfile_copies_is_in_the_build_context() -> None:
    for line in _instructions("COPY"):
        if line.startswith("--from"):
            continue
        for source in line.split()[:-1]:
            assert (REPO / source).exists(), source
            assert not _ignored(source.rstrip("/")), source
    assert load_yaml(REPO / "docker-compose.yml")
