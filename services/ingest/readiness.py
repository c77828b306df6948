"""Whether Kafka is reachable, answered alike by every ingest server process and known to the publisher.

The verdict (reachable, or why not) is probed at most once per `ttl_s` and kept in a small file shared
by the server processes (in the workers' metrics directory), so `/readyz` does not flip between 200 and
503 depending on which process takes the request. The publisher consults it before sending: while the
broker is known to be down a request is refused with 503 at once, instead of after the full publish
timeout, and a publish that times out marks it down for the others. With one server process (no shared
directory) the verdict is kept in the object.

Blocks up to the probe's timeout when the verdict is stale: call it from a worker thread.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

FILE_NAME: Final = "kafka-readiness.json"


@dataclass(frozen=True)
class Verdict:
    """A probe's answer: None when reachable, else why not; `at` is wall-clock seconds."""

    at: float
    reason: str | None


class SharedReadiness:
    """The broker's reachability, probed by `probe` at most once per `ttl_s` across the processes that
    share `directory`. Thread-safe."""

    def __init__(
        self,
        probe: Callable[[], str | None],
        *,
        ttl_s: float,
        directory: Path | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._probe = probe
        self._ttl_s = ttl_s
        self._path = None if directory is None else directory / FILE_NAME
        self._clock = clock
        self._lock = threading.Lock()
        self._local: Verdict | None = None

    def reason(self) -> str | None:
        """None when Kafka is reachable, else why not; probes when the shared verdict is stale."""
        with self._lock:
            verdict = self._read()
            if verdict is None or self._clock() - verdict.at >= self._ttl_s:
                verdict = Verdict(self._clock(), self._probe())
                self._write(verdict)
            return verdict.reason

    def mark_down(self, reason: str) -> None:
        """Record that Kafka failed (a publish timed out), for every process, until the next probe."""
        with self._lock:
            self._write(Verdict(self._clock(), reason))

    def _read(self) -> Verdict | None:
        if self._path is None:
            return self._local
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
            return Verdict(float(data["at"]), data["reason"])
        except (OSError, ValueError, KeyError, TypeError):  # not written yet, or unreadable
            return self._local

    def _write(self, verdict: Verdict) -> None:
        self._local = verdict
        if self._path is None:
            return
        temporary = self._path.with_name(f".{FILE_NAME}.{os.getpid()}.{threading.get_ident()}")
        try:
            temporary.write_text(json.dumps({"at": verdict.at, "reason": verdict.reason}), encoding="utf-8")
            os.replace(temporary, self._path)  # atomic: a reader sees the old verdict or the new one
        except OSError:
            pass  # the shared file is an optimisation; this process still has its own verdict
