"""Get pages over HTTP(S) politely, within limits, with evidence: `Fetcher` -> `Page`.

For every URL and every redirect hop, in this order:

1. the URL must be absolute http(s) with a host (`FetchError`);
2. the SSRF guard (`netguard`) refuses non-public addresses (`BlockedAddress`, `DNSError`);
3. robots.txt (`robots`, once per origin) must allow it (`RobotsDisallowed`);
4. the HTTP cache (`httpcache`, optional) may answer; otherwise
5. the host's politeness slot (`politeness`) is taken, the GET is sent with connect and
   read timeouts, and the body is read within `max_bytes` and `total_timeout`
   (`transfer`); every exchange is archived (`archive`, optional);
6. connection failures, timeouts, 429 and 5xx are retried with backoff (`retry`).

`get(url)` returns a Page or raises a `FetchError` subclass whose `.url` is the URL
asked for; `fetch(url)` and `fetch_many(urls)` never raise and give one `FetchResult`
per input (`fetchlog`). Local files are read by `read_file`.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions

from sanitizer.archive import WarcArchive
from sanitizer.document import Page
from sanitizer.errors import (
    BlockedAddress,
    DNSError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InputError,
    NotHTML,
    SanitizerError,
    TLSError,
    TooLarge,
    TooManyRedirects,
)
from sanitizer.fetchlog import FetchResult
from sanitizer.httpcache import HttpCache
from sanitizer.netguard import AddressGuard, GuardedAdapter
from sanitizer.politeness import HostThrottle
from sanitizer.retry import RetryPolicy, parse_retry_after, retryable_status
from sanitizer.robots import AGENT_TOKEN, MAX_ROBOTS_BYTES, RobotsCache
from sanitizer.transfer import ACCEPT_ENCODING, Exchange, read_body, start_exchange
from sanitizer.version import __version__

DEFAULT_MAX_BYTES = 20 * 2**20
SIDE_BODY_BYTES = 64 * 1024  # bodies of redirects and errors: kept for the record only
PROJECT_URL = "https://github.com/repost-sanitizer/repost-sanitizer"
SCHEMES = frozenset({"http", "https"})
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
ROBOTS_MAX_REDIRECTS = 5

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
Kinds = type[BaseException] | tuple[type[BaseException], ...]
FAILURES: tuple[tuple[Kinds, str, type[FetchError]], ...] = (
    ((requests.exceptions.SSLError, urllib3.exceptions.SSLError),
     "TLS error with {host}: {reason}; the certificate or TLS setup is wrong "
     "(we never fall back to an unverified connection)", TLSError),
    ((requests.exceptions.ProxyError, urllib3.exceptions.ProxyError),
     "could not connect through the proxy to {host}; check HTTPS_PROXY/HTTP_PROXY", FetchError),
    ((requests.exceptions.ContentDecodingError, urllib3.exceptions.DecodeError),
     "could not decompress the body from {host}", FetchError),
    (ConnectionRefusedError, "could not connect to {host}: connection refused", FetchError),
    (urllib3.exceptions.NameResolutionError,
     "could not connect to {host}: host name not found", DNSError),
    ((ConnectionResetError, ConnectionAbortedError), "connection to {host} was reset", FetchError),
    ((requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError),
     "connection to {host} broke in the body", FetchError),
    ((requests.ConnectionError, OSError), "connection to {host} failed: {reason}", FetchError),
)
#: Errors worth another attempt (exact types: DNSError, TLSError, BodyDeadline... are final).
RETRYABLE = (FetchError, FetchTimeout)


def default_user_agent() -> str:
    """Return our honest User-Agent: name, version and project URL."""
    return f"{AGENT_TOKEN}/{__version__} (+{PROJECT_URL})"


@dataclass
class _Trace:
    """What happened while fetching one input: attempts, exchanges, the last answer."""

    attempts: int = 0
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def last(self) -> Exchange | None:
        return self.exchanges[-1] if self.exchanges else None


class Fetcher:
    """Polite, bounded HTTP fetching with recorded redirects; safe to share between threads.

    Each worker thread gets its own `requests.Session` (unless the caller passes one,
    which is then used by every thread). See the module docstring for the steps.

    >>> with Fetcher(contact="mailto:me@example.org") as fetcher:  # doctest: +SKIP
    ...     page = fetcher.get("https://reposter.example/p/123")
    ...     results = list(fetcher.fetch_many(urls))
    """

    def __init__(
        self,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (10, 30),
        total_timeout: float = 120.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        user_agent: str | None = None,
        contact: str | None = None,
        max_redirects: int = 10,
        ignore_robots: bool = False,
        delay: float = 1.0,
        per_host: int = 1,
        workers: int = 8,
        retry: RetryPolicy | None = None,
        allow_private: bool = False,
        allow_hosts: Iterable[str] = (),
        archive: WarcArchive | None = None,
        cache: HttpCache | None = None,
    ) -> None:
        self._given_session = session
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self.timeout = timeout
        self.total_timeout = total_timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.ignore_robots = ignore_robots
        self.workers = max(1, workers)
        self.retry = retry or RetryPolicy()
        self.guard = AddressGuard.create(allow_private=allow_private, allow_hosts=allow_hosts)
        self.throttle = HostThrottle(delay=delay, per_host=per_host)
        self.robots = RobotsCache(self._fetch_robots)
        self.archive = archive
        self.cache = cache
        agent = user_agent or default_user_agent()
        self.user_agent = f"{agent} (+{contact})" if contact else agent

    # lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the sessions this Fetcher opened (not a caller's session)."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    @property
    def session(self) -> requests.Session:
        """This thread's session (or the caller's)."""
        if self._given_session is not None:
            return self._given_session
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            adapter = GuardedAdapter(self.guard)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    # the front doors ----------------------------------------------------------------

    def get(self, url: str) -> Page:
        """Fetch `url`, following up to `max_redirects` redirects, and return its Page.

        Raises:
            FetchError: or a subclass; `.url` is always the `url` asked for.
        """
        return self._get(url, _Trace())

    def fetch(self, url: str) -> FetchResult:
        """Fetch `url` and describe the outcome; never raises for a failed fetch."""
        trace = _Trace()
        started = time.monotonic()
        try:
            page = self._get(url, trace)
        except Exception as err:  # one result per input, whatever went wrong
            return self._failed(url, err, trace, time.monotonic() - started)
        from sanitizer.parse import detect_encoding

        last = trace.last
        return FetchResult(
            url=url, ok=True, final_url=page.final_url, status=page.status,
            redirects=page.redirects, bytes=len(page.content),
            encoding=detect_encoding(page.content, page.content_type),
            elapsed=page.elapsed, warc_record_id=last.record_id if last else None,
            attempts=trace.attempts, from_cache=bool(last and last.from_cache),
            ignore_robots=self.ignore_robots, page=page,
        )

    def fetch_many(
        self, urls: Iterable[str], *, workers: int | None = None
    ) -> Iterator[FetchResult]:
        """Fetch every URL on a thread pool; yield one FetchResult per input, in input order.

        Work is handed out host by host in turn, so that the per-host limits, not the
        order of the list, decide how busy the pool is.
        """
        todo = list(urls)
        pool = ThreadPoolExecutor(max_workers=workers or self.workers,
                                  thread_name_prefix="fetch")
        try:
            futures: dict[int, Future[FetchResult]] = {}
            for index in _interleave_by_host(todo):
                futures[index] = pool.submit(self.fetch, todo[index])
            for index in range(len(todo)):
                yield futures[index].result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    # one input: hops ----------------------------------------------------------------

    def _get(self, url: str, trace: _Trace) -> Page:
        """Follow redirects from `url`, checking every hop; the final hop's Page."""
        started = time.monotonic()
        chain: list[str] = []
        current = url
        while True:
            self._admit(current, url)
            exchange = self._with_retries(current, url, trace, page=True)
            target = exchange.header("location") if 300 <= exchange.status < 400 else ""
            if not target:
                return self._page(url, exchange, tuple(chain), started)
            chain.append(current)
            current = urljoin(current, target.strip())
            if current in chain:
                raise TooManyRedirects(f"redirect loop at {current} (from {url})", url=url)
            if len(chain) > self.max_redirects:
                msg = f"more than {self.max_redirects} redirects from {url} (max_redirects)"
                raise TooManyRedirects(msg, url=url)

    def _admit(self, current: str, origin: str) -> None:
        """Steps 1-3: a well-formed http(s) URL, a public address, allowed by robots.txt."""
        _check_url(current, origin)
        self.guard.check_url(current, origin=origin)
        if not self.ignore_robots:
            rules = self.robots.check(current, origin=origin)
            delay = rules.crawl_delay(self.robots.agent)
            if delay is not None:
                self.throttle.set_delay(_host_key(current), delay)

    def _fetch_robots(self, robots_url: str) -> tuple[int, bytes]:
        """GET a robots.txt (following up to 5 redirects): its final status and body."""
        current, trace = robots_url, _Trace()
        for _ in range(ROBOTS_MAX_REDIRECTS + 1):
            _check_url(current, robots_url)
            self.guard.check_url(current, origin=robots_url)
            exchange = self._with_retries(current, robots_url, trace, page=False)
            target = exchange.header("location") if 300 <= exchange.status < 400 else ""
            if not target:
                return exchange.status, exchange.body
            current = urljoin(current, target.strip())
        raise TooManyRedirects(f"robots.txt redirects too often: {robots_url}", url=robots_url)

    # one hop: retries, then one attempt -------------------------------------------------

    def _with_retries(self, url: str, origin: str, trace: _Trace, *, page: bool) -> Exchange:
        """One hop, retried on connection failures, timeouts, 429 and 5xx."""
        host = _host_key(url)
        for attempt in range(1, max(self.retry.attempts, 1) + 1):
            last_try = attempt >= self.retry.attempts
            trace.attempts += 1
            try:
                exchange = self._attempt(url, origin, trace, page=page)
            except FetchError as err:
                if last_try or type(err) not in RETRYABLE:
                    raise
                self.throttle.defer(host, self.retry.backoff_for(attempt))
                continue
            if not retryable_status(exchange.status) or last_try:
                return exchange
            retry_after = parse_retry_after(exchange.header("retry-after"))
            if retry_after is not None and retry_after > self.retry.max_wait:
                return exchange  # reported by _page, with the wait the server asked for
            self.throttle.defer(host, self.retry.wait_for(attempt, retry_after))
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, url: str, origin: str, trace: _Trace, *, page: bool) -> Exchange:
        """Step 4-5: the cache, or one GET in the host's slot with its body read."""
        if self.cache is not None:
            cached = self.cache.get(url)
            if cached is not None:
                trace.exchanges.append(cached)
                return cached
        with self.throttle.slot(_host_key(url), spaced=page), self._translate(origin):
            started = datetime.now(UTC)
            deadline = time.monotonic() + self.total_timeout
            with self._send(url) as response:
                exchange = start_exchange(url, response, started)
                trace.exchanges.append(exchange)
                try:
                    self._read(exchange, response, origin, deadline, page=page)
                finally:
                    self._record(exchange)
        return exchange

    def _read(self, exchange: Exchange, response: requests.Response, origin: str,
              deadline: float, *, page: bool) -> None:
        """Read the body: whole for a page, a capped sample for anything else."""
        where = _where(exchange.url, origin)
        is_page = page and 200 <= exchange.status < 300
        if is_page and _clearly_not_html(_media_type(exchange.header("content-type"))):
            exchange.truncated = "not-read"
            return
        if is_page:
            read_body(exchange, response, max_bytes=self.max_bytes, deadline=deadline,
                      where=where, origin=origin)
            return
        limit = MAX_ROBOTS_BYTES if not page and exchange.status < 300 else SIDE_BODY_BYTES
        with suppress(TooLarge, FetchTimeout):  # truncated is set; the status is what counts
            read_body(exchange, response, max_bytes=limit, deadline=deadline,
                      where=where, origin=origin)

    def _record(self, exchange: Exchange) -> None:
        """Archive the exchange and, when complete and reusable, cache it."""
        if self.archive is not None:
            self.archive.write(exchange)
        if self.cache is not None and not retryable_status(exchange.status):
            self.cache.put(exchange)

    def _send(self, url: str) -> requests.Response:
        """Send one GET without following redirects, streaming the body."""
        headers = {"User-Agent": self.user_agent, "Accept": ACCEPT,
                   "Accept-Encoding": ACCEPT_ENCODING}
        return self.session.get(
            url, headers=headers, timeout=self.timeout, stream=True, allow_redirects=False
        )

    # results ------------------------------------------------------------------------

    def _page(self, url: str, exchange: Exchange, chain: tuple[str, ...], started: float) -> Page:
        """Check the final exchange and turn it into a Page."""
        where = _where(exchange.url, url)
        if exchange.status >= 400:
            raise _status_error(exchange, url, where, self.retry)
        media_type = _media_type(exchange.header("content-type"))
        if _clearly_not_html(media_type):
            raise NotHTML(f"{where} is {media_type}, not an HTML page", url=url)
        body = exchange.body
        if not body:
            raise NotHTML(f"{where} returned an empty body", url=url)
        if media_type not in HTML_TYPES and not _looks_like_html(body):
            kind = media_type or "untyped"
            raise NotHTML(f"{where} is {kind} and does not look like HTML", url=url)
        return Page(
            url=url,
            content=body,
            final_url=exchange.url,
            status=exchange.status,
            headers={name.lower(): value for name, value in exchange.headers},
            redirects=chain,
            elapsed=time.monotonic() - started,
        )

    def _failed(self, url: str, err: BaseException, trace: _Trace, elapsed: float) -> FetchResult:
        """The FetchResult of an input that failed."""
        last = trace.last
        return FetchResult(
            url=url, ok=False, final_url=last.url if last else None,
            status=last.status if last else None,
            error_type=getattr(err, "public_name", type(err).__name__), error_message=str(err),
            redirects=tuple(e.url for e in trace.exchanges[:-1]
                            if 300 <= e.status < 400 and e.header("location")),
            elapsed=elapsed, warc_record_id=last.record_id if last else None,
            attempts=trace.attempts, from_cache=bool(last and last.from_cache),
            ignore_robots=self.ignore_robots,
        )

    @contextmanager
    def _translate(self, url: str) -> Iterator[None]:
        """Turn requests' and urllib3's exceptions inside the block into FetchErrors."""
        try:
            yield
        except BlockedAddress as err:  # raised at connect time: the name changed its address
            if err.url == url:
                raise
            raise BlockedAddress(f"{err} (fetching {url})", url=url, address=err.address) from err
        except SanitizerError:
            raise
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as err:
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


def _host_key(url: str) -> str:
    """The politeness key of a URL: its host (and port), lower case."""
    return urlsplit(url).netloc.lower().rsplit("@", 1)[-1]


def _interleave_by_host(urls: list[str]) -> list[int]:
    """Indexes of `urls`, taking one URL of each host in turn."""
    queues: dict[str, deque[int]] = {}
    for index, url in enumerate(urls):
        try:
            key = _host_key(url)
        except ValueError:
            key = ""
        queues.setdefault(key, deque()).append(index)
    order: list[int] = []
    while queues:
        for key in list(queues):
            order.append(queues[key].popleft())
            if not queues[key]:
                del queues[key]
    return order


def _where(url: str, origin: str) -> str:
    """How an error names the URL: the hop, and where it came from."""
    return origin if url == origin else f"{url} (from {origin})"


def _status_error(exchange: Exchange, url: str, where: str, policy: RetryPolicy) -> HTTPStatusError:
    """The HTTPStatusError for a final 4xx/5xx, saying what to do about it."""
    msg = f"HTTP {exchange.status} {exchange.reason}".rstrip() + f" for {where}"
    if retryable_status(exchange.status):
        wait = parse_retry_after(exchange.header("retry-after"))
        if wait is not None and wait > policy.max_wait:
            msg += (f"; the server asks to wait {wait:.0f} s, more than max_wait "
                    f"({policy.max_wait:.0f} s): try again later")
        else:
            msg += f" after {policy.attempts} attempts; the server is overloaded or failing"
    return HTTPStatusError(msg, url=url, status=exchange.status)


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


def _fetch_error(err: BaseException, url: str) -> FetchError:
    """Map a requests/urllib3/OS exception to a one-line FetchError naming the host and URL."""
    causes = list(_causes(err))
    wrappers = requests.RequestException | urllib3.exceptions.HTTPError
    reason = next((c for c in reversed(causes) if not isinstance(c, wrappers)), err)
    request = getattr(err, "request", None)
    failed = request.url if request is not None and request.url else url
    host = urlsplit(failed).netloc or failed
    timeouts = [c for c in causes if isinstance(c, TIMEOUTS) and not isinstance(c, NOT_TIMEOUTS)]
    if timeouts:
        connecting = any(isinstance(c, urllib3.exceptions.ConnectTimeoutError) for c in timeouts)
        doing = "connecting to" if connecting else "waiting for"
        return FetchTimeout(f"timed out {doing} {host} ({url}); the server is slow or "
                            "unreachable: try later or raise the timeout", url=url)
    for kinds, template, kind in FAILURES:
        if any(isinstance(c, kinds) for c in causes):
            message = template.format(host=host, reason=reason)
            return kind(f"{message} ({url})", url=url)
    return FetchError(f"could not fetch {url}: {err}", url=url)
