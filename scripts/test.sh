#!/usr/bin/env bash
# `make test`: start the test profile's own Kafka and Postgres (ports apart from a running dev stack),
# then run the whole pytest suite against them. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEWSWIRE_PROFILE=test
NEWSWIRE_PG_FSYNC=${NEWSWIRE_PG_FSYNC:-off} scripts/infra.sh up
eval "$(scripts/infra.sh env)"
exec .venv/bin/pytest "$@"
