"""The ingest HTTP API (FastAPI). `create_app` assembles the chain
`authenticate -> read body -> parse -> validate/normalise -> publish` and nothing else happens here.

Routes:
* `POST /v1/articles`: 202 `{"accepted": n, "article_ids": [...]}` once Kafka acknowledged every
  article of the request (all or nothing); see parsing.py for bodies and articles.py for fields.
* `GET /healthz`: 200 while the process serves requests.
* `GET /readyz`: 200 when a Kafka bootstrap server is reachable, else 503.
* `GET /metrics`: Prometheus exposition.
* `GET /openapi.json`, `/docs`, `/redoc`: the API's description (openapi.py), served when
  `serve_docs` (by default in dev only).

Every 4xx/5xx answer has the body `{"error": <short code>, "reason": <human text>, "field": <name|null>}`;
a 503 carries `Retry-After`, a 401 carries `WWW-Authenticate`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import Lifespan

from services.ingest import metrics, openapi
from services.ingest.auth import ApiKeyChecker
from services.ingest.errors import (
    BrokerUnavailable,
    ClientClosedRequest,
    IngestError,
    PayloadTooLarge,
    Unauthorized,
)
from services.ingest.intake import intake
from services.ingest.outgoing import OutgoingArticle
from services.ingest.parsing import (
    TEXT,
    ParsedBody,
    check_content_length,
    media_type_of,
    parse_body,
    plain_text_fields,
)
from services.ingest.port import ArticlePublisher
from services.ingest.settings import IngestSettings

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def error_response(
    status: int, code: str, reason: str, field: str | None = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The one error body shape of the service."""
    return JSONResponse(
        {"error": code, "reason": reason, "field": field}, status_code=status, headers=headers
    )


def create_app(
    settings: IngestSettings,
    publisher: ArticlePublisher,
    *,
    clock: Callable[[], datetime] = _utc_now,
    registry: CollectorRegistry = REGISTRY,
    lifespan: Lifespan[FastAPI] | None = None,
) -> FastAPI:
    """The ingest app. `publisher` is used from worker threads; the caller owns (and closes) it, in
    `lifespan` or after the server stopped. /metrics serves `registry`."""
    checker = ApiKeyChecker(settings.api_keys) if settings.auth_required else None
    docs = settings.serve_docs
    app = FastAPI(
        title="newswire ingest",
        version="1",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    _install_error_handlers(app, settings)
    _install_request_metrics(app)

    @app.post(
        "/v1/articles",
        status_code=202,
        responses=openapi.RESPONSES,
        openapi_extra={"requestBody": openapi.REQUEST_BODY, "parameters": openapi.PARAMETERS},
    )
    async def post_articles(request: Request) -> JSONResponse:
        count = 1  # until the body is split into articles, a refusal counts as one article
        try:
            if checker is not None:
                checker.check(request.headers)
            media_type = media_type_of(request.headers.get("content-type"))
            body = await _read_body(request, settings.max_body_bytes)
            text_fields = (
                plain_text_fields(request.headers, request.query_params) if media_type == TEXT else None
            )
            parsed = parse_body(
                body, media_type, max_articles=settings.max_articles_per_request, text_fields=text_fields
            )
            count = len(parsed.records)
            outgoing = await run_in_threadpool(_outgoing, parsed, settings, clock())
            metrics.REQUEST_ARTICLES.observe(len(outgoing))
            await _publish(publisher, outgoing)
        except IngestError as exc:
            metrics.ARTICLES_REJECTED.labels(exc.code).inc(count)
            raise
        metrics.ARTICLES_ACCEPTED.inc(len(outgoing))
        return JSONResponse(
            {"accepted": len(outgoing), "article_ids": [o.article.article_id for o in outgoing]},
            status_code=202,
        )

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", response_model=None, responses={503: openapi.NOT_READY})
    async def readyz() -> dict[str, str] | JSONResponse:
        reason = await run_in_threadpool(publisher.check_ready)
        if reason is not None:
            return error_response(
                503, "not_ready", reason, headers={"Retry-After": str(settings.retry_after_s)}
            )
        return {"status": "ready"}

    @app.get("/metrics", responses={200: openapi.METRICS})
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused (PayloadTooLarge) as soon as it is known to exceed `limit`: from its
    Content-Length before reading, else while streaming, never buffering more than the limit."""
    check_content_length(request.headers.get("content-length"), limit)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"body exceeds the limit of {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise ClientClosedRequest(
            f"the client closed the connection after {size} bytes of the body"
        ) from None
    metrics.HTTP_REQUEST_BODY_BYTES.observe(size)
    return b"".join(chunks)


def _outgoing(parsed: ParsedBody, settings: IngestSettings, ingested_at: datetime) -> list[OutgoingArticle]:
    """The request's articles through the intake (in lingua's helper process when configured). CPU work:
    called in a worker thread, off the event loop."""
    return intake(
        parsed.records,
        batch=parsed.batch,
        default_source=settings.default_source,
        ingested_at=ingested_at,
        max_message_bytes=settings.max_message_bytes,
        offload_detection=settings.language_process,
    )


async def _publish(publisher: ArticlePublisher, outgoing: list[OutgoingArticle]) -> None:
    started = time.perf_counter()
    outcome = "ok"
    try:
        await run_in_threadpool(publisher.publish, outgoing)
    except IngestError as exc:
        outcome = exc.code
        raise
    except Exception as exc:  # a publisher bug must still answer 503, never claim durability
        outcome = BrokerUnavailable.code
        log.exception("publisher failed unexpectedly")
        raise BrokerUnavailable(f"publishing failed: {type(exc).__name__}") from exc
    finally:
        metrics.PUBLISH_SECONDS.labels(outcome).observe(time.perf_counter() - started)


def _install_error_handlers(app: FastAPI, settings: IngestSettings) -> None:
    async def ingest_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, IngestError)
        headers: dict[str, str] = {}
        if isinstance(exc, BrokerUnavailable):
            headers["Retry-After"] = str(settings.retry_after_s)
        elif isinstance(exc, Unauthorized):
            headers["WWW-Authenticate"] = 'Bearer realm="newswire-ingest"'
        return error_response(exc.http_status, exc.code, exc.reason, exc.field, headers)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = exc.errors()
        first: dict[str, Any] = errors[0] if errors else {}
        field = ".".join(str(part) for part in first.get("loc", ())) or None
        return error_response(422, "invalid_request", str(first.get("msg", "invalid request")), field)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_").replace("-", "_")
        return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)

    async def internal_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal", "internal error; see the server log")

    app.add_exception_handler(IngestError, ingest_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, internal_error)


def _install_request_metrics(app: FastAPI) -> None:
    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = request.scope.get("route")
            label = getattr(route, "path", None) or metrics.UNMATCHED_ROUTE
            metrics.HTTP_REQUESTS.labels(label, request.method, str(status)).inc()
            metrics.HTTP_REQUEST_SECONDS.labels(label).observe(time.perf_counter() - started)
