"""The benchmark's outputs: a readable table, and one JSON object (the last line printed, and a file in
`bench/results/`). Targets are the ones of the throughput issue; a ratio measured side by side in the
same run is what counts."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import psutil

# key -> (predicate on the value, how the target reads)
TARGETS: Final[dict[str, tuple[Callable[[float], bool], str]]] = {
    "pipeline_vs_spacy": (lambda v: v >= 0.90, ">= 0.90"),
    "store_vs_copy": (lambda v: v >= 0.70, ">= 0.70"),
    "extract_scaling_2v1": (lambda v: v >= 1.7, ">= 1.7"),
    "e2e_p99_s": (lambda v: v <= 1.0, "<= 1.0"),
    "extract_rss_mb_max": (lambda v: v <= 800, "<= 800"),
    "ingest_articles_per_s": (lambda v: v >= 2000, ">= 2000"),
}


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def with_verdicts(result: dict[str, Any]) -> dict[str, Any]:
    result["targets_met"] = {key: check(float(result[key])) for key, (check, _) in TARGETS.items()}
    return result


def table(result: dict[str, Any]) -> str:
    """The human-readable summary."""
    r = result
    rows: list[tuple[str, str, str, str]] = [
        (f"(a) bare spaCy, {r['nlp_processes_total']} proc", f"{r['bare_spacy_articles_per_s']:.1f} art/s",
         "limit: faster of " + _runs(r, "bare_spacy_runs", ".1f"), ""),
        (f"    bare spaCy, {r['nlp_processes_per_worker']} proc",
         f"{r['bare_spacy_1proc_articles_per_s']:.1f} art/s",
         f"x{r['spacy_scaling_2v1']:.2f}", "(context for f)"),
        (f"(b) pipeline, {r['extract_workers']} extract workers", f"{r['pipeline_articles_per_s']:.1f} art/s",
         f"{r['pipeline_vs_spacy']:.2f} of (a); faster of " + _runs(r, "pipeline_runs", ".1f"),
         _verdict(r, "pipeline_vs_spacy")),
        ("(c) store alone", f"{r['store_rows_per_s']:.0f} rows/s",
         f"{r['store_articles_per_s']:.0f} art/s; faster of " + _runs(r, "store_runs", ".0f"), ""),
        ("    raw COPY, same rows", f"{r['copy_rows_per_s']:.0f} rows/s",
         f"{r['store_vs_copy']:.2f} store/COPY; faster of " + _runs(r, "copy_runs", ".0f"),
         _verdict(r, "store_vs_copy")),
        (f"(d) ingest alone, {r.get('ingest_workers', 1)} proc, batches of 100",
         f"{r['ingest_articles_per_s']:.0f} art/s", "acks=all",
         _verdict(r, "ingest_articles_per_s")),
        (f"(e) e2e latency at {r['latency_offered_articles_per_s']:.1f} art/s",
         f"p50 {r['e2e_p50_s']:.3f} s", f"p95 {r['e2e_p95_s']:.3f} s  p99 {r['e2e_p99_s']:.3f} s",
         _verdict(r, "e2e_p99_s")),
        ("(f) pipeline, 1 extract worker", f"{r['pipeline_1worker_articles_per_s']:.1f} art/s",
         f"x{r['extract_scaling_2v1']:.2f} with 2 (first b)", _verdict(r, "extract_scaling_2v1")),
        ("(g) extract peak RSS (largest process)", f"{r['extract_rss_mb_max']:.0f} MB",
         f"tree {r['extract_tree_rss_mb_max']:.0f} MB", _verdict(r, "extract_rss_mb_max")),
    ]  # fmt: skip
    for key, label in (("cpu_cores_pipeline", "(b)"), ("cpu_cores_pipeline_1worker", "(f)"),
                       ("cpu_cores_store", "(c)"), ("cpu_cores_ingest", "(d)")):  # fmt: skip
        if key in r:
            rows.append((f"    {label} cores used", "", _cores(r[key]), ""))
    for name, peak in sorted(r["rss_mb"].items()):
        rows.append((f"    peak RSS {name}", f"{peak['process']:.0f} MB", f"tree {peak['tree']:.0f} MB", ""))
    width = max(len(row[0]) for row in rows)
    lines = [
        f"newswire bench  {r['timestamp']}  {r['machine']['cpus']} CPUs ({r['machine']['cpu_model']}), "
        f"{r['articles']} articles, {r['duration_s']:.0f} s, dead letters: {r['dead_letters']}",
        "",
    ]
    lines += [f"{a:<{width}}  {b:>16}  {c:<32} {d}".rstrip() for a, b, c, d in rows]
    return "\n".join(lines)


def _runs(result: dict[str, Any], key: str, spec: str) -> str:
    return ", ".join(format(value, spec) for value in result.get(key, []))


def _cores(cores: dict[str, float]) -> str:
    return " ".join(f"{group} {value:.2f}" for group, value in cores.items())


def _verdict(result: dict[str, Any], key: str) -> str:
    check, target = TARGETS[key]
    return f"{'ok' if check(float(result[key])) else 'MISSED'} (target {target})"


def write(result: dict[str, Any], results_dir: Path) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"bench-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return path
