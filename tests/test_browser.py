"""Issue 7, done-when 1: no vector of the corpus runs script in real Chromium after our
sanitiser, through the API, the CLI and `clean`; and the same harness does see script run when
the sanitiser is skipped (so "zero" means something).

Needs Debian's `chromium` (`.ci/run` installs it). Without it these tests skip, except in CI
(`CI` set), where a missing browser is a failure: the check must not pass by not running.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from browser import (
    Browser,
    Vector,
    clean_api,
    clean_cli,
    find_chromium,
    load_corpus,
    page_html,
    run_check,
    sanitize_api,
    sanitize_cli,
)

from sanitizer import Rulebook, Sanitizer

if not find_chromium():
    if os.environ.get("CI"):
        raise RuntimeError("CI needs chromium for the browser check (.ci/run installs it)")
    pytest.skip("chromium is not installed", allow_module_level=True)

CORPUS = load_corpus()
#: Vectors sent through the CLI one process each: every 50th (a spread over all sources).
CLI_SAMPLE = CORPUS[::35]  # one vector in 35 of every source, through a real process


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    b = Browser()
    try:
        yield b
    finally:
        b.close()


def _report(result_culprits: dict[int, list[object]], vectors: list[Vector]) -> str:
    return "\n".join(f"{vectors[i].ident}: {vectors[i].payload[:80]!r} -> {hits}"
                     for i, hits in result_culprits.items())


def test_no_vector_runs_after_sanitize_api(chromium: Browser, rulebook: Rulebook) -> None:
    outputs = [sanitize_api(v.payload, rulebook) for v in CORPUS]
    result = run_check(chromium, outputs)
    assert result.culprits == {}, _report(result.culprits, CORPUS)
    assert result.unfinished == [], "a page of sanitised output did not finish loading"
    assert result.vectors >= 600


def test_no_vector_runs_after_sanitize_cli(chromium: Browser) -> None:
    outputs = sanitize_cli([v.payload for v in CLI_SAMPLE])
    result = run_check(chromium, outputs)
    assert result.culprits == {}, _report(result.culprits, CLI_SAMPLE)
    assert len(outputs) >= 15


def test_no_vector_runs_after_clean(chromium: Browser, cleaner: Sanitizer) -> None:
    outputs = [clean_api(v.payload, cleaner) for v in CORPUS]
    result = run_check(chromium, outputs)
    assert result.culprits == {}, _report(result.culprits, CORPUS)
    assert sum(1 for out in outputs if out) >= 0.95 * len(outputs), "clean rejected the page"


def test_no_vector_runs_after_clean_cli(chromium: Browser) -> None:
    outputs = clean_cli([v.payload for v in CLI_SAMPLE])
    result = run_check(chromium, outputs)
    assert result.culprits == {}, _report(result.culprits, CLI_SAMPLE)
    assert sum(1 for out in outputs if out) >= 0.9 * len(outputs), "clean rejected the page"


def test_identity_sanitiser_is_caught(chromium: Browser) -> None:
    """Skipping the sanitiser: the harness must report executions on (nearly) every page."""
    raw = [v.payload for v in CORPUS]
    result = run_check(chromium, raw, find_culprits=False)
    assert result.page_hits >= 100


@pytest.mark.parametrize(("payload", "kind"), [
    ("<img src=x onerror=alert(1)>", "call"),                        # event on a broken image
    ("<p tabindex=1 onfocus=alert(1)>focus me</p>", "call"),          # focus dispatched
    ('<div onmouseover="alert(1)">hover</div>', "call"),              # mouse dispatched
    ('<a href="javascript:alert(1)">click</a>', "call"),              # click on a js: link
    ('<iframe srcdoc="<script>alert(1)</script>"></iframe>', "call"),  # recorder in frames
    ("<script>undefinedFunction()</script>", "exception"),           # script ran and threw
    ("<script src=//evil.example/x.js></script>", "request:Script"),  # script request
    ("<script>fetch('/beacon')</script>", "request:Fetch"),
    ('<meta http-equiv="refresh" content="0;url=/elsewhere">', "navigation"),
    ("<script>window.open('/popup')</script>", "call"),               # open() recorded
])
def test_each_beacon_works(chromium: Browser, payload: str, kind: str) -> None:
    hits = chromium.load(page_html([payload])).hits
    assert kind in {h.kind for h in hits}, hits


def test_benign_output_is_quiet(chromium: Browser) -> None:
    page = page_html(['<p>Read <a href="https://example.com/" rel="noopener noreferrer">this'
                      '</a> and <img src="/missing.png" alt="x"> <em>now</em>.</p>'])
    result = chromium.load(page)
    assert result.finished
    assert result.hits == []
