"""What "ready" means for a service that depends on Kafka, as plain checks that each answer None (fine)
or the reason they are not.

* `first_unreachable_reason`: whether one of the bootstrap servers accepts a TCP connection (blocks up
  to its timeout per server: call it from a thread).
* `GroupMembership`: whether a consumer group member holds an assignment. A worker is not ready before
  its first assignment (possibly empty: a group with more members than partitions leaves some idle, and
  that is fine); once its partitions are revoked it stays ready for `grace_s`, the time a rebalance may
  take, and reports why after that (the coordinator is unreachable, or the group cannot settle).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field


def first_unreachable_reason(bootstrap_servers: str, timeout_s: float) -> str | None:
    """None when one of the comma-separated host:port servers accepts a TCP connection, else why not."""
    failures = []
    for server in (s.strip() for s in bootstrap_servers.split(",")):
        if not server:
            continue
        host, _, port = server.rpartition(":")
        try:
            with socket.create_connection((host.strip("[]") or "localhost", int(port)), timeout=timeout_s):
                return None
        except (OSError, ValueError) as exc:
            failures.append(f"{server}: {exc}")
    return "no Kafka bootstrap server reachable (" + "; ".join(failures or ["none configured"]) + ")"


@dataclass
class GroupMembership:
    """The assignment state of one consumer group member, fed by the consumer's rebalance callbacks."""

    grace_s: float
    clock: Callable[[], float]
    _assigned: bool = field(default=False, init=False)
    _unassigned_since: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._unassigned_since = self.clock()

    def assigned(self) -> None:
        """The member received an assignment (possibly empty)."""
        self._assigned = True
        self._unassigned_since = None

    def revoked(self) -> None:
        """The member's partitions were revoked: a rebalance started."""
        if self._unassigned_since is None:
            self._unassigned_since = self.clock()

    def problem(self) -> str | None:
        """None while the member holds an assignment or a rebalance is younger than `grace_s`."""
        since = self._unassigned_since
        if since is None:
            return None
        waited = self.clock() - since
        if not self._assigned:
            return f"no partition assignment yet ({waited:.0f} s since start)"
        if waited > self.grace_s:
            return f"no partition assignment for {waited:.0f} s (rebalance not settling, or coordinator lost)"
        return None
