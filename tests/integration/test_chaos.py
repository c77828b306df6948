"""The short chaos run of `make test` (bench/chaos.py): one kill, one poison, one oversize body, under a
steady feed, on the real stack. Nothing may be lost, doubled or left behind, and no answer may be a
5xx other than the documented 503."""

from pathlib import Path

import pytest

from bench import chaos

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def test_a_killed_worker_a_poison_message_and_an_oversize_body_lose_nothing(
    kafka_bootstrap: str, database_url: str, database_owner_url: str, tmp_path: Path
) -> None:
    results, totals = chaos.run(
        kafka_bootstrap,
        database_url,
        database_owner_url,
        tmp_path,
        faults=["kill_extract", "nul_raw", "body_20mb"],
        rate=2.0,
        warmup_s=5.0,
        recovery_timeout_s=120.0,
        infra=None,
    )

    print(chaos.report(results, totals, 0.0))
    assert {r.name: r.recovered for r in results} == {
        "kill_extract": True,
        "nul_raw": True,
        "body_20mb": True,
    }
    assert totals["accepted"] > 0
    assert (totals["lost"], totals["doubled"], totals["orphan_processes"], totals["http_5xx"]) == (0, 0, 0, 0)
    assert totals["answers"].get("413") == 1
    assert totals["dead_lettered"].get("extract:not a RawArticle") == 1
