# shellcheck shell=bash
# PostgreSQL part of scripts/infra.sh: a private cluster per profile, listening on 127.0.0.1 and on a unix socket
# in its own directory, with database `newswire` and three roles, least privilege first:
#   newswire_owner    owns the database and the schema; runs the migrations; may create (test) databases
#   newswire          the store's runtime role: reads and writes rows (granted by `newswire db upgrade`), no DDL
#   newswire_analyst  read-only
#   newswire_monitor  the PostgreSQL exporter's: server statistics only (pg_monitor), no table data
# Over TCP every role authenticates with scram-sha-256 and a password generated for this cluster (kept in
# $NEWSWIRE_STATE_DIR/pg-passwords, mode 0600); only the postgres superuser, over the cluster's own socket
# (a directory only the postgres user can enter), is trusted.
# Sourced after common.sh; uses NEWSWIRE_* settings and PG_PORT set by scripts/infra.sh.
#
# Layout: the cluster home holds data/, server.log and the unix socket. It is $NEWSWIRE_STATE_DIR/postgres, or,
# when that directory is out of the postgres user's reach (root's home is mode 0700), a directory under
# /var/tmp/newswire-postgres that $NEWSWIRE_STATE_DIR/postgres points to as a symlink.

PG_LINK="$NEWSWIRE_STATE_DIR/postgres"
PG_SIDE_ROOT=/var/tmp/newswire-postgres
PG_PASSWORDS="$NEWSWIRE_STATE_DIR/pg-passwords"

# pg_password ROLE: the role's generated password (hex, so it needs no escaping in a URL), made on first use.
pg_password() {
  local role=$1 password
  password=$(sed -n "s/^$role=//p" "$PG_PASSWORDS" 2>/dev/null)
  if [[ -z $password ]]; then
    password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    (umask 077 && printf '%s=%s\n' "$role" "$password" >>"$PG_PASSWORDS")
  fi
  printf '%s' "$password"
}

# pg_url ROLE: the role's URL of database newswire.
pg_url() { printf 'postgresql://%s:%s@127.0.0.1:%s/newswire' "$1" "$(pg_password "$1")" "$PG_PORT"; }

# Same reasoning as kafka_is_external: a DATABASE_URL that our own env file set is not "external".
pg_is_external() { [[ -n ${DATABASE_URL:-} && $DATABASE_URL != "${NEWSWIRE_INFRA_DATABASE_URL:-}" ]]; }

# PostgreSQL refuses to run as root, so as root the cluster belongs to Debian's `postgres` system user.
as_pg_owner() {
  # cd /: the postgres user may not be allowed into the caller's working directory.
  if ((EUID == 0)); then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# pg_home: print the cluster home when it exists.
pg_home() { [[ -e $PG_LINK ]] && readlink -f -- "$PG_LINK"; }

# pg_bin: print the binaries directory matching the cluster's major version, or else the newest installed.
pg_bin() {
  local home version
  if home=$(pg_home) && [[ -f $home/data/PG_VERSION ]]; then
    version=$(<"$home/data/PG_VERSION")
    [[ -x /usr/lib/postgresql/$version/bin/postgres ]] || die "the cluster in $home needs PostgreSQL $version binaries"
    printf '%s\n' "/usr/lib/postgresql/$version/bin"
    return 0
  fi
  { compgen -G '/usr/lib/postgresql/*/bin/initdb' || true; } | sort -V | tail -n 1 | xargs -r dirname
}

# pg_running: true when this profile's postmaster runs (pg_ctl status also sees through a stale postmaster.pid).
pg_running() {
  local home bin
  home=$(pg_home) && [[ -f $home/data/PG_VERSION ]] || return 1
  bin=$(pg_bin) || return 1
  as_pg_owner "$bin/pg_ctl" status -D "$home/data" >/dev/null 2>&1
}

pg_postmaster_pid() { head -n 1 "$(pg_home)/data/postmaster.pid" 2>/dev/null || printf '?\n'; }

# pg_make_home: create the cluster home (see the layout note above).
pg_make_home() {
  local home
  if ((EUID == 0)) && ! runuser -u postgres -- test -x "$NEWSWIRE_STATE_DIR"; then
    home="$PG_SIDE_ROOT/$NEWSWIRE_PROFILE-$(printf '%s' "$NEWSWIRE_STATE_DIR" | sha256sum | cut -c1-8)"
    log "the postgres user cannot reach $NEWSWIRE_STATE_DIR; cluster goes to $home (linked from $PG_LINK)"
    install -d -m 0755 "$PG_SIDE_ROOT"
    install -d -m 0700 -o postgres -g postgres "$home"
    ln -sfn "$home" "$PG_LINK"
  elif ((EUID == 0)); then
    install -d -m 0700 -o postgres -g postgres "$PG_LINK"
  else
    install -d -m 0700 "$PG_LINK"
  fi
}

# pg_write_config HOME: settings rewritten on every start, so port overrides and NEWSWIRE_PG_FSYNC apply.
pg_write_config() {
  local home=$1 durable=on
  [[ $NEWSWIRE_PG_FSYNC == off ]] && durable=off
  as_pg_owner tee "$home/data/newswire.conf" >/dev/null <<CONF
# Written by scripts/infra.sh (profile $NEWSWIRE_PROFILE) on every start; edits are lost.
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$home'
# NEWSWIRE_PG_FSYNC=off: faster tests; a crash of the machine may corrupt this (throwaway) cluster.
fsync = $durable
synchronous_commit = $durable
full_page_writes = $durable
CONF
}

# pg_write_hba HOME: client authentication, rewritten on every start (so a cluster made by an older version,
# which trusted everyone, is brought in line).
pg_write_hba() {
  as_pg_owner tee "$1/data/pg_hba.conf" >/dev/null <<'HBA'
# Written by scripts/infra.sh on every start; edits are lost.
local   all   postgres                 trust
host    all   all        127.0.0.1/32  scram-sha-256
host    all   all        ::1/128       scram-sha-256
HBA
}

# pg_init HOME BIN: create the cluster once.
pg_init() {
  local home=$1 bin=$2
  [[ -f $home/data/PG_VERSION ]] && return 0
  log "creating a PostgreSQL $(basename "$(dirname "$bin")") cluster in $home/data"
  as_pg_owner "$bin/initdb" -D "$home/data" -U postgres -E UTF8 --locale=C.UTF-8 --auth=trust \
    >"$NEWSWIRE_STATE_DIR/initdb.log" 2>&1 || { show_log_tail "$NEWSWIRE_STATE_DIR/initdb.log"; die "initdb failed"; }
  printf "\ninclude_if_exists = 'newswire.conf'\n" | as_pg_owner tee -a "$home/data/postgresql.conf" >/dev/null
}

# pg_bootstrap HOME BIN: the roles (with their passwords) and database `newswire`, as superuser over the socket.
# Idempotent; a cluster bootstrapped by an older version (one role `newswire` owning everything) is converted.
pg_bootstrap() {
  local home=$1 bin=$2
  "$bin/psql" -h "$home" -p "$PG_PORT" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
    -v owner_pw="$(pg_password newswire_owner)" -v runtime_pw="$(pg_password newswire)" \
    -v analyst_pw="$(pg_password newswire_analyst)" -v monitor_pw="$(pg_password newswire_monitor)" >/dev/null <<'SQL'
SET client_min_messages = warning;
SELECT format('CREATE ROLE %I LOGIN', role)
FROM unnest(ARRAY['newswire_owner', 'newswire', 'newswire_analyst', 'newswire_monitor']) role
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = role) \gexec
ALTER ROLE newswire_owner LOGIN CREATEDB NOSUPERUSER NOCREATEROLE PASSWORD :'owner_pw';
ALTER ROLE newswire LOGIN NOCREATEDB NOSUPERUSER NOCREATEROLE PASSWORD :'runtime_pw';
ALTER ROLE newswire_analyst LOGIN NOCREATEDB NOSUPERUSER NOCREATEROLE PASSWORD :'analyst_pw';
ALTER ROLE newswire_monitor LOGIN NOCREATEDB NOSUPERUSER NOCREATEROLE PASSWORD :'monitor_pw';
GRANT pg_monitor TO newswire_monitor;
SELECT 'CREATE DATABASE newswire OWNER newswire_owner'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'newswire') \gexec
ALTER DATABASE newswire OWNER TO newswire_owner;
SQL
  "$bin/psql" -h "$home" -p "$PG_PORT" -U postgres -d newswire -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
REASSIGN OWNED BY newswire TO newswire_owner;
SQL
}

# pg_wait_ready HOME BIN: block until the server accepts TCP connections; fail (printing the log) on timeout.
pg_wait_ready() {
  local home=$1 bin=$2 deadline=$((SECONDS + NEWSWIRE_START_TIMEOUT))
  until "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; do
    ((SECONDS < deadline)) || { show_log_tail "$home/server.log"; die "PostgreSQL not accepting connections"; }
    sleep 0.2
  done
}

pg_up() {
  local home bin started
  if pg_is_external; then
    log "PostgreSQL: using DATABASE_URL from the environment; not starting one"
    return 0
  fi
  if pg_running; then
    home=$(pg_home)
    bin=$(pg_bin)
    pg_wait_ready "$home" "$bin" # instant, unless an earlier `up` was interrupted mid-start
    pg_write_hba "$home"
    as_pg_owner "$bin/pg_ctl" reload -D "$home/data" >/dev/null
    pg_bootstrap "$home" "$bin"
    log "PostgreSQL already running (pid $(pg_postmaster_pid)) on 127.0.0.1:$PG_PORT"
    return 0
  fi
  ! port_open "$PG_PORT" || die "port $PG_PORT is taken by another process; set NEWSWIRE_PG_PORT"
  started=$(now_s)
  bin=$(pg_bin)
  if [[ -z $bin ]]; then
    # Debian's package may also create and start a system cluster on 5432; that one is not ours to touch.
    apt_install postgresql
    bin=$(pg_bin)
    [[ -n $bin ]] || die "no PostgreSQL binaries in /usr/lib/postgresql/*/bin after installing postgresql"
  fi
  pg_home >/dev/null || pg_make_home
  home=$(pg_home)
  # The socket path (home + "/.s.PGSQL.<port>") must fit in sockaddr_un (107 bytes).
  ((${#home} + 17 <= 107)) || die "socket dir $home is too long for a unix socket; set a shorter NEWSWIRE_STATE_DIR"
  pg_init "$home" "$bin"
  pg_write_config "$home"
  pg_write_hba "$home"
  # 9>&-: the postmaster must not inherit (and hold forever) the profile lock taken in infra.sh.
  as_pg_owner "$bin/pg_ctl" start -D "$home/data" -l "$home/server.log" -w -t "$NEWSWIRE_START_TIMEOUT" \
    >/dev/null 9>&- || { show_log_tail "$home/server.log"; die "PostgreSQL did not start"; }
  pg_wait_ready "$home" "$bin"
  pg_bootstrap "$home" "$bin"
  log "PostgreSQL ready in $(elapsed_since "$started")"
}

pg_down() {
  local home
  if ! pg_running; then
    return 0
  fi
  home=$(pg_home)
  log "stopping PostgreSQL (pid $(pg_postmaster_pid))"
  # -m fast: disconnect clients and stop now; -w: return only once the postmaster has exited.
  as_pg_owner "$(pg_bin)/pg_ctl" stop -D "$home/data" -m fast -w -t 60 >/dev/null
}

# pg_status: print one line; true when this profile's cluster runs (or an external one is configured).
pg_status() {
  if pg_is_external; then
    printf 'postgres  external  (DATABASE_URL)\n'
  elif pg_running; then
    printf 'postgres  running   127.0.0.1:%s (pid %s, data %s)\n' "$PG_PORT" "$(pg_postmaster_pid)" "$(pg_home)/data"
  else
    printf 'postgres  stopped   127.0.0.1:%s\n' "$PG_PORT"
    return 1
  fi
}

# pg_purge_side_home: delete a cluster home kept outside the state dir (used by `clean`, after `down`).
pg_purge_side_home() {
  local home
  home=$(pg_home) || return 0
  [[ $home == "$PG_SIDE_ROOT"/* ]] && rm -rf -- "$home"
  return 0
}
