#!/usr/bin/env bash
# `make run`: the whole stack on this machine, fed with samples/, then a summary of what landed in Postgres.
# The stack stays up afterwards; `make stop` ends it.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEWSWIRE_PROFILE=${NEWSWIRE_PROFILE:-dev}
ingest_port=${NEWSWIRE_INGEST_PORT:-8080}

echo "== infrastructure"
scripts/infra.sh up
eval "$(scripts/infra.sh env)"

echo "== schema"
# As the schema's owner (a DATABASE_URL of your own, without an owner URL, must be allowed to migrate).
.venv/bin/newswire db upgrade --url "${NEWSWIRE_DB_OWNER_URL:-$DATABASE_URL}"

echo "== services"
scripts/services.sh start

echo "== feeding samples/"
fed_at=$(date -u +%Y-%m-%dT%H:%M:%S+00:00)
.venv/bin/newswire feed samples/ --source samples --url "http://127.0.0.1:$ingest_port"

samples=$(find samples -name '*.txt' | wc -l)
echo "== waiting until every sample is in Postgres"
.venv/bin/newswire summary --wait-articles "$samples" --since "$fed_at" --timeout 120 >/dev/null
if [[ -z ${NEWSWIRE_POLL_SOURCES:-} ]]; then
  echo "== waiting until the poller's items (samples/ as an RSS and an ninjs feed) are in Postgres"
  .venv/bin/newswire summary --wait-articles $((2 * samples)) --source samples-rss --source samples-ninjs \
    --timeout 120 >/dev/null
fi
.venv/bin/newswire summary

logs=${NEWSWIRE_STATE_DIR:-${NEWSWIRE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/newswire}/state/$NEWSWIRE_PROFILE}/services/logs
if [[ -n ${NEWSWIRE_PROMETHEUS_URL:-} ]]; then
  echo "== end-to-end latency of the articles stored since the store started, as Prometheus sees it"
  .venv/bin/python - "$NEWSWIRE_PROMETHEUS_URL" <<'PY'
import sys, time, httpx
# The histogram as it stands, not a rate: every article of this run may be stored before the first scrape.
query = "histogram_quantile(0.99, sum by (le) (newswire_store_end_to_end_latency_seconds_bucket))"
deadline = time.monotonic() + 90
while True:
    result = httpx.get(f"{sys.argv[1]}/api/v1/query", params={"query": query}).json()["data"]["result"]
    if result and result[0]["value"][1] not in ("NaN", "+Inf"):
        print(f"  {query}\n  = {float(result[0]['value'][1]):.3f} s")
        break
    if time.monotonic() > deadline:
        print(f"  {query}: no value after 90 s (is the store scraped? see {sys.argv[1]}/targets)")
        break
    time.sleep(3)
PY
fi

shown_db=$(printf '%s' "$DATABASE_URL" | sed -E 's#://([^:/@]+):[^@]*@#://\1:***@#')
cat <<EOT

== endpoints
  ingest API        http://127.0.0.1:$ingest_port   (POST /v1/articles, /healthz, /readyz, /metrics)
  feed poller       http://127.0.0.1:${NEWSWIRE_POLL_WEB_PORT:-6066}/metrics   (sources: ${NEWSWIRE_POLL_SOURCES:-samples/ served as feeds on http://127.0.0.1:${NEWSWIRE_FEED_SERVER_PORT:-8090}/rss.xml and /ninjs.json})
  Kafka bootstrap   $KAFKA_BOOTSTRAP_SERVERS
  PostgreSQL        $shown_db   (the store's role; \`scripts/infra.sh env\` prints it and the
                    owner's and read-only analyst's URLs, with their generated passwords)
  metrics           http://127.0.0.1:${NEWSWIRE_STORE_WEB_PORT:-6068}/metrics (store), http://127.0.0.1:$(( ${NEWSWIRE_EXTRACT_WEB_PORT:-6070} + 1 ))/metrics (extract-1),
                    http://127.0.0.1:${NEWSWIRE_LAG_WEB_PORT:-9308}/metrics (consumer-group lag, from the broker)
  Prometheus        ${NEWSWIRE_PROMETHEUS_URL:-(off)}   (alerts: ${NEWSWIRE_PROMETHEUS_URL:-}/alerts)
  Alertmanager      ${NEWSWIRE_ALERTMANAGER_URL:-(off)}   (notifications: $logs/alert-log.log)
The stack keeps running; \`make stop\` stops it.
EOT
