"""Issue 7, done-when 1: safety is not bought by deleting content. Benign article HTML through
`sanitize` keeps >= 99% of its text, its links and its structure, over the readability
`expected.html` files of ../shared/corpus/extraction-dev and the article of every sample.

Text that the allow-list drops *by design* (forms, buttons, SVG, media fallbacks, scripts) is
left out of the reference; empty elements (which normalise removes) are not structure.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest
from conftest import SAMPLE_LIST, SHARED
from lxml import html as lxml_html
from lxml.html import HtmlElement

from sanitizer import Rulebook
from sanitizer.api import sanitize_fragment
from sanitizer.text import visible_text

READABILITY = SHARED / "corpus" / "extraction-dev" / "readability" / "pages"
STRUCTURE = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
             "blockquote", "pre", "code", "table", "tr", "td", "th", "figure", "figcaption",
             "img", "a", "em", "strong")
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")


@dataclass
class Kept:
    """Counts before and after sanitising one article."""

    words: tuple[int, int]
    links: tuple[int, int]
    structure: tuple[int, int]


def _articles() -> list[tuple[str, str]]:
    found = [(f"readability:{p.parent.name}", p.read_text(encoding="utf-8"))
             for p in sorted(READABILITY.glob("*/expected.html"))]
    for sample in SAMPLE_LIST:
        root = lxml_html.document_fromstring(sample.html)
        article = next(iter(root.iter("article")), None)
        if article is None:
            article = root.find("body")
        if article is not None:
            found.append((f"sample:{sample.name}",
                          lxml_html.tostring(article, encoding="unicode")))
    return found


def _by_design(markup: str, rules: Rulebook) -> HtmlElement:
    """The input as a reader would get it from a perfect sanitiser with our allow-list."""
    root = lxml_html.fragment_fromstring(markup, create_parent="div")
    dropped = (*rules.allowlist.get("drop_with_content", ()), "head", "noscript")
    for el in list(root.iter(*dropped)):
        if el.getparent() is not None:
            el.drop_tree()
    return root


def _shows_something(el: HtmlElement) -> bool:
    return bool(visible_text(el).strip()) or el.tag == "img" or next(el.iter("img"), None) \
        is not None


def measure(markup: str, rules: Rulebook) -> Kept:
    before = _by_design(markup, rules)
    after = lxml_html.fragment_fromstring(sanitize_fragment(markup, rules=rules) or "<div></div>",
                                          create_parent="div")
    links_in = [a for a in before.iter("a")
                if (a.get("href") or "").strip() and
                not (a.get("href") or "").strip().lower().startswith(UNSAFE_SCHEMES)]
    links_out = [a for a in after.iter("a") if a.get("href")]
    shape_in = Counter(el.tag for el in before.iter(*STRUCTURE) if _shows_something(el))
    shape_out = Counter(el.tag for el in after.iter(*STRUCTURE) if _shows_something(el))
    return Kept(words=(len(visible_text(before).split()), len(visible_text(after).split())),
                links=(len(links_in), len(links_out)),
                structure=(sum(shape_in.values()), sum((shape_in & shape_out).values())))


@pytest.fixture(scope="module")
def kept(rulebook: Rulebook) -> dict[str, Kept]:
    articles = _articles()
    if len(articles) < 100:
        pytest.skip("../shared/corpus/extraction-dev is not here")
    return {name: measure(markup, rulebook) for name, markup in articles}


def _share(kept: dict[str, Kept], field: str) -> float:
    before = sum(getattr(k, field)[0] for k in kept.values())
    after = sum(min(getattr(k, field)) for k in kept.values())
    return after / before


@pytest.mark.parametrize("field", ["words", "links", "structure"])
def test_sanitize_keeps_99_percent(kept: dict[str, Kept], field: str) -> None:
    assert _share(kept, field) >= 0.99


def test_no_article_loses_much_text(kept: dict[str, Kept]) -> None:
    poor = {name: k.words for name, k in kept.items() if k.words[1] < 0.97 * k.words[0]}
    assert poor == {}


def test_images_with_only_srcset_are_kept(rulebook: Rulebook) -> None:
    out = sanitize_fragment('<figure><img srcset="https://example.com/a.jpg 1x" alt="a">'
                            "<figcaption>A</figcaption></figure>", rules=rulebook)
    assert "<img" in out and "srcset" in out
