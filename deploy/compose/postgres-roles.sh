#!/bin/sh
# Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d): the three roles
# of newswire, least privilege first (see services/store/access.py). POSTGRES_USER stays the administrator;
# the application never uses it.
#   newswire_owner    owns database newswire and its schema; the migrate job runs as it
#   newswire          the store worker: row reads and writes, granted by `newswire db upgrade`; no DDL
#   newswire_analyst  read-only
#   newswire_monitor  the PostgreSQL exporter: server statistics (pg_monitor), no table data
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_pw="$NEWSWIRE_OWNER_PASSWORD" -v store_pw="$NEWSWIRE_STORE_PASSWORD" \
  -v analyst_pw="$NEWSWIRE_ANALYST_PASSWORD" -v monitor_pw="$NEWSWIRE_MONITOR_PASSWORD" <<'SQL'
CREATE ROLE newswire_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_pw';
CREATE ROLE newswire LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'store_pw';
CREATE ROLE newswire_analyst LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'analyst_pw';
CREATE ROLE newswire_monitor LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'monitor_pw';
GRANT pg_monitor TO newswire_monitor;
CREATE DATABASE newswire OWNER newswire_owner;
SQL
