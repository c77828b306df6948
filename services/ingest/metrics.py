"""Every Prometheus metric of the ingest service, declared once, in the default registry (served at
/metrics by the HTTP app). Labels are low-cardinality: route templates, status codes, error codes; the
closed sets (rejection reasons, publish outcomes) are pre-initialised at 0 so `rate`/`increase` see the
first one.

| name                                            | type      | labels                 |
|-------------------------------------------------|-----------|------------------------|
| newswire_ingest_http_requests_total             | counter   | route, method, status  |
| newswire_ingest_http_request_duration_seconds   | histogram | route                  |
| newswire_ingest_http_request_body_bytes         | histogram |                        |
| newswire_ingest_articles_accepted_total         | counter   |                        |
| newswire_ingest_articles_rejected_total         | counter   | reason                 |
| newswire_ingest_request_articles                | histogram |                        |
| newswire_ingest_publish_duration_seconds        | histogram | outcome                |
"""

from __future__ import annotations

from typing import Final

from prometheus_client import Counter, Histogram

UNMATCHED_ROUTE: Final = "unmatched"
# The `code` of every class of services.ingest.errors but "internal" (a test keeps the two in step).
REJECTION_REASONS: Final = (
    "malformed_body",
    "unauthorized",
    "payload_too_large",
    "unsupported_media_type",
    "invalid_article",
    "client_closed_request",
    "broker_unavailable",
)

HTTP_REQUESTS: Final = Counter(
    "newswire_ingest_http_requests_total",
    "HTTP requests answered, by route template (or 'unmatched'), method and status code.",
    ["route", "method", "status"],
)
HTTP_REQUEST_SECONDS: Final = Histogram(
    "newswire_ingest_http_request_duration_seconds",
    "Time from request received to response ready, by route template.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
HTTP_REQUEST_BODY_BYTES: Final = Histogram(
    "newswire_ingest_http_request_body_bytes",
    "Size of the article request bodies read (bodies refused from their Content-Length are not read).",
    buckets=(256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216),
)
ARTICLES_ACCEPTED: Final = Counter(
    "newswire_ingest_articles_accepted_total",
    "Articles acknowledged by Kafka and answered with 202.",
)
ARTICLES_REJECTED: Final = Counter(
    "newswire_ingest_articles_rejected_total",
    "Articles refused, by error code (a body that could not be split into articles counts as one).",
    ["reason"],
)
REQUEST_ARTICLES: Final = Histogram(
    "newswire_ingest_request_articles",
    "Articles per accepted-for-publishing request (the batch size handed to the producer).",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000),
)
PUBLISH_SECONDS: Final = Histogram(
    "newswire_ingest_publish_duration_seconds",
    "Time to publish one request's articles and get every acknowledgement, by outcome (ok or error code).",
    ["outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)

# What publishing one request can end in: acknowledged, or refused (the publisher raises these two).
PUBLISH_OUTCOMES: Final = ("ok", "broker_unavailable", "payload_too_large")

for _reason in REJECTION_REASONS:
    ARTICLES_REJECTED.labels(reason=_reason)
for _outcome in PUBLISH_OUTCOMES:
    PUBLISH_SECONDS.labels(outcome=_outcome)
