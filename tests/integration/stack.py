"""Runs the real services (ingest, extract worker, store worker) as subprocesses for end-to-end tests,
exactly as `scripts/services.sh` does, on free ports, a private topic prefix and a private database."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services.contracts.topics import Topics

NEWSWIRE = str(Path(sys.executable).with_name("newswire"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Stack:
    kafka_bootstrap: str
    database_url: str
    topics: Topics
    workdir: Path
    ingest_port: int = field(default_factory=free_port)
    extract_port: int = field(default_factory=free_port)
    store_port: int = field(default_factory=free_port)
    group_suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def ingest_url(self) -> str:
        return f"http://127.0.0.1:{self.ingest_port}"

    @property
    def store_group(self) -> str:
        return f"newswire-store-{self.group_suffix}"

    def environment(self) -> dict[str, str]:
        prefix = self.topics.raw.removesuffix("newswire.articles.raw.v1")
        return {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "DATABASE_URL": self.database_url,
            "NEWSWIRE_INGEST_ENV": "dev",
            "NEWSWIRE_INGEST_PORT": str(self.ingest_port),
            "NEWSWIRE_INGEST_TOPIC_PREFIX": prefix,
            "NEWSWIRE_EXTRACT_TOPIC_PREFIX": prefix,
            "NEWSWIRE_EXTRACT_APP_ID": f"newswire-extract-{self.group_suffix}",
            "NEWSWIRE_EXTRACT_WEB_PORT": str(self.extract_port),
            "NEWSWIRE_EXTRACT_DATADIR": str(self.workdir / "extract"),
            "NEWSWIRE_EXTRACT_TOPIC_PARTITIONS": "2",
            "NEWSWIRE_STORE_TOPIC_PREFIX": prefix,
            "NEWSWIRE_STORE_APP_ID": self.store_group,
            "NEWSWIRE_STORE_WEB_PORT": str(self.store_port),
            "NEWSWIRE_STORE_DATADIR": str(self.workdir / "store"),
            "NEWSWIRE_STORE_TOPIC_PARTITIONS": "2",
        }

    def start(self) -> None:
        env = self.environment()
        for name, args in {
            "ingest": ["ingest"],
            "extract": ["extract-worker"],
            "store": ["store-worker"],
        }.items():
            log = (self.workdir / f"{name}.log").open("wb")
            self.processes[name] = subprocess.Popen([NEWSWIRE, *args], env=env, stdout=log, stderr=log)
        self.wait_ready("ingest", f"{self.ingest_url}/readyz")
        self.wait_ready("extract", f"http://127.0.0.1:{self.extract_port}/readyz")
        self.wait_ready("store", f"http://127.0.0.1:{self.store_port}/readyz")

    def log_tail(self, name: str, lines: int = 40) -> str:
        text = (self.workdir / f"{name}.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, name: str, url: str, timeout_s: float = 180.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited:\n{self.log_tail(name)}")
            try:
                if httpx.get(url, timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{name} not ready after {timeout_s}s:\n{self.log_tail(name)}")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
