"""Readability-style content scoring over an lxml tree, for extract.py.

Paragraphs are found with one compiled XPath; those inside hidden elements, navigation
or containers whose class/id says they are boilerplate ("unlikely candidates") are left
out (one memoised walk up the tree); each paragraph then scores its nearest ancestors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

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

_UNLIKELY = re.compile("|".join(map(re.escape, UNLIKELY)), re.I)
_MAYBE = re.compile("|".join(MAYBE), re.I)
_KEEP_TAGS = frozenset({"html", "body", "article", "main"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_PARAGRAPHS = etree.XPath(
    "descendant-or-self::*[self::p or self::pre or self::h2 or self::h3 or self::dd"
    " or self::td[not(.//p)] or self::li[not(.//p)] or self::blockquote[not(.//p)]"
    " or self::div[text()[string-length(normalize-space()) > 25]]"
    " or self::section[text()[string-length(normalize-space()) > 25]]]"
)
_DIRECT_TEXT = etree.XPath("text()")
_LINK_TEXT = etree.XPath("descendant::a")
_COMMAS = re.compile("[,\u060c\u3001\uff0c]")  # Latin, Arabic, ideographic, full-width
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
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    if el.get("role") in HIDING_ROLES or _HIDDEN_STYLE.search(el.get("style", "")):
        return True
    hook = f"{el.get('class', '')} {el.get('id', '')}"
    return (strict and bool(_UNLIKELY.search(hook)) and not _MAYBE.search(hook)
            and el.tag not in _KEEP_TAGS)


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
            text = "".join(_DIRECT_TEXT(el))
        else:
            text = el.text_content()
            if text and link_density(el, len(text)) > MAX_LINK_DENSITY:
                continue
        length = len(" ".join(text.split()))
        if length >= MIN_PARAGRAPH:
            found.append(Scored(el, length, len(_COMMAS.findall(text))))
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


def link_density(el: HtmlElement, length: int | None = None) -> float:
    """Share of the element's text that sits inside links."""
    total = length if length is not None else len(el.text_content())
    if not total:
        return 0.0
    links = sum(len(a.text_content()) for a in _LINK_TEXT(el))
    return min(links / total, 1.0)


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
    chars = len(" ".join(el.text_content().split()))
    if chars > JUNK_MAX_SHARE * article_chars:
        return None
    if is_boilerplate(el):
        return "boilerplate"
    links = _LINK_TEXT(el)
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
