"""A real HTTP server on 127.0.0.1 for tests, with routes that misbehave on purpose.

    with LocalHTTPServer() as server:
        server.respond("/ok", b"<p>hi</p>")
        server.gzip_bomb("/bomb", size=200 * 2**20)
        requests.get(server.url("/ok"))

Routes are exact paths (the query string is ignored) or directory prefixes from
`serve_directory`. Every request is logged in `server.requests` (the access log) with
its headers, when it started and ended (time.monotonic()), and how many body bytes the
server managed to send. `sequence` answers the same path differently on each call
(500 then 200, 429 then 200, a reset then 200). Slow routes wait on an event that
`reset()` and `stop()` set, so no handler thread outlives its test for long.
"""

from __future__ import annotations

import gzip
import itertools
import mimetypes
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

Handler = Callable[["RequestHandler"], None]
CHUNK = 64 * 1024


@dataclass
class Request:
    """One request the server received, and how the answer went."""

    method: str
    path: str
    headers: dict[str, str]
    sent: int = 0
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    finished: bool = False
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)


class RequestHandler(BaseHTTPRequestHandler):
    """Dispatch each request to the route registered for its path."""

    server: _Server
    protocol_version = "HTTP/1.0"  # bodies end when the connection closes
    record: Request

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        self.record = Request(self.command, path, {k.lower(): v for k, v in self.headers.items()})
        owner.requests.append(self.record)
        self.cancelled = owner.cancel_event
        try:
            owner.route_for(path)(self)
            self.record.finished = True
        except OSError as err:  # the client hung up: expected for caps and timeouts
            self.record.error = repr(err)
            self.close_connection = True
        finally:
            self.record.ended = time.monotonic()
            self.record.done.set()

    def head(self, status: int = 200, headers: dict[str, str] | None = None) -> None:
        """Send the status line and headers."""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()

    def body(self, data: bytes) -> None:
        """Send part of the body, counting the bytes sent."""
        if self.command != "HEAD":
            self.wfile.write(data)
            self.record.sent += len(data)

    def wait(self, seconds: float) -> bool:
        """Sleep, waking early on reset/stop; True when the route should carry on."""
        return not self.cancelled.wait(seconds)

    def reset_connection(self) -> None:
        """Close the socket with a TCP RST (SO_LINGER 0) instead of an answer."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LocalHTTPServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore errors of clients that went away (timeouts and caps do that)."""


class LocalHTTPServer:
    """A threaded HTTP server on 127.0.0.1 with a route table tests can fill."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._httpd = _Server((host, 0), RequestHandler)
        self._httpd.owner = self
        self.host: str = host
        self.port: int = self._httpd.server_address[1]
        self.routes: dict[str, Handler] = {}
        self.prefixes: dict[str, Handler] = {}
        self.requests: list[Request] = []
        self.cancel_event = threading.Event()
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._bombs: dict[int, bytes] = {}

    # lifecycle --------------------------------------------------------------------

    def start(self) -> LocalHTTPServer:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Wake slow handlers, stop serving and close the listening socket."""
        self.cancel_event.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalHTTPServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget routes and logged requests; wake handlers still sleeping."""
        self.cancel_event.set()
        self.cancel_event = threading.Event()
        self.routes.clear()
        self.prefixes.clear()
        self.requests.clear()

    # addresses --------------------------------------------------------------------

    def url(self, path: str = "/") -> str:
        """The absolute URL of `path` on this server."""
        return f"http://{self.host}:{self.port}{path}"

    @staticmethod
    def refused_url(path: str = "/") -> str:
        """A URL on 127.0.0.1 where nothing listens (connections are refused)."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        return f"http://127.0.0.1:{port}{path}"

    def route_for(self, path: str) -> Handler:
        """The handler for `path`: exact route, longest prefix, else a 404."""
        if path in self.routes:
            return self.routes[path]
        for prefix in sorted(self.prefixes, key=len, reverse=True):
            if path.startswith(prefix):
                return self.prefixes[prefix]
        return _static(b"not found", 404, {"Content-Type": "text/plain"})

    def received(self, path: str, timeout: float = 10) -> Request:
        """The last request for `path`, once its handler has finished."""
        matches = [r for r in self.requests if r.path == path]
        if not matches:
            raise AssertionError(f"no request for {path}")
        if not matches[-1].done.wait(timeout):
            raise AssertionError(f"handler for {path} still running after {timeout}s")
        return matches[-1]

    # routes -----------------------------------------------------------------------

    def add(self, path: str, handler: Handler) -> str:
        """Register a custom handler; return the path's URL."""
        self.routes[path] = handler
        return self.url(path)

    def respond(
        self,
        path: str,
        body: bytes = b"",
        *,
        status: int = 200,
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> str:
        """Answer `path` with fixed bytes (Content-Length set); None omits Content-Type."""
        all_headers = {"Content-Type": content_type} if content_type else {}
        all_headers.update(headers or {})
        return self.add(path, _static(body, status, all_headers))

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        """Answer `path` with a redirect to `location` (sent as given, may be relative)."""
        return self.respond(path, status=status, content_type=None, headers={"Location": location})

    def redirect_chain(self, paths: Iterable[str], status: int = 302) -> str:
        """Each path redirects to the next; register the last one yourself."""
        hops = list(paths)
        for here, there in itertools.pairwise(hops):
            self.redirect(here, there, status)
        return self.url(hops[0])

    def slow_headers(self, path: str, delay: float, body: bytes = b"<p>late</p>") -> str:
        """Wait `delay` seconds before sending anything."""

        def handler(req: RequestHandler) -> None:
            if req.wait(delay):
                _static(body, 200, {"Content-Type": "text/html"})(req)

        return self.add(path, handler)

    def drip(self, path: str, pieces: Iterable[bytes], interval: float) -> str:
        """Send headers at once, then one piece of body every `interval` seconds."""
        parts = list(pieces)

        def handler(req: RequestHandler) -> None:
            req.head(200, {"Content-Type": "text/html"})
            for piece in parts:
                req.body(piece)
                if not req.wait(interval):
                    return

        return self.add(path, handler)

    def huge(self, path: str, size: int, *, content_length: bool = False) -> str:
        """Stream `size` bytes of HTML-looking filler, generated chunk by chunk."""

        def handler(req: RequestHandler) -> None:
            headers = {"Content-Type": "text/html"}
            if content_length:
                headers["Content-Length"] = str(size)
            req.head(200, headers)
            for chunk in _filler(size):
                req.body(chunk)

        return self.add(path, handler)

    def gzip_bomb(self, path: str, size: int = 200 * 2**20) -> str:
        """Serve gzip-compressed zeros (Content-Encoding: gzip) inflating to `size` bytes."""
        if size not in self._bombs:
            self._bombs[size] = _gzip_zeros(size)
        data = self._bombs[size]
        headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
        return self.add(path, _static(data, 200, headers))

    def gzipped(self, path: str, body: bytes) -> str:
        """Serve `body` gzip-compressed with Content-Encoding: gzip."""
        headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
        return self.add(path, _static(gzip.compress(body), 200, headers))

    def sequence(self, path: str, handlers: Iterable[Handler], then: Handler | None = None) -> str:
        """Answer the n-th request for `path` with the n-th handler, later ones with `then`.

        `then` defaults to the last handler. Build handlers with `answer(...)`,
        `RequestHandler.reset_connection` or any function taking the request handler.
        """
        queue = list(handlers)
        last = then or queue[-1]
        lock = threading.Lock()

        def handler(req: RequestHandler) -> None:
            with lock:
                current = queue.pop(0) if queue else last
            current(req)

        return self.add(path, handler)

    def robots(self, text: str, *, status: int = 200) -> str:
        """Serve `text` as /robots.txt."""
        return self.respond("/robots.txt", text.encode("utf-8"), status=status,
                            content_type="text/plain")

    def reset_before_answer(self, path: str) -> str:
        """Close the connection with a reset instead of answering."""
        return self.add(path, RequestHandler.reset_connection)

    def reset_mid_body(self, path: str, body: bytes, promised: int) -> str:
        """Promise `promised` bytes, send `body`, then reset the connection."""

        def handler(req: RequestHandler) -> None:
            req.head(200, {"Content-Type": "text/html", "Content-Length": str(promised)})
            req.body(body)
            time.sleep(0.05)  # let the partial body leave before the RST discards it
            req.reset_connection()

        return self.add(path, handler)

    def serve_directory(self, prefix: str, directory: str | Path) -> str:
        """Serve files under `directory` at `prefix` (types from their extensions)."""
        root = Path(directory).resolve()
        prefix = prefix.rstrip("/") + "/"

        def handler(req: RequestHandler) -> None:
            relative = req.record.path[len(prefix) :]
            target = (root / relative).resolve()
            if not target.is_file() or not target.is_relative_to(root):
                _static(b"not found", 404, {"Content-Type": "text/plain"})(req)
                return
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            _static(target.read_bytes(), 200, {"Content-Type": kind})(req)

        self.prefixes[prefix] = handler
        return self.url(prefix)


def answer(
    body: bytes = b"",
    status: int = 200,
    headers: dict[str, str] | None = None,
    content_type: str = "text/html; charset=utf-8",
) -> Handler:
    """A handler answering with fixed bytes (for `sequence`)."""
    return _static(body, status, {"Content-Type": content_type, **(headers or {})})


def _static(body: bytes, status: int, headers: dict[str, str]) -> Handler:
    """A handler answering with fixed bytes and a Content-Length."""

    def handler(req: RequestHandler) -> None:
        req.head(status, {**headers, "Content-Length": str(len(body))})
        req.body(body)

    return handler


def _filler(size: int) -> Iterator[bytes]:
    """Yield `size` bytes of `<p>` filler in CHUNK-sized pieces."""
    block = (b"<p>filler</p>\n" * (CHUNK // 14 + 1))[:CHUNK]
    while size > 0:
        yield block[:size]
        size -= len(block)


def _gzip_zeros(size: int) -> bytes:
    """Gzip `size` zero bytes without holding them (about 1000:1)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
    zeros = bytes(2**20)
    parts = []
    for start in range(0, size, len(zeros)):
        parts.append(packer.compress(zeros[: size - start]))
    parts.append(packer.flush())
    return b"".join(parts)
