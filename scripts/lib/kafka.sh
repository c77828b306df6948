# shellcheck shell=bash
# Kafka part of scripts/infra.sh: one KRaft node (broker + controller) on 127.0.0.1, run from Maven Central jars.
# Sourced after common.sh; uses REPO_ROOT, NEWSWIRE_* settings and KAFKA_* ports set by scripts/infra.sh.
#
# Layout: jars in $NEWSWIRE_CACHE_DIR/kafka/<version>-<pom hash>/libs (shared by all profiles);
# per profile $NEWSWIRE_STATE_DIR/kafka/{server.properties,data/,kafka.log,kafka.pid}.

KAFKA_POM="$REPO_ROOT/infra/kafka/pom.xml"
KAFKA_LOG4J="$REPO_ROOT/infra/kafka/log4j2.properties"
KAFKA_JMX_RULES="$REPO_ROOT/infra/kafka/jmx-exporter.yml"
KAFKA_HOME="$NEWSWIRE_STATE_DIR/kafka"
KAFKA_PIDFILE="$KAFKA_HOME/kafka.pid"
KAFKA_LOG="$KAFKA_HOME/kafka.log"
KAFKA_ENDPOINT="127.0.0.1:$KAFKA_PORT"

# A KAFKA_BOOTSTRAP_SERVERS written by our own env file (remembered in NEWSWIRE_INFRA_KAFKA) is not "external":
# otherwise, after `eval "$(scripts/infra.sh env)"` for dev, a test-profile `up` would silently reuse dev's broker.
kafka_is_external() { [[ -n ${KAFKA_BOOTSTRAP_SERVERS:-} && $KAFKA_BOOTSTRAP_SERVERS != "${NEWSWIRE_INFRA_KAFKA:-}" ]]; }

# kafka_pid: print the pid of this profile's broker when it runs.
kafka_pid() { pid_matching "$KAFKA_PIDFILE" "kafka.Kafka $KAFKA_HOME/server.properties"; }

# kafka_fetch: set KAFKA_LIBS to the jar directory and KAFKA_JMX_AGENT to the Prometheus JMX agent's jar,
# fetching the jars with Maven first when they are not cached.
# The fetch goes to a temporary directory renamed into place at the end, so an interrupted fetch leaves no half cache
# (infra.sh deletes the temporary directory on exit).
kafka_fetch() {
  local version key final tmp started
  version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_POM" | head -n 1)
  [[ -n $version ]] || die "no <kafka.version> in $KAFKA_POM"
  # The pom hash in the key makes any pom edit (e.g. the log4j version) fetch a fresh set.
  key="$version-$(sha256sum <"$KAFKA_POM" | cut -c1-8)"
  final="$NEWSWIRE_CACHE_DIR/kafka/$key"
  if [[ ! -d $final/libs ]]; then
    ensure_mvn
    mkdir -p "$NEWSWIRE_CACHE_DIR/kafka"
    tmp=$(mktemp -d "$NEWSWIRE_CACHE_DIR/kafka/.fetch-$key-XXXXXX")
    CLEANUP_DIRS+=("$tmp")
    log "fetching Kafka $version jars with Maven into $final (once)"
    started=$(now_s)
    # The log stays next to the jars (fetch.log), and is shown when mvn fails.
    mvn -B -ntp -f "$KAFKA_POM" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp/libs" >"$tmp/fetch.log" 2>&1 ||
      { show_log_tail "$tmp/fetch.log"; die "mvn could not fetch the Kafka jars"; }
    compgen -G "$tmp/libs/kafka_2.13-$version.jar" >/dev/null || die "mvn ran but kafka_2.13-$version.jar is missing"
    mkdir "$tmp/agent"
    mv "$tmp"/libs/jmx_prometheus_javaagent-*.jar "$tmp/agent/" || die "mvn ran but the JMX agent's jar is missing"
    chmod 0755 "$tmp" # mktemp made it 0700
    # mv -T fails if another `up` finished the same fetch first; its copy is as good as ours.
    mv -T "$tmp" "$final" 2>/dev/null || [[ -d $final/libs ]] || die "could not move the jars to $final"
    log "fetched $(find "$final/libs" -name '*.jar' | wc -l) jars in $(elapsed_since "$started")"
  fi
  KAFKA_LIBS="$final/libs"
  KAFKA_JMX_AGENT=$(compgen -G "$final/agent/jmx_prometheus_javaagent-*.jar" | head -n 1)
}

# Rewritten on every start, so port overrides apply to an existing data dir (the static voter list is not
# stored in the data, so changing the controller port is safe).
kafka_write_config() {
  local tmp="$KAFKA_HOME/server.properties.tmp"
  cat >"$tmp" <<PROPS
# Written by scripts/infra.sh (profile $NEWSWIRE_PROFILE) on every start; edits are lost.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_HOME/data
# The project creates its topics itself; a typo in a topic name must fail, not create a topic.
auto.create.topics.enable=false
num.partitions=4
# Single node: replication 1, and few partitions for internal topics (the defaults, 50, slow down start-up).
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
# Consumer groups (tests, faust workers) start at once instead of waiting 3 s for more members.
group.initial.rebalance.delay.ms=0
PROPS
  mv -f "$tmp" "$KAFKA_HOME/server.properties"
}

# kafka_format LIBS: format the storage once (KRaft refuses to start on an unformatted log dir).
kafka_format() {
  local libs=$1 cluster_id
  [[ -f $KAFKA_HOME/data/meta.properties ]] && return 0
  log "formatting Kafka storage in $KAFKA_HOME/data"
  cluster_id=$("$JAVA" -Dlog4j2.configurationFile="file:$KAFKA_LOG4J" -cp "$libs/*" kafka.tools.StorageTool random-uuid)
  "$JAVA" -Dlog4j2.configurationFile="file:$KAFKA_LOG4J" -cp "$libs/*" kafka.tools.StorageTool \
    format -t "$cluster_id" -c "$KAFKA_HOME/server.properties" >>"$KAFKA_HOME/format.log" 2>&1 ||
    { show_log_tail "$KAFKA_HOME/format.log"; die "Kafka storage format failed"; }
}

# kafka_probe: true when the broker answers a metadata request. Uses kafka-python from the project's venv;
# without it (venv not built yet), an open port is the best available signal.
kafka_probe() {
  [[ $KAFKA_PROBE == port ]] && return 0
  timeout 15 "$NEWSWIRE_PYTHON" -c '
import sys
from kafka import KafkaAdminClient
admin = KafkaAdminClient(bootstrap_servers=sys.argv[1], request_timeout_ms=5000)
try:
    admin.list_topics()
finally:
    admin.close()
' "$KAFKA_ENDPOINT" >/dev/null 2>&1
}

kafka_choose_probe() {
  KAFKA_PROBE=port
  if "$NEWSWIRE_PYTHON" -c 'import kafka' 2>/dev/null; then
    KAFKA_PROBE=python
  else
    log "warning: $NEWSWIRE_PYTHON cannot import kafka; readiness = port open only"
  fi
}

# kafka_wait_ready PID: block until the broker answers, or fail (printing the log) when it dies or times out.
kafka_wait_ready() {
  local pid=$1 deadline=$((SECONDS + NEWSWIRE_START_TIMEOUT))
  kafka_choose_probe
  until port_open "$KAFKA_PORT" && kafka_probe; do
    if ! kill -0 "$pid" 2>/dev/null; then
      show_log_tail "$KAFKA_LOG"
      die "Kafka exited during start-up"
    fi
    if ((SECONDS >= deadline)); then
      show_log_tail "$KAFKA_LOG"
      die "Kafka not ready after ${NEWSWIRE_START_TIMEOUT}s (still running as pid $pid; 'down' stops it)"
    fi
    sleep 0.3
  done
}

kafka_up() {
  local pid heap started
  if kafka_is_external; then
    log "Kafka: using KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS from the environment; not starting one"
    return 0
  fi
  if pid=$(kafka_pid); then
    # Open port = done (keeps a repeated `up` fast); otherwise an earlier `up` was interrupted mid-start.
    if ! port_open "$KAFKA_PORT"; then
      log "Kafka (pid $pid) is still starting; waiting"
      kafka_wait_ready "$pid"
    fi
    log "Kafka already running (pid $pid) on $KAFKA_ENDPOINT"
    return 0
  fi
  rm -f "$KAFKA_PIDFILE" # stale: the process is gone
  local port
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    ! port_open "$port" || die "port $port is taken by another process; set NEWSWIRE_KAFKA_PORT / NEWSWIRE_KAFKA_CONTROLLER_PORT"
  done
  started=$(now_s)
  ensure_java
  kafka_fetch
  mkdir -p "$KAFKA_HOME/data"
  kafka_write_config
  kafka_format "$KAFKA_LIBS"
  [[ -f $KAFKA_LOG ]] && mv -f "$KAFKA_LOG" "$KAFKA_LOG.1"
  read -r -a heap <<<"$NEWSWIRE_KAFKA_HEAP_OPTS"
  local agent=()
  monitoring_enabled && agent=("-javaagent:$KAFKA_JMX_AGENT=127.0.0.1:$KAFKA_JMX_PORT:$KAFKA_JMX_RULES")
  # setsid: the broker must outlive this script and ignore a Ctrl-C aimed at `make`.
  # 9>&-: do not let the broker inherit (and hold forever) the profile lock taken in infra.sh.
  setsid "$JAVA" "${heap[@]}" "${agent[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="file:$KAFKA_LOG4J" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_HOME/server.properties" </dev/null >"$KAFKA_LOG" 2>&1 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$KAFKA_PIDFILE"
  log "Kafka starting (pid $pid), waiting until it answers on $KAFKA_ENDPOINT"
  kafka_wait_ready "$pid"
  log "Kafka ready in $(elapsed_since "$started")"
}

kafka_down() {
  local pid
  if ! pid=$(kafka_pid); then
    [[ -e $KAFKA_PIDFILE ]] && log "Kafka: removing stale pid file"
    rm -f "$KAFKA_PIDFILE"
    return 0
  fi
  log "stopping Kafka (pid $pid)"
  kill -TERM "$pid"
  # A clean shutdown (flushing logs, closing the quorum) takes a few seconds; SIGKILL is the last resort.
  if ! wait_pid_exit "$pid" 60; then
    log "warning: Kafka ignored SIGTERM for 60s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    wait_pid_exit "$pid" 10 || die "Kafka pid $pid does not exit"
  fi
  rm -f "$KAFKA_PIDFILE"
}

# kafka_status: print one line; true when this profile's broker runs (or an external one is configured).
kafka_status() {
  local pid
  if kafka_is_external; then
    printf 'kafka     external  %s (KAFKA_BOOTSTRAP_SERVERS)\n' "$KAFKA_BOOTSTRAP_SERVERS"
  elif pid=$(kafka_pid); then
    printf 'kafka     running   %s (pid %s)\n' "$KAFKA_ENDPOINT" "$pid"
  else
    printf 'kafka     stopped   %s\n' "$KAFKA_ENDPOINT"
    return 1
  fi
}
