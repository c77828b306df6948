#!/usr/bin/env bash
# `make bench`: start the bench-profile Kafka and Postgres (127.0.0.1:49092 and :45432, their own data
# dirs), run the benchmark harness (bench/run.py; arguments are passed on, e.g. --articles 200), then
# stop them again unless NEWSWIRE_BENCH_KEEP_INFRA=1. Other stacks (dev, test) are left alone, but
# they share the CPUs: stop a running dev stack first (`make stop`) or the figures will be low.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEWSWIRE_PROFILE=bench
# The pipeline alone: no Prometheus, Alertmanager or exporters competing for the two cores.
export NEWSWIRE_MONITORING=${NEWSWIRE_MONITORING:-off}

scripts/infra.sh up >&2
if [[ ${NEWSWIRE_BENCH_KEEP_INFRA:-0} != 1 ]]; then
  trap 'scripts/infra.sh down >&2' EXIT
fi
eval "$(scripts/infra.sh env)"
.venv/bin/python -m bench.run "$@"
