"""How a copy credits its original, read from the page, and the verdict that follows.

`read_credit` gathers the facts (DESIGN.md §4): a link to the original and its `rel`, where
the credit stands (top, bottom, hidden), head metadata pointing at the original, a credit
that names the publisher, a credit to some other page, a licence or republication notice.
`decide` turns them into one verdict, strongest first:

    linked > canonical > credited > upstream > uncredited

The detected source (`doc.source`) says what the page credits; the raw tree (`root`, the
page as parsed, before cleaning) says how: rel, position, visibility.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

from lxml.html import HtmlElement

from sanitizer.document import Document
from sanitizer.text import fold, tag_of, visible_text
from sanitizer.urls import absolute, is_web_url, same_site, url_key

VERDICTS = ("linked", "canonical", "credited", "upstream", "uncredited", "not-a-copy", "error")
#: Verdicts that give the original its due (the credit rate of a site).
CREDITING = frozenset({"linked", "canonical", "credited"})
LINK_RELS = frozenset({"nofollow", "ugc", "sponsored"})
HIDDEN_CLASSES = frozenset({"hidden", "hide", "sr-only", "screen-reader-text", "visually-hidden",
                            "visuallyhidden", "d-none", "invisible"})
_HIDDEN_STYLE = re.compile(r"display:none|visibility:hidden|font-size:0(?![.\d])|opacity:0(?![.\d])"
                           r"|height:0(?![.\d]).*overflow:hidden")
_BLOCKS = ("p", "div", "li", "footer", "aside", "section", "small", "em", "blockquote", "td",
           "span", "h4", "h5", "h6")
_PROSE = ("p", "li", "blockquote", "h2", "h3", "h4", "pre")
CREDIT_CHARS = 320
LICENCE = re.compile(
    r"creative\s+commons|\bcc[\s-]by\b|\b(re-?published|reprinted|reproduced|used)\s+(here\s+)?"
    r"(with\s+(kind\s+)?permission|under|from)\b|\blicen[cs]ed\s+under\b|"
    r"\bsyndicated\s+(by|from|under)\b", re.I)
_EVIDENCE_TEXT = re.compile(r'^credit "(?P<text>.*)" \(')
_TITLE_SPLIT = re.compile(r"\s+[|\-–—:·»]+\s+")


@dataclass(frozen=True, slots=True)
class OriginalRef:
    """What identifies an original: the URLs it is known by and the names it goes by."""

    url: str
    identities: frozenset[str]
    title: str | None = None
    names: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CreditFacts:
    """How one copy credits (or fails to credit) one original."""

    credit_text: str | None = None
    credit_url: str | None = None
    credit_rel: str | None = None
    credit_position: str | None = None
    links_original: bool = False
    links_site: bool = False
    head_pointer: str | None = None
    named: str | None = None
    names_original: bool = False
    other_url: str | None = None
    licence: str | None = None


def read_credit(doc: Document, root: HtmlElement, original: OriginalRef) -> CreditFacts:
    """The credit facts of a copy (`doc` cleaned, `root` as parsed) towards `original`."""
    base = doc.url
    body = root.find("body")
    scope = body if body is not None else root
    anchors = [(a, absolute(a.get("href") or "", base)) for a in scope.iter("a")]
    anchors = [(a, href) for a, href in anchors if is_web_url(href)]
    to_original = [a for a, href in anchors if url_key(href) in original.identities]
    source = doc.source
    named = (source.publisher or source.author) if source else None
    other = source.url if source and source.url and \
        url_key(source.url) not in original.identities else None
    credit_anchor = _pick_credit(to_original)
    if credit_anchor is None and other:
        credit_anchor = next((a for a, href in anchors if url_key(href) == url_key(other)), None)
    article_words = fold(doc.text)
    return CreditFacts(
        credit_text=_credit_text(credit_anchor, source.evidence if source else ()),
        credit_url=_href(credit_anchor, base) or (source.url if source else None),
        credit_rel=_rel(credit_anchor),
        credit_position=_position(credit_anchor, scope, article_words) if credit_anchor
        is not None else _named_position(scope, source.evidence if source else (),
                                         article_words),
        links_original=bool(to_original),
        links_site=bool(other and same_site(other, original.url)),
        head_pointer=_head_pointer(doc, root, original),
        named=named,
        names_original=bool(named and _names_match(named, original.names)),
        other_url=other if other and not same_site(other, original.url) else None,
        licence=_licence(scope),
    )


def decide(facts: CreditFacts, *, upstream_share: float | None = None,
           upstream_error: str | None = None, threshold: float = 0.2
           ) -> tuple[str, tuple[str, ...]]:
    """The verdict for a copy and the reasons for it, from its credit facts.

    `upstream_share` is the share of the original found in the page the copy credits
    instead (None when that page could not be read; `upstream_error` says why).
    """
    where = f" ({facts.credit_position})" if facts.credit_position else ""
    rel = f", rel={facts.credit_rel}" if facts.credit_rel else ""
    if facts.links_original:
        return "linked", (f"links the original{where}{rel}: {facts.credit_text or '(link)'}",)
    if facts.head_pointer:
        return "canonical", (f"points to the original only in metadata: {facts.head_pointer}",)
    if facts.names_original or facts.links_site:
        how = "links the original's site, not the article" if facts.links_site else "no link"
        return "credited", (f'names the original "{facts.named}" ({how}){where}',)
    if facts.other_url:
        if upstream_share is None:
            return "upstream", (f"credits {facts.other_url}, not the original; could not "
                                f"check that page ({upstream_error or 'not read'})",)
        if upstream_share >= threshold:
            return "upstream", (f"credits {facts.other_url}, itself a copy of "
                                f"{upstream_share:.0%} of the original",)
        return "uncredited", (f"credits {facts.other_url}, which does not copy the original "
                              f"({upstream_share:.0%})",)
    if facts.named:
        return "upstream", (f'names "{facts.named}", not the original\'s publisher{where}',)
    return "uncredited", ("no credit, link or metadata pointing to the original",)


def headline_changed(copy_title: str | None, original_title: str | None) -> bool | None:
    """True when the copy's headline differs from the original's (site names ignored)."""
    if not copy_title or not original_title:
        return None
    a, b = _headline(copy_title), _headline(original_title)
    return SequenceMatcher(None, a, b).ratio() < 0.9


def _headline(title: str) -> str:
    parts = _TITLE_SPLIT.split(fold(title))
    return max(parts, key=len).strip(" \"'“”‘’")


def _names_match(named: str, names: frozenset[str]) -> bool:
    key = fold(named).removeprefix("the ")
    return any(key == n or (len(n) >= 4 and (n in key or key in n)) for n in names)


def _pick_credit(links: list[HtmlElement]) -> HtmlElement | None:
    """The link that credits: one standing in a short block, else the first."""
    for a in links:
        block = _block_of(a)
        if block is not None and len(visible_text(block)) <= CREDIT_CHARS:
            return a
    return links[0] if links else None


def _block_of(el: HtmlElement) -> HtmlElement | None:
    return next((p for p in el.iterancestors() if tag_of(p) in _BLOCKS), None)


def _credit_text(anchor: HtmlElement | None, evidence: tuple[str, ...]) -> str | None:
    if anchor is not None:
        block = _block_of(anchor)
        text = visible_text(block if block is not None and
                            len(visible_text(block)) <= CREDIT_CHARS else anchor)
        return text[:200] or "(a link without text)"
    for reason in evidence:
        match = _EVIDENCE_TEXT.match(reason)
        if match:
            return match.group("text")
    return None


def _href(anchor: HtmlElement | None, base: str | None) -> str | None:
    return absolute(anchor.get("href") or "", base) if anchor is not None else None


def _rel(anchor: HtmlElement | None) -> str | None:
    if anchor is None:
        return None
    tokens = [t for t in (anchor.get("rel") or "").lower().split() if t in LINK_RELS]
    return " ".join(sorted(set(tokens))) or None


def is_hidden(el: HtmlElement) -> bool:
    """True when the element or an ancestor is hidden from readers, or it shows no text."""
    for node in (el, *el.iterancestors()):
        style = re.sub(r"\s+", "", (node.get("style") or "").lower())
        classes = set((node.get("class") or "").lower().split())
        if (node.get("hidden") is not None or node.get("aria-hidden") == "true"
                or _HIDDEN_STYLE.search(style) or classes & HIDDEN_CLASSES
                or tag_of(node) in ("noscript", "template")):
            return True
    return not visible_text(el) and el.find(".//img") is None


def _position(el: HtmlElement, scope: HtmlElement, article_words: str) -> str:
    """top, bottom or hidden: where `el` stands against the copied article's prose."""
    if is_hidden(el):
        return "hidden"
    order = {node: i for i, node in enumerate(scope.iter())}
    prose = [order[p] for p in _article_prose(scope, article_words)]
    here = order.get(el, 0)
    if not prose:
        return "top" if here < len(order) / 2 else "bottom"
    return "top" if here < (prose[0] + prose[-1]) / 2 else "bottom"


def _article_prose(scope: HtmlElement, article_words: str) -> Iterator[HtmlElement]:
    """Paragraphs of the page whose text is in the cleaned article."""
    for p in scope.iter(*_PROSE):
        text = fold(visible_text(p))
        if len(text) >= 40 and text in article_words:
            yield p


def _named_position(scope: HtmlElement, evidence: tuple[str, ...], article_words: str
                    ) -> str | None:
    text = _credit_text(None, evidence)
    if not text:
        return None
    key = fold(text)[:60]
    for el in scope.iter(*_BLOCKS):
        if fold(visible_text(el)).startswith(key):
            return _position(el, scope, article_words)
    return None


def _head_pointer(doc: Document, root: HtmlElement, original: OriginalRef) -> str | None:
    """"canonical URL" (or og:url, original-source, JSON-LD) when it names the original."""
    pointers = [("rel=canonical", doc.metadata.canonical), ("og:url", doc.metadata.og_url)]
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or "").lower()
        if key in ("original-source", "syndication-source", "dc.source"):
            pointers.append((key, absolute(meta.get("content") or "", doc.url)))
    if doc.source and doc.source.url:
        pointers += [("JSON-LD isBasedOn", doc.source.url) for reason in doc.source.evidence
                     if reason.startswith("JSON-LD")]
    for kind, url in pointers:
        if url and url_key(url) in original.identities:
            return f"{kind} {url}"
    return None


def _licence(scope: HtmlElement) -> str | None:
    """A licence or republication notice: rel=license, a Creative Commons link, or words."""
    for a in scope.iter("a"):
        if "license" in (a.get("rel") or "").lower().split() or \
                "creativecommons.org" in (a.get("href") or ""):
            block = _block_of(a)
            return visible_text(block if block is not None else a)[:200] or a.get("href")
    for el in scope.iter("p", "small", "footer", "em", "div"):
        text = visible_text(el)
        if len(text) <= CREDIT_CHARS and LICENCE.search(text):
            return text[:200]
    return None
