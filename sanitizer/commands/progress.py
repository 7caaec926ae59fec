"""A progress line on stderr for batch commands (only when stderr is a terminal)."""

from __future__ import annotations

import sys
import time


class Progress:
    """`[12/40] 30% example.com/a` redrawn in place; a summary line at the end."""

    def __init__(self, total: int, *, enabled: bool = True) -> None:
        self.total = total
        self.count = 0
        self.enabled = enabled
        self.live = enabled and sys.stderr.isatty()
        self.started = time.monotonic()

    def step(self, label: str) -> None:
        self.count += 1
        if self.live:
            pct = 100 * self.count // max(self.total, 1)
            sys.stderr.write(f"\r\x1b[K[{self.count}/{self.total}] {pct}% {label[:60]}")
            sys.stderr.flush()

    def done(self, failed: int) -> None:
        if not self.enabled:
            return
        if self.live:
            sys.stderr.write("\r\x1b[K")
        elapsed = time.monotonic() - self.started
        print(f"sanitizer: {self.count - failed} done, {failed} failed "
              f"in {elapsed:.1f} s", file=sys.stderr)
