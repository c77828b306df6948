#!/usr/bin/env bash
# Starts and stops the newswire services of the local stack as background processes:
# ingest (HTTP API, NEWSWIRE_INGEST_WORKERS server processes, default 2: one per core of a small machine),
# N extract workers (one consumer group), one store worker, the lag exporter (consumer-group lag read from the
# broker), the feed poller (`newswire poll`) and, when Alertmanager's webhook is ours, the alert log (every
# notification as a JSON line). With no NEWSWIRE_POLL_SOURCES, the poller reads samples/ as an RSS and an
# ninjs feed served on 127.0.0.1:NEWSWIRE_FEED_SERVER_PORT (8090) by Python's http.server (no outside network).
#   scripts/services.sh start|stop|status
# Needs KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL (from `scripts/infra.sh env`) for `start`. Each service
# started is announced to the profile's Prometheus as a target file (in NEWSWIRE_PROMETHEUS_TARGETS), removed
# by `stop`.
# Each service runs in its own process group, stopped as a whole; its log (logs/<name>.log) is appended
# to, and moved to <name>.log.1 at start once over NEWSWIRE_LOG_CAP_BYTES (10 MiB).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=${NEWSWIRE_PROFILE:-dev}
cache_dir=${NEWSWIRE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/newswire}
state_dir=${NEWSWIRE_STATE_DIR:-$cache_dir/state/$profile}/services
ingest_port=${NEWSWIRE_INGEST_PORT:-8080}
ingest_workers=${NEWSWIRE_INGEST_WORKERS:-2}
extract_workers=${NEWSWIRE_EXTRACT_WORKERS:-2}
extract_web_base=${NEWSWIRE_EXTRACT_WEB_PORT:-6070}
store_web_port=${NEWSWIRE_STORE_WEB_PORT:-6068}
lag_web_port=${NEWSWIRE_LAG_WEB_PORT:-9308}
poll_web_port=${NEWSWIRE_POLL_WEB_PORT:-6066}
feed_server_port=${NEWSWIRE_FEED_SERVER_PORT:-8090}
log_cap_bytes=${NEWSWIRE_LOG_CAP_BYTES:-10485760}
targets_dir=${NEWSWIRE_PROMETHEUS_TARGETS:-${NEWSWIRE_STATE_DIR:-$cache_dir/state/$profile}/monitoring/targets}
# newswire_build_info's commit label.
NEWSWIRE_COMMIT=${NEWSWIRE_COMMIT:-$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)}
export NEWSWIRE_COMMIT

mkdir -p "$state_dir"/{logs,pids,data}

is_running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

launch() { # name, then the command; environment comes from the caller
  local name=$1; shift
  local pid_file="$state_dir/pids/$name.pid" log="$state_dir/logs/$name.log"
  if is_running "$pid_file"; then
    echo "  $name already running (pid $(cat "$pid_file"))"
    return
  fi
  # Appended, never truncated, so a crashed worker's traceback survives its restart; past the cap the
  # log moves to .1 (one generation kept).
  if [[ -f "$log" ]] && (($(stat -c %s "$log") > log_cap_bytes)); then mv -f "$log" "$log.1"; fi
  echo "=== $(date -u +%FT%TZ) starting $name: $*" >>"$log"
  # Its own session and process group (pid = pgid: a background job of a script is no group leader,
  # so setsid does not fork), so `stop` can end whatever it started: NLP pool, forkserver, helpers.
  setsid nohup "$@" >>"$log" 2>&1 &
  echo $! >"$pid_file"
  echo "  $name started (pid $!, log $log)"
}

announce() { # name, job, port: a file_sd target file for Prometheus (written whole, then renamed)
  mkdir -p "$targets_dir"
  printf '[{"targets": ["127.0.0.1:%s"]}]\n' "$3" >"$targets_dir/.$2-$1.tmp"
  mv -f "$targets_dir/.$2-$1.tmp" "$targets_dir/$2-$1.json"
}

wait_ready() { # name, url
  local name=$1 url=$2 pid_file="$state_dir/pids/$1.pid"
  for _ in $(seq 1 240); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    if ! is_running "$pid_file"; then
      echo "services: $name exited; last log lines:" >&2
      tail -n 30 "$state_dir/logs/$name.log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "services: $name not ready at $url after 120 s; last log lines:" >&2
  tail -n 30 "$state_dir/logs/$name.log" >&2
  return 1
}

start() {
  : "${KAFKA_BOOTSTRAP_SERVERS:?run scripts/infra.sh up first}" "${DATABASE_URL:?run scripts/infra.sh up first}"
  .venv/bin/newswire topics ensure --partitions "${NEWSWIRE_TOPIC_PARTITIONS:-4}" >/dev/null
  NEWSWIRE_INGEST_ENV=${NEWSWIRE_INGEST_ENV:-dev} NEWSWIRE_INGEST_PORT=$ingest_port \
    NEWSWIRE_INGEST_WORKERS=$ingest_workers launch ingest .venv/bin/newswire ingest
  for i in $(seq 1 "$extract_workers"); do
    NEWSWIRE_EXTRACT_WEB_PORT=$((extract_web_base + i)) NEWSWIRE_EXTRACT_DATADIR="$state_dir/data/extract-$i" \
      launch "extract-$i" .venv/bin/newswire extract-worker
  done
  NEWSWIRE_STORE_WEB_PORT=$store_web_port NEWSWIRE_STORE_DATADIR="$state_dir/data/store" \
    launch store .venv/bin/newswire store-worker
  NEWSWIRE_LAG_WEB_PORT=$lag_web_port launch lag-exporter .venv/bin/newswire lag-exporter
  if [[ -n ${NEWSWIRE_ALERT_WEBHOOK_PORT:-} ]]; then
    NEWSWIRE_ALERT_LOG_PORT=$NEWSWIRE_ALERT_WEBHOOK_PORT launch alert-log .venv/bin/newswire alert-log
  fi
  announce ingest newswire-ingest "$ingest_port"
  for i in $(seq 1 "$extract_workers"); do announce "extract-$i" newswire-extract $((extract_web_base + i)); done
  announce store newswire-store "$store_web_port"
  announce lag-exporter newswire-lag "$lag_web_port"
  wait_ready ingest "http://127.0.0.1:$ingest_port/readyz"
  for i in $(seq 1 "$extract_workers"); do
    wait_ready "extract-$i" "http://127.0.0.1:$((extract_web_base + i))/readyz"
  done
  wait_ready store "http://127.0.0.1:$store_web_port/readyz"
  wait_ready lag-exporter "http://127.0.0.1:$lag_web_port/healthz"
  # The poller last, once the hops after it are ready: its first poll publishes at once, and articles that
  # waited for the extract workers' model to load would count that wait as end-to-end latency.
  local sources=${NEWSWIRE_POLL_SOURCES:-}
  if [[ -z $sources ]]; then
    .venv/bin/newswire sample-feeds "$state_dir/feeds" --base-url "http://127.0.0.1:$feed_server_port" >/dev/null
    launch feed-server .venv/bin/python -m http.server "$feed_server_port" --bind 127.0.0.1 \
      --directory "$state_dir/feeds"
    sources="$state_dir/feeds/sources.yml"
  fi
  NEWSWIRE_POLL_SOURCES=$sources NEWSWIRE_POLL_WEB_PORT=$poll_web_port launch poll .venv/bin/newswire poll
  announce poll newswire-poll "$poll_web_port"
  wait_ready poll "http://127.0.0.1:$poll_web_port/readyz"
  if [[ -n ${NEWSWIRE_ALERT_WEBHOOK_PORT:-} ]]; then
    wait_ready alert-log "http://127.0.0.1:$NEWSWIRE_ALERT_WEBHOOK_PORT/healthz"
  fi
}

stop() {
  local pid_file name pid
  for pid_file in "$state_dir"/pids/*.pid; do
    [[ -e "$pid_file" ]] || continue
    name=$(basename "$pid_file" .pid)
    pid=$(cat "$pid_file")
    if is_running "$pid_file"; then
      # The leader alone gets SIGTERM (workers finish their batch in flight and commit; their NLP
      # processes must keep working meanwhile) ...
      kill -TERM "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      echo "  $name stopped"
    fi
    # ... then whatever is left of its group is killed, also when the leader itself had died.
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$pid_file"
  done
  rm -f "$targets_dir"/newswire-*-{ingest,extract-*,store,lag-exporter,poll}.json
}

status() {
  local pid_file
  for pid_file in "$state_dir"/pids/*.pid; do
    [[ -e "$pid_file" ]] || continue
    if is_running "$pid_file"; then echo "  $(basename "$pid_file" .pid): running (pid $(cat "$pid_file"))"
    else echo "  $(basename "$pid_file" .pid): not running"; fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
