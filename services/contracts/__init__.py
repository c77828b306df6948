"""The one place for Kafka topic names and message contracts shared by every service."""
