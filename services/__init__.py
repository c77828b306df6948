"""newswire: ingest -> extract -> store, with shared contracts in `services.contracts`."""
