"""`newswire ingest` with NEWSWIRE_INGEST_WORKERS=2, as a real process against the real broker: the
workers share the port and the load, /metrics answers the totals of all of them, a killed worker is
replaced without losing its counts, and SIGTERM stops everything it started."""

from __future__ import annotations

import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from bench.stack import NEWSWIRE, Stack

pytestmark = pytest.mark.kafka

NO_DATABASE = "postgresql://ingest-uses-no-database"
ARTICLE = "Le ministre des Affaires étrangères s'est rendu jeudi à Berlin pour des consultations."


@pytest.fixture
def stack(kafka_bootstrap: str, tmp_path: Path) -> Iterator[Stack]:
    running = Stack(
        kafka_bootstrap,
        NO_DATABASE,
        f"test-{uuid.uuid4().hex[:10]}.",
        tmp_path,
        partitions=2,
        ingest_workers=2,
    )
    try:
        running.create_topics()
        running.start_ingest()
        yield running
    finally:
        running.stop_all()


def workers(stack: Stack) -> list[psutil.Process]:
    master = psutil.Process(stack.pids()["ingest"])
    return [p for p in master.children() if "spawn_main" in " ".join(p.cmdline())]


def post(stack: Stack, client: httpx.Client, n: int) -> None:
    response = client.post(f"{stack.ingest_url}/v1/articles", json={"text": f"{ARTICLE} ({n})"})
    assert response.status_code == 202, response.text


def accepted_total(stack: Stack) -> float:
    """newswire_ingest_articles_accepted_total, on a new connection (so any worker may answer)."""
    text = httpx.get(f"{stack.ingest_url}/metrics", headers={"Connection": "close"}).text
    (line,) = [
        line for line in text.splitlines() if line.startswith("newswire_ingest_articles_accepted_total")
    ]
    return float(line.split()[-1])


def test_the_workers_share_the_connections_and_metrics_count_every_workers_articles(stack: Stack) -> None:
    running = workers(stack)
    assert len(running) == 2
    clients = [httpx.Client() for _ in range(16)]  # 16 kept-alive connections, spread by the kernel
    try:
        for n, client in enumerate(clients):
            post(stack, client, n)
        port = stack.ingest_port
        serving = [
            p.pid for p in running if any(c.laddr.port == port for c in p.net_connections() if c.raddr)
        ]
        assert sorted(serving) == sorted(p.pid for p in running)
    finally:
        for client in clients:
            client.close()
    assert [accepted_total(stack) for _ in range(8)] == [16.0] * 8


def test_a_killed_worker_is_replaced_and_its_counts_are_kept(stack: Stack) -> None:
    for n in range(4):
        with httpx.Client() as client:
            post(stack, client, n)
    victim = workers(stack)[0]
    victim.send_signal(signal.SIGKILL)
    victim.wait(10)
    deadline = time.monotonic() + 30
    while len(workers(stack)) < 2 or victim.pid in (p.pid for p in workers(stack)):
        assert time.monotonic() < deadline, "the killed worker was not replaced"
        time.sleep(0.2)
    for n in range(4, 8):
        with httpx.Client() as client:
            post(stack, client, n)
    assert accepted_total(stack) == 8.0


def test_sigterm_stops_every_process_ingest_started(stack: Stack) -> None:
    master = psutil.Process(stack.pids()["ingest"])
    with httpx.Client() as client:
        post(stack, client, 0)
    descendants = master.children(recursive=True)
    assert len(workers(stack)) == 2
    process = stack.processes["ingest"]
    stack.stop("ingest")
    assert process.returncode == 0
    _, alive = psutil.wait_procs(descendants, timeout=15)
    assert alive == []


def test_a_second_ingest_on_the_same_port_refuses_to_start(stack: Stack) -> None:
    second = subprocess.run(
        [NEWSWIRE, "ingest", "--log-level", "warning"],
        env=stack.environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 3
    assert f"cannot listen on 127.0.0.1:{stack.ingest_port}" in second.stderr
    with httpx.Client() as client:
        post(stack, client, 0)  # the first one still serves
