"""Readiness of a Kafka consumer: a member that holds an assignment, and a reachable broker."""

import socket

from services.common.readiness import GroupMembership, first_unreachable_reason
from tests.unit.common.clock import FakeClock


def test_a_member_is_not_ready_before_its_first_assignment_even_an_empty_one() -> None:
    clock = FakeClock()
    membership = GroupMembership(grace_s=30, clock=clock)

    clock.now += 5
    before = membership.problem()
    membership.assigned()

    assert before == "no partition assignment yet (5 s since start)"
    assert membership.problem() is None


def test_a_rebalance_is_tolerated_for_its_grace_then_reported() -> None:
    clock = FakeClock()
    membership = GroupMembership(grace_s=30, clock=clock)
    membership.assigned()

    membership.revoked()
    clock.now += 29
    during = membership.problem()
    clock.now += 2
    after = membership.problem()
    membership.assigned()

    assert during is None
    assert after is not None
    assert after.startswith("no partition assignment for 31 s")
    assert membership.problem() is None


def test_a_bootstrap_server_that_accepts_connections_is_reachable() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        assert first_unreachable_reason(f"127.0.0.1:1,127.0.0.1:{port}", timeout_s=1) is None


def test_no_reachable_bootstrap_server_names_each_failure() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
    reason = first_unreachable_reason(f"127.0.0.1:{port},nonsense", timeout_s=1)

    assert reason is not None
    assert reason.startswith("no Kafka bootstrap server reachable")
    assert f"127.0.0.1:{port}" in reason
    assert "nonsense" in reason
