"""Stage: make the article stand alone: absolute URLs, real image sources, no trackers.

- relative links and image sources made absolute against the page URL;
- lazy images: `data-src`, `data-lazy-src`, `data-srcset` ... moved to `src`/`srcset`;
- tracking pixels (1x1 images, known beacon hosts) removed;
- `utm_*`, `fbclid` and other tracking parameters removed from links;
- `rel="noopener noreferrer"` on links to other sites (and `nofollow ugc` on request);
- elements left empty by the strip stages removed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml.html import HtmlElement

from sanitizer.document import Document, Removal
from sanitizer.rulebook import Rulebook
from sanitizer.text import tag_of
from sanitizer.urls import absolute, is_web_url, same_site, without_tracking

LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url",
            "data-hi-res-src", "data-full-src", "data-orig-file", "data-medium-file")
LAZY_SRCSET = ("data-srcset", "data-lazy-srcset", "data-original-set")
PLACEHOLDER_SRC = re.compile(r"^data:|placeholder|blank\.(gif|png)|spacer|lazy|grey\.gif|"
                             r"transparent\.(gif|png)|1x1", re.I)
TRACKER_SRC = re.compile(
    r"(pixel|beacon|tracking|tracker|/b\.gif|/p\.gif|/t\.gif|/spacer\.gif|facebook\.com/tr|"
    r"doubleclick\.net|google-analytics\.com|googletagmanager|quantserve\.com|scorecardresearch|"
    r"stats\.wp\.com|pixel\.wp\.com|/count\.gif|counter\.|feedburner\.com/~r|feeds\.feedburner)",
    re.I,
)
URL_ATTRS = {"a": ("href",), "img": ("src",), "source": ("src",), "blockquote": ("cite",),
             "q": ("cite",), "del": ("cite",), "ins": ("cite",)}
#: Elements kept even when they hold no text.
CONTENT_VOIDS = frozenset({"img", "picture", "source", "br", "hr", "video", "audio", "iframe",
                           "td", "th", "tr", "col", "colgroup", "table", "tbody", "thead"})
#: Characters an lxml attribute value may not hold; browsers drop them from URLs anyway.
XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
#: Characters the URL parser removes from anywhere in a URL.
URL_IGNORED = re.compile("[\t\n\r]")
EXTERNAL_REL = "noopener noreferrer"
UNTRUSTED_REL = "nofollow ugc"


def normalize(doc: Document, rules: Rulebook) -> Document:
    """Stage: normalise links, images and leftovers of the article (for text output,
    `Options.text_only`, all but the links and addresses, which the text doesn't show)."""
    if doc.article is None:
        return doc
    removals: list[Removal] = []
    _drop_unsafe_subtrees(doc.article, rules.allowlist.get("drop_with_content", ()))
    for img in list(doc.article.iter("img")):
        _unlazy(img)
        if _is_tracker(img):
            removals.append(Removal("normalize.tracking-pixel", img.get("src") or ""))
            img.drop_tree()
    if not doc.options.text_only:
        _links_and_addresses(doc.article, doc.url, nofollow=doc.options.nofollow)
    _drop_empty(doc.article)
    return doc.removed(*removals)


def _links_and_addresses(article: HtmlElement, url: str | None, *, nofollow: bool) -> None:
    """Absolute URLs without trackers, and `rel` on every link."""
    for el in article.iter():
        for attr in URL_ATTRS.get(tag_of(el), ()):
            if el.get(attr):
                _set(el, attr, without_tracking(absolute(_url_text(el.get(attr)), url)))
        if el.get("srcset") is not None:
            srcset = _absolute_srcset(_xml_safe(el.get("srcset") or ""), url)
            if srcset:
                _set(el, "srcset", srcset)
            else:
                del el.attrib["srcset"]
    for link in article.iter("a"):
        _set_rel(link, url, nofollow=nofollow)


def _xml_safe(value: str) -> str:
    """`value` without the control characters lxml refuses (and URL parsers ignore)."""
    return XML_INCOMPATIBLE.sub("", value)


def _url_text(value: str) -> str:
    """A URL attribute as a browser's URL parser reads it: tabs and newlines removed anywhere,
    C0 controls and spaces trimmed at both ends (so `jav&#9;ascript:` is `javascript:`)."""
    return _xml_safe(URL_IGNORED.sub("", value)).strip(" \x0c")


def _set(el: HtmlElement, name: str, value: str) -> None:
    """Set an attribute; a value lxml still refuses is removed rather than crash the page."""
    try:
        el.set(name, _xml_safe(value))
    except ValueError:
        el.attrib.pop(name, None)


def _drop_unsafe_subtrees(article: HtmlElement, tags: Sequence[str]) -> None:
    """Remove what the sanitiser would drop with its content (rules/allowlist.toml's
    `drop_with_content`), so emptiness is judged right and the text is what it keeps.

    (sanitize.py still drops them: this is for layout, not for safety.)
    """
    for el in list(article.iter(*tags)) if tags else ():
        if el.getparent() is not None:
            el.drop_tree()


def _unlazy(img: HtmlElement) -> None:
    src = img.get("src") or ""
    lazy = next((img.get(a) for a in LAZY_SRC if img.get(a)), None)
    if lazy and (not src or PLACEHOLDER_SRC.search(src)):
        _set(img, "src", lazy)
    lazy_set = next((img.get(a) for a in LAZY_SRCSET if img.get(a)), None)
    if lazy_set:
        _set(img, "srcset", lazy_set)


def _is_tracker(img: HtmlElement) -> bool:
    src = img.get("src") or ""
    if not src:
        return not img.get("srcset")  # an image with no source at all shows nothing
    tiny = all(_pixels(img.get(dim)) in (0, 1, 2) for dim in ("width", "height"))
    return tiny or bool(TRACKER_SRC.search(src))


def _pixels(value: str | None) -> int | None:
    if value is None:
        return None
    digits = re.match(r"\s*(\d+)", value)
    return int(digits.group(1)) if digits else None


def _absolute_srcset(srcset: str, base: str | None) -> str:
    """`srcset` with absolute candidate URLs; candidates that are not web URLs are dropped.

    (nh3 checks the schemes of `src` and `href`, not of `srcset` candidates.)
    """
    items = []
    for item in srcset.split(","):
        parts = item.strip().split()
        if parts:
            parts[0] = absolute(parts[0], base)
            if _web_or_relative(parts[0]):
                items.append(" ".join(parts))
    return ", ".join(items)


def _web_or_relative(url: str) -> bool:
    """True for an http(s) URL, or a relative one (no scheme) when there is no base."""
    scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", re.sub(r"[\x00-\x20]", "", url))
    return is_web_url(url) or scheme is None


def _set_rel(link: HtmlElement, page_url: str | None, *, nofollow: bool) -> None:
    href = link.get("href") or ""
    if not is_web_url(href) or (page_url and same_site(href, page_url)):
        return
    rel = EXTERNAL_REL + (" " + UNTRUSTED_REL if nofollow else "")
    old = (link.get("rel") or "").split()
    kept = [r for r in old if r.lower() in {"nofollow", "ugc", "sponsored", "author", "license"}]
    _set(link, "rel", " ".join(dict.fromkeys([*rel.split(), *kept])))


def _drop_empty(article: HtmlElement) -> None:
    """Remove elements the strips left with no text and nothing to show (innermost first);
    one holding only white space leaves it, so the words around it stay apart."""
    for el in reversed(list(article.iterdescendants())):
        tag = tag_of(el)
        if not tag or tag in CONTENT_VOIDS or el.getparent() is None:
            continue
        if (el.text or "").strip() or len(el):
            continue
        if el.text:
            el.drop_tag()
        else:
            el.drop_tree()
