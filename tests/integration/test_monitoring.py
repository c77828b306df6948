"""The monitoring of a running stack, against the real Prometheus and Alertmanager that `make test` starts
(scripts/infra.sh): every dashboard panel and every alert rule asks for something Prometheus has, once
articles went through (posted, and polled from a feed); and an alert about a stopped hop reaches a webhook
with its runbook."""

from __future__ import annotations

import functools
import json
import math
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final
from wsgiref.simple_server import make_server

import httpx
import psycopg
import pytest

from bench.stack import Stack, plain_dsn, with_database
from services.monitor.alert_log import Notification, receiver
from services.monitor.wsgi import QuietHandler
from tests.integration.conftest import private_stack, required_env
from tests.integration.feed_server import FeedServer, serve_feeds
from tests.integration.test_pipeline import post_samples, store_caught_up, wait_for
from tests.unit.deploy.deploy_files import DASHBOARDS, DEPLOY, REPO, load_json, load_one

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

# Grafana's macros, as the dashboards would get them over the last hour.
MACROS: Final = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h"}
# The alert rules whose expression (threshold left out) has data only while their fault lasts, and the test
# of this module that causes that fault.
ONLY_UNDER_FAULT: Final = {
    "NewswireConsumerGroupEmpty": "test_a_stopped_store_alerts_the_webhook_with_its_runbook",
}
JOBS: Final = (
    "newswire-ingest",
    "newswire-extract",
    "newswire-store",
    "newswire-poll",
    "newswire-lag",
    "kafka",
    "postgres",
)
# $__timeFilter(expression), the expression holding at most one level of parentheses.
TIME_FILTER: Final = re.compile(r"\$__timeFilter\(((?:[^()]|\([^()]*\))*)\)")
CENTURY: Final = "now() - interval '100 years' AND now() + interval '100 years'"
# A comparison at the end of an alert's expression, with a number or a function of series (clamp_min(...)).
THRESHOLD: Final = re.compile(
    r"^(?P<signal>.*?)\s*(==|!=|>=|<=|>|<)\s*(?:[-+0-9.e]+|(?P<bound>[a-z_]+\(.*\)))\s*$", re.DOTALL
)


def prometheus_url() -> str:
    return required_env("NEWSWIRE_PROMETHEUS_URL")


def query(expr: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{prometheus_url()}/api/v1/query", params={"query": expr}, timeout=10)
    assert response.status_code == 200, f"{expr}: {response.text}"
    result: list[dict[str, Any]] = response.json()["data"]["result"]
    return result


def has_data(expr: str) -> bool:
    """At least one series with a number (a histogram quantile over no observations is NaN: no data)."""
    return any(not math.isnan(float(series["value"][1])) for series in query(expr))


def panel_exprs() -> list[tuple[str, str]]:
    found = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        for panel in load_json(path)["panels"]:
            for target in panel.get("targets", []):
                if "expr" not in target:  # an SQL panel: see test_every_news_dashboard_query_returns_rows
                    continue
                expr = target["expr"]
                for macro, value in MACROS.items():
                    expr = expr.replace(macro, value)
                found.append((f"{path.stem}: {panel['title']} [{target['refId']}]", expr))
    return found


def alert_rules() -> list[dict[str, Any]]:
    return [
        rule
        for path in sorted((DEPLOY / "prometheus" / "rules").glob("*.yml"))
        for group in load_one(path)["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]


def sql_queries() -> list[tuple[str, str]]:
    """Every SQL panel query, with Grafana's time filter widened to a century each way."""
    found = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        for panel in load_json(path)["panels"]:
            for target in panel.get("targets", []):
                if "rawSql" in target:
                    sql = TIME_FILTER.sub(lambda m: f"{m.group(1)} BETWEEN {CENTURY}", target["rawSql"])
                    found.append((f"{path.stem}: {panel['title']} [{target['refId']}]", sql))
    return found


def signals_of(expr: str) -> list[str]:
    """What an alert compares: the expression before its threshold, and the threshold when that is a function
    of series rather than a number (the whole expression when it has no threshold)."""
    match = THRESHOLD.match(expr.strip())
    if match is None:
        return [expr]
    return [match.group("signal"), *([match.group("bound")] if match.group("bound") else [])]


@pytest.fixture(scope="module")
def feeds() -> Iterator[FeedServer]:
    yield from serve_feeds()


@pytest.fixture(scope="module")
def monitored(
    kafka_bootstrap: str, database_url: str, feeds: FeedServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """A stack whose every service Prometheus scrapes (two ingest processes, so the multi-process metrics
    are in play), with articles already through it, and a poller polling a feed every 2 s (answered 304
    after the first poll) so its per-source series move between scrapes."""
    targets = Path(required_env("NEWSWIRE_PROMETHEUS_TARGETS"))
    workdir = tmp_path_factory.mktemp("monitored")
    sources = workdir / "sources.yml"
    sources.write_text(
        f"sources:\n  - {{url: '{feeds.url}/fixtures/wikinews.atom.xml', source: wikinews, interval: 2s}}\n",
        encoding="utf-8",
    )
    fields = {"partitions": 2, "ingest_workers": 2, "targets_dir": targets}
    with private_stack(kafka_bootstrap, database_url, workdir, **fields) as stack:
        stack.start_ingest()
        stack.start_extract(1)
        stack.start_store()
        stack.start_lag_exporter()
        stack.start_poll(sources)
        for job in JOBS:
            ours = f', stack="{stack.prefix}"' if job.startswith("newswire") else ""
            wait_for(
                functools.partial(has_data, f'up{{job="{job}"{ours}}} == 1'), f"Prometheus scraping {job}", 60
            )
        # Only once Prometheus scrapes every service (a counter first seen after it moved shows no increase).
        post_samples(stack)
        wait_for(lambda: store_caught_up(stack), "every sample stored", 180)
        # A few more scrapes, so every rate over the last minute spans the articles' passage.
        time.sleep(6)
        yield stack


def test_every_dashboard_panel_query_returns_data(monitored: Stack) -> None:
    empty = [f"{name}: {expr}" for name, expr in panel_exprs() if not has_data(expr)]

    assert not empty, "no data:\n" + "\n".join(empty)


def test_every_alert_rule_expression_returns_data_or_is_exercised_under_its_fault(monitored: Stack) -> None:
    rules = {rule["alert"]: signals_of(rule["expr"]) for rule in alert_rules()}
    assert set(ONLY_UNDER_FAULT) <= set(rules)
    for name, test in ONLY_UNDER_FAULT.items():
        assert test in globals(), f"{name}: no test {test} here"

    empty = [
        f"{name}: {expr}"
        for name, exprs in rules.items()
        if name not in ONLY_UNDER_FAULT
        for expr in exprs
        if not has_data(expr)
    ]

    assert not empty, "no data:\n" + "\n".join(empty)


def test_every_news_dashboard_query_returns_rows_to_the_analyst(monitored: Stack) -> None:
    database = monitored.database_url.rpartition("/")[2]
    analyst = with_database(required_env("NEWSWIRE_DB_ANALYST_URL"), database)
    queries = sql_queries()
    with psycopg.connect(plain_dsn(analyst)) as conn:
        empty = [name for name, sql in queries if not conn.execute(sql).fetchall()]

    assert len(queries) >= 5
    assert not empty, f"no rows: {empty}"


def test_every_service_reports_its_release_and_its_process(monitored: Stack) -> None:
    releases = query(f'newswire_build_info{{stack="{monitored.prefix}"}}')
    services = {series["metric"]["service"] for series in releases}
    ingest_processes = query(
        f'process_resident_memory_bytes{{job="newswire-ingest", stack="{monitored.prefix}"}}'
    )

    assert services == {"ingest", "extract", "store", "poll", "lag-exporter"}
    # The supervisor and its two server processes, at least.
    assert len(ingest_processes) >= 3


@pytest.fixture
def webhook() -> Iterator[list[Notification]]:
    """Alertmanager's webhook receiver of the test profile (NEWSWIRE_ALERT_WEBHOOK_PORT): the notifications
    it receives, as they arrive."""
    received: list[Notification] = []
    port = int(required_env("NEWSWIRE_ALERT_WEBHOOK_PORT"))
    server = make_server("127.0.0.1", port, receiver(received.append), handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()


def test_a_stopped_store_alerts_the_webhook_with_its_runbook(
    monitored: Stack, webhook: list[Notification]
) -> None:
    monitored.stop("store")
    post_samples(monitored)

    def fired() -> list[dict[str, Any]]:
        return [
            alert
            for notification in list(webhook)
            for alert in notification.get("alerts", [])
            if alert["labels"].get("alertname") == "NewswireConsumerGroupEmpty"
            and alert["labels"].get("group") == monitored.store_group
            and alert["status"] == "firing"
        ]

    # 1 min of `for:`, a few evaluations, Alertmanager's group_wait (5 s under `make test`).
    wait_for(lambda: bool(fired()), "NewswireConsumerGroupEmpty at the webhook", 150)
    alert = fired()[0]
    print(json.dumps(alert, indent=2))

    assert alert["labels"]["hop"] == "store"
    assert alert["labels"]["severity"] == "critical"
    assert alert["annotations"]["runbook_url"] == f"file://{REPO}/README.md#newswireconsumergroupempty"
    assert '<a id="newswireconsumergroupempty"></a>' in (REPO / "README.md").read_text(encoding="utf-8")
