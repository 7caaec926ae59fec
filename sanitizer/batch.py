"""Cleaning many documents: one picklable task per input, run by any engine.

A `CleanTask` is sent to every worker; each worker builds its `Sanitizer` (rulebook and
HTTP session) once and reuses it. Every job gives exactly one `CleanOutcome`, failed
or not, so a batch never drops an input.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sanitizer.api import Sanitizer
from sanitizer.document import Document, Options, Page
from sanitizer.errors import InputError, SanitizerError
from sanitizer.fetch import Fetcher
from sanitizer.render import render
from sanitizer.rulebook import load_rules
from sanitizer.urls import is_web_url


@dataclass(frozen=True, slots=True)
class CleanJob:
    """One input: a URL or file path, or bytes already read (stdin, a WARC record)."""

    source: str
    page: Page | None = None
    base_url: str | None = None


@dataclass(frozen=True, slots=True)
class CleanOutcome:
    """What became of one input: the rendered output, or the error that stopped it."""

    source: str
    output: str | None = None
    error: str | None = None
    internal: bool = False
    explanation: tuple[str, ...] = field(default=())
    trace: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class CleanTask:
    """Clean one job and render it; picklable, so Dask can ship it to workers."""

    rules: tuple[str, ...] = ()
    options: Options = field(default_factory=Options)
    fmt: str = "html"
    explain: bool = False
    fetch: tuple[tuple[str, Any], ...] = ()  # Fetcher keyword arguments
    debug: bool = False
    run_id: str = ""  # a new Sanitizer per run: robots and politeness state is per run

    def __call__(self, job: CleanJob) -> CleanOutcome:
        try:
            doc = clean_job(sanitizer_for(self.rules, self.options, self.fetch, self.run_id),
                            job)
            explanation = explain(doc) if self.explain else ()
            return CleanOutcome(job.source, render(doc, self.fmt), explanation=explanation)
        except SanitizerError as err:
            return CleanOutcome(job.source, error=str(err), trace=self._trace())
        except Exception as err:  # a bug must cost one input, not the batch
            return CleanOutcome(job.source, error=f"{type(err).__name__}: {err}", internal=True,
                                trace=self._trace())

    def _trace(self) -> str:
        return traceback.format_exc() if self.debug else ""


@lru_cache(maxsize=4)
def sanitizer_for(rules: tuple[str, ...], options: Options,
                  fetch: tuple[tuple[str, Any], ...] = (), run_id: str = "") -> Sanitizer:
    """This process's Sanitizer for a configuration and run (built once per worker)."""
    return Sanitizer(rules=load_rules(*rules), options=options, fetcher=Fetcher(**dict(fetch)))


def clean_job(sanitizer: Sanitizer, job: CleanJob) -> Document:
    """The Document for one job: fetched, read, or given."""
    if job.page is not None:
        return sanitizer.clean_page(job.page)
    if is_web_url(job.source):
        return sanitizer.clean_url(job.source)
    if "://" in job.source:
        raise InputError(f"unsupported URL scheme in {job.source!r}: use http or https",
                         source=job.source)
    return sanitizer.clean_file(job.source, url=job.base_url)


def explain(doc: Document) -> tuple[str, ...]:
    """`--explain` lines: every removal and its rule, findings, the source's evidence."""
    lines = [f"removed by {r.rule}: {r.text[:120]!r}" for r in doc.removals]
    lines += [f"{f.code}: {f.message}" for f in doc.findings]
    if doc.source:
        lines.append(f"source: {doc.source.url or '-'} ({doc.source.publisher or '?'}, "
                     f"confidence {doc.source.confidence})")
        lines += [f"  evidence: {reason}" for reason in doc.source.evidence]
    return tuple(lines)
