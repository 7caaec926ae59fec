"""Stage: find the element holding the article body.

Order: the site's own body selectors, then CMS fingerprints (accepted only when they
hold most of the page's paragraph text), then Readability-style scoring (scoring.py).
The element is returned in place (inside `root`, with its own structure), never copied.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from lxml import etree
from lxml.html import HtmlElement

from sanitizer.credits import CreditRules, compile_credit_rules
from sanitizer.document import Document, Removal
from sanitizer.rulebook import Rulebook
from sanitizer.scoring import (
    PRUNABLE,
    Scored,
    junk_reason,
    link_density,
    paragraphs,
    rank,
    score_candidates,
    squashed_text,
)
from sanitizer.selectors import Selector
from sanitizer.text import visible_text

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
#: Credit lines are short; longer blocks are not checked for credit phrases.
CREDIT_MAX_CHARS = 640
REMOVAL_EXCERPT = 300

_STOP = frozenset({"html", "body"})


def find_main_content(
    root: HtmlElement, *, selectors: Sequence[Selector] = (),
    fallback: Sequence[Selector] = (),
) -> HtmlElement | None:
    """The element holding the article body, or None when nothing looks like an article.

    `selectors` (site rules) come first; `fallback` selectors (imported rules) only when
    the heuristics find nothing.
    """
    blocks = paragraphs(root)
    if sum(block.length for block in blocks) < RETRY_BELOW:
        blocks = paragraphs(root, strict=False)
    cover = coverage(blocks)
    for selector in selectors:
        for el in selector(root):
            if cover.get(el, 0) >= MIN_ARTICLE or len(el.text_content()) >= MIN_ARTICLE:
                return el
    total = sum(block.length for block in blocks)
    found = None
    if total >= MIN_ARTICLE:
        prose = [b for b in blocks if not _in_list(b.element)]
        found = _cms_body(coverage(prose), sum(b.length for b in prose) or total)
        if found is None:
            found = _best_scored(root, blocks, cover)
    if found is not None:
        return _guard(_tighten(found, cover), cover)
    return next((el for selector in fallback for el in selector(root)
                 if len(el.text_content()) >= MIN_ARTICLE), None)


def coverage(blocks: Sequence[Scored]) -> dict[HtmlElement, int]:
    """Characters of paragraph text inside each element that holds any.

    Each block's walk up the tree stops at the first element already seen (whose
    ancestors are all seen); the sums are then passed up from the deepest elements.
    """
    cover: dict[HtmlElement, int] = {}
    parent: dict[HtmlElement, HtmlElement | None] = {}
    downward: list[HtmlElement] = []  # every element after its ancestors
    for block in blocks:
        chain = []
        node: HtmlElement | None = block.element
        while node is not None and node not in cover:
            cover[node] = 0
            chain.append(node)
            parent[node] = node.getparent()
            node = parent[node]
        downward.extend(reversed(chain))
        cover[block.element] += block.length
    for node in reversed(downward):
        up = parent[node]
        if up is not None:
            cover[up] += cover[node]
    return cover


def _in_list(el: HtmlElement) -> bool:
    """Whether a text block is a list item or inside one (teasers, link lists)."""
    return el.tag == "li" or next(el.iterancestors("li"), None) is not None


def _cms_body(cover: dict[HtmlElement, int], total: int) -> HtmlElement | None:
    """The CMS body container holding most of the paragraph text, if any.

    Only elements holding most of the text qualify, so they nest: outermost first.
    """
    chain = [el for el, chars in cover.items()
             if chars >= CMS_MIN_SHARE * total and _is_cms_body(el)]
    chain.sort(key=lambda el: sum(1 for _ in el.iterancestors()))
    best, best_share = None, 0.0
    for el in chain:
        share = cover[el] / total
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


def in_body_junk(article: HtmlElement, is_credit: Callable[[str], bool] = lambda _: False
                 ) -> list[tuple[str, HtmlElement]]:
    """Containers inside the article that are not its text (outermost only), with why.

    Blocks whose text `is_credit` (a credit line the attribution stage must still see)
    are kept.
    """
    total = len(squashed_text(article))
    found: list[tuple[str, HtmlElement]] = []
    inside = 0  # containers to pass over: those inside the last one found, which follow it
    for el in article.iterdescendants(*PRUNABLE):  # in document order
        if inside:
            inside -= 1
            continue
        reason = junk_reason(el, total)
        if reason and not is_credit(visible_text(el)):
            found.append((reason, el))
            inside = sum(1 for _ in el.iterdescendants(*PRUNABLE))
    return found


@cache
def _credit_phrases(rules: Rulebook) -> CreditRules:
    return compile_credit_rules(rules.attribution)


def _credit_check(rules: object) -> Callable[[str], bool]:
    """Whether a block's text is a credit line, by the rulebook's credit phrases."""
    if not isinstance(rules, Rulebook):
        return lambda _: False
    phrases = tuple(p.regex for p in _credit_phrases(rules).phrases)
    return lambda text: len(text) <= CREDIT_MAX_CHARS and any(p.search(text) for p in phrases)


def locate_article(doc: Document, rules: object) -> Document:
    """Stage: find the article element on the whole page, before anything is stripped
    (the strip stage spares it; extraction then prunes it)."""
    return doc.replace(article=_find(doc))


def _find(doc: Document) -> HtmlElement | None:
    ruleset = doc.ruleset
    selectors = ruleset.content if ruleset is not None else ()
    fallback = ruleset.imported_content if ruleset is not None else ()
    return find_main_content(doc.root, selectors=selectors, fallback=fallback)


def extract_content(doc: Document, rules: object) -> Document:
    """Stage: the article element (the located one, else found now), without the
    navigation and link lists inside it."""
    found = doc.article if doc.article is not None else _find(doc)
    ruleset = doc.ruleset
    if found is None:
        return doc.replace(article=None)
    if ruleset is not None and not getattr(ruleset, "prune", True):
        return doc.replace(article=found)
    removals = []
    for reason, el in in_body_junk(found, _credit_check(rules)):
        removals.append(Removal(f"extract.{reason}", visible_text(el)[:REMOVAL_EXCERPT]))
        el.drop_tree()
    return doc.replace(article=found).removed(*removals)
