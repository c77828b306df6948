"""`newswire_build_info`: which release runs, on every service's /metrics (one series, value 1), so a
dashboard can show a rollout and a rule can compare versions."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from prometheus_client import CollectorRegistry, Gauge
from pydantic import AliasChoices, Field

from services.contracts.versions import EXTRACTOR_VERSION


def commit_field() -> Any:
    """The `commit` setting every service has: env NEWSWIRE_COMMIT, unprefixed (scripts/services.sh sets it
    from git, the image build from its build argument)."""
    return Field(
        default="unknown",
        validation_alias=AliasChoices("NEWSWIRE_COMMIT", "commit"),
        description="The source commit, for newswire_build_info (env NEWSWIRE_COMMIT, unprefixed)",
    )


def package_version() -> str:
    try:
        return version("newswire")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def declare_build_info(registry: CollectorRegistry | None, *, service: str, commit: str) -> Gauge:
    """Register `newswire_build_info{service, version, extractor_version, commit} 1` in `registry` (None:
    in no registry, for prometheus_client's multiprocess mode, where the value goes to the shared files).
    `commit` comes from the service's settings (env NEWSWIRE_COMMIT, set by scripts/services.sh and the
    image build)."""
    info = Gauge(
        "newswire_build_info",
        "The running release: package version, extractor version and source commit (value 1).",
        ["service", "version", "extractor_version", "commit"],
        registry=registry,
        multiprocess_mode="max",
    )
    info.labels(service, package_version(), EXTRACTOR_VERSION, commit).set(1)
    return info
