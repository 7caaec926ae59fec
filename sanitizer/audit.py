"""Many copies against many originals: one `AuditRow` per copy (DESIGN.md §4).

The only module with concurrency: a thread pool fetches and cleans pages (one `Sanitizer`,
so one HTTP session, per worker thread); the calling thread writes each finished row to
the SQLite store in its own transaction. A re-run with the same database skips every copy
already judged against the same originals, so a killed run resumes where it stopped.

    rows = audit(["https://times.example/a"], ["https://farm.example/a-copy"], db="a.db")
    rows[0].verdict, rows[0].share      # ('linked', 0.98)
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sanitizer.api import Sanitizer
from sanitizer.archive import page_offsets, read_page_at
from sanitizer.audit_records import AuditRow, OriginalDoc, load_page, one_line
from sanitizer.document import Page
from sanitizer.engine import DaskEngine, LocalEngine, make_engine
from sanitizer.feeds import feed_urls
from sanitizer.fetch import Fetcher
from sanitizer.matching import COPY_SHARE, MatchIndex, containment, shingles
from sanitizer.rulebook import Rulebook, load_rules
from sanitizer.store import Store
from sanitizer.urls import host_of, url_key
from sanitizer.verdict import decide, headline_changed, read_credit

log = logging.getLogger(__name__)
Notice = Callable[[str], None]
OnRow = Callable[[AuditRow, bool, int], None]


@dataclass(frozen=True, slots=True)
class AuditRun:
    """A finished audit: one row per copy input, and every original as it was read."""

    rows: list[AuditRow]
    originals: list[OriginalDoc]


def audit(originals: Sequence[str], copies: Sequence[str] = (), **options: Any
          ) -> list[AuditRow]:
    """Judge every copy against every original; return one row per distinct copy input.

    Takes the keyword options of `run_audit`.

    Example:
        >>> rows = audit(["https://times.example/a"], ["https://farm.example/a"], db="a.db")
        >>> rows[0].verdict, rows[0].share, rows[0].credit_rel
        ('linked', 0.98, 'nofollow')
    """
    return run_audit(originals, copies, **options).rows


def run_audit(
    originals: Sequence[str],
    copies: Sequence[str] = (),
    *,
    originals_from: Sequence[str] = (),
    copies_from: Sequence[str] = (),
    db: str | Path = "audit.db",
    refresh: bool = False,
    workers: int = 4,
    allow_private: bool = False,
    delay: float | None = None,
    rules: str | Path | Rulebook | None = None,
    threshold: float = COPY_SHARE,
    warcs: Sequence[str] = (),
    engine: str | LocalEngine | DaskEngine = "local",
    scheduler: str | None = None,
    dask_workers: int | None = None,
    on_row: OnRow | None = None,
    notice: Notice | None = None,
) -> AuditRun:
    """Judge every copy against every original: one row per distinct copy input.

    Originals and copies are URLs or saved pages (files); `*_from` are RSS/Atom feeds or
    sitemaps (URLs or files); `warcs` are WARC files whose HTML responses are copies too
    (Common Crawl's format). Copies are judged by threads (`engine="local"`) or on a Dask
    cluster (`engine="dask"`, `scheduler` address or a LocalCluster of `dask_workers`).
    Rows go to the SQLite file `db` as they finish; a re-run
    reuses them unless `refresh`. `on_row(row, resumed, total)` is called once per row,
    `notice(message)` for inputs that could not be used as given.

    Raises:
        InputError: `db` is not an audit database, or one of another schema version.
    """
    say = notice or log.warning
    rulebook = rules if isinstance(rules, Rulebook) else load_rules(*([rules] if rules else []))
    workers_ = _Workers(rulebook, workers, allow_private=allow_private, delay=delay)
    with Store(db) as store, workers_ as pool:
        original_inputs = _unique([*originals, *_expand(originals_from, pool, say, None)],
                                  "original", say)
        feed_rows: list[AuditRow] = []
        archived = _archived(warcs, say)
        copy_inputs = _unique([*copies, *_expand(copies_from, pool, say, feed_rows),
                               *archived], "copy", say)
        known = _load_originals(original_inputs, store, pool, refresh, say)
        job = _Job(known, threshold, pool)
        for row in feed_rows:
            store.put_copy(row.as_dict(), job.key)
        items = [CopyInput(src, *archived.get(src, (None, 0))) for src in copy_inputs]
        judge: Judge = job.judge
        if not isinstance(engine, LocalEngine) and engine != "local":
            judge = JudgeTask(tuple(known), threshold, rulebook.extra, rulebook.bundled,
                              allow_private, delay, job.key)
        with _engine_for(engine, scheduler, dask_workers) as runner:
            rows = _audit_copies(items, feed_rows, job.key, judge, runner, pool, store,
                                 refresh, on_row)
        return AuditRun(rows=rows, originals=known)


@contextmanager
def _engine_for(engine: str | LocalEngine | DaskEngine, scheduler: str | None,
                workers: int | None) -> Iterator[LocalEngine | DaskEngine]:
    """The engine named, started and closed here; or the caller's, left open."""
    if not isinstance(engine, str):
        yield engine
        return
    with make_engine(engine, scheduler=scheduler, workers=workers) as made:
        yield made


@dataclass(frozen=True, slots=True)
class CopyInput:
    """One copy to judge: a URL or saved page, or the WARC record at `offset` of `warc`
    (a reference, read where the copy is judged: workers need the same path)."""

    src: str
    warc: str | None = None
    offset: int = 0

    def archived_page(self) -> Page | None:
        return read_page_at(self.warc, self.offset) if self.warc else None


Judge = Callable[[CopyInput], AuditRow]


@dataclass(frozen=True, slots=True)
class JudgeTask:
    """`_Job.judge` for another process: picklable, so Dask can ship it to workers.

    Each worker builds its Sanitizer and the originals' LSH index once per run.
    """

    originals: tuple[OriginalDoc, ...]
    threshold: float
    rules: tuple[str, ...]
    bundled: bool
    allow_private: bool
    delay: float | None
    run_key: str

    def __call__(self, item: CopyInput) -> AuditRow:
        job = _WORKER_JOBS.get(self.run_key)
        if job is None:
            _WORKER_JOBS.clear()  # a worker serves one audit at a time
            pool = _Workers(load_rules(*self.rules, bundled=self.bundled), 1,
                            allow_private=self.allow_private, delay=self.delay)
            job = _WORKER_JOBS[self.run_key] = _Job(list(self.originals), self.threshold, pool)
        return job.judge(item)


#: A worker process's job for the audit it is serving (built on its first copy).
_WORKER_JOBS: dict[str, _Job] = {}


def _archived(warcs: Sequence[str], say: Notice) -> dict[str, tuple[str, int]]:
    """Where each HTML page of the WARC files is, by URL (the last capture of a URL wins)."""
    found: dict[str, tuple[str, int]] = {}
    for path in warcs:
        refs = {url: (str(Path(path).resolve()), offset)
                for url, offset in page_offsets(path) if url}
        if not refs:
            say(f"WARC file {path} holds no HTML responses")
        found.update(refs)
    return found


class _Workers:
    """A thread pool whose threads each keep their own Sanitizer (and HTTP session)."""

    def __init__(self, rulebook: Rulebook, workers: int, *, allow_private: bool,
                 delay: float | None) -> None:
        self.rulebook = rulebook
        self.allow_private, self.delay = allow_private, delay
        self.pool = ThreadPoolExecutor(max_workers=max(1, workers),
                                       thread_name_prefix="audit")
        self._local = threading.local()
        self._made: list[Sanitizer] = []
        self._lock = threading.Lock()

    def sanitizer(self) -> Sanitizer:
        """This thread's Sanitizer, made on first use."""
        mine: Sanitizer | None = getattr(self._local, "sanitizer", None)
        if mine is None:
            fetcher = make_fetcher(self.allow_private, self.delay)
            mine = Sanitizer(rules=self.rulebook, fetcher=fetcher)
            self._local.sanitizer = mine
            with self._lock:
                self._made.append(mine)
        return mine

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        for made in self._made:
            made.fetcher.close()


def make_fetcher(allow_private: bool = False, delay: float | None = None) -> Fetcher:
    """A Fetcher allowed to reach private addresses, and with a per-host delay, when asked
    (and when this Fetcher has those options)."""
    wanted: dict[str, Any] = {"allow_private": allow_private or None, "delay": delay}
    known = inspect.signature(Fetcher).parameters
    return Fetcher(**{k: v for k, v in wanted.items() if v is not None and k in known})


def _expand(feeds: Sequence[str], pool: _Workers, say: Notice,
            errors: list[AuditRow] | None) -> list[str]:
    """The URLs listed by each feed; a feed that fails is a notice (and an error row)."""
    found: list[str] = []
    for feed in feeds:
        try:
            urls = feed_urls(feed, pool.sanitizer().fetcher)
        except Exception as err:  # a bad feed becomes its own error row; the run goes on
            say(f"feed {feed}: {one_line(err)}")
            if errors is not None:
                errors.append(AuditRow(url=feed, verdict="error", error=one_line(err),
                                       site=host_of(feed) or None))
            continue
        if not urls:
            say(f"feed {feed} lists no pages")
        found.extend(urls)
    return found


def _unique(inputs: Iterable[str], kind: str, say: Notice) -> list[str]:
    """Inputs in order, each URL once (two spellings of one URL count as one)."""
    seen: dict[str, str] = {}
    for item in (i.strip() for i in inputs):
        if not item:
            continue
        key = url_key(item) if "://" in item else item
        if key in seen:
            say(f"{kind} {item} is listed more than once; audited once")
            continue
        seen[key] = item
    return list(seen.values())


def _load_originals(inputs: list[str], store: Store, pool: _Workers, refresh: bool,
                    say: Notice) -> list[OriginalDoc]:
    """Every original, from the store or fetched; ones that can't be read are noted."""
    stored = {u: store.original(u) for u in inputs}
    todo = [u for u in inputs if refresh or (stored[u] or {}).get("status") != "ok"]
    futures = {pool.pool.submit(_read_original, u, pool): u for u in todo}
    for future in as_completed(futures):
        doc = future.result()
        store.put_original(doc.as_dict())
        stored[doc.url] = doc.as_dict()
    docs = [OriginalDoc.from_dict(row) for u in inputs if (row := stored[u]) is not None]
    for doc in docs:
        if doc.status != "ok":
            say(f"original {doc.url} can't be used: {doc.error}; copies are matched against "
                "the other originals")
    return docs


def _read_original(url: str, pool: _Workers) -> OriginalDoc:
    try:
        page, doc, _root = load_page(url, pool.sanitizer())
    except Exception as err:  # one original's failure becomes its error row
        return OriginalDoc(url=url, status="error", error=one_line(err))
    return OriginalDoc.from_document(url, page, doc)


class _Job:
    """What every copy is judged against: the originals, their index, the threshold."""

    def __init__(self, originals: list[OriginalDoc], threshold: float, pool: _Workers) -> None:
        self.pool = pool
        self.threshold = threshold
        self.originals = {o.url: o for o in originals if o.status == "ok"}
        self.index = MatchIndex()
        self.own_keys: dict[str, str] = {}
        for o in originals:
            for address in (o.url, o.final_url):
                if address:
                    self.own_keys[url_key(address)] = o.url
        for url, o in self.originals.items():
            self.index.add(url, o.shingles)
        digest = hashlib.sha256(f"{threshold}\n".encode())
        for url in sorted(self.originals):
            digest.update(f"{url}\n{self.originals[url].text_hash}\n".encode())
        self.key = digest.hexdigest()[:16]
        self._cache: dict[str, tuple[frozenset[int] | None, str | None]] = {}
        self._cache_lock = threading.Lock()

    def judge(self, item: CopyInput) -> AuditRow:
        """The row for one copy; any failure becomes an error row."""
        try:
            return self._judge(item.src, item.archived_page())
        except Exception as err:  # the one place a URL's failure becomes a row, not a crash
            return AuditRow(url=item.src, verdict="error", error=one_line(err),
                            site=host_of(item.src) or None)

    def _judge(self, src: str, archived: Page | None) -> AuditRow:
        if url_key(src) in self.own_keys:
            return AuditRow(url=src, verdict="not-a-copy", site=host_of(src) or None,
                            evidence=("this is one of the originals",))
        page, doc, root = load_page(src, self.pool.sanitizer(), archived)
        base = AuditRow.from_document(src, page, doc)
        final = page.final_url or src
        if url_key(final) in self.own_keys:
            return base.replace(verdict="not-a-copy", evidence=(
                f"redirects to the original {self.own_keys[url_key(final)]}",))
        items = shingles(base.article_text)
        closest = self.index.matches(items, min_share=0.0, min_shared=1)
        match = self.index.best(items, min_share=self.threshold)
        if match is None:
            near = f"; closest original {closest[0].key} ({closest[0].share:.0%})" \
                if closest else ""
            return base.replace(verdict="not-a-copy", share=closest[0].share if closest else 0.0,
                                evidence=(f"reproduces under {self.threshold:.0%} of any "
                                          f"original{near}",))
        original = self.originals[match.key]
        facts = read_credit(doc, root, original.ref)
        upstream_share, upstream_error = None, None
        if facts.other_url and not (facts.links_original or facts.head_pointer
                                    or facts.names_original or facts.links_site):
            upstream_share, upstream_error = self._upstream_share(facts.other_url, original)
        verdict, reasons = decide(facts, upstream_share=upstream_share,
                                  upstream_error=upstream_error, threshold=self.threshold)
        changed = headline_changed(base.title, original.title)
        extra = [f"reproduces {match.share:.0%} of the original ({match.shared} shingles)"]
        if changed:
            extra.append(f"headline changed: {base.title!r} (original {original.title!r})")
        if page.redirects:
            extra.append(f"redirected: {' -> '.join([*page.redirects, final])}")
        if page.archived:
            extra.append(f"as archived in a WARC record of {page.archived}")
        if doc.source:
            extra.extend(f"source detection: {e}" for e in doc.source.evidence)
        return base.replace(
            verdict=verdict, original=original.url, share=match.share,
            original_title=original.title, headline_changed=changed,
            credit_text=facts.credit_text, credit_url=facts.credit_url,
            credit_rel=facts.credit_rel, credit_position=facts.credit_position,
            licence=facts.licence, evidence=(*reasons, *extra))

    def _upstream_share(self, url: str, original: OriginalDoc) -> tuple[float | None, str | None]:
        """Share of the original found in the page a copy credits instead (cached)."""
        key = url_key(url)
        with self._cache_lock:
            cached = self._cache.get(key)
        if cached is None:
            try:
                _page, doc, _root = load_page(url, self.pool.sanitizer())
                cached = (shingles(AuditRow.from_document(url, _page, doc).article_text), None)
            except Exception as err:  # the credited page failing must not fail this copy
                cached = (None, one_line(err))
            with self._cache_lock:
                self._cache[key] = cached
        items, error = cached
        if items is None:
            return None, error
        return containment(self.index.shingles_of(original.url), items), None


def _audit_copies(inputs: list[CopyInput], feed_rows: list[AuditRow], key: str, judge: Judge,
                  engine: LocalEngine | DaskEngine, pool: _Workers, store: Store,
                  refresh: bool, on_row: OnRow | None) -> list[AuditRow]:
    """Judge every copy not already judged against these originals; rows in input order.

    Rows are stored here, in the calling process, as they arrive: whatever was stored
    when a run died is reused by the next.
    """
    done: dict[str, AuditRow] = {row.url: row for row in feed_rows}
    total = len(feed_rows) + len(inputs)
    for row in feed_rows:
        if on_row:
            on_row(row, False, total)
    todo = []
    for item in inputs:
        stored = None if refresh else store.copy(item.src)
        if stored is not None and stored["originals_key"] == key:
            done[item.src] = AuditRow.from_dict(stored)
            if on_row:
                on_row(done[item.src], True, total)
        else:
            todo.append(item)
    for row in _judged(todo, judge, engine, pool):
        store.put_copy(row.as_dict(), key)
        done[row.url] = row
        if on_row:
            on_row(row, False, total)
    order = [row.url for row in feed_rows] + [item.src for item in inputs]
    return [done[u] for u in order]


def _judged(todo: list[CopyInput], judge: Judge, engine: LocalEngine | DaskEngine,
            pool: _Workers) -> Iterator[AuditRow]:
    """Rows as they finish: from this process's threads, or from the Dask engine."""
    if isinstance(engine, LocalEngine):
        futures = [pool.pool.submit(judge, item) for item in todo]
        for future in as_completed(futures):
            yield future.result()
        return
    for _index, row in engine.run(judge, todo):
        yield row
