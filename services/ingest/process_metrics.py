"""The `process_*` metrics of a multi-process ingest. prometheus_client's own process collector cannot run in
multiprocess mode (it would report whichever worker took the scrape), so this one reports, at each scrape,
the supervisor and every process under it (server workers, lingua's helpers), one series per pid."""

from __future__ import annotations

from collections.abc import Iterator

import psutil
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector


class ProcessTreeCollector(Collector):
    def __init__(self, root_pid: int) -> None:
        self._root_pid = root_pid

    def collect(self) -> Iterator[Metric]:
        cpu = CounterMetricFamily(
            "process_cpu_seconds", "User and system CPU time spent, by process.", labels=["pid"]
        )
        rss = GaugeMetricFamily(
            "process_resident_memory_bytes", "Resident memory size, by process.", labels=["pid"]
        )
        vms = GaugeMetricFamily(
            "process_virtual_memory_bytes", "Virtual memory size, by process.", labels=["pid"]
        )
        fds = GaugeMetricFamily("process_open_fds", "Open file descriptors, by process.", labels=["pid"])
        start = GaugeMetricFamily(
            "process_start_time_seconds", "Start time since the Unix epoch, by process.", labels=["pid"]
        )
        try:
            root = psutil.Process(self._root_pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.Error:  # the supervisor is gone: this worker is about to be stopped too
            processes = []
        for process in processes:
            try:
                with process.oneshot():
                    times, memory = process.cpu_times(), process.memory_info()
                    open_fds, created = process.num_fds(), process.create_time()
            except psutil.Error:  # exited between the listing and now
                continue
            pid = [str(process.pid)]
            cpu.add_metric(pid, times.user + times.system)
            rss.add_metric(pid, memory.rss)
            vms.add_metric(pid, memory.vms)
            fds.add_metric(pid, open_fds)
            start.add_metric(pid, created)
        yield from (cpu, rss, vms, fds, start)
