"""The extract worker's Kafka side: the faust app and its batch handler, the per-message logic,
the NLP process pool and what runs in its processes, and the metrics."""
