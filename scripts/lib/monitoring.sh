# shellcheck shell=bash
# Monitoring part of scripts/infra.sh: Prometheus, Alertmanager and the PostgreSQL exporter from Debian's
# packages (`prometheus`, `prometheus-alertmanager`, `prometheus-postgres-exporter`; installed on first use,
# started by nothing else), each on 127.0.0.1 with the repo's own configuration:
#   deploy/prometheus/prometheus.local.yml   scrape jobs (targets found in files), rules deploy/prometheus/rules
#   deploy/alertmanager/alertmanager.local.yml   routes every alert to the profile's webhook URL
# The Kafka broker's own metrics come from the Prometheus JMX agent inside the broker (scripts/lib/kafka.sh).
# Sourced after common.sh; uses NEWSWIRE_* settings and the *_PORT variables set by scripts/infra.sh.
#
# Layout, per profile: $NEWSWIRE_STATE_DIR/monitoring/
#   targets/<job>-<name>.json   file_sd target groups: scripts/services.sh and the test stacks write one per
#                               service they start (jobs newswire-ingest, -extract, -store, -poll, -lag)
#   prometheus/ alertmanager/ postgres-exporter/   config, data, <name>.log, <name>.pid

MONITORING_HOME="$NEWSWIRE_STATE_DIR/monitoring"
MONITORING_TARGETS="$MONITORING_HOME/targets"
PROMETHEUS_TEMPLATE="$REPO_ROOT/deploy/prometheus/prometheus.local.yml"
PROMETHEUS_RULES="$REPO_ROOT/deploy/prometheus/rules"
ALERTMANAGER_TEMPLATE="$REPO_ROOT/deploy/alertmanager/alertmanager.local.yml"

monitoring_enabled() { [[ $NEWSWIRE_MONITORING == on ]]; }

# ensure_monitoring_packages: install the three Debian packages when a binary is missing. Installing them starts
# nothing here (no systemd); on a machine with systemd their own units may start on the default ports, which
# ours do not use.
ensure_monitoring_packages() {
  local missing=()
  command -v prometheus >/dev/null && command -v promtool >/dev/null || missing+=(prometheus)
  command -v prometheus-alertmanager >/dev/null && command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
  command -v prometheus-postgres-exporter >/dev/null || missing+=(prometheus-postgres-exporter)
  ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
}

# render TEMPLATE OUT NAME=VALUE...: copy TEMPLATE to OUT with each @NAME@ replaced by its value.
render() {
  local template=$1 out=$2 pair script=()
  shift 2
  for pair in "$@"; do script+=(-e "s|@${pair%%=*}@|${pair#*=}|g"); done
  sed "${script[@]}" "$template" >"$out.tmp"
  ! grep -n '@[A-Z_]*@' "$out.tmp" >&2 || die "unreplaced placeholders in $out (from $template)"
  mv -f "$out.tmp" "$out"
}

# daemon_pid NAME PORT: the pid of this profile's daemon NAME when it runs (its command line names its address).
daemon_pid() { pid_matching "$MONITORING_HOME/$1/$1.pid" "127.0.0.1:$2"; }

# daemon_up NAME PORT READY_PATH COMMAND...: start COMMAND (which listens on 127.0.0.1:PORT) unless it runs, and
# wait until http://127.0.0.1:PORT/READY_PATH answers 200.
daemon_up() {
  local name=$1 port=$2 ready=$3 home="$MONITORING_HOME/$1" pid deadline
  shift 3
  if pid=$(daemon_pid "$name" "$port"); then
    log "$name already running (pid $pid) on 127.0.0.1:$port"
    return 0
  fi
  ! port_open "$port" || die "port $port (for $name) is taken by another process; see the NEWSWIRE_*_PORT settings"
  [[ -f $home/$name.log ]] && mv -f "$home/$name.log" "$home/$name.log.1"
  # setsid and 9>&-: as for the broker (outlive this script, do not hold the profile lock).
  setsid "$@" </dev/null >"$home/$name.log" 2>&1 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$home/$name.pid"
  deadline=$((SECONDS + NEWSWIRE_START_TIMEOUT))
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/$ready" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { show_log_tail "$home/$name.log"; die "$name exited during start-up"; }
    ((SECONDS < deadline)) || { show_log_tail "$home/$name.log"; die "$name not ready after ${NEWSWIRE_START_TIMEOUT}s"; }
    sleep 0.2
  done
  log "$name ready on http://127.0.0.1:$port"
}

daemon_down() {
  local name=$1 pid
  pid=$(daemon_pid "$name" "$2") || { rm -f "$MONITORING_HOME/$name/$name.pid"; return 0; }
  log "stopping $name (pid $pid)"
  kill -TERM "$pid"
  wait_pid_exit "$pid" 30 || { kill -KILL "$pid" 2>/dev/null || true; wait_pid_exit "$pid" 10 || true; }
  rm -f "$MONITORING_HOME/$name/$name.pid"
}

prometheus_up() {
  local home="$MONITORING_HOME/prometheus" pid
  mkdir -p "$home/data" "$MONITORING_TARGETS"
  render "$PROMETHEUS_TEMPLATE" "$home/prometheus.yml" \
    "SCRAPE_INTERVAL=$NEWSWIRE_SCRAPE_INTERVAL" "RULES_DIR=$PROMETHEUS_RULES" "TARGETS_DIR=$MONITORING_TARGETS" \
    "PROFILE=$NEWSWIRE_PROFILE" "RUNBOOKS=file://$REPO_ROOT/README.md" "PROMETHEUS_PORT=$PROMETHEUS_PORT" "ALERTMANAGER_PORT=$ALERTMANAGER_PORT" \
    "POSTGRES_EXPORTER_PORT=$POSTGRES_EXPORTER_PORT" "KAFKA_JMX_PORT=$KAFKA_JMX_PORT"
  promtool check config "$home/prometheus.yml" >"$home/check.log" 2>&1 ||
    { show_log_tail "$home/check.log"; die "promtool refuses $home/prometheus.yml"; }
  if pid=$(daemon_pid prometheus "$PROMETHEUS_PORT"); then
    # Running: pick up a changed template or rules (rule files are read again on reload).
    kill -HUP "$pid"
  fi
  daemon_up prometheus "$PROMETHEUS_PORT" -/ready \
    prometheus --config.file="$home/prometheus.yml" --storage.tsdb.path="$home/data" \
    --storage.tsdb.retention.time="$NEWSWIRE_PROMETHEUS_RETENTION" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --web.enable-lifecycle
}

alertmanager_up() {
  local home="$MONITORING_HOME/alertmanager" pid
  mkdir -p "$home/data"
  render "$ALERTMANAGER_TEMPLATE" "$home/alertmanager.yml" \
    "WEBHOOK_URL=$NEWSWIRE_ALERT_WEBHOOK_URL" "GROUP_WAIT=$NEWSWIRE_ALERT_GROUP_WAIT"
  amtool check-config "$home/alertmanager.yml" >"$home/check.log" 2>&1 ||
    { show_log_tail "$home/check.log"; die "amtool refuses $home/alertmanager.yml"; }
  if pid=$(daemon_pid alertmanager "$ALERTMANAGER_PORT"); then kill -HUP "$pid"; fi
  # --cluster.listen-address= : a single Alertmanager, no gossip port.
  daemon_up alertmanager "$ALERTMANAGER_PORT" -/ready \
    prometheus-alertmanager --config.file="$home/alertmanager.yml" --storage.path="$home/data" \
    --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" --cluster.listen-address=
}

postgres_exporter_up() {
  local home="$MONITORING_HOME/postgres-exporter"
  mkdir -p "$home"
  pg_is_external && { log "postgres-exporter: not started for an external DATABASE_URL"; return 0; }
  # The exporter reads its URL from the environment (not the command line, which `ps` shows).
  DATA_SOURCE_NAME="$(pg_url newswire_monitor)?sslmode=disable" daemon_up postgres-exporter \
    "$POSTGRES_EXPORTER_PORT" metrics prometheus-postgres-exporter \
    --web.listen-address="127.0.0.1:$POSTGRES_EXPORTER_PORT" --log.level=warn
}

monitoring_up() {
  monitoring_enabled || { log "monitoring off (NEWSWIRE_MONITORING=off)"; return 0; }
  ensure_monitoring_packages
  alertmanager_up
  prometheus_up
  postgres_exporter_up
}

monitoring_down() {
  daemon_down postgres-exporter "$POSTGRES_EXPORTER_PORT"
  daemon_down prometheus "$PROMETHEUS_PORT"
  daemon_down alertmanager "$ALERTMANAGER_PORT"
}

monitoring_status() {
  local name port pid ok=0
  monitoring_enabled || return 0
  for name in prometheus alertmanager; do
    [[ $name == prometheus ]] && port=$PROMETHEUS_PORT || port=$ALERTMANAGER_PORT
    if pid=$(daemon_pid "$name" "$port"); then
      printf '%-13s running   http://127.0.0.1:%s (pid %s)\n' "$name" "$port" "$pid"
    else
      printf '%-13s stopped   http://127.0.0.1:%s\n' "$name" "$port"
      ok=3
    fi
  done
  return "$ok"
}
