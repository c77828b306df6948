"""The small HTTP servers of the monitoring side (lag exporter, alert log): the standard library's WSGI
server, quiet (a line per scrape is noise), stopped cleanly by SIGTERM/SIGINT."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class QuietHandler(WSGIRequestHandler):
    """Logs no line per request (a line per scrape is noise)."""

    def log_message(self, format: str, *args: Any) -> None:
        return


def serve_until_signalled(host: str, port: int, app: WsgiApp) -> None:
    """Serve `app` on host:port until SIGTERM or SIGINT. Blocks; raises OSError when the port is taken."""
    server = make_server(host, port, app, handler_class=QuietHandler)

    def stop(signum: int, frame: object) -> None:
        # shutdown() waits for serve_forever to return: call it from another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever()
    finally:
        server.server_close()
