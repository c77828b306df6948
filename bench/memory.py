"""Peak resident memory of each service, sampled from a background thread with psutil.

Every `interval_s`, the RSS of each watched service's process tree (the process and all its
descendants: the extract worker's forkserver and NLP processes) is read; the trees themselves are
re-listed every `tree_interval_s` only, because listing descendants reads every process of the
machine, and the sampler shares the CPUs with what it measures. Two peaks are kept per service:

* `process_mb`: the largest RSS of any single process of the tree (for extract, the NLP process
  holding the spaCy model);
* `tree_mb`: the largest sum of RSS over the tree at one instant (an upper bound of what the
  service costs, since pages shared between processes are counted once per process).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import psutil

MB = 1024 * 1024


@dataclass
class Peak:
    process_mb: float = 0.0
    tree_mb: float = 0.0


class MemorySampler:
    """Samples the trees of `services()` (name -> pid, re-read every tick, so services started later are
    watched too) until `stop()`."""

    def __init__(
        self, services: Callable[[], dict[str, int]], interval_s: float = 0.5, tree_interval_s: float = 2.0
    ) -> None:
        self._services = services
        self._interval_s = interval_s
        self._tree_every = max(1, round(tree_interval_s / interval_s))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)
        self.peaks: dict[str, Peak] = {}

    def start(self) -> MemorySampler:
        self._thread.start()
        return self

    def stop(self) -> dict[str, Peak]:
        self._stop.set()
        self._thread.join()
        return self.peaks

    def _run(self) -> None:
        trees: dict[str, list[psutil.Process]] = {}
        tick = 0
        while not self._stop.wait(self._interval_s):
            services = dict(self._services())
            if tick % self._tree_every == 0 or set(services) != set(trees):
                trees = {name: _tree(pid) for name, pid in services.items()}
            tick += 1
            for name, tree in trees.items():
                self._sample(name, tree)

    def _sample(self, name: str, tree: list[psutil.Process]) -> None:
        sizes = []
        for process in tree:
            try:
                sizes.append(process.memory_info().rss / MB)
            except psutil.Error:
                continue
        if not sizes:
            return
        peak = self.peaks.setdefault(name, Peak())
        peak.process_mb = max(peak.process_mb, max(sizes))
        peak.tree_mb = max(peak.tree_mb, sum(sizes))


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []
