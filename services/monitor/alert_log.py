"""`newswire alert-log`: the local stack's Alertmanager webhook receiver. Each alert of each notification
(Alertmanager's webhook payload, version 4) becomes one JSON line on stdout (scripts/services.sh keeps it in
logs/alert-log.log), so alerts of `make run` reach a place an operator reads. Production routes alerts to
e-mail or chat instead (deploy/alertmanager/alertmanager.local.yml shows how)."""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from services.common.logs import configure_logging
from services.monitor.settings import AlertLogSettings
from services.monitor.wsgi import StartResponse, WsgiApp, serve_until_signalled

Notification = dict[str, Any]
log = logging.getLogger(__name__)
MAX_BODY_BYTES = 4 * 1024 * 1024


def alert_lines(notification: Notification) -> list[str]:
    """One JSON line per alert of a webhook notification: its status, name, labels, annotations (summary,
    runbook_url, ...) and start time."""
    return [
        json.dumps(
            {
                "status": alert.get("status"),
                "alertname": alert.get("labels", {}).get("alertname"),
                "labels": alert.get("labels", {}),
                "annotations": alert.get("annotations", {}),
                "starts_at": alert.get("startsAt"),
                "ends_at": alert.get("endsAt"),
            },
            sort_keys=True,
        )
        for alert in notification.get("alerts", [])
    ]


def receiver(sink: Callable[[Notification], None]) -> WsgiApp:
    """A WSGI app: POST /alerts hands each JSON notification to `sink` (400 for a body that is not a JSON
    object); GET /healthz answers 200."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == "/healthz" and method == "GET":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"status": "ok"}']
        if path != "/alerts" or method != "POST":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"POST /alerts or GET /healthz\n"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            if length > MAX_BODY_BYTES:
                raise ValueError(f"body over {MAX_BODY_BYTES} bytes")
            notification = json.loads(environ["wsgi.input"].read(length))
            if not isinstance(notification, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [f"not an Alertmanager notification: {exc}\n".encode()]
        sink(notification)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]

    return app


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM/SIGINT. Blocks."""
    argparse.ArgumentParser(prog="newswire alert-log", description=__doc__.split("\n")[0]).parse_args(argv)
    settings = AlertLogSettings()

    def print_lines(notification: Notification) -> None:
        for line in alert_lines(notification):
            print(line, flush=True)

    configure_logging("alert-log")
    log.info("alert log on http://%s:%d/alerts", settings.host, settings.port)
    serve_until_signalled(settings.host, settings.port, receiver(print_lines))
    return 0
