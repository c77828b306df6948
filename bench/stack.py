"""The services under test, run as real subprocesses (`newswire ingest|extract-worker|store-worker|
lag-exporter|poll`), exactly as `scripts/services.sh` runs them, on the bench ports, a private topic prefix
and a private database. With a `targets_dir`, each is announced to Prometheus as a target file (as
services.sh does).

Also the bits of setup the services expect from their operators: topics created, a fresh database
migrated to head, and a way to wait until a consumer group has settled after workers joined or left.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
from kafka import KafkaConsumer
from kafka.admin import KafkaAdminClient

from services.common.topics_admin import TopicLayout, ensure_topics
from services.contracts.budget import DEADLETTER_TOPIC_BYTES
from services.contracts.models import DeadLetter
from services.contracts.topics import Topics
from services.store.migrate import upgrade

NEWSWIRE = str(Path(sys.executable).with_name("newswire"))
READY_TIMEOUT_S = 180.0


class StackError(RuntimeError):
    """A service did not start or become ready; the message names it and ends with its log tail."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def plain_dsn(database_url: str) -> str:
    """A libpq DSN for psycopg from a SQLAlchemy-style URL."""
    return database_url.replace("postgresql+psycopg://", "postgresql://", 1)


def with_database(url: str, name: str) -> str:
    """`url` (role, password, host) naming database `name` instead."""
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


def fresh_database(owner_url: str, runtime_url: str, name: str) -> str:
    """Drop and create database `name` as the schema owner of `owner_url` (a role that may create
    databases), migrate it to head and grant the runtime role its rights; return its URL for the
    runtime role of `runtime_url` (the role the services use)."""
    with psycopg.connect(plain_dsn(owner_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    upgrade(with_database(owner_url, name))
    return with_database(runtime_url, name)


def drop_database(owner_url: str, url: str) -> None:
    """Drop the database `url` names, as the owner of `owner_url`."""
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(plain_dsn(owner_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_group_members(bootstrap: str, group: str, members: int, timeout_s: float = 90.0) -> None:
    """Block until consumer group `group` is Stable with exactly `members` members, each assigned
    something. Raises StackError on timeout."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="newswire-bench")
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            info = admin.describe_groups([group]).get(group) or {}
            current = info.get("members") or []
            if str(info.get("group_state", info.get("state"))) == "Stable" and len(current) == members:
                return
            time.sleep(0.5)
    finally:
        admin.close()
    raise StackError(f"consumer group {group} did not settle with {members} members in {timeout_s:g} s")


@dataclass
class Stack:
    """One namespace (topic prefix, consumer groups, database) and the service processes started in it."""

    kafka_bootstrap: str
    database_url: str
    prefix: str
    workdir: Path
    partitions: int = 4
    ingest_workers: int = 1
    extract_env: dict[str, str] = field(default_factory=dict)
    store_env: dict[str, str] = field(default_factory=dict)
    targets_dir: Path | None = None
    # "info" logs a line per article per hop (what `newswire trace` reads); the bench keeps "warning".
    loglevel: str = "warning"
    ingest_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    @property
    def topics(self) -> Topics:
        return Topics.named(self.prefix)

    @property
    def ingest_url(self) -> str:
        return f"http://127.0.0.1:{self.ingest_port}"

    @property
    def extract_group(self) -> str:
        return f"{self.prefix}extract"

    @property
    def store_group(self) -> str:
        return f"{self.prefix}store"

    def create_topics(self) -> None:
        ensure_topics(self.kafka_bootstrap, self.topics, TopicLayout(self.partitions))

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
        env.update(
            {
                "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
                "DATABASE_URL": self.database_url,
                "NEWSWIRE_INGEST_ENV": "dev",
                "NEWSWIRE_INGEST_PORT": str(self.ingest_port),
                "NEWSWIRE_INGEST_WORKERS": str(self.ingest_workers),
                "NEWSWIRE_INGEST_TOPIC_PREFIX": self.prefix,
                "NEWSWIRE_EXTRACT_TOPIC_PREFIX": self.prefix,
                "NEWSWIRE_EXTRACT_APP_ID": self.extract_group,
                "NEWSWIRE_EXTRACT_TOPIC_PARTITIONS": str(self.partitions),
                "NEWSWIRE_STORE_TOPIC_PREFIX": self.prefix,
                "NEWSWIRE_STORE_APP_ID": self.store_group,
                "NEWSWIRE_STORE_TOPIC_PARTITIONS": str(self.partitions),
                "NEWSWIRE_LAG_TOPIC_PREFIX": self.prefix,
                "NEWSWIRE_LAG_EXTRACT_GROUP": self.extract_group,
                "NEWSWIRE_LAG_STORE_GROUP": self.store_group,
                "NEWSWIRE_POLL_TOPIC_PREFIX": self.prefix,
            }
        )
        return env

    def start_ingest(self) -> None:
        self._launch("ingest", ["ingest", "--log-level", self.loglevel], {}, f"{self.ingest_url}/readyz")
        self._announce("ingest", "newswire-ingest")

    def start_lag_exporter(self) -> None:
        port = free_port()
        env = {"NEWSWIRE_LAG_WEB_PORT": str(port)}
        self._launch("lag-exporter", ["lag-exporter", "--log-level", self.loglevel], env,
                     f"http://127.0.0.1:{port}/healthz")  # fmt: skip
        self._announce("lag-exporter", "newswire-lag")

    def start_extract(self, index: int) -> None:
        port = free_port()
        env = {
            **self.extract_env,
            "NEWSWIRE_EXTRACT_WEB_PORT": str(port),
            "NEWSWIRE_EXTRACT_DATADIR": str(self.workdir / f"extract-{index}"),
        }
        self._launch(f"extract-{index}", ["extract-worker", "--loglevel", self.loglevel], env,
                     f"http://127.0.0.1:{port}/readyz")  # fmt: skip
        self._announce(f"extract-{index}", "newswire-extract")

    def start_store(self, index: int = 1) -> None:
        """Start a store worker; the first is named "store", the next ones "store-2", "store-3", ..."""
        port = free_port()
        name = "store" if index == 1 else f"store-{index}"
        env = {
            **self.store_env,
            "NEWSWIRE_STORE_WEB_PORT": str(port),
            "NEWSWIRE_STORE_DATADIR": str(self.workdir / name),
        }
        self._launch(
            name, ["store-worker", "--loglevel", self.loglevel], env, f"http://127.0.0.1:{port}/readyz"
        )
        self._announce(name, "newswire-store")

    def start_poll(self, sources: Path) -> None:
        """Start the feed poller on the sources file `sources` (its state in this stack's database)."""
        port = free_port()
        env = {"NEWSWIRE_POLL_WEB_PORT": str(port), "NEWSWIRE_POLL_SOURCES": str(sources)}
        self._launch("poll", ["poll", "--log-level", self.loglevel], env, f"http://127.0.0.1:{port}/readyz")
        self._announce("poll", "newswire-poll")

    def dead_letters(self) -> list[DeadLetter]:
        """Every dead letter of this namespace so far (reads the dead-letter topic from the start)."""
        consumer = KafkaConsumer(
            self.topics.deadletter,
            bootstrap_servers=self.kafka_bootstrap,
            auto_offset_reset="earliest",
            consumer_timeout_ms=3000,
            max_partition_fetch_bytes=DEADLETTER_TOPIC_BYTES,
        )
        try:
            return [DeadLetter.model_validate_json(message.value) for message in consumer]
        finally:
            consumer.close()

    def pids(self) -> dict[str, int]:
        return {name: p.pid for name, p in self.processes.items() if p.poll() is None}

    def stop(self, name: str, timeout_s: float = 40.0) -> None:
        """SIGTERM one service (workers finish their batch and commit) and wait; SIGKILL after `timeout_s`."""
        process = self.processes.pop(name, None)
        for target in self._target_files(name):
            target.unlink(missing_ok=True)
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def _target_files(self, name: str) -> list[Path]:
        if self.targets_dir is None:
            return []
        return sorted(self.targets_dir.glob(f"newswire-*-{self.prefix}{name}.json"))

    def _announce(self, name: str, job: str) -> None:
        """A file_sd target file for Prometheus (written whole, then renamed), named after the job."""
        if self.targets_dir is None:
            return
        self.targets_dir.mkdir(parents=True, exist_ok=True)
        groups = [{"targets": [f"127.0.0.1:{self.ports[name]}"], "labels": {"stack": self.prefix}}]
        final = self.targets_dir / f"{job}-{self.prefix}{name}.json"
        partial = final.with_name(f".{final.name}.tmp")
        partial.write_text(json.dumps(groups), encoding="utf-8")
        partial.replace(final)

    def _launch(self, name: str, args: list[str], extra_env: dict[str, str], ready_url: str) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        log_path = self.workdir / f"{name}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [NEWSWIRE, *args], env={**self.environment(), **extra_env}, stdout=log, stderr=log
            )
        self.processes[name] = process
        self.ports[name] = int(ready_url.rsplit(":", 1)[1].split("/")[0])
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise StackError(f"{name} exited with {process.returncode}:\n{_tail(log_path)}")
            try:
                if httpx.get(ready_url, timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise StackError(f"{name} not ready at {ready_url} after {READY_TIMEOUT_S:g} s:\n{_tail(log_path)}")


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
