"""Decoding and parsing: encodings, XML declarations, and input that is not a page."""

from __future__ import annotations

import pytest

from sanitizer import InputError, Page
from sanitizer.parse import detect_encoding, parse_page

PAGE = "<html><head><title>t</title></head><body><p>Größe – “quoted”</p></body></html>"


def test_bom_wins() -> None:
    assert detect_encoding(b"\xef\xbb\xbf<p>x</p>", "text/html; charset=latin-1") == "utf-8"


def test_http_charset_before_meta() -> None:
    raw = '<meta charset="utf-8"><p>Größe</p>'.encode("cp1252")
    assert detect_encoding(raw, "text/html; charset=windows-1252") == "cp1252"


def test_meta_charset() -> None:
    raw = ('<html><head><meta charset="iso-8859-2"></head><body><p>Zażółć</p></body></html>'
           .encode("iso-8859-2"))
    doc = parse_page(Page(url=None, content=raw))
    assert "Zażółć" in doc.root.text_content()


def test_undeclared_non_utf8_is_guessed() -> None:
    raw = PAGE.encode("cp1252")
    doc = parse_page(Page(url=None, content=raw))
    assert "Größe – “quoted”" in doc.root.text_content()


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    raw = PAGE.encode("utf-8").replace(b"Gr", b"\xff\xfeGr")
    headers = {"content-type": "text/html; charset=utf-8"}
    doc = parse_page(Page(url=None, content=raw, headers=headers))
    assert "Größe" in doc.root.text_content()


def test_xml_declaration_is_accepted() -> None:
    raw = b'<?xml version="1.0" encoding="utf-8"?>\n' + PAGE.encode()
    assert "Größe" in parse_page(Page(url=None, content=raw)).root.text_content()


@pytest.mark.parametrize("raw", [b"", b"   \n", bytes(range(256)) * 40, b"just some words"])
def test_not_a_page_is_an_input_error(raw: bytes) -> None:
    with pytest.raises(InputError):
        parse_page(Page(url="https://x.example/", content=raw))


@pytest.mark.parametrize(("encoding", "odd"), [
    *(("utf-8", odd) for odd in ("\x01", "\x0c", "\x7f", "\ufffe")),
    *(("windows-1252", odd) for odd in ("\x01", "\x0c", "\x7f")),
])
def test_characters_a_tree_cannot_hold_are_dropped_before_parsing(encoding: str, odd: str
                                                                  ) -> None:
    markup = f"<html><body><p>one{odd}two</p><p>three</p></body></html>"
    page = Page(url="https://example.com/", content=markup.encode(encoding),
                headers={"content-type": f"text/html; charset={encoding}"})
    doc = parse_page(page)
    assert [p.text_content() for p in doc.root.iter("p")] == [
        "one two" if odd == "\x0c" else "onetwo", "three"]


def test_utf8_bytes_are_read_as_utf8_whatever_the_page_declares() -> None:
    """Valid UTF-8 is parsed from the bytes (no decoding twice); the HTTP charset still
    decides over a `<meta charset>` or XML declaration in the page."""
    markup = ('<?xml version="1.0" encoding="iso-8859-1"?><html><head>'
              '<meta charset="iso-8859-1"></head><body><p>Café ’ Ж \ufeff</p></body></html>')
    page = Page(url="https://example.com/", content=("\ufeff" + markup).encode(),
                headers={"content-type": "text/html; charset=utf-8"})
    assert parse_page(page).root.findtext(".//p") == "Café ’ Ж \ufeff"
