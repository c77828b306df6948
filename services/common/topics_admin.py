"""Creates the project's topics. faust declares only its internal topics, and the broker's auto-create is
off in our stacks, so every service makes sure its topics exist before it starts consuming or producing.

Every topic gets its `max.message.bytes` from the size budget (`services.contracts.budget`) and its
`min.insync.replicas` from the layout, on creation and again on every start (an incremental config change,
so other settings an operator made stay), so a topic created by an older version, or by hand, cannot refuse
what the budget lets through.

Replication: a single local broker runs with replication factor 1; a production cluster sets
`NEWSWIRE_TOPIC_REPLICATION_FACTOR` (3), `NEWSWIRE_TOPIC_MIN_INSYNC_REPLICAS` (2) and
`NEWSWIRE_TOPIC_REQUIRE_REPLICATION=true`, under which a layout that would lose acknowledged articles with
one broker, or an existing topic with fewer replicas, is refused rather than silently used.
"""

import contextlib
import logging
from dataclasses import dataclass

from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from services.contracts.budget import topic_limits
from services.contracts.topics import Topics

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = "max.message.bytes"
MIN_INSYNC_REPLICAS = "min.insync.replicas"
# With replication required: survive one broker lost without losing or refusing acknowledged articles.
REQUIRED_REPLICATION_FACTOR = 3
REQUIRED_MIN_INSYNC_REPLICAS = 2


class TopicConfigRefused(RuntimeError):
    """The broker refused the message size limit or minimum in-sync replicas of a topic."""


class UnreplicatedTopics(ValueError):
    """Replication is required and the layout, or an existing topic, does not provide it."""


@dataclass(frozen=True)
class TopicLayout:
    partitions: int
    replication_factor: int = 1
    min_insync_replicas: int = 1
    require_replication: bool = False

    def problems(self) -> list[str]:
        """Why this layout may not be used (pure)."""
        found = []
        if self.min_insync_replicas > self.replication_factor:
            found.append(
                f"min.insync.replicas {self.min_insync_replicas} exceeds the replication factor "
                f"{self.replication_factor}: every write would be refused"
            )
        if self.require_replication and self.replication_factor < REQUIRED_REPLICATION_FACTOR:
            found.append(
                f"replication is required but the replication factor is {self.replication_factor} "
                f"(at least {REQUIRED_REPLICATION_FACTOR})"
            )
        if self.require_replication and self.min_insync_replicas < REQUIRED_MIN_INSYNC_REPLICAS:
            found.append(
                f"replication is required but min.insync.replicas is {self.min_insync_replicas} "
                f"(at least {REQUIRED_MIN_INSYNC_REPLICAS})"
            )
        return found


def ensure_topics(bootstrap_servers: str, topics: Topics, layout: TopicLayout) -> None:
    """Create the missing topics of `topics` with `layout` and set every topic's message size limit and
    minimum in-sync replicas. Blocks; raises UnreplicatedTopics (before touching anything when the layout
    itself is refused), TopicConfigRefused when the broker refuses a topic's configs, or on outage."""
    problems = layout.problems()
    if problems:
        raise UnreplicatedTopics("; ".join(problems))
    limits = topic_limits(topics)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="newswire-admin")
    try:
        existing = set(admin.list_topics())
        if layout.require_replication:
            _check_replicas(
                admin, [name for name in topics.all() if name in existing], layout.replication_factor
            )
        missing = [
            NewTopic(
                name,
                num_partitions=layout.partitions,
                replication_factor=layout.replication_factor,
                topic_configs={
                    MAX_MESSAGE_BYTES: str(limits[name]),
                    MIN_INSYNC_REPLICAS: str(layout.min_insync_replicas),
                },
            )
            for name in topics.all()
            if name not in existing
        ]
        if missing:
            # Another process may create them between our list and create.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(missing)
            log.info("created topics %s", [t.name for t in missing])
        # The broker validates the values and answers per topic. kafka-python's own check first asks the
        # broker for the topic's dynamic configs, which a topic created a moment ago may not list yet.
        results = admin.alter_configs(
            [
                ConfigResource(
                    ConfigResourceType.TOPIC,
                    name,
                    configs={
                        MAX_MESSAGE_BYTES: str(limit),
                        MIN_INSYNC_REPLICAS: str(layout.min_insync_replicas),
                    },
                )
                for name, limit in limits.items()
            ],
            raise_on_unknown=False,
        )
        refused = {name: result for name, result in results.get("topic", {}).items() if result != "OK"}
        if refused:
            raise TopicConfigRefused(f"the broker refused the topic configs: {refused}")
    finally:
        admin.close()


def _check_replicas(admin: KafkaAdminClient, names: list[str], wanted: int) -> None:
    """Raise UnreplicatedTopics naming each existing topic with a partition of under `wanted` replicas."""
    if not names:
        return
    short = sorted(
        {
            topic["name"]
            for topic in admin.describe_topics(names)
            for partition in topic["partitions"]
            if len(partition["replica_nodes"]) < wanted
        }
    )
    if short:
        raise UnreplicatedTopics(
            f"replication is required but these topics exist with fewer than {wanted} replicas: "
            f"{', '.join(short)} (raise it with kafka-reassign-partitions)"
        )
