"""Get one page's bytes over HTTP(S), or from a local file, as a `Page`.

Every failure is a `FetchError` (for URLs) or an `InputError` (for files) whose message
is one line that names the URL or path. A malformed URL or a scheme other than http/https
is a `FetchError` too, so callers handling a list of URLs catch one type per URL.

Politeness (robots.txt, per-host delays, retries) is not here yet; it belongs around
`Fetcher._send`, the one place a request leaves the process.
"""

from __future__ import annotations

import re
import sys
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions

from sanitizer.document import Page
from sanitizer.errors import (
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InputError,
    NotHTML,
    TooLarge,
    TooManyRedirects,
)
from sanitizer.version import __version__

DEFAULT_MAX_BYTES = 20 * 2**20
PROJECT_URL = "https://github.com/repost-sanitizer/repost-sanitizer"
CHUNK_SIZE = 64 * 1024
SCHEMES = frozenset({"http", "https"})
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"

# Types that are HTML for sure; anything not listed as "clearly not HTML" below is
# accepted only when the body itself looks like HTML (servers often say octet-stream).
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
NOT_HTML_PREFIXES = ("image/", "video/", "audio/", "font/", "model/")
NOT_HTML_SUFFIXES = ("+json", "+zip")
NOT_HTML_TYPES = frozenset({
    "application/pdf", "application/json", "application/zip", "application/gzip",
    "application/x-gzip", "application/x-tar", "application/x-7z-compressed",
    "application/javascript", "text/javascript", "application/ecmascript", "text/css",
    "text/csv", "application/wasm", "application/msword", "application/rss+xml",
    "application/atom+xml", "application/x-shockwave-flash",
})  # fmt: skip
HTML_START = re.compile(
    rb"\s*<(?:!doctype\s+html|!--|(?:html|head|body|meta|title|link|script|style|div|p|a|b"
    rb"|br|h[1-6]|table|article|section|font|iframe)[\s>/])",
    re.IGNORECASE,
)

# How a failed request reads: the first entry naming an exception anywhere in the chain wins.
TIMEOUTS = (TimeoutError, urllib3.exceptions.TimeoutError)
NOT_TIMEOUTS = urllib3.exceptions.NewConnectionError  # subclasses ConnectTimeoutError
FAILURES: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
    (requests.exceptions.SSLError, "TLS error with {host}: {reason}"),
    (requests.exceptions.ProxyError, "could not connect through the proxy to {host}"),
    (requests.exceptions.ContentDecodingError, "could not decompress the body from {host}"),
    (requests.exceptions.ChunkedEncodingError, "connection to {host} broke in the body"),
    (ConnectionRefusedError, "could not connect to {host}: connection refused"),
    (urllib3.exceptions.NameResolutionError, "could not connect to {host}: host name not found"),
    ((ConnectionResetError, ConnectionAbortedError), "connection to {host} was reset"),
    (requests.ConnectionError, "connection to {host} failed: {reason}"),
)


def default_user_agent() -> str:
    """Return our honest User-Agent: name, version and project URL."""
    return f"repost-sanitizer/{__version__} (+{PROJECT_URL})"


class Fetcher:
    """One `requests.Session` with timeouts, a byte cap and a recorded redirect chain.

    >>> with Fetcher(contact="mailto:me@example.org") as fetcher:  # doctest: +SKIP
    ...     page = fetcher.get("https://reposter.example/p/123")
    """

    def __init__(
        self,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (10, 30),
        max_bytes: int = DEFAULT_MAX_BYTES,
        user_agent: str | None = None,
        contact: str | None = None,
        max_redirects: int = 10,
    ) -> None:
        self._owns_session = session is None
        self.session = session if session is not None else requests.Session()
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        agent = user_agent or default_user_agent()
        self.user_agent = f"{agent} (+{contact})" if contact else agent

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the session, unless the caller passed their own."""
        if self._owns_session:
            self.session.close()

    def get(self, url: str) -> Page:
        """Fetch `url`, following up to `max_redirects` redirects, and return its Page.

        Raises:
            FetchError: or a subclass; `.url` is always the `url` asked for.
        """
        started = time.monotonic()
        chain: list[str] = []
        current = url
        while True:
            _check_url(current, url)
            with self._translate(url), self._send(current) as response:
                target = self.session.get_redirect_target(response)
                if target is None:
                    return self._page(url, response, tuple(chain), started)
            chain.append(current)
            current = urljoin(current, target)
            if current in chain:
                raise TooManyRedirects(f"redirect loop at {current} (from {url})", url=url)
            if len(chain) > self.max_redirects:
                msg = f"more than {self.max_redirects} redirects from {url} (max_redirects)"
                raise TooManyRedirects(msg, url=url)

    def _send(self, url: str) -> requests.Response:
        """Send one GET without following redirects; the hook for politeness and retries."""
        headers = {"User-Agent": self.user_agent, "Accept": ACCEPT}
        return self.session.get(
            url, headers=headers, timeout=self.timeout, stream=True, allow_redirects=False
        )

    def _page(
        self, url: str, response: requests.Response, chain: tuple[str, ...], started: float
    ) -> Page:
        """Check the final response and read its body into a Page."""
        where = url if response.url == url else f"{response.url} (from {url})"
        if response.status_code >= 400:
            msg = f"HTTP {response.status_code} {response.reason or ''}".rstrip()
            raise HTTPStatusError(f"{msg} for {where}", url=url, status=response.status_code)
        media_type = _media_type(response.headers.get("content-type", ""))
        if _clearly_not_html(media_type):
            raise NotHTML(f"{where} is {media_type}, not an HTML page", url=url)
        body = self._read_body(response, url, where)
        if not body:
            raise NotHTML(f"{where} returned an empty body", url=url)
        if media_type not in HTML_TYPES and not _looks_like_html(body):
            kind = media_type or "untyped"
            raise NotHTML(f"{where} is {kind} and does not look like HTML", url=url)
        return Page(
            url=url,
            content=body,
            final_url=response.url,
            status=response.status_code,
            headers={name.lower(): value for name, value in response.headers.items()},
            redirects=chain,
            elapsed=time.monotonic() - started,
        )

    def _read_body(self, response: requests.Response, url: str, where: str) -> bytes:
        """Read the decoded body in chunks, stopping as soon as it passes `max_bytes`."""
        too_large = f"{where} is larger than {self.max_bytes} bytes (max_bytes)"
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise TooLarge(too_large, url=url)
        chunks: list[bytes] = []
        size = 0
        # iter_content decodes gzip/deflate in urllib3, which (>= 2.6) inflates at most
        # about CHUNK_SIZE per read, so a gzip bomb is capped on its decompressed size.
        for chunk in response.iter_content(CHUNK_SIZE):
            size += len(chunk)
            if size > self.max_bytes:
                raise TooLarge(too_large, url=url)
            chunks.append(chunk)
        return b"".join(chunks)

    @contextmanager
    def _translate(self, url: str) -> Iterator[None]:
        """Turn requests' exceptions raised inside the block into our FetchErrors."""
        try:
            yield
        except requests.RequestException as err:
            raise _fetch_error(err, url) from err


def fetch(url: str, **options: Any) -> Page:
    """Fetch one URL with a throwaway `Fetcher(**options)`.

    >>> page = fetch("https://reposter.example/p/123", timeout=(5, 10))  # doctest: +SKIP
    """
    with Fetcher(**options) as fetcher:
        return fetcher.get(url)


def read_file(
    path: str | Path, *, base_url: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Page:
    """Read a local file (`-` for stdin) as a Page whose URL is `base_url`.

    Raises:
        InputError: the file is missing, a directory, unreadable or over `max_bytes`.
    """
    name = str(path)
    if name == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        data = _read_capped(Path(path), max_bytes)
    if len(data) > max_bytes:
        label = "stdin" if name == "-" else name
        raise InputError(f"{label} is too large: over {max_bytes} bytes (max_bytes)", source=name)
    return Page(url=base_url, content=data, final_url=base_url)


def _read_capped(path: Path, max_bytes: int) -> bytes:
    """Read at most `max_bytes + 1` bytes of `path`, as InputErrors on failure."""
    try:
        with path.open("rb") as handle:
            return handle.read(max_bytes + 1)
    except FileNotFoundError as err:
        raise InputError(f"no such file: {path}", source=str(path)) from err
    except IsADirectoryError as err:
        raise InputError(f"{path} is a directory", source=str(path)) from err
    except PermissionError as err:
        raise InputError(f"permission denied: {path}", source=str(path)) from err
    except OSError as err:
        raise InputError(f"could not read {path}: {err.strerror}", source=str(path)) from err


def _check_url(url: str, origin: str) -> None:
    """Raise FetchError unless `url` is an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises ValueError for a port out of range
    except ValueError as err:
        raise FetchError(f"invalid URL {url!r}: {err}", url=origin) from err
    via = "" if url == origin else f" (redirected from {origin})"
    if parts.scheme.lower() not in SCHEMES:
        scheme = parts.scheme or "no scheme"
        raise FetchError(f"unsupported URL {url!r}{via}: {scheme}; use http or https", url=origin)
    if not host:
        raise FetchError(f"invalid URL {url!r}{via}: no host name", url=origin)


def _media_type(content_type: str) -> str:
    """Return the bare, lower-case media type of a Content-Type header."""
    return content_type.split(";", 1)[0].strip().lower()


def _clearly_not_html(media_type: str) -> bool:
    """Tell whether a media type rules out an HTML page without looking at the body."""
    return (
        media_type in NOT_HTML_TYPES
        or media_type.startswith(NOT_HTML_PREFIXES)
        or media_type.endswith(NOT_HTML_SUFFIXES)
    )


def _looks_like_html(body: bytes) -> bool:
    """Sniff the start of a body for HTML markup (after an optional UTF-8 BOM)."""
    return HTML_START.match(body[:1024].removeprefix(b"\xef\xbb\xbf")) is not None


def _causes(err: BaseException) -> Iterator[BaseException]:
    """Yield `err` and what it wraps (args, .reason, __cause__, __context__), outside in."""
    queue, seen = deque([err]), set()
    while queue:
        current = queue.popleft()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        queue.extend(arg for arg in current.args if isinstance(arg, BaseException))
        for inner in (getattr(current, "reason", None), current.__cause__, current.__context__):
            if isinstance(inner, BaseException):
                queue.append(inner)


def _fetch_error(err: requests.RequestException, url: str) -> FetchError:
    """Map a requests exception to a one-line FetchError naming the host and URL."""
    causes = list(_causes(err))
    wrappers = requests.RequestException | urllib3.exceptions.HTTPError
    reason = next((c for c in reversed(causes) if not isinstance(c, wrappers)), err)
    failed = err.request.url if err.request is not None and err.request.url else url
    host = urlsplit(failed).netloc or failed
    timeouts = [c for c in causes if isinstance(c, TIMEOUTS) and not isinstance(c, NOT_TIMEOUTS)]
    if timeouts:
        connecting = any(isinstance(c, urllib3.exceptions.ConnectTimeoutError) for c in timeouts)
        doing = "connecting to" if connecting else "waiting for"
        return FetchTimeout(f"timed out {doing} {host} ({url})", url=url)
    for kinds, template in FAILURES:
        if any(isinstance(c, kinds) for c in causes):
            message = template.format(host=host, reason=reason)
            return FetchError(f"{message} ({url})", url=url)
    return FetchError(f"could not fetch {url}: {err}", url=url)
