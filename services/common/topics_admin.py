"""Creates the project's topics. faust declares only its internal topics, and the broker's auto-create is
off in our stacks, so every service makes sure its topics exist before it starts consuming or producing.

Every topic gets its `max.message.bytes` from the size budget (`services.contracts.budget`), on creation
and again on every start (an incremental config change, so other settings an operator made stay), so a
topic created by an older version, or by hand, cannot refuse what the budget lets through.
"""

import contextlib
import logging

from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from services.contracts.budget import topic_limits
from services.contracts.topics import Topics

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = "max.message.bytes"


def ensure_topics(bootstrap_servers: str, topics: Topics, *, partitions: int, replication: int = 1) -> None:
    """Create the missing topics of `topics` and set every topic's message size limit. Blocks; raises
    on outage."""
    limits = topic_limits(topics)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="newswire-admin")
    try:
        existing = set(admin.list_topics())
        missing = [
            NewTopic(
                name,
                num_partitions=partitions,
                replication_factor=replication,
                topic_configs={MAX_MESSAGE_BYTES: str(limits[name])},
            )
            for name in topics.all()
            if name not in existing
        ]
        if missing:
            # Another process may create them between our list and create.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(missing)
            log.info("created topics %s", [t.name for t in missing])
        admin.alter_configs(
            [
                ConfigResource(ConfigResourceType.TOPIC, name, configs={MAX_MESSAGE_BYTES: str(limit)})
                for name, limit in limits.items()
            ]
        )
    finally:
        admin.close()
