#!/usr/bin/env bash
# `make test`: start the test profile's own Kafka and Postgres (ports apart from a running dev stack),
# then run the whole pytest suite against them. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEWSWIRE_PROFILE=test
# Scrapes and rule evaluations every 2 s and a 5 s wait before an alert's first notification, so the
# monitoring tests see their data and alerts in seconds rather than minutes.
NEWSWIRE_PG_FSYNC=${NEWSWIRE_PG_FSYNC:-off} NEWSWIRE_SCRAPE_INTERVAL=${NEWSWIRE_SCRAPE_INTERVAL:-2s} \
  NEWSWIRE_ALERT_GROUP_WAIT=${NEWSWIRE_ALERT_GROUP_WAIT:-5s} scripts/infra.sh up
eval "$(scripts/infra.sh env)"
exec .venv/bin/pytest "$@"
