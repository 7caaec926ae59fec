"""Properties of every output, over all samples and every page of the shared dev corpus:
safe markup (foundation issue, line 3), idempotence (line 4), and one text whatever the
format (`--format text` makes no markup, issue 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS_LIST, DEV_CORPUS, SAMPLE_LIST
from lxml import html as lxml_html
from safety import unsafe_parts

from sanitizer import Options, Sanitizer, render

PAGES = [pytest.param(s.path / "source.html", s.url, id=f"sample:{s.name}") for s in SAMPLE_LIST]
PAGES += [pytest.param(DEV_CORPUS / label["file"], label.get("url"), id=f"dev:{label['id']}")
          for label in CORPUS_LIST]
FORMATS_WITH_MARKUP = ("html", "fragment")


@pytest.mark.parametrize(("path", "url"), PAGES)
def test_output_is_safe(path: Path, url: str | None, cleaner: Sanitizer) -> None:
    doc = cleaner.clean_file(path, url=url)
    assert doc.text.strip(), "no article text"
    for fmt in FORMATS_WITH_MARKUP:
        assert unsafe_parts(render(doc, fmt)) == []


@pytest.mark.parametrize(("path", "url"), PAGES)
def test_clean_is_idempotent(path: Path, url: str | None, cleaner: Sanitizer) -> None:
    once = cleaner.clean_file(path, url=url)
    twice = cleaner.clean_html(render(once, "html"), url=url)
    assert twice.text == once.text
    assert _links(twice.html) == _links(once.html)
    assert (twice.source.url if twice.source else None) == (once.source.url if once.source
                                                            else None)


@pytest.mark.parametrize(("path", "url"), PAGES)
def test_text_output_is_the_text_of_the_html_output(path: Path, url: str | None,
                                                    cleaner: Sanitizer) -> None:
    """Made without markup, the same text (sanitize.plain_text says where it may not be:
    none of these pages)."""
    full = cleaner.clean_file(path, url=url)
    text_only = Sanitizer(rules=cleaner.rulebook, options=Options(text_only=True)).clean_file(
        path, url=url)
    assert text_only.html == "" and full.html
    assert text_only.text == full.text
    assert text_only.source == full.source and text_only.metadata == full.metadata


def _links(markup: str) -> list[str]:
    if not markup.strip():
        return []
    root = lxml_html.fragment_fromstring(markup, create_parent="div")
    return [a.get("href") for a in root.iter("a")]


def test_the_safety_check_catches_unsafe_markup() -> None:
    bad = ('<p onclick="x()">a</p><script>alert(1)</script><a href="javascript:alert(1)">b</a>'
           '<img src="data:text/html;base64,AAAA"><meta http-equiv="refresh" content="0;u">')
    found = unsafe_parts(bad)
    assert {"p[onclick]", "<script>", "<meta http-equiv=refresh>"} <= set(found)
    assert any(f.startswith("a[href=javascript") for f in found)
    assert any(f.startswith("img[src=data:text") for f in found)
    assert unsafe_parts('<img src="data:image/png;base64,AAAA"><a href="https://x">y</a>') == []
