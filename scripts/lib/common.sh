# shellcheck shell=bash
# Helpers shared by scripts/infra.sh and its scripts/lib/*.sh parts. Sourced, never executed.
# Logging goes to stderr so that stdout stays machine-readable (`eval "$(scripts/infra.sh env)"`).

log() { printf 'infra[%s]: %s\n' "$NEWSWIRE_PROFILE" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# now_s: wall clock in seconds with microseconds, for the timings printed by `up`.
now_s() { printf '%s' "${EPOCHREALTIME/,/.}"; }
elapsed_since() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1fs", b - a }'; }

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
# Loopback refuses closed ports at once, so no timeout is needed.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pid_matching PIDFILE NEEDLE: print the pid from PIDFILE when that process is alive and its command line
# contains NEEDLE (guards against a recycled pid after a reboot or crash); fail otherwise.
pid_matching() {
  local pidfile=$1 needle=$2 pid
  [[ -r $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$needle" || return 1
  printf '%s\n' "$pid"
}

# wait_pid_exit PID SECONDS: wait until PID is gone; fail on timeout.
wait_pid_exit() {
  local pid=$1 deadline=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# show_log_tail FILE: print the last lines of a service log after a failure, to help diagnose it.
show_log_tail() {
  [[ -s $1 ]] || return 0
  log "last lines of $1:"
  tail -n 30 "$1" | sed 's/^/    /' >&2
}

# apt_install PACKAGE...: install Debian packages non-interactively (root only; runs `apt-get update` once).
APT_UPDATED=0
apt_install() {
  ((EUID == 0)) || die "missing $*; install it (apt-get install $*) or run as root"
  log "installing $* with apt-get"
  if ((APT_UPDATED == 0)); then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# java_major JAVA: print the major version of a java binary (1 for the old "1.8.0" scheme).
java_major() { "$1" -version 2>&1 | sed -nE '1s/.*version "([0-9]+).*/\1/p'; }

# ensure_java: set JAVA to a Java 17+ binary (the Kafka 4 server needs 17), installing it when missing.
ensure_java() {
  JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
  local major=0
  command -v "$JAVA" >/dev/null && major=$(java_major "$JAVA")
  if ((${major:-0} < 17)); then
    apt_install openjdk-17-jre-headless
    JAVA=java # Debian's alternatives select the newest installed JRE
    major=$(java_major "$JAVA")
  fi
  ((${major:-0} >= 17)) || die "java ${major:-?} found but Kafka needs 17+ (point JAVA_HOME at a newer one)"
}

ensure_mvn() { command -v mvn >/dev/null || apt_install maven; }
