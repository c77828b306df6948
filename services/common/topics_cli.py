"""`newswire topics ensure`: create the project's Kafka topics (idempotent)."""

import argparse
import os

from services.common.topics_admin import ensure_topics
from services.contracts.topics import Topics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newswire topics")
    sub = parser.add_subparsers(dest="action", required=True)
    ensure = sub.add_parser("ensure", help="create missing topics")
    ensure.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092"))
    ensure.add_argument("--prefix", default=os.environ.get("NEWSWIRE_TOPIC_PREFIX", ""))
    ensure.add_argument("--partitions", type=int, default=int(os.environ.get("NEWSWIRE_TOPIC_PARTITIONS", "4")))
    args = parser.parse_args(argv)
    topics = Topics.named(args.prefix)
    ensure_topics(args.bootstrap, topics, partitions=args.partitions)
    print("\n".join(topics.all()))
    return 0
