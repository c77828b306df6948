"""Commands that combine the services' pure parts outside the streaming pipeline (no Kafka): they may import
any service, and no service imports them."""
