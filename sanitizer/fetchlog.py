"""One result per input URL of a batch fetch, and the JSONL log they are written to.

Every input gives exactly one `FetchResult`, fetched or failed, so a batch never loses a
URL. `as_dict` is the JSONL line:

    {"url", "final_url", "status", "ok", "error": {"type", "message"} | null,
     "redirects", "bytes", "encoding", "elapsed", "warc_record_id",
     "attempts", "from_cache", "ignore_robots"}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from sanitizer.document import Page
from sanitizer.errors import OutputError


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What happened to one input URL."""

    url: str
    ok: bool
    final_url: str | None = None
    status: int | None = None
    error_type: str | None = None
    error_message: str | None = None
    redirects: tuple[str, ...] = ()
    bytes: int = 0
    encoding: str | None = None
    elapsed: float = 0.0
    warc_record_id: str | None = None
    attempts: int = 0
    from_cache: bool = False
    ignore_robots: bool = False
    page: Page | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The JSONL record (without the page itself)."""
        error = None
        if self.error_type is not None:
            error = {"type": self.error_type, "message": self.error_message}
        return {
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "ok": self.ok,
            "error": error,
            "redirects": list(self.redirects),
            "bytes": self.bytes,
            "encoding": self.encoding,
            "elapsed": round(self.elapsed, 3),
            "warc_record_id": self.warc_record_id,
            "attempts": self.attempts,
            "from_cache": self.from_cache,
            "ignore_robots": self.ignore_robots,
        }


class JsonlLog:
    """A JSONL file (or stream) of FetchResults, one line each, flushed as written."""

    def __init__(self, target: str | Path | IO[str]) -> None:
        if isinstance(target, (str, Path)):
            try:
                self._stream: IO[str] = Path(target).open("w", encoding="utf-8")  # noqa: SIM115
            except OSError as err:
                raise OutputError(f"can't write {target}: {err.strerror or err}",
                                  path=str(target)) from err
            self._owned = True
        else:
            self._stream, self._owned = target, False

    def write(self, result: FetchResult) -> None:
        """Append one result line."""
        self._stream.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
        self._stream.flush()

    def close(self) -> None:
        if self._owned:
            self._stream.close()

    def __enter__(self) -> JsonlLog:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
