"""The public API keeps the article's structure: lists, tables, figures, blockquotes.

Reference: Readability.js's output (`expected.html`) for the Readability test pages of the
shared corpus. An expected list, table or blockquote counts as kept when its text (first
80 characters, folded) is found inside an element of the same kind in our HTML; figures
are counted. Readability is not ground truth, so the bar is a share of the corpus per kind
(measured at the time of writing, less a small margin) rather than every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import lxml.html
import pytest

from sanitizer import Sanitizer
from sanitizer.text import fold, visible_text

SHARED = Path(__file__).resolve().parents[2] / "shared"
READABILITY = SHARED / "corpus/extraction-dev/readability/pages"
KINDS = {"list": ("ul", "ol"), "table": ("table",), "figure": ("figure",),
         "blockquote": ("blockquote",)}  # fmt: skip
#: Least share of the expected elements of each kind we keep, over the corpus.
MIN_KEPT = {"list": 0.8, "table": 0.75, "figure": 0.8, "blockquote": 0.9}
#: Least share of pages that keep at least one element of each kind they expect.
#: (Measured: lists 31/38, figures 26/32 -- mostly a lead figure or a list just outside
#: the chosen body -- tables and blockquotes every page.)
MIN_PAGES_WITH_ANY = {"list": 0.78, "table": 0.9, "figure": 0.78, "blockquote": 0.9}
PREFIX = 80


@dataclass(frozen=True)
class Kept:
    """Expected and kept elements of one kind on one page."""

    page: str
    kind: str
    expected: int
    kept: int


def _outermost(root: lxml.html.HtmlElement, tags: tuple[str, ...]) -> list:
    return [e for e in root.iter(*tags) if not any(a.tag in tags for a in e.iterancestors())]


def _kept_on_page(page: Path, cleaner: Sanitizer) -> list[Kept]:
    expected = lxml.html.fromstring((page / "expected.html").read_text("utf-8"))
    wanted = {kind: _outermost(expected, tags) for kind, tags in KINDS.items()}
    if not any(wanted.values()):
        return []
    source = (page / "source.html").read_text("utf-8", errors="replace")
    markup = cleaner.clean_html(source).html
    ours = lxml.html.fromstring(markup) if markup.strip() else None
    found = []
    for kind, want in wanted.items():
        if not want:
            continue
        have = [fold(visible_text(e)) for e in ours.iter(*KINDS[kind])] if ours is not None else []
        if kind == "figure":
            kept = min(len(want), len(have))
        else:
            starts = (fold(visible_text(e))[:PREFIX] for e in want)
            kept = sum(1 for start in starts if any(start in h for h in have))
        found.append(Kept(page.name, kind, len(want), kept))
    return found


@cache
def _corpus() -> tuple[Kept, ...]:
    cleaner = Sanitizer()
    return tuple(k for page in sorted(READABILITY.iterdir()) for k in _kept_on_page(page, cleaner))


@pytest.fixture(scope="module")
def corpus() -> tuple[Kept, ...]:
    if not READABILITY.is_dir():
        pytest.skip("shared corpus (../shared) not available")
    return _corpus()


@pytest.mark.parametrize("kind", list(KINDS))
def test_most_expected_elements_are_kept(kind: str, corpus: tuple[Kept, ...]) -> None:
    rows = [k for k in corpus if k.kind == kind]
    expected = sum(k.expected for k in rows)
    kept = sum(k.kept for k in rows)
    assert expected > 0
    lost = [f"{k.page} {k.kept}/{k.expected}" for k in rows if k.kept < k.expected]
    assert kept / expected >= MIN_KEPT[kind], f"{kind}: kept {kept}/{expected}; short: {lost}"


@pytest.mark.parametrize("kind", list(KINDS))
def test_pages_keep_some_of_each_kind(kind: str, corpus: tuple[Kept, ...]) -> None:
    rows = [k for k in corpus if k.kind == kind]
    with_any = [k for k in rows if k.kept > 0]
    none = [k.page for k in rows if k.kept == 0]
    assert len(with_any) / len(rows) >= MIN_PAGES_WITH_ANY[kind], f"{kind}: none kept on {none}"


def test_inline_structure_survives_the_pipeline() -> None:
    para = "<p>{} The council met on Tuesday, and members argued, at length, about it.</p>"
    body = "".join(para.format(f"Sentence {i}.") for i in range(6))
    html = (f"<html><body><nav><a href='/'>Home</a></nav><article>{body}"
            "<ul><li>First point of the plan</li><li>Second point</li></ul>"
            "<figure><img src='https://example.org/a.jpg'><figcaption>The hall</figcaption>"
            "</figure><blockquote><p>Quoted words of the mayor, at length.</p></blockquote>"
            "<table><tr><td>Budget</td><td>12</td></tr></table></article></body></html>")
    root = lxml.html.fromstring(Sanitizer().clean_html(html, url="https://example.org/a").html)
    assert root.xpath("//ul/li") and root.xpath("//figure/figcaption")
    assert root.xpath("//blockquote") and root.xpath("//table//td")
