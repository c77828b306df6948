"""Creates the project's topics. faust declares only its internal topics, and the broker's auto-create is
off in our stacks, so every service makes sure its topics exist before it starts consuming or producing."""

import contextlib
import logging

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from services.contracts.topics import Topics

log = logging.getLogger(__name__)


def ensure_topics(bootstrap_servers: str, topics: Topics, *, partitions: int, replication: int = 1) -> None:
    """Create the missing topics of `topics`; existing ones are left as they are. Blocks; raises on outage."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="newswire-admin")
    try:
        existing = set(admin.list_topics())
        missing = [
            NewTopic(name, num_partitions=partitions, replication_factor=replication)
            for name in topics.all()
            if name not in existing
        ]
        if missing:
            # Another process may create them between our list and create.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(missing)
            log.info("created topics %s", [t.name for t in missing])
    finally:
        admin.close()
