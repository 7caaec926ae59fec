"""One HTTP request and its answer (`Exchange`), and reading a body within limits.

The body is read as it came over the wire (after de-chunking, before decompression), so
the WARC archive holds what the server really sent, and decompressed here chunk by chunk
with a cap on the output, so neither a 50 MB body nor a gzip bomb is ever held whole.
Only gzip and deflate are asked for (`ACCEPT_ENCODING`) and understood.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from sanitizer.errors import FetchError, FetchTimeout, TooLarge

CHUNK_SIZE = 64 * 1024
ACCEPT_ENCODING = "gzip, deflate"


class BodyDeadline(FetchTimeout):
    """The body was still coming at the deadline (not retried: the server is alive)."""

    public_name = "FetchTimeout"


@dataclass
class Exchange:
    """One request and the response to it, as archived and reported.

    Attributes:
        url: the URL requested.
        request_headers: the headers we sent (in order).
        status, reason, http_version: the status line.
        headers: the response headers as received (name, value), in order.
        raw: the body bytes as sent (still compressed), possibly cut short.
        body: the decompressed body (empty when it was not read).
        truncated: why the body was cut ("length", "time", "disconnect", "not-read").
        peer: the IP address we were connected to, when known.
        started: when the request was sent (UTC).
        record_id: the WARC response record's id, once archived.
    """

    url: str
    request_headers: list[tuple[str, str]]
    status: int
    reason: str
    http_version: str
    headers: list[tuple[str, str]]
    raw: bytes = b""
    body: bytes = b""
    truncated: str | None = None
    peer: str | None = None
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    record_id: str | None = None
    from_cache: bool = False

    def header(self, name: str) -> str:
        """The first response header called `name` (case-insensitive), or ""."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), "")


def start_exchange(url: str, response: requests.Response, started: datetime) -> Exchange:
    """An Exchange for `response` with its status line and headers, body not yet read."""
    raw = response.raw
    version = {10: "HTTP/1.0", 11: "HTTP/1.1", 20: "HTTP/2"}.get(getattr(raw, "version", 11))
    header_items = raw.headers.items() if raw is not None and raw.headers else []
    request_headers = list(response.request.headers.items()) if response.request else []
    return Exchange(
        url=url,
        request_headers=[(str(k), str(v)) for k, v in request_headers],
        status=response.status_code,
        reason=response.reason or "",
        http_version=version or "HTTP/1.1",
        headers=[(str(k), str(v)) for k, v in header_items],
        peer=_peer_address(response),
        started=started,
    )


def read_body(
    exchange: Exchange,
    response: requests.Response,
    *,
    max_bytes: int,
    deadline: float,
    where: str,
    origin: str,
) -> None:
    """Read `response`'s body into `exchange.raw` and `.body` within the limits.

    Raises:
        TooLarge: the raw or the decompressed body passed `max_bytes`.
        FetchTimeout: the whole body took past `deadline` (time.monotonic()).
        FetchError: an unknown or broken Content-Encoding.
    """
    too_large = f"{where} is larger than {max_bytes} bytes (max_bytes)"
    declared = exchange.header("content-length").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        exchange.truncated = "length"
        raise TooLarge(too_large, url=origin)
    inflater = Inflater(exchange.header("content-encoding"), where=where, origin=origin)
    raw_parts: list[bytes] = []
    body_parts: list[bytes] = []
    raw_size = body_size = 0
    try:
        for chunk in _pieces(response):
            raw_parts.append(chunk)
            raw_size += len(chunk)
            decoded = inflater.feed(chunk, max_bytes - body_size)
            body_parts.append(decoded)
            body_size += len(decoded)
            if raw_size > max_bytes or body_size > max_bytes:
                exchange.truncated = "length"
                raise TooLarge(too_large, url=origin)
            if time.monotonic() > deadline:
                exchange.truncated = "time"
                raise BodyDeadline(f"{where} was still sending after the time limit "
                                   "(total_timeout); the server is too slow", url=origin)
    except (TooLarge, FetchTimeout, FetchError):
        raise
    except Exception:
        exchange.truncated = "disconnect"
        raise
    finally:
        exchange.raw = b"".join(raw_parts)
    exchange.body = b"".join(body_parts)


def _pieces(response: requests.Response) -> Iterator[bytes]:
    """The raw body as it arrives: each piece is what one socket read returned.

    `read1` returns as soon as some bytes are there (`stream(n)` would wait for n), so a
    server dripping a byte at a time still meets the deadline check between pieces.
    """
    while True:
        piece = response.raw.read1(CHUNK_SIZE, decode_content=False)
        if not piece:
            return
        yield piece


class Inflater:
    """Decompress a gzip or deflate body piece by piece, never beyond a limit."""

    def __init__(self, encoding: str, *, where: str, origin: str) -> None:
        self.encoding = encoding.strip().lower()
        self.where, self.origin = where, origin
        if self.encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise FetchError(f"{where} is sent with Content-Encoding {encoding!r}, "
                             "which we did not ask for and cannot read", url=origin)
        self._wbits = 15 if self.encoding == "deflate" else 47  # 47: gzip or zlib header
        self._inflate = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, data: bytes, limit: int) -> bytes:
        """Decompress `data`; returns at most `limit + 1` bytes (more means too large)."""
        if self.encoding in ("", "identity"):
            return data
        try:
            return self._feed(data, max(limit, 0) + 1)
        except zlib.error as err:
            raise FetchError(f"could not decompress the body of {self.where} "
                             f"({self.encoding}): {err}", url=self.origin) from err

    def _feed(self, data: bytes, max_length: int) -> bytes:
        """Inflate within `max_length`, switching to raw deflate or a next gzip member."""
        if not self._started and self.encoding == "deflate" and data[:1] and data[0] & 0x0F != 8:
            self._inflate = zlib.decompressobj(-15)  # raw deflate, as some servers send
        self._started = True
        out = self._inflate.decompress(data, max_length)
        while self._inflate.eof and self._inflate.unused_data and len(out) < max_length:
            rest = self._inflate.unused_data
            self._inflate = zlib.decompressobj(self._wbits)
            out += self._inflate.decompress(rest, max_length - len(out))
        return out


def _peer_address(response: requests.Response) -> str | None:
    """The IP address the response came from, when the socket is still at hand."""
    raw: Any = response.raw
    paths: tuple[tuple[str, ...], ...] = (("_connection", "sock"), ("_fp", "fp", "raw", "_sock"))
    for path in paths:  # urllib3's connection, else http.client's socket (HTTP/1.0)
        try:
            sock: Any = raw
            for name in path:
                sock = getattr(sock, name)
            return str(sock.getpeername()[0])
        except (AttributeError, OSError, IndexError, TypeError):
            continue
    return None
