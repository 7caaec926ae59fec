"""Stage: find the element holding the article body.

Order: the site's own body selectors, then CMS fingerprints (accepted only when they
hold most of the page's paragraph text), then Readability-style scoring (scoring.py).
The element is returned in place (inside `root`, with its own structure), never copied.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree
from lxml.html import HtmlElement

from sanitizer.document import Document
from sanitizer.scoring import Scored, link_density, paragraphs, rank, score_candidates
from sanitizer.selectors import Selector

#: Class names of the body containers of common CMSs and themes (WordPress, tagDiv,
#: JNews, Drupal, Ghost, Blogger, Medium, Substack, news sites).
CMS_CLASSES = frozenset(
    {"entry-content", "post-content", "post-entry", "postcontent", "post_content",
     "td-post-content", "tdb_single_content", "jeg_post_content", "article-body",
     "article__body", "article-content", "articleBody", "article_body", "article-text",
     "field--name-body", "field-name-body", "gh-content", "post-full-content", "post-body",
     "postArticle-content", "available-content", "story-body", "story-content",
     "c-entry-content", "entry-body", "rich-text", "story__body", "single-post-content",
     "blog-post-content", "markup", "content-inner", "td-post-text-content"}
)  # fmt: skip
#: Ids of CMS body containers.
CMS_IDS = frozenset({"article-body", "articleBody", "article_body", "post-body", "story-body"})
#: Share of the page's paragraph text a CMS body must hold to be trusted.
CMS_MIN_SHARE = 0.6
#: Share of the paragraph text a child must hold to replace its parent.
TIGHTEN_SHARE = 0.95
#: Paragraph text (characters) below which the unlikely-class filter is dropped.
RETRY_BELOW = 500
#: Least paragraph text (characters) of an element worth returning.
MIN_ARTICLE = 140

#: One cheap pass: every element whose class could hold a CMS body name (checked exactly later).
_CMS = etree.XPath(
    "//*[contains(@class, 'content') or contains(@class, 'ody') or contains(@class, 'entry')"
    " or contains(@class, 'text') or contains(@class, 'markup') or @id or @itemprop]"
)
_STOP = frozenset({"html", "body"})


def find_main_content(
    root: HtmlElement, *, selectors: Sequence[Selector] = ()
) -> HtmlElement | None:
    """The element holding the article body, or None when nothing looks like an article."""
    blocks = paragraphs(root)
    if sum(block.length for block in blocks) < RETRY_BELOW:
        blocks = paragraphs(root, strict=False)
    cover = coverage(blocks)
    for selector in selectors:
        for el in selector(root):
            if cover.get(el, 0) >= MIN_ARTICLE or len(el.text_content()) >= MIN_ARTICLE:
                return el
    total = sum(block.length for block in blocks)
    if total < MIN_ARTICLE:
        return None
    found = _cms_body(root, cover, total)
    if found is None:
        found = _best_scored(root, blocks, cover)
    return None if found is None else _guard(_tighten(found, cover), cover)


def coverage(blocks: Sequence[Scored]) -> dict[HtmlElement, int]:
    """Characters of paragraph text inside each element that holds any."""
    cover: dict[HtmlElement, int] = {}
    for block in blocks:
        cover[block.element] = cover.get(block.element, 0) + block.length
        for anc in block.element.iterancestors():
            cover[anc] = cover.get(anc, 0) + block.length
    return cover


def _cms_body(root: HtmlElement, cover: dict[HtmlElement, int], total: int) -> HtmlElement | None:
    """The CMS body container holding most of the paragraph text, if any."""
    best, best_share = None, 0.0
    for el in _CMS(root):
        if not _is_cms_body(el):
            continue
        share = cover.get(el, 0) / total
        if share >= CMS_MIN_SHARE and share > best_share + 0.02:
            best, best_share = el, share
        elif share >= max(CMS_MIN_SHARE, best_share - 0.02) and best in el.iterancestors():
            best = el  # the inner container holds the same text
    return best


def _is_cms_body(el: HtmlElement) -> bool:
    """Whether the element carries a CMS body class, id or itemprop (whole tokens)."""
    if el.tag in _STOP:
        return False
    classes = set((el.get("class") or "").split())
    if "markup" in classes and "body" not in classes:
        return False  # Substack: div.body.markup
    if "content-inner" in classes and not any(
        "jeg_" in (a.get("class") or "") for a in el.iterancestors()
    ):
        return False  # JNews: .jeg_post_content .content-inner
    return bool(
        classes & CMS_CLASSES
        or el.get("id") in CMS_IDS
        or "articleBody" in (el.get("itemprop") or "").split()
    )


def _best_scored(
    root: HtmlElement, blocks: Sequence[Scored], cover: dict[HtmlElement, int]
) -> HtmlElement | None:
    """The best-scoring candidate, widened to its parent when siblings continue the text."""
    ranked = rank(score_candidates(blocks, root))
    if not ranked:
        return None
    score, top = ranked[0]
    top = _shared_ancestor(top, score, ranked)
    top = _join_split(top, score, ranked, cover)
    return _with_siblings(top, score, dict((el, s) for s, el in ranked), cover)


def _shared_ancestor(
    top: HtmlElement, score: float, ranked: list[tuple[float, HtmlElement]]
) -> HtmlElement:
    """An ancestor of `top` that also holds 3+ near-best candidates (Readability)."""
    close = [el for s, el in ranked[1:6] if s >= 0.75 * score and top not in el.iterancestors()]
    if len(close) < 3:
        return top
    for anc in top.iterancestors():
        if anc.tag in _STOP:
            break
        if sum(1 for el in close if anc in el.iterancestors()) >= 3:
            return anc
    return top


def _join_split(
    top: HtmlElement, score: float, ranked: list[tuple[float, HtmlElement]],
    cover: dict[HtmlElement, int],
) -> HtmlElement:
    """The common ancestor of `top` and another strong, separate candidate, when it is
    mostly paragraph text (an article split across sibling containers)."""
    above = list(top.iterancestors())
    for other_score, other in ranked[1:6]:
        if other_score < 0.25 * score or other in above or top in other.iterancestors():
            continue
        common = next((a for a in other.iterancestors() if a in above), None)
        if common is None or common.tag in _STOP:
            continue
        if cover.get(common, 0) >= 0.6 * len(common.text_content()) and link_density(common) < 0.3:
            return common
    return top


def _with_siblings(
    top: HtmlElement, score: float, ranked: dict[HtmlElement, float], cover: dict[HtmlElement, int]
) -> HtmlElement:
    """The parent of `top` when its siblings carry article text and little else."""
    parent = top.getparent()
    if parent is None or parent.tag in _STOP:
        return top
    threshold = max(10.0, score * 0.2)
    good = cover.get(top, 0)
    for sib in parent.iterchildren(tag=etree.Element):
        if sib is top:
            continue
        if ranked.get(sib, 0.0) >= threshold or (
            cover.get(sib, 0) >= 80 and link_density(sib) < 0.25 and sib.tag in ("p", "div")
        ):
            good += cover.get(sib, 0)
    if good > cover.get(top, 0) * 1.15 and good >= 0.8 * cover.get(parent, 0):
        return parent
    return top


def _tighten(found: HtmlElement, cover: dict[HtmlElement, int]) -> HtmlElement:
    """The innermost descendant that still holds nearly all of `found`'s paragraph text."""
    own = cover.get(found, 0)
    while True:
        inner = max(found.iterchildren(tag=etree.Element), key=lambda c: cover.get(c, 0),
                    default=None)
        if inner is None or cover.get(inner, 0) < TIGHTEN_SHARE * own or inner.tag == "p":
            return found
        found = inner


def _guard(found: HtmlElement, cover: dict[HtmlElement, int]) -> HtmlElement:
    """An ancestor instead, when `found` holds a small part of a clearly longer text."""
    own = cover.get(found, 0)
    chain = [a for a in found.iterancestors() if a.tag not in _STOP]
    for anc in chain:
        more = cover.get(anc, 0)
        if more >= 2.5 * own and more - own >= 1000 and link_density(anc) < 0.3:
            return _guard(anc, cover)
    return found


def extract_content(doc: Document, rules: object) -> Document:
    """Stage: find the article element."""
    ruleset = getattr(doc, "ruleset", None)
    selectors = getattr(ruleset, "content", ()) if ruleset is not None else ()
    found = find_main_content(doc.root, selectors=selectors)
    return doc.replace(article=found)
