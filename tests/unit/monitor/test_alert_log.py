"""The alert log turns each alert of an Alertmanager notification into one JSON line, and refuses what is not
a notification."""

from __future__ import annotations

import io
import json
from typing import Any

from services.monitor.alert_log import Notification, alert_lines, receiver

NOTIFICATION: Notification = {
    "version": "4",
    "status": "firing",
    "alerts": [
        {
            "status": "firing",
            "labels": {
                "alertname": "NewswireConsumerGroupEmpty",
                "group": "newswire-store",
                "severity": "critical",
            },
            "annotations": {"runbook_url": "file:///README.md#newswireconsumergroupempty"},
            "startsAt": "2026-12-07T15:52:46Z",
            "endsAt": "0001-01-01T00:00:00Z",
        }
    ],
}


def post(body: bytes, path: str = "/alerts") -> tuple[str, list[Notification]]:
    received: list[Notification] = []
    status: list[str] = []
    environ: dict[str, Any] = {
        "PATH_INFO": path,
        "REQUEST_METHOD": "POST",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    receiver(received.append)(environ, lambda code, headers: status.append(code))
    return status[0], received


def test_each_alert_becomes_one_json_line_with_its_runbook() -> None:
    (line,) = alert_lines(NOTIFICATION)
    parsed = json.loads(line)

    assert parsed["alertname"] == "NewswireConsumerGroupEmpty"
    assert parsed["status"] == "firing"
    assert parsed["annotations"]["runbook_url"].endswith("#newswireconsumergroupempty")


def test_a_notification_is_accepted_and_handed_on() -> None:
    status, received = post(json.dumps(NOTIFICATION).encode())

    assert status.startswith("200")
    assert received == [NOTIFICATION]


def test_a_body_that_is_not_a_notification_is_refused_with_400() -> None:
    for body in (b"not json", b"[1, 2]"):
        status, received = post(body)
        assert status.startswith("400")
        assert received == []


def test_other_paths_are_404() -> None:
    status, _ = post(b"{}", path="/elsewhere")
    assert status.startswith("404")
