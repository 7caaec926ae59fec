"""robots.txt: fetched once per origin (scheme, host, port), parsed with protego.

What an answer means follows RFC 9309: 2xx is parsed; 4xx means no rules (everything
allowed); 5xx (after retries), a network failure or a timeout means "unreachable", so
nothing on that origin is fetched in this run. A 5xx is reported as `RobotsDisallowed`;
a network failure as the same kind of error the robots.txt request met (`FetchTimeout`,
`DNSError`, `TLSError`, `FetchError`), since the page would meet it too. `Crawl-delay`
(capped at `MAX_CRAWL_DELAY`) feeds the per-host throttle.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

from sanitizer.errors import FetchError, RobotsDisallowed, TooManyRedirects

#: The product token we match in robots.txt `User-agent:` lines.
AGENT_TOKEN = "repost-sanitizer"
MAX_ROBOTS_BYTES = 512 * 1024  # RFC 9309 asks crawlers to parse at least 500 KiB
MAX_CRAWL_DELAY = 300.0
IGNORE_HINT = "use --ignore-robots (ignore_robots=True) only if you have the owner's permission"

#: Fetches a robots.txt URL: (status, body), raising FetchError when there is no answer.
RobotsFetch = Callable[[str], tuple[int, bytes]]


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """What one origin's robots.txt says (or why there is none)."""

    robots_url: str
    parser: Protego | None = None
    unreachable: str | None = None  # why robots.txt could not be read: disallow all
    error: FetchError | None = None  # the network failure behind `unreachable`

    def allows(self, url: str, agent: str = AGENT_TOKEN) -> bool:
        """True when `url` may be fetched by `agent`."""
        if self.unreachable is not None:
            return False
        return self.parser is None or bool(self.parser.can_fetch(url, agent))

    def crawl_delay(self, agent: str = AGENT_TOKEN) -> float | None:
        """The Crawl-delay for `agent`, capped, or None."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        return None if delay is None else min(float(delay), MAX_CRAWL_DELAY)


def robots_url(url: str) -> str:
    """The robots.txt URL for `url`'s origin."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "/robots.txt", "", ""))


class RobotsCache:
    """robots.txt rules per origin for one run, fetched at most once each (thread-safe)."""

    def __init__(self, fetch: RobotsFetch, agent: str = AGENT_TOKEN) -> None:
        self._fetch = fetch
        self.agent = agent
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def rules_for(self, url: str) -> RobotsRules:
        """The rules for `url`'s origin, fetching robots.txt the first time."""
        key = robots_url(url)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._rules:
                self._rules[key] = self._load(key)
            return self._rules[key]

    def check(self, url: str, *, origin: str) -> RobotsRules:
        """Return `url`'s rules, or raise RobotsDisallowed (for `origin`) when barred."""
        rules = self.rules_for(url)
        if rules.allows(url, self.agent):
            return rules
        via = "" if url == origin else f" (redirected from {origin})"
        if rules.error is not None:
            raise _same_kind(rules.error, f"{rules.unreachable}, while reading "
                             f"{rules.robots_url}; not fetching {url}{via}", origin)
        if rules.unreachable is not None:
            why = (f"{rules.robots_url} could not be read ({rules.unreachable}), so the "
                   "site is off limits for this run (RFC 9309)")
        else:
            why = f"{rules.robots_url} disallows it for {self.agent}"
        raise RobotsDisallowed(f"not fetching {url}{via}: {why}; {IGNORE_HINT}", url=origin)

    def _load(self, key: str) -> RobotsRules:
        """Fetch and parse one robots.txt."""
        try:
            status, body = self._fetch(key)
        except TooManyRedirects:  # RFC 9309: treat as unavailable, like a 4xx
            return RobotsRules(key)
        except FetchError as err:
            return RobotsRules(key, unreachable=str(err).split(" (", 1)[0], error=err)
        if status >= 500:
            return RobotsRules(key, unreachable=f"HTTP {status}")
        if status >= 400 or status < 200:
            return RobotsRules(key)
        text = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        return RobotsRules(key, parser=Protego.parse(text))


def _same_kind(error: FetchError, message: str, url: str) -> FetchError:
    """A new error of `error`'s class (when it takes only a message) for `url`."""
    kind = type(error) if type(error).__init__ is FetchError.__init__ else FetchError
    new = kind(message, url=url)
    new.__cause__ = error.__cause__ or error
    return new
