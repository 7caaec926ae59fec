"""Detecting the original source and attaching the credit, through `clean_html`."""

from __future__ import annotations

import json

import pytest

from sanitizer import Sanitizer

BODY = "".join(
    f"<p>Paragraph {n} of the story tells what happened at the harbour on Tuesday, when "
    f"the council met to discuss the new ferry timetable and its cost.</p>" for n in range(6))
URL = "https://copies.example/2024/ferry"
ORIGINAL = "https://harbour-news.example/2024/05/ferry-timetable"


def page(body_extra: str = "", head: str = "") -> str:
    return (f"<html><head><title>Ferry timetable</title>{head}</head><body><header>Menu</header>"
            f"<article><h1>Ferry timetable</h1>{BODY}{body_extra}</article>"
            "<footer>About us</footer></body></html>")


@pytest.fixture(scope="module")
def s() -> Sanitizer:
    return Sanitizer()


def test_jsonld_is_based_on(s: Sanitizer) -> None:
    ld = json.dumps({"@type": "NewsArticle",
                     "isBasedOn": {"@type": "NewsArticle", "url": ORIGINAL}})
    doc = s.clean_html(page(head=f'<script type="application/ld+json">{ld}</script>'), url=URL)
    assert doc.source is not None and doc.source.url == ORIGINAL
    assert any("isBasedOn" in e for e in doc.source.evidence)


def test_original_source_meta(s: Sanitizer) -> None:
    doc = s.clean_html(page(head=f'<meta name="original-source" content="{ORIGINAL}">'), url=URL)
    assert doc.source is not None and doc.source.url == ORIGINAL


def test_cross_site_canonical(s: Sanitizer) -> None:
    doc = s.clean_html(page(head=f'<link rel="canonical" href="{ORIGINAL}">'), url=URL)
    assert doc.source is not None and doc.source.url == ORIGINAL
    assert doc.source.publisher == "harbour-news.example"


def test_same_site_canonical_is_not_a_source(s: Sanitizer) -> None:
    doc = s.clean_html(page(head='<link rel="canonical" href="https://www.copies.example/x">'),
                       url=URL)
    assert doc.source is None
    assert "attribution" not in doc.html


def test_originally_published_credit_with_link(s: Sanitizer) -> None:
    credit = f'<p>This article originally appeared on <a href="{ORIGINAL}">Harbour News</a>.</p>'
    doc = s.clean_html(page(credit), url=URL)
    assert doc.source is not None
    assert (doc.source.url, doc.source.publisher) == (ORIGINAL, "Harbour News")
    assert f'<a href="{ORIGINAL}" rel="noopener noreferrer">Harbour News</a>' in doc.html


def test_credit_in_other_languages(s: Sanitizer) -> None:
    credit = f'<p>Quelle: <a href="{ORIGINAL}">Hafen-Zeitung</a></p>'
    doc = s.clean_html(page(credit), url=URL)
    assert doc.source is not None and doc.source.publisher == "Hafen-Zeitung"
    credit = f'<p>Publicado originalmente en <a href="{ORIGINAL}">El Puerto</a>.</p>'
    doc = s.clean_html(page(credit), url=URL)
    assert doc.source is not None and doc.source.publisher == "El Puerto"


def test_bare_source_link_is_replaced_by_the_credit_block(s: Sanitizer) -> None:
    doc = s.clean_html(page(f'<p><a href="{ORIGINAL}">Source link</a></p>'), url=URL)
    assert doc.source is not None and doc.source.url == ORIGINAL
    assert "Source link" not in doc.text
    assert "Originally published by" in doc.text


def test_share_link_is_not_a_credit(s: Sanitizer) -> None:
    share = f'<p>Source: <a href="https://www.facebook.com/sharer.php?u={URL}">Facebook</a></p>'
    doc = s.clean_html(page(share), url=URL)
    assert doc.source is None or "facebook" not in (doc.source.url or "")


def test_wire_dateline_names_the_agency(s: Sanitizer) -> None:
    lead = "<p>WASHINGTON (Reuters) - Lawmakers met on Tuesday to discuss the budget.</p>"
    html = page().replace("<h1>Ferry timetable</h1>", "<h1>Ferry timetable</h1>" + lead)
    doc = s.clean_html(html, url=URL)
    assert doc.source is not None and doc.source.publisher == "Reuters"
    assert doc.source.url is None


def test_wire_dateline_on_the_agency_site_is_not_a_credit(s: Sanitizer) -> None:
    lead = "<p>WASHINGTON (Reuters) - Lawmakers met on Tuesday to discuss the budget.</p>"
    html = page().replace("<h1>Ferry timetable</h1>", "<h1>Ferry timetable</h1>" + lead)
    assert s.clean_html(html, url="https://www.reuters.com/world/budget").source is None


def test_news_sentence_with_first_appeared_is_not_a_credit(s: Sanitizer) -> None:
    text = "<p>Cases of the virus first appeared in West Michigan at the end of August.</p>"
    assert s.clean_html(page(text), url=URL).source is None


def test_photo_caption_source_is_not_a_credit(s: Sanitizer) -> None:
    fig = ('<figure><img src="/a.jpg"><figcaption>Source: <a href="https://photos.example/p/1">'
           "Photo Agency</a></figcaption></figure>")
    assert s.clean_html(page(fig), url=URL).source is None


def test_script_url_is_never_a_source(s: Sanitizer) -> None:
    ld = json.dumps({"@type": "NewsArticle", "isBasedOn": "javascript:alert(1)"})
    doc = s.clean_html(page(head=f'<script type="application/ld+json">{ld}</script>'), url=URL)
    assert doc.source is None


def test_given_original_overrides_detection(s: Sanitizer) -> None:
    given = "https://www.reuters.com/world/ferry-2024"
    doc = s.clean_html(page(head=f'<link rel="canonical" href="{ORIGINAL}">'), url=URL,
                       original=given)
    assert doc.source is not None
    assert (doc.source.url, doc.source.publisher) == (given, "Reuters")


def test_original_page_gets_no_credit(s: Sanitizer) -> None:
    doc = s.clean_html(page(), url=URL)
    assert doc.source is None
    assert "no-source" in {f.code for f in doc.findings}


def test_wordpress_feed_footer(s: Sanitizer) -> None:
    footer = (f'<p>The post <a href="{ORIGINAL}">Ferry timetable</a> appeared first on '
              '<a href="https://harbour-news.example/">Harbour News</a>.</p>')
    doc = s.clean_html(page(footer), url=URL)
    assert doc.source is not None
    assert (doc.source.url, doc.source.publisher) == (ORIGINAL, "Harbour News")


def test_conversation_style_republication(s: Sanitizer) -> None:
    note = ('<p>This article is republished from <a href="https://theconversation.com">The '
            'Conversation</a> under a Creative Commons license. Read the <a href="https://'
            'theconversation.com/ferry-timetables-explained-123">original article</a>.</p>')
    doc = s.clean_html(page(note), url=URL)
    assert doc.source is not None
    assert doc.source.url == "https://theconversation.com/ferry-timetables-explained-123"
    assert doc.source.publisher == "The Conversation"


def test_reuters_closing_line(s: Sanitizer) -> None:
    tail = "<p>Reporting by Jane Doe; Additional reporting by Ann Roe; Editing by Tim Poe</p>"
    doc = s.clean_html(page(tail), url=URL)
    assert doc.source is not None and doc.source.publisher == "Reuters"


def test_own_copyright_line_is_not_a_credit(s: Sanitizer) -> None:
    doc = s.clean_html(page("<p>© 2024 copies.example. All rights reserved.</p>"), url=URL)
    assert doc.source is None


def test_photo_credit_is_not_a_source(s: Sanitizer) -> None:
    credit = '<p class="photo-credit">Source: <a href="https://www.reuters.com/pictures/x">Reuters</a></p>'
    assert s.clean_html(page(credit), url=URL).source is None


def test_source_line_mid_article_cites_data_not_an_original(s: Sanitizer) -> None:
    chart = ('<p>Source: <a href="https://stats.example/tables/ferries-2023">'
             "Ferry Statistics</a></p>")
    html = page().replace("<p>Paragraph 3", chart + "<p>Paragraph 3")
    assert s.clean_html(html, url=URL).source is None
    doc = s.clean_html(page(chart), url=URL)  # the same line closing the article is a credit
    assert doc.source is not None and doc.source.publisher == "Ferry Statistics"


def test_canonical_to_a_home_page_is_not_a_credit(s: Sanitizer) -> None:
    doc = s.clean_html(page(head='<link rel="canonical" href="https://other.example/">'), url=URL)
    assert doc.source is None


def test_og_url_elsewhere_with_a_self_canonical_is_not_enough(s: Sanitizer) -> None:
    head = (f'<link rel="canonical" href="{URL}"><meta property="og:url" content="{ORIGINAL}">')
    assert s.clean_html(page(head=head), url=URL).source is None


def test_credit_line_wins_over_a_canonical_to_an_intermediate_copy(s: Sanitizer) -> None:
    farm = "https://farm.example/2021/07/story/"
    doc = s.clean_html(page(f'<p><a href="{ORIGINAL}">Source link</a></p>',
                            head=f'<link rel="canonical" href="{farm}">'), url=URL)
    assert doc.source is not None and doc.source.url == ORIGINAL
