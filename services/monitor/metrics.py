"""Every metric of the lag exporter, declared once. The lag series are not prometheus_client objects: the
collector (services.monitor.collector) reads them from the broker at each scrape, under these names and help
texts, so a dead group's lag keeps growing and a vanished partition leaves no stale value.

| name | type | labels | what |
|---|---|---|---|
| newswire_consumer_group_lag_messages | gauge | group, topic, partition, hop | end - the group's position |
| newswire_consumer_group_lag_seconds | gauge | group, topic, partition, hop | age of oldest unconsumed |
| newswire_consumer_group_members | gauge | group, hop | live members of the group |
| newswire_lag_exporter_read_ok | gauge | | 1 when the last read of the broker succeeded |
| newswire_lag_exporter_read_duration_seconds | gauge | | duration of the last read of the broker |
"""

from __future__ import annotations

from typing import Final

LAG_MESSAGES: Final = (
    "newswire_consumer_group_lag_messages",
    "Messages of the topic the group has not consumed: end offset minus its committed offset (log start when "
    "it never committed), read from the broker at each scrape.",
)
LAG_SECONDS: Final = (
    "newswire_consumer_group_lag_seconds",
    "Age of the oldest message the group has not consumed (0 when it is caught up), from the message's "
    "timestamp, read from the broker at each scrape.",
)
MEMBERS: Final = (
    "newswire_consumer_group_members",
    "Live members of the consumer group, as the group coordinator knows them.",
)
READ_OK: Final = (
    "newswire_lag_exporter_read_ok",
    "1 when the last read of the broker (groups, offsets, timestamps) succeeded, else 0 (and no lag series).",
)
READ_SECONDS: Final = (
    "newswire_lag_exporter_read_duration_seconds",
    "Duration of the last read of the broker.",
)
