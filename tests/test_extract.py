"""find_main_content: the article element, in place, on inline HTML and real pages."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import lxml.html
import pytest

from sanitizer.document import Document
from sanitizer.extract import extract_content, find_main_content
from sanitizer.selectors import Selector
from sanitizer.text import block_text

SHARED = Path(__file__).resolve().parents[2] / "shared"
READABILITY = SHARED / "corpus/extraction-dev/readability/pages"
SCRAPINGHUB = SHARED / "corpus/extraction-dev/scrapinghub"

PARA = "<p>{} The council met on Tuesday, and the members argued, at length, about the budget.</p>"


def page(body: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(f"<html><head><title>x</title></head><body>{body}</body></html>")


def article_html(n: int = 6, cls: str = "story") -> str:
    paras = "".join(PARA.format(f"Sentence {i}.") for i in range(n))
    return (f'<div class="{cls}"><h2>Sub</h2>{paras}<ul><li>point one</li></ul>'
            f"<figure><img src='a.jpg'><figcaption>Cap</figcaption></figure>"
            f"<blockquote>Quoted words</blockquote><table><tr><td>1</td></tr></table></div>")


NAV = '<nav><a href="/">Home</a> <a href="/b">World</a></nav>'
COMMENTS = ('<div id="comments" class="comments">' + PARA.format("Great post, said a reader.") * 4
            + "</div>")  # fmt: skip


def test_scoring_finds_the_body_in_place_with_structure() -> None:
    root = page(NAV + article_html() + COMMENTS + "<footer><p>Copyright 2024 Example</p></footer>")
    found = find_main_content(root)
    assert found is not None and found.getroottree().getroot() is root
    text = block_text(found)
    assert "Sentence 0." in text and "Sentence 5." in text
    assert "Great post" not in text and "Copyright" not in text
    assert found.xpath(".//figure/figcaption") and found.xpath(".//ul/li")
    assert found.xpath(".//blockquote") and found.xpath(".//table")


def test_site_selector_comes_first() -> None:
    mine = '<div class="mine">' + PARA.format("Picked.") * 2 + "</div>"
    root = page(article_html(cls="story") + mine)
    found = find_main_content(root, selectors=(Selector.css("div.mine"),))
    assert found is not None and found.get("class") == "mine"


def test_cms_fingerprint_needs_most_of_the_text() -> None:
    teaser = '<div class="entry-content">' + PARA.format("Teaser.") + "</div>"
    root = page(teaser + article_html(n=8, cls="main-column"))
    found = find_main_content(root)
    assert found is not None and found.get("class") != "entry-content"
    assert "Sentence 7." in block_text(found)
    wp = page('<div class="entry-content">' + PARA.format("Body.") * 5 + "</div>" + COMMENTS)
    assert find_main_content(wp).get("class") == "entry-content"


def test_split_article_returns_common_parent() -> None:
    half = "".join(PARA.format(f"Part {i}.") for i in range(4))
    root = page(f'<div id="wrap"><div class="a">{half}</div><div class="b">{half}'
                f"</div></div>{NAV}")
    found = find_main_content(root)
    assert found is not None and found.get("id") == "wrap"


def test_nothing_article_like_gives_none() -> None:
    assert find_main_content(page(NAV + "<p>Short.</p>")) is None


def test_stage_without_ruleset() -> None:
    root = page(article_html())
    doc = extract_content(Document(url=None, root=root), rules=None)
    assert doc.article is not None and "Sentence 1." in block_text(doc.article)


def _readability(name: str) -> lxml.html.HtmlElement:
    if not READABILITY.is_dir():
        pytest.skip("shared corpus not available")
    return lxml.html.fromstring((READABILITY / name / "source.html").read_text("utf-8"))


def test_real_page_keeps_body_and_drops_comments() -> None:
    found = find_main_content(_readability("002"))  # hacks.mozilla.org, with comments
    text = block_text(found)
    assert text.startswith("For more than a decade the Web has used XMLHttpRequest")
    assert "Alexander Petrov" not in text  # a commenter
    assert found.xpath(".//pre")


@pytest.mark.parametrize("name", ["wordpress", "bbc-1", "medium-1", "nytimes-1"])
def test_real_page_holds_first_paragraph_of_reference(name: str) -> None:
    expected = lxml.html.fromstring((READABILITY / name / "expected.html").read_text("utf-8")) \
        if READABILITY.is_dir() else None
    found = find_main_content(_readability(name))
    first = next(p for p in (block_text(x) for x in expected.xpath("//p")) if len(p) > 80)
    assert " ".join(first.split()[:10]) in " ".join(block_text(found).split())


def test_scrapinghub_page_matches_ground_truth_start() -> None:
    if not SCRAPINGHUB.is_dir():
        pytest.skip("shared corpus not available")
    truth = json.loads((SCRAPINGHUB / "ground-truth.json").read_text("utf-8"))
    key = next(k for k, v in sorted(truth.items()) if "chron.com" in (v.get("url") or ""))
    html = gzip.decompress((SCRAPINGHUB / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8")
    text = " ".join(block_text(find_main_content(lxml.html.fromstring(html))).split())
    gold = truth[key]["articleBody"].split()
    assert " ".join(gold[:12]) in text and " ".join(gold[-12:]) in text


def test_stage_drops_teaser_lists_and_nav_inside_the_body_and_records_them() -> None:
    teasers = "".join(f'<li><a href="/n{i}">A much longer related headline number {i} here</a></li>'
                      for i in range(4))
    body = (article_html(n=8).replace("</div>", "", 1)
            + f'<div class="more"><ul>{teasers}</ul></div><nav><a href="/">Home</a></nav></div>')
    doc = extract_content(Document(url=None, root=page(body)), rules=None)
    text = block_text(doc.article)
    assert "Sentence 7." in text and "related headline" not in text and "Home" not in text
    assert {r.rule for r in doc.removals} >= {"extract.link-list"}
    assert doc.article.xpath(".//ul/li")  # the article's own list stays


def test_in_body_pass_keeps_credit_lines() -> None:
    from sanitizer.rulebook import load_rules

    links = "".join(f'<a href="https://a.example/{i}">The Original Daily Chronicle, part {i}</a> '
                    for i in range(3))
    credit = f'<div class="x">Originally published at {links}</div>'

    root = page(article_html(n=8).replace("</div>", credit + "</div>", 1))
    doc = extract_content(Document(url=None, root=root), rules=load_rules())
    assert "Originally published" in block_text(doc.article)
