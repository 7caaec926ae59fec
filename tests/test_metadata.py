"""read_metadata: head tags, JSON-LD and the visible byline, on inline HTML and real pages."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest

from sanitizer.document import Document, Metadata
from sanitizer.metadata import add_metadata, normalize_date, read_metadata

SHARED = Path(__file__).resolve().parents[2] / "shared"
PAGES = SHARED / "corpus/extraction-dev/readability/pages"


def meta_of(html: str, url: str | None = "https://news.example/2024/a") -> Metadata:
    return read_metadata(lxml.html.fromstring(html), url)


def test_jsonld_graph_and_broken_blocks() -> None:
    html = """<html><head>
      <script type="application/ld+json">{"broken": </script>
      <script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Example News"},
        {"@type": ["NewsArticle"], "headline": "Rivers rise",
         "datePublished": "2024-03-05T10:00:00+01:00",
         "author": [{"@type": "Person", "name": "Ana Ruiz"}, {"name": "Ana Ruiz"},
                    {"name": "Staff"}],
         "isBasedOn": "https://wire.example/x",}
      ]}</script></head><body><h1>Rivers rise</h1></body></html>"""
    meta = meta_of(html)
    assert meta.title == "Rivers rise"
    assert meta.authors == ("Ana Ruiz",)
    assert meta.published == "2024-03-05T10:00:00+01:00"
    assert meta.site_name == "Example News"
    assert all(isinstance(obj, dict) for obj in meta.jsonld)
    assert any(obj.get("isBasedOn") == "https://wire.example/x" for obj in meta.jsonld)


def test_opengraph_title_suffix_and_canonical() -> None:
    html = """<html lang="de-DE"><head><title>Ein Titel | Beispielblatt</title>
      <meta property="og:site_name" content="Beispielblatt">
      <meta property="article:published_time" content="2023-11-02">
      <meta name="author" content="By Jo Beck and Kim Lee">
      <link rel="canonical" href="/artikel/1"><meta property="og:url" content="/artikel/1?x"></head>
      <body><p>Text</p></body></html>"""
    meta = meta_of(html, "https://blatt.example/2023/abc")
    assert meta.title == "Ein Titel"
    assert meta.site_name == "Beispielblatt"
    assert meta.published == "2023-11-02"
    assert meta.authors == ("Jo Beck", "Kim Lee")
    assert meta.lang == "de-DE"
    assert meta.canonical == "https://blatt.example/artikel/1"
    assert meta.og_url == "https://blatt.example/artikel/1?x"


def test_visible_byline_skips_boilerplate_and_comments() -> None:
    html = """<html><body><article><h1>Hello</h1>
      <span class="byline">By <a rel="author" href="/u/1">admin</a></span>
      <div class="author-name">Mira Patel</div><p>Body text.</p></article>
      <div class="comments"><span class="author">Troll 99</span></div></body></html>"""
    assert meta_of(html).authors == ("Mira Patel",)


def test_bylines_without_a_person_are_dropped() -> None:
    html = """<html><head><meta name="author" content="staff@example.com">
      <meta property="article:author" content="https://facebook.com/someone"></head>
      <body><time datetime="2020-01-02T03:04:05Z">Jan 2</time></body></html>"""
    meta = meta_of(html)
    assert meta.authors == ()
    assert meta.published is not None and meta.published.startswith("2020-01-02T03:04:05")


@pytest.mark.parametrize(
    ("raw", "date"),
    [("2015-07-24T05:36:09+01:00", "2015-07-24"), ("March 9, 2017", "2017-03-09"),
     ("Tue, 19 Nov 2019 00:01:00 GMT", "2019-11-19"), ("not a date", None)],
)  # fmt: skip
def test_normalize_date(raw: str, date: str | None) -> None:
    result = normalize_date(raw)
    assert (result[:10] if result else None) == date


def test_stage_sets_metadata() -> None:
    root = lxml.html.fromstring("<html><head><title>T</title></head><body></body></html>")
    doc = add_metadata(Document(url=None, root=root), rules=None)
    assert doc.metadata.title == "T"


def _page(name: str) -> tuple[lxml.html.HtmlElement, dict[str, str]]:
    if not PAGES.is_dir():
        pytest.skip("shared corpus not available")
    source = (PAGES / name / "source.html").read_text("utf-8")
    expected = json.loads((PAGES / name / "expected-metadata.json").read_text("utf-8"))
    return lxml.html.fromstring(source), expected


@pytest.mark.parametrize("name", ["wordpress", "bbc-1", "medium-1", "002"])
def test_real_pages_agree_with_readability(name: str) -> None:
    root, expected = _page(name)
    meta = read_metadata(root, None)
    assert meta.title == expected["title"]
    assert meta.byline == (expected["byline"] or meta.byline)
    if expected["siteName"]:
        assert meta.site_name == expected["siteName"]
    if expected["publishedTime"]:
        assert meta.published is not None
        assert meta.published[:10] == expected["publishedTime"][:10]
