"""workers.py: sockets that share a port, and a supervisor that gives up on workers that cannot start."""

from __future__ import annotations

import functools
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from services.ingest.workers import check_port_free, reuse_port_socket, supervise


def exit_3() -> None:
    """A worker whose app or socket is broken: uvicorn's STARTUP_FAILURE."""
    sys.exit(3)


def serve_forever(pids: Path) -> None:
    (pids / str(os.getpid())).touch()
    time.sleep(600)


def test_two_workers_bind_the_same_port() -> None:
    first = reuse_port_socket("127.0.0.1", 0)
    try:
        port = first.getsockname()[1]
        second = reuse_port_socket("127.0.0.1", port)
        second.close()
    finally:
        first.close()


def test_a_port_held_by_another_program_is_refused() -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        with pytest.raises(OSError, match="in use"):
            reuse_port_socket("127.0.0.1", other.getsockname()[1])


def test_a_port_that_workers_listen_on_is_not_free() -> None:
    worker = reuse_port_socket("127.0.0.1", 0)
    try:
        port = worker.getsockname()[1]
        worker.listen()
        with pytest.raises(OSError, match="in use"):
            check_port_free("127.0.0.1", port)
    finally:
        worker.close()
    check_port_free("127.0.0.1", port)


def test_a_worker_that_cannot_start_stops_the_supervisor_with_its_exit_code() -> None:
    before = signal.getsignal(signal.SIGTERM)
    assert supervise(2, exit_3, stop_timeout_s=10) == 3
    assert signal.getsignal(signal.SIGTERM) is before


def test_sigterm_stops_the_workers_and_returns_0(tmp_path: Path) -> None:
    threading.Timer(3.0, os.kill, (os.getpid(), signal.SIGTERM)).start()
    assert supervise(2, functools.partial(serve_forever, tmp_path), stop_timeout_s=10) == 0
    pids = [int(path.name) for path in tmp_path.iterdir()]
    assert len(pids) == 2
    assert not [pid for pid in pids if psutil.pid_exists(pid)]
