"""WARC archives: write every request/response pair as evidence, read pages back.

`WarcArchive` appends a `request` and a `response` record per exchange (thread-safe),
after one `warcinfo` record naming the tool. Bodies are stored as the server sent them
(still gzip-compressed when they came so); a body we cut short carries `WARC-Truncated`.
`read_pages` turns each complete 2xx HTML response record back into a `Page`.

    with WarcArchive("run.warc.gz") as archive:
        record_id = archive.write(exchange)
    pages = list(read_pages("run.warc.gz"))
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from sanitizer.document import Page
from sanitizer.errors import InputError, OutputError
from sanitizer.transfer import Exchange
from sanitizer.version import __version__

HTML_TYPES = ("text/html", "application/xhtml+xml")
DEFAULT_MAX_BYTES = 20 * 2**20
HOP_BY_HOP = frozenset({"transfer-encoding"})  # we store the body de-chunked


class WarcArchive:
    """An open WARC file we append request/response records to."""

    def __init__(self, path: str | Path, *, info: dict[str, str] | None = None) -> None:
        self.path = Path(path)
        try:
            self._file: IO[bytes] = self.path.open("wb")
        except OSError as err:
            raise OutputError(f"can't write the WARC file {path}: {err.strerror or err}",
                              path=str(path)) from err
        self._writer = WARCWriter(self._file, gzip=self.path.name.endswith(".gz"))
        self._lock = threading.Lock()
        details = {"software": f"repost-sanitizer/{__version__}", "format": "WARC File Format 1.0"}
        details.update(info or {})
        self._write(self._writer.create_warcinfo_record(self.path.name, details))

    def write(self, exchange: Exchange) -> str:
        """Archive one exchange as a request and a response record; return the response id."""
        response = self._response_record(exchange)
        record_id = str(response.rec_headers.get_header("WARC-Record-ID"))
        request = self._request_record(exchange, record_id)
        with self._lock:
            self._write(request)
            self._write(response)
        exchange.record_id = record_id
        return record_id

    def _response_record(self, exchange: Exchange) -> Any:
        """The `response` record: status line, headers, body as sent."""
        headers = [(k, v) if k.lower() not in HOP_BY_HOP else (f"X-Archive-Orig-{k}", v)
                   for k, v in exchange.headers]
        status = f"{exchange.status} {exchange.reason}".strip()
        http = StatusAndHeaders(status, headers, protocol=exchange.http_version)
        warc_headers = {"WARC-Date": _warc_date(exchange)}
        if exchange.peer:
            warc_headers["WARC-IP-Address"] = exchange.peer
        if exchange.truncated:
            warc_headers["WARC-Truncated"] = _truncated_value(exchange.truncated)
        return self._writer.create_warc_record(
            exchange.url, "response", payload=io.BytesIO(exchange.raw),
            http_headers=http, warc_headers_dict=warc_headers,
        )

    def _request_record(self, exchange: Exchange, response_id: str) -> Any:
        """The `request` record: the GET we sent, linked to its response."""
        parts = urlsplit(exchange.url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        headers = list(exchange.request_headers)
        if not any(k.lower() == "host" for k, _ in headers):
            headers.insert(0, ("Host", parts.netloc))
        http = StatusAndHeaders(f"GET {target} HTTP/1.1", headers, is_http_request=True)
        warc_headers = {"WARC-Date": _warc_date(exchange), "WARC-Concurrent-To": response_id}
        return self._writer.create_warc_record(
            exchange.url, "request", payload=io.BytesIO(b""),
            http_headers=http, warc_headers_dict=warc_headers,
        )

    def _write(self, record: Any) -> None:
        """Write a record, turning OS errors into OutputError."""
        try:
            self._writer.write_record(record)
        except OSError as err:
            raise OutputError(f"can't write the WARC file {self.path}: {err.strerror or err}",
                              path=str(self.path)) from err

    def close(self) -> None:
        """Flush and close the file."""
        self._file.close()

    def __enter__(self) -> WarcArchive:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def read_pages(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Page]:
    """Yield a Page for each complete 2xx HTML response record in a WARC file.

    Raises:
        InputError: the file is missing or not a WARC.
    """
    for page, _offset in _pages_and_offsets(path, max_bytes):
        yield page


def page_offsets(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES
                 ) -> Iterator[tuple[str, int]]:
    """(URL, record offset) of each HTML page in a WARC file: a cheap reference to ship
    to a worker, which reads the page itself with `read_page_at`."""
    for page, offset in _pages_and_offsets(path, max_bytes):
        yield page.url or "", offset


def read_page_at(path: str | Path, offset: int, *, max_bytes: int = DEFAULT_MAX_BYTES
                 ) -> Page:
    """The page in the WARC record at `offset` (records are gzipped one by one, so a
    reader can start at any record).

    Raises:
        InputError: no HTML page there, or the file can't be read.
    """
    try:
        with Path(path).open("rb") as handle:
            handle.seek(offset)
            record = next(iter(ArchiveIterator(handle)), None)
            page = _page_of(record, max_bytes) if record is not None else None
    except (ArchiveLoadFailed, OSError, ValueError) as err:
        raise InputError(f"can't read {path} at {offset}: {err}", source=str(path)) from err
    if page is None:
        raise InputError(f"no HTML page in {path} at {offset}", source=str(path))
    return page


def _pages_and_offsets(path: str | Path, max_bytes: int) -> Iterator[tuple[Page, int]]:
    try:
        with Path(path).open("rb") as handle:
            records = ArchiveIterator(handle)
            for record in records:
                if not str(record.format).startswith("warc"):
                    raise ValueError(f"found a {record.format or 'non-WARC'} record")
                page = _page_of(record, max_bytes)
                if page is not None:
                    yield page, records.get_record_offset()
    except FileNotFoundError as err:
        raise InputError(f"no such WARC file: {path}", source=str(path)) from err
    except (ArchiveLoadFailed, OSError, ValueError) as err:
        raise InputError(f"{path} is not a readable WARC file: {err}", source=str(path)) from err


def _page_of(record: Any, max_bytes: int) -> Page | None:
    """The Page in one WARC record, or None when it is not a whole 2xx HTML response."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    if record.rec_headers.get_header("WARC-Truncated"):
        return None
    status = int(record.http_headers.get_statuscode() or 0)
    content_type = record.http_headers.get_header("Content-Type") or ""
    if not 200 <= status < 300 or not content_type.lower().startswith(HTML_TYPES):
        return None
    body = record.content_stream().read(max_bytes + 1)  # undoes gzip; capped
    if len(body) > max_bytes or not body:
        return None
    url = str(record.rec_headers.get_header("WARC-Target-URI"))
    headers = {k.lower(): v for k, v in record.http_headers.headers
               if k.lower() not in ("content-encoding", "content-length")}
    return Page(url=url, content=body, final_url=url, status=status, headers=headers,
                archived=record.rec_headers.get_header("WARC-Date"))


def _warc_date(exchange: Exchange) -> str:
    """The exchange's start as a WARC date (UTC, microseconds)."""
    return exchange.started.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _truncated_value(reason: str) -> str:
    """A WARC-Truncated value: length, time, disconnect or unspecified."""
    return reason if reason in ("length", "time", "disconnect") else "unspecified"
