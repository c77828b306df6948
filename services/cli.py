"""`newswire`: one command, one subcommand per entry point. Each subcommand lives in the module that owns it
and is imported only when called (spaCy and faust are slow to import)."""

import importlib
import sys
from typing import Final

COMMANDS: Final[dict[str, tuple[str, str]]] = {
    "ingest": ("services.ingest.server", "run the ingest HTTP API"),
    "poll": ("services.ingest.poll.worker", "poll the RSS/Atom/ninjs feeds of a sources file (a worker)"),
    "sample-feeds": (
        "services.tools.sample_feeds",
        "write samples/ as RSS and ninjs feeds (for the local stack)",
    ),
    "feed": ("services.ingest.feed", "post .txt/.json/.jsonl files or folders to the ingest API"),
    "extract": ("services.tools.offline_extract", "extract entities and events from files, without Kafka"),
    "extract-worker": ("services.extract.consumer.app", "run the extract worker (faust)"),
    "store-worker": ("services.store.app", "run the store worker (faust)"),
    "db": ("services.store.migrate", "database schema: `db upgrade`, `db current`"),
    "topics": ("services.common.topics_cli", "create the Kafka topics: `topics ensure`"),
    "lag-exporter": ("services.monitor.server", "serve consumer-group lag read from the broker (Prometheus)"),
    "alert-log": ("services.monitor.alert_log", "receive Alertmanager's webhook; print each alert as JSON"),
    "trace": ("services.monitor.trace", "one article's path through every hop, from the services' JSON logs"),
    "summary": ("services.store.summary", "print what is in Postgres"),
    "replay": ("services.store.replay", "re-publish stored articles to the raw topic to re-extract them"),
    "contracts": (
        "services.contracts.export",
        "write the contracts' JSON Schemas and AsyncAPI document: `contracts export`",
    ),
}


def usage() -> str:
    lines = ["usage: newswire COMMAND [ARGS...]", "", "commands:"]
    lines += [f"  {name:<16}{help_text}" for name, (_, help_text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0 if args else 2
    entry = COMMANDS.get(args[0])
    if entry is None:
        print(f"newswire: unknown command {args[0]!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(entry[0])
    result: int = module.main(args[1:])
    return result


if __name__ == "__main__":
    raise SystemExit(main())
