"""Where the CPU went during a timed run: CPU seconds per part of the stack, read with psutil.

`snapshot(services)` sums user + system CPU time of every process on the machine into groups:
each service's process tree (`extract-1`'s NLP processes, children of the worker, are counted apart
as `nlp`), `kafka` (the broker's JVM), `postgres` (server and backends), `bench` (this harness:
HTTP load, polling) and `other`. `shares(before, after, seconds)` turns two snapshots into cores used
on average; what is left of the machine's CPUs is `idle`.

A process that exits between the snapshots takes its CPU time with it (a short-lived Postgres
backend, say), so the groups are a lower bound; the long-lived processes that matter here all live
through a run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import psutil

Snapshot = dict[str, float]


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _group_of_others(process: psutil.Process) -> str:
    try:
        if process.name().startswith("postgres"):
            return "postgres"
        if "kafka.Kafka" in " ".join(process.cmdline()):
            return "kafka"
    except psutil.Error:
        pass
    return "other"


def snapshot(services: Mapping[str, int]) -> Snapshot:
    """CPU seconds used so far, per group (see the module docstring)."""
    groups: Snapshot = {}
    seen: set[int] = set()

    def add(group: str, process: psutil.Process) -> None:
        try:
            groups[group] = groups.get(group, 0.0) + _cpu_seconds(process)
        except psutil.Error:
            return
        seen.add(process.pid)

    for name, pid in services.items():
        try:
            root = psutil.Process(pid)
            children = root.children(recursive=True)
        except psutil.Error:
            continue
        add(_service_group(name), root)
        for child in children:
            add("nlp" if name.startswith("extract") else _service_group(name), child)
    me = psutil.Process(os.getpid())
    for process in [me, *me.children(recursive=True)]:
        if process.pid not in seen:
            add("bench", process)
    for process in psutil.process_iter():
        if process.pid not in seen:
            add(_group_of_others(process), process)
    return groups


def _service_group(name: str) -> str:
    return "extract" if name.startswith("extract") else name


def shares(before: Snapshot, after: Snapshot, seconds: float) -> dict[str, float]:
    """Average cores used by each group between two snapshots, and `idle` (CPUs left unused)."""
    used = {g: max(0.0, after.get(g, 0.0) - before.get(g, 0.0)) / seconds for g in after}
    cores = {g: round(v, 2) for g, v in sorted(used.items(), key=lambda kv: -kv[1]) if v >= 0.005}
    cores["idle"] = round(max(0.0, (os.cpu_count() or 1) - sum(used.values())), 2)
    return cores
