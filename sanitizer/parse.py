"""Bytes -> Document: pick the character encoding, then parse once with lxml.

Encoding, in order: a byte-order mark; the HTTP `charset`; a `<meta charset>` in the
first 4 KB; bs4's UnicodeDammit. Parsing: `lxml.html`; bs4's soupparser only for
input libxml2 can't make a tree of.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from sanitizer.document import Document, Options, Page
from sanitizer.errors import InputError
from sanitizer.limits import MAX_BYTES, check_text, parser_limit_error

PRESCAN_BYTES = 4096
BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))
#: Legacy encodings undeclared web pages really use (Python codec names).
WEB_LEGACY_CODECS = frozenset({
    "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
    "iso8859-2", "iso8859-5", "iso8859-7", "iso8859-8", "iso8859-9", "iso8859-15", "koi8-r",
    "koi8-u", "shift_jis", "euc_jp", "iso2022_jp", "gb2312", "gbk", "gb18030", "big5",
    "euc_kr", "cp949", "tis-620", "cp874", "utf-16", "utf-16-le", "utf-16-be",
})  # fmt: skip
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
#: Characters an lxml tree can't hold: C0 controls but tab, LF, FF and CR; DEL; U+FFFE/U+FFFF.
#: (A browser keeps most of them as text and drops them from URLs; nobody reads them.)
_XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff]")
#: Those characters, and form feed, as bytes (but U+FFFE/U+FFFF, three bytes each).
_UNSAFE_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.I)
_LOOKS_HTML = re.compile(rb"<\s*(!doctype|html|head|body|div|p|article|meta|title|section|span|"
                         rb"a|h[1-6]|table|main|!--)\b", re.I)


def parse_page(page: Page, options: Options | None = None) -> Document:
    """Decode and parse a page into a Document.

    Raises:
        InputError: the bytes are empty, too large, or not an HTML page.
    """
    where = page.url or "input"
    content = page.content
    if not content.strip():
        raise InputError(f"{where}: the page is empty", source=page.url)
    if len(content) > MAX_BYTES:
        raise InputError(f"{where}: the page is {len(content) // 2**20} MB; the limit is "
                         f"{MAX_BYTES // 2**20} MB", source=page.url)
    if _looks_binary(content):
        raise InputError(f"{where}: not an HTML page (binary data)", source=page.url)
    encoding = detect_encoding(content, page.headers.get("content-type", ""))
    text = content.decode(encoding, errors="replace")
    if not _LOOKS_HTML.search(text[:PRESCAN_BYTES * 4].encode("utf-8", "replace")):
        raise InputError(f"{where}: not an HTML page (no HTML tags near the start)",
                         source=page.url)
    exact_utf8 = encoding == "utf-8" and "\ufffd" not in text  # no byte was replaced
    check_text(text, where, page.url, utf8=content if exact_utf8 else None)
    if exact_utf8 and _utf8_tree_safe(content, text):
        root = _parsed(content, html_parser("utf-8"), where, text)  # libxml2 reads UTF-8
    else:
        root = parse_text(text, where)
    return Document(url=page.base_url, root=root, encoding=encoding, page=page,
                    options=options or Options())


def _utf8_tree_safe(content: bytes, text: str) -> bool:
    """Whether UTF-8 bytes, and `text` decoded from them, hold nothing `tree_safe` would
    change (most pages; found faster so than by a regex over the text): then libxml2
    can read the bytes as they are."""
    return (len(content.translate(None, _UNSAFE_BYTES)) == len(content)
            and "\ufffe" not in text and "\uffff" not in text)


def _looks_binary(content: bytes) -> bool:
    """NUL bytes near the start, in a page that is not UTF-16/32 (which has them)."""
    head = content[:PRESCAN_BYTES]
    if any(head.startswith(bom) for bom, name in BOMS if name != "utf-8"):
        return False
    return head.count(b"\x00") > len(head) // 100


def detect_encoding(content: bytes, content_type: str = "") -> str:
    """The encoding to decode `content` with."""
    for bom, name in BOMS:
        if content.startswith(bom):
            return name
    for found in (_HTTP_CHARSET.search(content_type),
                  _META_CHARSET.search(content[:PRESCAN_BYTES])):
        known = _known_codec(found.group(1)) if found else None
        if known:
            return known
    try:
        content.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from bs4 import UnicodeDammit  # slow; only for pages that declare nothing and aren't UTF-8

    guess = _known_codec(UnicodeDammit(content[:65536], is_html=True).original_encoding)
    # The detector behind UnicodeDammit (charset_normalizer or chardet, whichever is
    # installed) guesses exotic codecs (mac-latin2) for short Latin text; undeclared
    # legacy pages are web encodings, and windows-1252 is the WHATWG default.
    return guess if guess in WEB_LEGACY_CODECS else "windows-1252"


def _known_codec(name: str | bytes | None) -> str | None:
    if not name:
        return None
    label = name.decode("ascii", "replace") if isinstance(name, bytes) else name
    label = label.strip().lower()
    if label in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
        return "windows-1252"  # what browsers do (WHATWG Encoding)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def tree_safe(text: str) -> str:
    """`text` without the characters lxml refuses (form feed becomes a space)."""
    return _XML_INCOMPATIBLE.sub("", text.replace("\x0c", " "))


def parse_fragment(html: str, where: str = "fragment") -> HtmlElement:
    """Parse an HTML fragment into one new `<div>` holding it.

    Raises:
        InputError: the fragment is over a limit of `sanitizer.limits`.
    """
    html = tree_safe(html)
    if len(html) > MAX_BYTES:
        raise InputError(f"{where}: {len(html) // 2**20} MB; the limit is "
                         f"{MAX_BYTES // 2**20} MB")
    check_text(html, where)
    if not html.strip():
        return lxml_html.fragment_fromstring("<div></div>")
    parser = html_parser()
    found = lxml_html.fragment_fromstring(html, create_parent="div", parser=parser)
    _raise_on_limits(parser, where)
    return found


def html_parser(encoding: str | None = None) -> etree.HTMLParser:
    """A new HTML parser whose elements are all `HtmlElement`s (of bytes in `encoding`,
    whatever the page declares, when given).

    lxml.html's own parser picks each element's class in Python (form and input
    elements get theirs), which costs a call every time lxml hands out an element;
    this one picks in C. Nothing here uses the form classes.
    """
    parser = etree.HTMLParser(encoding=encoding)
    parser.set_element_class_lookup(_HTML_CLASSES)
    return parser


_HTML_CLASSES = etree.ElementDefaultClassLookup(
    element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment,
    pi=lxml_html.HtmlProcessingInstruction, entity=lxml_html.HtmlEntity)


def _raise_on_limits(parser: etree.HTMLParser, where: str) -> None:
    """Turn libxml2's resource-limit errors (depth, huge values) into an InputError."""
    error = parser_limit_error((e.message for e in parser.error_log
                                if e.type_name == "ERR_RESOURCE_LIMIT"), where)
    if error:
        raise error


def parse_text(text: str, where: str = "input") -> HtmlElement:
    """Parse decoded HTML into an `<html>` element.

    Raises:
        InputError: libxml2 hit a resource limit (nesting depth, a huge value).
    """
    text = tree_safe(text).lstrip("\ufeff")
    # lxml refuses a str that declares its encoding (`<?xml ... encoding=...?>`)
    declaration = _XML_DECLARATION.match(text)
    if declaration:
        text = text[declaration.end():]
    return _parsed(text, html_parser(), where, text)


def _parsed(source: str | bytes, parser: etree.HTMLParser, where: str, text: str
            ) -> HtmlElement:
    """The `<html>` element of `source` (`text` decoded, for bs4 when libxml2 makes no
    tree of it)."""
    try:
        root = lxml_html.document_fromstring(source, parser=parser)
    except (etree.ParserError, ValueError):
        root = None
    _raise_on_limits(parser, where)
    if root is None or (root.find("body") is None and len(root) == 0):
        root = _soup_parse(text, where)
    return root


def _soup_parse(text: str, where: str) -> HtmlElement:
    from lxml.html import soupparser  # needs bs4; only for what libxml2 can't parse

    try:
        root = soupparser.fromstring(text)
    except Exception as err:  # bs4 raises assorted errors on garbage
        raise InputError(f"{where}: can't parse the page as HTML ({err})") from err
    if not isinstance(root, HtmlElement):
        raise InputError(f"{where}: can't parse the page as HTML")
    return root
