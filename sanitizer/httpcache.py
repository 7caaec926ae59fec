"""An optional HTTP cache for re-runs: requests-cache's SQLite store, filled by us.

requests-cache's `CachedSession` reads every body whole before our byte cap could stop
it, so it is not put in front of the network. Instead the `Fetcher` asks this cache
before sending and stores an exchange only after it was read completely within the
limits. Entries expire after `expire_after` seconds. Install with the `cache` extra.

    cache = HttpCache("http-cache.sqlite", expire_after=86400)
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sanitizer.errors import InputError
from sanitizer.transfer import Exchange

STORED_HEADERS_SKIP = frozenset({"content-encoding", "transfer-encoding", "content-length"})


class HttpCache:
    """Complete exchanges by URL in a SQLite file, each for `expire_after` seconds."""

    def __init__(self, path: str | Path, *, expire_after: float = 86400.0) -> None:
        try:
            from requests_cache import SQLiteCache  # type: ignore[attr-defined]
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise InputError("the HTTP cache needs requests-cache: "
                             "pip install 'repost-sanitizer[cache]'", source=str(path)) from err
        self.path = Path(path)
        self.expire_after = expire_after
        self._store: Any = SQLiteCache(str(self.path))

    @staticmethod
    def key(url: str) -> str:
        """The cache key of a URL (GET only)."""
        return "GET " + hashlib.sha256(url.encode("utf-8")).hexdigest()

    def get(self, url: str) -> Exchange | None:
        """The stored, unexpired exchange for `url`, marked `from_cache`, or None."""
        cached = self._store.get_response(self.key(url))
        if cached is None or cached.is_expired:
            return None
        return Exchange(
            url=url,
            request_headers=[],
            status=int(cached.status_code),
            reason=str(cached.reason or ""),
            http_version="HTTP/1.1",
            headers=[(str(k), str(v)) for k, v in cached.headers.items()],
            body=bytes(cached._content or b""),
            from_cache=True,
        )

    def put(self, exchange: Exchange) -> None:
        """Store a complete exchange (its decompressed body, without encoding headers)."""
        from requests.structures import CaseInsensitiveDict
        from requests_cache.models import CachedResponse  # type: ignore[attr-defined]

        if exchange.truncated or exchange.from_cache:
            return
        headers = CaseInsensitiveDict(
            {k: v for k, v in exchange.headers if k.lower() not in STORED_HEADERS_SKIP})
        expires = datetime.now(UTC) + timedelta(seconds=self.expire_after)
        cached = CachedResponse(url=exchange.url, status_code=exchange.status,
                                reason=exchange.reason, headers=headers, expires=expires)
        cached._content = exchange.body
        self._store.save_response(cached, self.key(exchange.url), expires)

    def close(self) -> None:
        """Close the database connections."""
        self._store.close()
