"""A real HTTP server on 127.0.0.1 for the poller's tests: the fixture feeds of tests/fixtures/feeds with
ETag and Last-Modified (answering conditional GETs with 304), the linked article pages, and every bad
case a feed source can be: error statuses, a server that stalls, a redirect loop, a 50 MB body, a feed
of 10 000 items, a body the test changes between polls. It records each request's path and headers."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

FIXTURES = Path(__file__).parents[1] / "fixtures" / "feeds"
HUGE_BYTES = 50 * 1024 * 1024
MANY_ITEMS = 10_000
# Where journal.rss.xml's items link to; /local/ serves it pointing at this server's /pages/ instead.
JOURNAL_ARTICLES = b"https://journal.example.fr/international/article/"
_TYPES = {".xml": "application/rss+xml; charset=utf-8", ".json": "application/json", ".html": "text/html"}


def many_items_feed(count: int = MANY_ITEMS) -> bytes:
    """An RSS feed listing `count` items, the newest first (item 0 is the newest)."""
    items = "".join(
        f"<item><title>Dépêche {n}</title><guid>many-{n}</guid><link>https://many.example.fr/{n}</link>"
        f"<pubDate>{formatdate(1_700_000_000 - 60 * n, usegmt=True)}</pubDate>"
        f"<description>Le conseil municipal a voté la mesure numéro {n} jeudi soir.</description></item>"
        for n in range(count)
    )
    head = '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Many</title>'
    return f"{head}{items}</channel></rss>".encode()


@dataclass
class Request:
    path: str
    headers: dict[str, str]


@dataclass
class FeedServerState:
    requests: list[Request] = field(default_factory=list)
    mutable: bytes = b""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def requests_to(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == path]


class FeedHandler(BaseHTTPRequestHandler):
    state: ClassVar[FeedServerState]
    many: ClassVar[bytes]
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        with self.state.lock:
            self.state.requests.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()}))
        path = self.path
        if path.startswith("/fixtures/"):
            self._file(FIXTURES / path.removeprefix("/fixtures/"))
        elif path.startswith("/pages/"):
            self._file(FIXTURES / path.lstrip("/"))
        elif path.startswith("/local/"):
            self._local(FIXTURES / path.removeprefix("/local/"))
        elif path.startswith("/status/"):
            self._send(int(path.removeprefix("/status/")), b"error page", "text/html")
        elif path == "/slow":
            self._stall()
        elif path == "/loop":
            self._redirect("/loop")
        elif path.startswith("/redirect-to/"):
            self._redirect("/fixtures/" + path.removeprefix("/redirect-to/"))
        elif path == "/huge":
            self._huge()
        elif path == "/many":
            self._send(200, self.many, _TYPES[".xml"])
        elif path == "/mutable":
            self._conditional(self.state.mutable, _TYPES[".xml"], mtime=None)
        else:
            self._send(404, b"not found", "text/plain")

    def _file(self, file: Path) -> None:
        if not file.is_file():
            self._send(404, b"not found", "text/plain")
            return
        self._conditional(
            file.read_bytes(), _TYPES.get(file.suffix, "application/octet-stream"), file.stat().st_mtime
        )

    def _local(self, file: Path) -> None:
        """A fixture whose article links point at this server's /pages/, so the pages can be fetched."""
        base = f"http://{self.headers['Host']}/pages/".encode()
        body = file.read_bytes().replace(JOURNAL_ARTICLES, base)
        self._conditional(body, _TYPES.get(file.suffix, "application/octet-stream"), file.stat().st_mtime)

    def _conditional(self, body: bytes, content_type: str, mtime: float | None) -> None:
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        extra = {"ETag": etag}
        if mtime is not None:
            extra["Last-Modified"] = formatdate(mtime, usegmt=True)
        self._send(200, body, content_type, extra)

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _stall(self) -> None:
        """Headers at once, then a byte a second: only a deadline on the whole fetch catches it."""
        self.send_response(200)
        self.send_header("Content-Type", _TYPES[".xml"])
        self.send_header("Content-Length", "100")
        self.end_headers()
        try:
            for _ in range(100):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            return

    def _huge(self) -> None:
        """50 MB of a feed, chunked, with no Content-Length to refuse it by."""
        self.send_response(200)
        self.send_header("Content-Type", _TYPES[".xml"])
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"<item><title>x</title><description>" + b"y" * 65_000 + b"</description></item>"
        try:
            self._chunk(b'<?xml version="1.0"?><rss version="2.0"><channel>')
            sent = 0
            while sent < HUGE_BYTES:
                self._chunk(chunk)
                sent += len(chunk)
            self._chunk(b"</channel></rss>")
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            return

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")


@dataclass
class FeedServer:
    url: str
    state: FeedServerState


def serve_feeds() -> Iterator[FeedServer]:
    """Run the server on a free port of 127.0.0.1 until the generator is closed."""
    state = FeedServerState()
    handler = type("Handler", (FeedHandler,), {"state": state, "many": many_items_feed()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield FeedServer(f"http://127.0.0.1:{server.server_address[1]}", state)
    finally:
        server.shutdown()
        server.server_close()
