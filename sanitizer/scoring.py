"""Readability-style content scoring over an lxml tree, for extract.py.

Paragraphs are found with one compiled XPath; those inside hidden elements, navigation
or containers whose class/id says they are boilerplate ("unlikely candidates") are left
out (one memoised walk up the tree); each paragraph then scores its nearest ancestors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree
from lxml.html import HtmlElement

#: class/id words of containers that are not the article (Readability's list, extended).
UNLIKELY = ("-ad-", "banner", "breadcrumb", "combx", "comment", "community", "cover-wrap",
            "disqus", "extra", "footer", "gdpr", "legends", "menu", "related", "remark",
            "replies", "rss", "shoutbox", "sidebar", "skyscraper", "social", "sponsor",
            "supplemental", "ad-break", "agegate", "pagination", "pager", "popup", "share",
            "newsletter", "subscribe", "promo", "outbrain", "taboola", "cookie", "modal",
            "signup", "recommend", "trending", "most-popular", "author-bio", "navbar",
            "next-prev", "prev-next", "nextprev", "prevnext", "post-nav")  # fmt: skip
#: class/id words that rescue an "unlikely" container.
MAYBE = ("and", "article", "body", "column", "content", "main", "shadow", "post", "entry", "story")
#: Tags whose content is never the article (and `p`: no paragraph inside a paragraph).
NON_CONTENT_TAGS = frozenset({"nav", "aside", "footer", "dialog", "menu", "select", "noscript",
                              "template", "script", "style", "svg", "button", "p"})  # fmt: skip
HIDING_ROLES = ("navigation", "menu", "menubar", "complementary", "dialog", "alertdialog", "alert")

POSITIVE = re.compile(r"article|body|content|entry|hentry|h-entry|main|page|post|text|blog|story"
                      r"|prose|markup", re.I)  # fmt: skip
NEGATIVE = re.compile(r"-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|foot"
                      r"|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox"
                      r"|sidebar|skyscraper|sponsor|shopping|tags|tool|widget|teaser|byline"
                      r"|caption|author|nav|menu|subscribe|newsletter", re.I)  # fmt: skip
TAG_BONUS = {"div": 5, "article": 8, "main": 5, "section": 3, "pre": 3, "td": 3,
             "blockquote": 3, "address": -3, "ol": -3, "ul": -3, "dl": -3, "dd": -3,
             "dt": -3, "li": -3, "form": -3, "h1": -5, "h2": -5, "h3": -5, "h4": -5,
             "h5": -5, "h6": -5, "th": -5, "header": -5}  # fmt: skip
MIN_PARAGRAPH = 25
#: Blocks whose text is mostly link text (teasers, menus) do not count as paragraphs.
MAX_LINK_DENSITY = 0.5


def _any_of(words: Iterable[str]) -> str:
    """A regex for any of `words`, factored by shared prefixes ("co(?:mbx|okie|...)"):
    `re` tries every branch at every position, so fewer branches search much faster."""
    tails: dict[str, list[str]] = {}
    for word in words:
        tails.setdefault(word[:1], []).append(word[1:])
    branches = [re.escape(head) + _any_of(rest) for head, rest in sorted(tails.items()) if head]
    if "" in tails:  # a word ends here
        return f"(?:{'|'.join(branches)})?" if branches else ""
    return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"


_UNLIKELY = re.compile(_any_of(UNLIKELY), re.I)
#: The same for lower-case ASCII text: without re.I it searches several times faster.
_UNLIKELY_LOWER = re.compile(_any_of(UNLIKELY))
_MAYBE = re.compile("|".join(MAYBE), re.I)
_KEEP_TAGS = frozenset({"html", "body", "article", "main"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
#: Candidate text blocks, with a necessary condition on their length checked in C: XPath's
#: normalize-space squashes fewer characters than str.split, so its length is never shorter.
#: (A union of one step per tag: much faster in libxml2 than one step with `self::` tests.)
_LONG = f"[string-length(normalize-space()) >= {MIN_PARAGRAPH}]"
_PARAGRAPHS = etree.XPath(" | ".join(
    [f"descendant-or-self::{tag}{_LONG}" for tag in ("p", "pre", "h2", "h3", "dd")]
    + [f"descendant-or-self::{tag}{_LONG}[not(.//p)]" for tag in ("td", "li", "blockquote")]
    + [f"descendant-or-self::{tag}[text()[string-length(normalize-space()) > 25]]"
       for tag in ("div", "section")]
))
_DIRECT_TEXT = etree.XPath("text()")
_LINKS = etree.XPath("descendant::a")
_LINK_TEXTS = etree.XPath("descendant::a//text()", smart_strings=False)
_NESTED_LINK = etree.XPath("boolean(descendant::a//a)")
_LENGTH = etree.XPath("string-length()")
_SQUASHED = etree.XPath("normalize-space()", smart_strings=False)
_COMMAS = ",\u060c\u3001\uff0c"  # Latin, Arabic, ideographic, full-width
_MINOR_BLOCKS = frozenset({"h2", "h3", "li", "dd"})
_STOP_TAGS = frozenset({"html"})


@dataclass(slots=True)
class Scored:
    """A paragraph's text length, for guards and coverage checks."""

    element: HtmlElement
    length: int
    commas: int


def is_boilerplate(el: HtmlElement, strict: bool = True) -> bool:
    """Whether the element itself is navigation, hidden, or an "unlikely" container."""
    if el.tag in NON_CONTENT_TAGS:
        return True
    if not el.attrib:
        return False
    get = el.get
    if get("hidden") is not None or get("aria-hidden") == "true" or get("role") in HIDING_ROLES:
        return True
    style = get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    return strict and el.tag not in _KEEP_TAGS and _unlikely(f"{get('class', '')} {get('id', '')}")


@lru_cache(maxsize=4096)
def _unlikely(hook: str) -> bool:
    """Whether class/id words say "unlikely" and no word rescues them (pages repeat them)."""
    found = _UNLIKELY_LOWER.search(hook.lower()) if hook.isascii() else _UNLIKELY.search(hook)
    return bool(found) and not _MAYBE.search(hook)


def _inside_boilerplate(el: HtmlElement, memo: dict[HtmlElement, bool], strict: bool) -> bool:
    """Whether the element or an ancestor is boilerplate (memoised per ancestor)."""
    path = []
    node = el.getparent()
    verdict = False
    while node is not None:
        if node in memo:
            verdict = memo[node]
            break
        path.append(node)
        if is_boilerplate(node, strict):
            verdict = True
            break
        node = node.getparent()
    for seen in path:
        memo[seen] = verdict
    return verdict


def paragraphs(root: HtmlElement, *, strict: bool = True) -> list[Scored]:
    """Text blocks of the page outside boilerplate containers, with their text length.

    With `strict=False` "unlikely" class/id words are ignored (Readability's retry when
    the strict pass finds too little); hidden and navigation elements stay out.
    """
    found = []
    memo: dict[HtmlElement, bool] = {}
    for el in _PARAGRAPHS(root):
        if (el.tag != "p" and is_boilerplate(el, strict)) or _inside_boilerplate(el, memo, strict):
            continue
        if el.tag in ("div", "section"):
            text = " ".join("".join(_DIRECT_TEXT(el)).split())
        elif len(el) and link_density(el) > MAX_LINK_DENSITY:  # no children: no links
            continue
        else:
            text = squashed_text(el)
        if len(text) >= MIN_PARAGRAPH:
            found.append(Scored(el, len(text), sum(map(text.count, _COMMAS))))
    return found


def class_weight(el: HtmlElement) -> int:
    """+25 / -25 for positive / negative class and id words (Readability)."""
    weight = 0
    for hook in (el.get("class"), el.get("id")):
        if hook:
            weight -= 25 if NEGATIVE.search(hook) else 0
            weight += 25 if POSITIVE.search(hook) else 0
    return weight


def score_candidates(blocks: Iterable[Scored], root: HtmlElement) -> dict[HtmlElement, float]:
    """Raw content scores of the ancestors of every text block."""
    scores: dict[HtmlElement, float] = {}
    for block in blocks:
        el = block.element
        points = 1 + block.commas + min(block.length // 100, 3)
        if el.tag in _MINOR_BLOCKS:
            continue
        own = el if el.tag in ("div", "section") else el.getparent()
        level = 0
        while own is not None and level < 5:
            if own.tag in _STOP_TAGS or own is root.getparent():
                break
            if own not in scores:
                scores[own] = TAG_BONUS.get(own.tag, 0) + class_weight(own)
            scores[own] += points / (1 if level == 0 else 2 if level == 1 else level * 3)
            own = own.getparent()
            level += 1
    return scores


def squashed_text(el: HtmlElement) -> str:
    """The element's text with white space squashed: `" ".join(el.text_content().split())`.

    XPath's normalize-space squashes XML's four white-space characters in C; the only
    printable white space is the plain space, so a printable result is final.
    """
    text = _SQUASHED(el)
    return text if text.isprintable() else " ".join(text.split())


def link_density(el: HtmlElement) -> float:
    """Share of the element's text that sits inside links."""
    links = link_chars(el)
    return min(links / int(_LENGTH(el)), 1.0) if links else 0.0


def link_chars(el: HtmlElement) -> int:
    """Characters of the text of the element's links, each link counted whole (so the text
    of a link inside a link counts twice); one XPath for the text when links don't nest."""
    texts = _LINK_TEXTS(el)
    if texts and _NESTED_LINK(el):
        return sum(len(a.text_content()) for a in _LINKS(el))
    return sum(map(len, texts))


#: Containers the in-body pass may drop whole (never a paragraph or a heading).
PRUNABLE = frozenset({"div", "section", "ul", "ol", "dl", "table", "aside", "nav", "footer",
                      "header", "form", "menu", "dialog", "details", "center"})  # fmt: skip
#: A block holding more than this share of the article's text is never junk.
JUNK_MAX_SHARE = 0.35
#: Links a block needs before its link density can make it junk (a credit has one or two).
JUNK_MIN_LINKS = 3
JUNK_LINK_DENSITY = 0.5
#: Mean link text of a teaser list (headlines); tables of contents and references are shorter.
TEASER_LINK_CHARS = 30


def junk_reason(el: HtmlElement, article_chars: int) -> str | None:
    """Why a container inside the article is not article text, or None.

    "boilerplate": navigation, hidden, or an unlikely class/id (as for scoring);
    "link-list": three or more links making most of its text (related, most read).
    """
    if el.tag not in PRUNABLE or "attribution" in (el.get("class") or "").split():
        return None
    chars = len(squashed_text(el))
    if chars > JUNK_MAX_SHARE * article_chars:
        return None
    if is_boilerplate(el):
        return "boilerplate"
    links = _LINKS(el)
    if len(links) >= JUNK_MIN_LINKS and chars:
        linked = len(" ".join(" ".join(a.text_content() for a in links).split()))
        if linked / chars > JUNK_LINK_DENSITY and linked / len(links) >= TEASER_LINK_CHARS:
            return "link-list"
    return None


def rank(scores: dict[HtmlElement, float], keep: int = 12) -> list[tuple[float, HtmlElement]]:
    """The best candidates by score corrected for link density, best first."""
    rough = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:keep]
    final = [(score * (1 - link_density(el)), el) for el, score in rough]
    final.sort(key=lambda item: item[0], reverse=True)
    return final
