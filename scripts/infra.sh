#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Local infrastructure for newswire, without Docker: one Kafka broker (KRaft, jars from Maven Central), one
# private PostgreSQL cluster, and the monitoring (Prometheus, Alertmanager, the PostgreSQL exporter: Debian
# packages) per profile, so that dev, test and bench stacks run side by side.
#
# Usage: scripts/infra.sh up|down|status|env|clean
#   up      start what is not running, wait until it answers, write $NEWSWIRE_STATE_DIR/env, print the endpoints
#   down    stop what this script started for the profile and wait for it to exit; a no-op when nothing runs
#   status  print what runs; exit status 0 when everything runs, 3 otherwise
#   env     print the env file written by `up`, for: eval "$(scripts/infra.sh env)"
#   clean   `down`, then delete the profile's state (data, logs); the jar cache stays
#
# Environment (all optional):
#   NEWSWIRE_PROFILE          dev (default), test, bench or chaos; picks the default ports and the state dir
#                             (any other name works when the three ports below are given)
#   NEWSWIRE_KAFKA_PORT       dev 19092, test 29092, bench 49092
#   NEWSWIRE_KAFKA_CONTROLLER_PORT  dev 19093, test 29093, bench 49093
#   NEWSWIRE_PG_PORT          dev 15432, test 25432, bench 45432
#   NEWSWIRE_PROMETHEUS_PORT  dev 19090, test 29090, bench 49090 (the other monitoring ports follow the same
#   NEWSWIRE_ALERTMANAGER_PORT, NEWSWIRE_POSTGRES_EXPORTER_PORT, NEWSWIRE_KAFKA_JMX_PORT,
#   NEWSWIRE_ALERT_WEBHOOK_PORT  pattern: x9095, x9187, x9404, x9099, with x the profile's first digit)
#   NEWSWIRE_MONITORING       on (default) or off: start Prometheus, Alertmanager and the exporters
#   NEWSWIRE_SCRAPE_INTERVAL  Prometheus' scrape and rule evaluation interval (default 15s)
#   NEWSWIRE_PROMETHEUS_RETENTION  how long Prometheus keeps samples (default 15d)
#   NEWSWIRE_ALERT_WEBHOOK_URL  where Alertmanager sends every alert (default: `newswire alert-log` on
#                             127.0.0.1:NEWSWIRE_ALERT_WEBHOOK_PORT, started by scripts/services.sh)
#   NEWSWIRE_ALERT_GROUP_WAIT  Alertmanager's wait before the first notification of a group (default 30s)
#   NEWSWIRE_CACHE_DIR        jar cache (default ${XDG_CACHE_HOME:-$HOME/.cache}/newswire)
#   NEWSWIRE_STATE_DIR        data, logs and pid files (default $NEWSWIRE_CACHE_DIR/state/$NEWSWIRE_PROFILE)
#   NEWSWIRE_KAFKA_HEAP_OPTS  broker JVM heap (default "-Xms256m -Xmx768m")
#   NEWSWIRE_PG_FSYNC         on (default) or off (faster, for throwaway test data)
#   NEWSWIRE_START_TIMEOUT    seconds to wait for each service to answer (default 90)
#   NEWSWIRE_PYTHON           Python with kafka-python, for the broker readiness probe (default .venv/bin/python)
#   KAFKA_BOOTSTRAP_SERVERS   if you set it, no broker is started and `up` passes your value on
#   DATABASE_URL              if you set it, no PostgreSQL is started and `up` passes your value on
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)

NEWSWIRE_PROFILE=${NEWSWIRE_PROFILE:-dev}
[[ $NEWSWIRE_PROFILE =~ ^[A-Za-z0-9_-]+$ ]] || { echo "infra: bad NEWSWIRE_PROFILE '$NEWSWIRE_PROFILE'" >&2; exit 2; }

# shellcheck source=lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"

case $NEWSWIRE_PROFILE in
  dev) base=1 ;;
  test) base=2 ;;
  bench) base=4 ;;
  chaos) base=5 ;;
  *) base="" ;;
esac
default_port() { [[ -n $base ]] && printf '%s%s' "$base" "$1"; }
KAFKA_PORT=${NEWSWIRE_KAFKA_PORT:-$(default_port 9092)}
KAFKA_CONTROLLER_PORT=${NEWSWIRE_KAFKA_CONTROLLER_PORT:-$(default_port 9093)}
PG_PORT=${NEWSWIRE_PG_PORT:-$(default_port 5432)}
PROMETHEUS_PORT=${NEWSWIRE_PROMETHEUS_PORT:-$(default_port 9090)}
ALERTMANAGER_PORT=${NEWSWIRE_ALERTMANAGER_PORT:-$(default_port 9095)}
POSTGRES_EXPORTER_PORT=${NEWSWIRE_POSTGRES_EXPORTER_PORT:-$(default_port 9187)}
KAFKA_JMX_PORT=${NEWSWIRE_KAFKA_JMX_PORT:-$(default_port 9404)}
ALERT_WEBHOOK_PORT=${NEWSWIRE_ALERT_WEBHOOK_PORT:-$(default_port 9099)}
for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$PG_PORT" "$PROMETHEUS_PORT" "$ALERTMANAGER_PORT" \
  "$POSTGRES_EXPORTER_PORT" "$KAFKA_JMX_PORT" "$ALERT_WEBHOOK_PORT"; do
  [[ $port =~ ^[0-9]+$ ]] ||
    die "profile '$NEWSWIRE_PROFILE' has no default ports: set every NEWSWIRE_*_PORT listed in this script's header"
done

NEWSWIRE_CACHE_DIR=${NEWSWIRE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/newswire}
NEWSWIRE_STATE_DIR=${NEWSWIRE_STATE_DIR:-$NEWSWIRE_CACHE_DIR/state/$NEWSWIRE_PROFILE}
NEWSWIRE_KAFKA_HEAP_OPTS=${NEWSWIRE_KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}
NEWSWIRE_START_TIMEOUT=${NEWSWIRE_START_TIMEOUT:-90}
NEWSWIRE_PYTHON=${NEWSWIRE_PYTHON:-$REPO_ROOT/.venv/bin/python}
NEWSWIRE_SCRAPE_INTERVAL=${NEWSWIRE_SCRAPE_INTERVAL:-15s}
NEWSWIRE_PROMETHEUS_RETENTION=${NEWSWIRE_PROMETHEUS_RETENTION:-15d}
NEWSWIRE_ALERT_WEBHOOK_URL=${NEWSWIRE_ALERT_WEBHOOK_URL:-http://127.0.0.1:$ALERT_WEBHOOK_PORT/alerts}
NEWSWIRE_ALERT_GROUP_WAIT=${NEWSWIRE_ALERT_GROUP_WAIT:-30s}
case ${NEWSWIRE_MONITORING:-on} in
  on | 1 | true | yes) NEWSWIRE_MONITORING=on ;;
  off | 0 | false | no) NEWSWIRE_MONITORING=off ;;
  *) die "NEWSWIRE_MONITORING must be on or off, not '$NEWSWIRE_MONITORING'" ;;
esac
case ${NEWSWIRE_PG_FSYNC:-on} in
  on | 1 | true | yes) NEWSWIRE_PG_FSYNC=on ;;
  off | 0 | false | no) NEWSWIRE_PG_FSYNC=off ;;
  *) die "NEWSWIRE_PG_FSYNC must be on or off, not '$NEWSWIRE_PG_FSYNC'" ;;
esac
ENV_FILE="$NEWSWIRE_STATE_DIR/env"
STATE_MARKER="$NEWSWIRE_STATE_DIR/.newswire-state" # lets `clean` check it deletes a directory we made

# shellcheck source=lib/kafka.sh
source "$REPO_ROOT/scripts/lib/kafka.sh"
# shellcheck source=lib/postgres.sh
source "$REPO_ROOT/scripts/lib/postgres.sh"
# shellcheck source=lib/monitoring.sh
source "$REPO_ROOT/scripts/lib/monitoring.sh"

CLEANUP_DIRS=()
cleanup() { ((${#CLEANUP_DIRS[@]} == 0)) || rm -rf -- "${CLEANUP_DIRS[@]}"; }
trap cleanup EXIT
trap 'exit 130' INT # route signals through `exit` so the EXIT trap runs
trap 'exit 143' TERM

# lock_profile: serialise up/down/clean of one profile (e.g. `make -j` running two of them). The lock is released
# when this script exits; the daemons do not inherit file descriptor 9 (see the 9>&- where they start).
lock_profile() {
  mkdir -p "$NEWSWIRE_STATE_DIR"
  touch "$STATE_MARKER"
  exec 9>"$NEWSWIRE_STATE_DIR/.lock"
  flock -w 300 9 || die "another scripts/infra.sh holds $NEWSWIRE_STATE_DIR/.lock"
}

# write_env: the endpoints `up` settled on, as shell. NEWSWIRE_INFRA_* remember which values this script
# manages (see kafka_is_external); they are written only for services it started.
write_env() {
  local kafka=$KAFKA_ENDPOINT db tmp="$ENV_FILE.tmp"
  db=$(pg_url newswire)
  kafka_is_external && kafka=$KAFKA_BOOTSTRAP_SERVERS
  pg_is_external && db=$DATABASE_URL
  {
    printf 'export KAFKA_BOOTSTRAP_SERVERS=%q\n' "$kafka"
    printf 'export DATABASE_URL=%q\n' "$db"
    # The migration role (owner of the schema, may create databases) and the read-only role.
    pg_is_external || printf 'export NEWSWIRE_DB_OWNER_URL=%q\n' "$(pg_url newswire_owner)"
    pg_is_external || printf 'export NEWSWIRE_DB_ANALYST_URL=%q\n' "$(pg_url newswire_analyst)"
    if monitoring_enabled; then
      printf 'export NEWSWIRE_PROMETHEUS_URL=%q\n' "http://127.0.0.1:$PROMETHEUS_PORT"
      printf 'export NEWSWIRE_ALERTMANAGER_URL=%q\n' "http://127.0.0.1:$ALERTMANAGER_PORT"
      # Where scripts/services.sh and the test stacks announce the services Prometheus should scrape.
      printf 'export NEWSWIRE_PROMETHEUS_TARGETS=%q\n' "$MONITORING_TARGETS"
      printf 'export NEWSWIRE_ALERT_WEBHOOK_PORT=%q\n' "$ALERT_WEBHOOK_PORT"
    fi
    kafka_is_external || printf 'export NEWSWIRE_INFRA_KAFKA=%q\n' "$kafka"
    pg_is_external || printf 'export NEWSWIRE_INFRA_DATABASE_URL=%q\n' "$db"
  } >"$tmp"
  chmod 600 "$tmp" # it holds the generated passwords
  mv -f "$tmp" "$ENV_FILE"
  printf 'KAFKA_BOOTSTRAP_SERVERS=%s\nDATABASE_URL=%s\n' "$kafka" "$(sed -E 's#://([^:/@]+):[^@]*@#://\1:***@#' <<<"$db")"
}

cmd_up() {
  local started
  started=$(now_s)
  lock_profile
  kafka_up
  pg_up
  monitoring_up
  write_env
  log "up in $(elapsed_since "$started") (env: $ENV_FILE)"
}

cmd_down() {
  [[ -d $NEWSWIRE_STATE_DIR ]] || return 0
  lock_profile
  monitoring_down
  kafka_down
  pg_down
  rm -f "$ENV_FILE"
}

cmd_status() {
  local ok=0
  printf 'profile %s (state %s)\n' "$NEWSWIRE_PROFILE" "$NEWSWIRE_STATE_DIR"
  kafka_status || ok=3
  pg_status || ok=3
  monitoring_status || ok=3
  return "$ok"
}

cmd_env() {
  [[ -f $ENV_FILE ]] || die "no $ENV_FILE: run 'NEWSWIRE_PROFILE=$NEWSWIRE_PROFILE scripts/infra.sh up' first"
  cat "$ENV_FILE"
}

cmd_clean() {
  cmd_down
  [[ -d $NEWSWIRE_STATE_DIR ]] || return 0
  [[ -f $STATE_MARKER ]] || die "$NEWSWIRE_STATE_DIR was not made by this script; not deleting it"
  pg_purge_side_home
  log "deleting $NEWSWIRE_STATE_DIR"
  rm -rf -- "$NEWSWIRE_STATE_DIR"
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  clean) cmd_clean ;;
  *)
    sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
    exit 2
    ;;
esac
