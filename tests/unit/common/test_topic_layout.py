"""A topic layout that production would regret is refused before any topic is touched."""

from __future__ import annotations

from services.common.topics_admin import TopicLayout


def test_the_local_single_broker_layout_is_fine() -> None:
    assert TopicLayout(partitions=4).problems() == []


def test_production_replication_three_with_two_in_sync_is_fine() -> None:
    assert (
        TopicLayout(12, replication_factor=3, min_insync_replicas=2, require_replication=True).problems()
        == []
    )


def test_required_replication_refuses_a_single_replica_or_a_single_in_sync_one() -> None:
    problems = TopicLayout(12, replication_factor=1, require_replication=True).problems()
    assert any("replication factor is 1" in p for p in problems)
    assert any("min.insync.replicas is 1" in p for p in problems)


def test_more_in_sync_replicas_than_replicas_would_refuse_every_write() -> None:
    (problem,) = TopicLayout(4, replication_factor=2, min_insync_replicas=3).problems()
    assert "exceeds the replication factor" in problem
