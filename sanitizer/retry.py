"""When to try a request again, and how long to wait first.

Retried: connection failures and timeouts, HTTP 429 and every 5xx. Never retried: other
4xx, TLS and DNS failures, refused addresses, bodies over the cap, non-HTML answers.
The wait is exponential backoff with jitter, unless the server sent `Retry-After`
(seconds or an HTTP date), which wins; a server asking for more than `max_wait` seconds
is not waited for.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many attempts a request gets and how long to wait between them.

    Attributes:
        attempts: tries in all (1 = no retry).
        backoff: the first wait in seconds; doubled for each further retry.
        max_backoff: the longest computed wait.
        jitter: the share of each wait that is random (0..1), so that many workers
            retrying the same host do not come back in step.
        max_wait: the longest `Retry-After` we honour; longer asks end the request.
    """

    attempts: int = 3
    backoff: float = 0.5
    max_backoff: float = 30.0
    jitter: float = 0.5
    max_wait: float = 120.0

    def backoff_for(self, retry: int, rng: random.Random | None = None) -> float:
        """The wait before retry number `retry` (1-based) when the server named none."""
        base = min(self.max_backoff, self.backoff * 2 ** (retry - 1))
        spread = base * min(max(self.jitter, 0.0), 1.0)
        return float(base - spread + (rng or random).uniform(0, spread))

    def wait_for(self, retry: int, retry_after: float | None) -> float:
        """The wait before retry `retry`: the server's Retry-After, else backoff."""
        if retry_after is not None:
            return max(retry_after, 0.0)
        return self.backoff_for(retry)


def retryable_status(status: int) -> bool:
    """True for the statuses worth retrying: 429 and 5xx."""
    return status in RETRY_STATUSES


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP date).

    Returns None when the header is missing or unreadable; a date in the past is 0.
    """
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)
