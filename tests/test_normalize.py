"""Links, images and leftovers of the article after `clean_html` (and `sanitize_fragment`)."""

from __future__ import annotations

from sanitizer import clean_html
from sanitizer.api import sanitize_fragment

URL = "https://copies.example/2024/05/story"
TEXT = "".join(f"<p>Sentence {n} of a long enough article about the river and its bridges, "
               "written to be the main content of this page.</p>" for n in range(5))


def test_relative_links_become_absolute() -> None:
    out = sanitize_fragment('<p><a href="../about">About</a> <img src="/img/a.jpg" alt=""></p>',
                            url=URL)
    assert 'href="https://copies.example/2024/about"' in out
    assert 'src="https://copies.example/img/a.jpg"' in out


def test_lazy_images_get_their_real_source() -> None:
    out = sanitize_fragment(
        '<img src="data:image/gif;base64,R0lGOD" data-src="/real.jpg" '
        'data-srcset="/real-2x.jpg 2x" alt="x">', url=URL)
    assert 'src="https://copies.example/real.jpg"' in out
    assert "https://copies.example/real-2x.jpg 2x" in out
    assert "data:" not in out


def test_tracking_pixels_are_removed() -> None:
    doc = clean_html(f'<html><body><article>{TEXT}<img src="https://stats.example/p.gif" '
                     'width="1" height="1"></article></body></html>', url=URL)
    assert "stats.example" not in doc.html
    assert "normalize.tracking-pixel" in {r.rule for r in doc.removals}


def test_tracking_parameters_are_removed() -> None:
    out = sanitize_fragment('<a href="https://other.example/a?id=3&utm_source=x&fbclid=y">a</a>')
    assert 'href="https://other.example/a?id=3"' in out


def test_external_links_get_rel() -> None:
    out = sanitize_fragment('<a href="https://other.example/">o</a><a href="/same">s</a>', url=URL)
    assert '<a href="https://other.example/" rel="noopener noreferrer">' in out
    assert '<a href="https://copies.example/same">' in out


def test_script_and_handlers_never_survive() -> None:
    out = sanitize_fragment('<p onclick="x()">hi<script>alert(1)</script>'
                            '<a href="javascript:alert(1)">j</a><iframe src="https://e.x"></iframe></p>')
    assert "script" not in out and "onclick" not in out and "javascript" not in out
    assert "iframe" not in out
    assert "hi" in out


def test_empty_wrappers_left_by_strips_are_removed() -> None:
    doc = clean_html(f'<html><body><article>{TEXT}<div><div class="sharedaddy">'
                     "<a href='https://www.facebook.com/sharer.php?u=1'>Share</a></div></div>"
                     "</article></body></html>", url=URL)
    assert "<div></div>" not in doc.html


def test_an_empty_element_holding_white_space_leaves_it() -> None:
    """Words an emptied inline element stood between stay apart (lemonde: "libertés (CNIL)")."""
    doc = clean_html(f'<html><body><article>{TEXT}<p>libertés<span> </span>(CNIL) and'
                     '<i><b></b></i> more</p></article></body></html>', url=URL)
    assert "libertés (CNIL) and more" in doc.text
    assert "<span>" not in doc.html and "<b>" not in doc.html
