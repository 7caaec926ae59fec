"""Per-host politeness: a minimum delay between request starts and a concurrency cap.

One `HostThrottle` is shared by every worker of a `Fetcher`. Before a request leaves, a
worker takes a slot for the request's host: it waits until fewer than `per_host`
requests to that host are in flight and until `delay` seconds have passed since the
previous request to that host started. A server's `Retry-After` or robots.txt
`Crawl-delay` pushes the whole host back, not only one URL.

    throttle = HostThrottle(delay=1.0, per_host=2)
    with throttle.slot("example.org"):
        send()
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class _Host:
    """The state of one host: requests in flight and when the next may start."""

    active: int = 0
    next_start: float = 0.0  # spacing: the previous start plus the delay
    blocked_until: float = 0.0  # a Retry-After or backoff: holds every request
    delay: float = 0.0


@dataclass
class HostThrottle:
    """Minimum delay and maximum concurrency per host, safe to share between threads.

    Attributes:
        delay: seconds between the starts of two requests to one host.
        per_host: requests to one host in flight at once.
    """

    delay: float = 1.0
    per_host: int = 1
    _hosts: dict[str, _Host] = field(default_factory=dict, repr=False)
    _changed: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def set_delay(self, host: str, delay: float) -> None:
        """Use at least `delay` seconds for `host` (a robots.txt Crawl-delay)."""
        with self._changed:
            state = self._hosts.setdefault(host, _Host())
            state.delay = max(state.delay, delay)

    def defer(self, host: str, seconds: float) -> None:
        """Start no request to `host` for `seconds` (a Retry-After)."""
        with self._changed:
            state = self._hosts.setdefault(host, _Host())
            state.blocked_until = max(state.blocked_until, time.monotonic() + seconds)
            self._changed.notify_all()

    def delay_for(self, host: str) -> float:
        """The delay in force for `host` (the larger of ours and its Crawl-delay)."""
        with self._changed:
            state = self._hosts.get(host)
            return max(self.delay, state.delay if state else 0.0)

    @contextmanager
    def slot(self, host: str, *, spaced: bool = True) -> Iterator[None]:
        """Hold one of `host`'s slots for the block.

        `spaced=False` (robots.txt) neither waits for nor pushes back the spacing delay,
        but still counts against the concurrency cap and honours `defer`.
        """
        self._acquire(host, spaced)
        try:
            yield
        finally:
            with self._changed:
                self._hosts[host].active -= 1
                self._changed.notify_all()

    def _acquire(self, host: str, spaced: bool) -> None:
        """Wait for a free slot and the host's next start time, then claim both."""
        with self._changed:
            state = self._hosts.setdefault(host, _Host())
            while True:
                start_at = max(state.blocked_until, state.next_start if spaced else 0.0)
                wait = start_at - time.monotonic()
                if state.active < max(self.per_host, 1) and wait <= 0:
                    break
                self._changed.wait(timeout=wait if wait > 0 else None)
            state.active += 1
            if spaced:
                gap = max(self.delay, state.delay)
                state.next_start = max(state.next_start, time.monotonic()) + gap
