#!/usr/bin/env bash
# `make chaos`: start the chaos-profile Kafka and Postgres (127.0.0.1:59092 and :55432, their own data
# dirs, stopped and started again by the faults), run the fault harness (bench/chaos.py; arguments are
# passed on, e.g. --faults kill_extract,nul_raw), then stop them again unless NEWSWIRE_CHAOS_KEEP_INFRA=1.
# Exits 1 when an article was lost or doubled, a process was orphaned, a 5xx other than 503 was answered
# or a fault was not recovered from without an operator.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEWSWIRE_PROFILE=chaos
cache_dir=${NEWSWIRE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/newswire}
export NEWSWIRE_STATE_DIR=${NEWSWIRE_STATE_DIR:-$cache_dir/state/chaos}

scripts/infra.sh up >&2
if [[ ${NEWSWIRE_CHAOS_KEEP_INFRA:-0} != 1 ]]; then
  trap 'scripts/infra.sh down >&2' EXIT
fi
eval "$(scripts/infra.sh env)"
export KAFKA_BOOTSTRAP_SERVERS DATABASE_URL
.venv/bin/python -m bench.chaos "$@"
