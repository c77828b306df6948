"""How the benchmark reports where the CPU went during a run."""

import os

import pytest

from bench import cpu


def test_shares_are_the_cores_each_group_used_and_idle_is_what_is_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    before = {"nlp": 1.0, "kafka": 0.5}
    after = {"nlp": 3.0, "kafka": 0.7, "store": 0.2, "other": 0.001}

    assert cpu.shares(before, after, seconds=2.0) == {"nlp": 1.0, "kafka": 0.1, "store": 0.1, "idle": 0.8}


def test_a_snapshot_counts_this_harness_and_the_rest_of_the_machine() -> None:
    groups = cpu.snapshot({})

    assert groups["bench"] > 0
    assert set(groups) <= {"bench", "postgres", "kafka", "other"}
