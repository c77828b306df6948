"""The store service: enriched articles from Kafka into Postgres (schema, migrations, batch writer)."""
