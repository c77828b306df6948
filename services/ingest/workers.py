"""Several server processes on one port, each listening on its own SO_REUSEPORT socket.

Why not uvicorn's `workers=`: its processes share one listening socket, and asyncio accepts every pending
connection in whichever process wakes first; a keep-alive client (a feeder, a load balancer) then stays
on that process while the others idle. With a socket per process the kernel spreads connections across
them, as a Kubernetes Service spreads them across pods.

The supervisor restarts a worker that dies (a kill, an OOM) and stops everything when one fails in a way
a restart would repeat (bad configuration, port taken). SIGINT/SIGTERM stop every worker gracefully:
each finishes its requests in flight and closes its producer.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Final

log = logging.getLogger(__name__)

# Exit codes of a worker that would fail the same way if restarted: an uncaught error, invalid settings
# (SystemExit(2) from the settings loader), uvicorn's STARTUP_FAILURE (the app or socket is broken).
FATAL_EXIT_CODES: Final = frozenset({1, 2, 3})
POLL_S: Final = 0.5
STOP_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port with SO_REUSEPORT, not yet listening (uvicorn listens on it)."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def check_port_free(host: str, port: int) -> None:
    """Raise OSError (address in use) when something already listens on host:port, another ingest's
    workers included: their SO_REUSEPORT sockets would otherwise let a second ingest share the port
    silently. A plain bind, without SO_REUSEPORT, fails while any socket listens there."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def supervise(count: int, target: Callable[[], None], *, stop_timeout_s: float) -> int:
    """Run `target` in `count` spawned processes until SIGINT/SIGTERM or a fatal worker exit; return 0,
    or the fatal exit code. Call from the main thread: it handles SIGINT/SIGTERM while it runs."""
    stopping = threading.Event()
    previous = {signum: signal.signal(signum, lambda *_: stopping.set()) for signum in STOP_SIGNALS}
    try:
        return _run(count, target, stopping, stop_timeout_s)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _run(count: int, target: Callable[[], None], stopping: threading.Event, stop_timeout_s: float) -> int:
    context = multiprocessing.get_context("spawn")

    def start() -> BaseProcess:
        process = context.Process(target=target, name="newswire-ingest-worker")
        process.start()
        return process

    workers = [start() for _ in range(count)]
    fatal = 0
    while not stopping.wait(POLL_S):
        for index, worker in enumerate(workers):
            if worker.is_alive() or stopping.is_set():  # a Ctrl-C reaches the workers too
                continue
            if worker.exitcode in FATAL_EXIT_CODES:
                log.error("worker %s exited with %s; stopping every worker", worker.pid, worker.exitcode)
                fatal = worker.exitcode or 1
                stopping.set()
                break
            log.warning("worker %s exited with %s; starting another", worker.pid, worker.exitcode)
            workers[index] = start()
    for worker in workers:
        if worker.is_alive():
            worker.terminate()
    for worker in workers:
        worker.join(stop_timeout_s)
        if worker.is_alive():
            log.error("worker %s did not stop within %.0f s; killing it", worker.pid, stop_timeout_s)
            worker.kill()
            worker.join()
    return fatal
