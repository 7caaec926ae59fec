"""Issue 7: static invariants on every output of the vector corpus, through `sanitize` and
`clean` (allow-listed schemes only, rel on external links, no srcdoc/formaction, no risky style,
no SVG/MathML), and output paths that can't leave --out-dir."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import ARTICLE, PAGE_URL, load_corpus, provenance, sanitize_api
from safety import link_problems, unsafe_parts

from sanitizer import Options, Rulebook, Sanitizer, render
from sanitizer.commands.clean_command import OutputNames, slug
from sanitizer.errors import SanitizerError

CORPUS = load_corpus()


def test_corpus_size_and_provenance() -> None:
    sources = provenance()
    assert len(sources) >= 5
    for name, record in sources.items():
        assert record["repo"] and record["files"] and record["licence"], name
        assert all(len(f["commit"]) == 40 for f in record["files"]), name
    assert len({v.payload for v in CORPUS}) >= 600
    assert len({v.source for v in CORPUS}) >= 5


def test_every_sanitized_vector_passes_the_static_checks(rulebook: Rulebook) -> None:
    bad = {}
    for vector in CORPUS:
        out = sanitize_api(vector.payload, rulebook)
        problems = unsafe_parts(out) + link_problems(out, None)
        if problems:
            bad[vector.ident] = problems
    assert bad == {}


@pytest.mark.parametrize("nofollow", [False, True])
def test_every_cleaned_vector_passes_the_static_checks(rulebook: Rulebook, nofollow: bool) -> None:
    cleaner = Sanitizer(rules=rulebook, options=Options(nofollow=nofollow))
    bad = {}
    for vector in CORPUS[:: 1 if nofollow is False else 3]:
        try:
            doc = cleaner.clean_html(ARTICLE.format(vector=vector.payload), url=PAGE_URL)
        except SanitizerError:
            continue
        problems = unsafe_parts(render(doc, "html")) + link_problems(doc.html, PAGE_URL,
                                                                      nofollow=nofollow)
        if problems:
            bad[vector.ident] = problems
    assert bad == {}


def test_external_links_get_rel(rulebook: Rulebook) -> None:
    markup = ('<article><h1>T</h1><p>' + "Some words of the article. " * 30 +
              '<a href="https://other.example/x">other</a> and '
              '<a href="https://repost.example/y">own</a></p></article>')
    for nofollow, rel in ((False, "noopener noreferrer"),
                          (True, "noopener noreferrer nofollow ugc")):
        doc = Sanitizer(rules=rulebook, options=Options(nofollow=nofollow)).clean_html(
            markup, url=PAGE_URL)
        assert f'href="https://other.example/x" rel="{rel}"' in doc.html
        assert link_problems(doc.html, PAGE_URL, nofollow=nofollow) == []


def test_the_static_checks_catch_what_they_should() -> None:
    found = unsafe_parts('<iframe srcdoc="x"></iframe><button formaction="https://e/">b</button>'
                         '<p style="background:url(https://e/x.png)">a</p>'
                         '<div style="width:expression(alert(1))">b</div><svg></svg><math></math>'
                         '<a href="ftp://e/x">f</a><a href=" jav&#x09;ascript:alert(1)">j</a>')
    for part in ("<iframe>", "<svg>", "<math>", "button[formaction]", "p[style=", "div[style=",
                 "a[href] scheme 'ftp'", "a[href=jav"):
        assert any(p.startswith(part) for p in found), (part, found)
    assert link_problems('<a href="https://other.example/">x</a>', PAGE_URL) != []
    assert link_problems('<a href="https://other.example/" rel="noopener noreferrer">x</a>',
                         PAGE_URL, nofollow=True) == ['a[href=https://other.example/] lacks rel '
                                                       'nofollow ugc']


@pytest.mark.parametrize("url", [
    "https://evil.example/../../etc/passwd", "https://e.example/..%2f..%2fx", "..", "../..",
    "https://e.example/a/../../../../tmp/x", "/etc/passwd", "https://e.example/" + "a" * 500,
    "https://e.example/\x00/x", "file:///etc/passwd", "-", "https://e.example/CON",
])
def test_output_names_stay_in_out_dir(tmp_path: Path, url: str) -> None:
    names = OutputNames(tmp_path / "out", ".html")
    path = names.for_source(url).resolve()
    assert path.parent == (tmp_path / "out").resolve()
    assert "/" not in slug(url) and slug(url) not in ("", ".", "..")
