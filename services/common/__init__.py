"""Pieces the Kafka-facing services share: retry, dead letters, topic admin, the faust worker frame."""
