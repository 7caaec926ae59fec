"""Stages that remove share-bait and boilerplate, recording one Removal per hit.

Two passes, as DESIGN.md §2 orders them:

- `strip_structure`, once the article element is located, over it and what source
  detection reads around it (the whole page when there is no article): [[strip]]
  rules (plugin selectors, class/id words, share-intent links). The rest of the page
  is not the output, so it is left as it is.
- `strip_phrases`, after extraction and source detection, inside the article:
  [[phrase]] rules matched against whole short blocks ("Spread it!", "Share this:").

The over-removal guard skips any single hit that would take more than
`Options.guard_share` of the text it is measured against, the located article, or the
element a site's `content` selector names (or one holding either), and says so in a
Finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from lxml.html import HtmlElement

from sanitizer.attribution import nearby
from sanitizer.document import Document, Finding, Removal
from sanitizer.regexwords import fold_letters
from sanitizer.rulebook import PhraseRule, Rulebook, RuleSet, StripRule
from sanitizer.ruletypes import phrase_key
from sanitizer.text import INVISIBLE, tag_of, visible_text

#: Never removed by a strip rule, whatever it matches.
PROTECTED_TAGS = frozenset({"html", "body", "head", "main"})
#: Elements a phrase can be the whole text of.
#: Inline elements: a phrase only when they stand alone in their parent.
INLINE = frozenset({"a", "span", "strong", "b", "em", "i", "small", "label", "font"})
PHRASE_BLOCKS = frozenset({
    "p", "div", "span", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "a", "strong", "b",
    "em", "i", "small", "section", "aside", "header", "footer", "figure", "button", "label",
    "blockquote", "center", "font", "td", "dt", "dd", "nav", "form",
})  # fmt: skip
#: Texts shorter than this are never measured against the guard.
GUARD_FLOOR = 400
REMOVAL_EXCERPT = 300


def strip_structure(doc: Document, rules: Rulebook) -> Document:
    """Stage: the [[strip]] rules in and around the article, sparing the article."""
    ruleset = doc.ruleset or RuleSet()
    hits = list(ruleset.strip_hits(doc.root, _scopes(doc.article)))
    guard = _Guard(doc, ruleset, (el for _, el in hits))
    removals: list[Removal] = []
    findings: list[Finding] = []
    for rule, el in hits:
        if (not _attached(el, doc.root) or tag_of(el) in PROTECTED_TAGS
                or ruleset.holds_allowed(el)):
            continue
        text = visible_text(el)
        if not _rule_accepts(rule, el, text):
            continue
        if guard.refuses(el):
            findings.append(_guard_finding(rule.id, text or describe(el)))
            continue
        removals.append(Removal(rule.id, text[:REMOVAL_EXCERPT] or describe(el)))
        _remove(el, rule.action)
    return doc.removed(*removals).noted(*_unique(findings))


def _scopes(article: HtmlElement | None) -> list[HtmlElement] | None:
    """The article and the elements around it that source detection reads, in document
    order; None (the whole page) when no article was located."""
    if article is None:
        return None
    return sorted([article, *nearby(article)], key=_position)


def _position(el: HtmlElement) -> list[int]:
    """Sibling indexes from the root down to `el`: sorts elements in document order."""
    path = []
    node, parent = el, el.getparent()
    while parent is not None:
        path.append(parent.index(node))
        node, parent = parent, parent.getparent()
    return path[::-1]


class _Guard:
    """What no strip rule may take: the article (the located one, and what the site's
    `content` names), any element holding it, or more than `guard_share` of the page's
    paragraph text."""

    __slots__ = ("budget", "kept")

    def __init__(self, doc: Document, ruleset: RuleSet, hits: Iterable[HtmlElement]) -> None:
        article = {doc.article} if doc.article is not None else set()
        self.kept = _protected(_content_elements(doc.root, ruleset) | article)
        # Measured only when a hit holds enough paragraph text to be refused (removals
        # only shorten what a later hit holds, so the others never will).
        needed = any(_paragraph_chars(el) > GUARD_FLOOR for el in hits)
        self.budget = _paragraph_chars(doc.root) * doc.options.guard_share if needed else 0.0

    def refuses(self, el: HtmlElement) -> bool:
        if el in self.kept:
            return True
        taken = _paragraph_chars(el)
        return taken > GUARD_FLOOR and taken > self.budget


def strip_phrases(doc: Document, rules: Rulebook) -> Document:
    """Stage: remove short blocks of the article that are share-bait phrases."""
    if doc.article is None or doc.ruleset is None or not doc.ruleset.phrases:
        return doc
    phrases = doc.ruleset.phrases
    longest = max(rule.max_chars for rule in phrases)
    longest_literal = max((rule.max_chars for rule in phrases if rule.literals), default=0)
    budget: float | None = None  # the guard's share of the article, measured at first need
    hiding = _holding_invisible(doc.article)
    removals: list[Removal] = []
    findings: list[Finding] = []
    for el in list(_blocks(doc.article, hiding)):
        if not _attached(el, doc.article) or _longer(el, longest, hiding):
            continue
        text = visible_text(el)
        if not text or len(text) > longest:
            continue
        key = phrase_key(text) if len(text) <= longest_literal else ""  # too long for any
        rule = _first_phrase(phrases, text, key)
        if rule is None:
            continue
        doomed = _scope(el, rule, doc.article)
        taken = sum(len(visible_text(d)) for d in doomed)
        if budget is None:  # nothing is removed before the first hit: the article whole
            budget = len(visible_text(doc.article)) * doc.options.guard_share
        if taken > max(budget, GUARD_FLOOR):
            findings.append(_guard_finding(rule.id, text))
            continue
        for victim in doomed:
            removals.append(Removal(rule.id, visible_text(victim)[:REMOVAL_EXCERPT]))
            _remove(victim, "text" if rule.scope == "text_only" else "drop")
    return doc.removed(*removals).noted(*findings)


def _first_phrase(phrases: Sequence[PhraseRule], text: str, key: str) -> PhraseRule | None:
    """The first rule whose phrase the whole of `text` is (`key`: its `phrase_key`)."""
    size = len(text)
    folded = fold_letters(text)  # for the regex rules' word filters, once
    for rule in phrases:
        if size <= rule.max_chars and (key in rule.literals or (
                rule.regex is not None and rule.matches(text, key, folded))):
            return rule
    return None


def describe(el: HtmlElement) -> str:
    """`<div class="a b" id="c">` for an element with no text."""
    attrs = "".join(f' {k}="{el.get(k)}"' for k in ("class", "id", "href") if el.get(k))
    return f"<{tag_of(el)}{attrs}>"[:REMOVAL_EXCERPT]


def _rule_accepts(rule: StripRule, el: HtmlElement, text: str) -> bool:
    if rule.max_chars is not None and len(text) > rule.max_chars:
        return False
    return rule.text is None or bool(rule.text.search(text))


def _scope(el: HtmlElement, rule: PhraseRule, article: HtmlElement) -> list[HtmlElement]:
    """The elements a phrase hit removes: itself, or itself and all that follows it."""
    if rule.scope != "node_and_following":
        return [el]
    doomed = [el]
    node = el
    while node is not article and node.getparent() is not None:
        doomed.extend(node.itersiblings())
        node = node.getparent()
    return doomed


def _blocks(article: HtmlElement, hiding: set[HtmlElement]) -> Iterator[HtmlElement]:
    """Elements that can be a phrase on their own: blocks, and inline elements that are
    the whole text of their parent ("Read the <a>original article</a>." is a sentence)."""
    for el in article.iterdescendants():
        tag = tag_of(el)
        if tag in PHRASE_BLOCKS and (tag not in INLINE or _alone(el, hiding)):
            yield el


def _alone(el: HtmlElement, hiding: set[HtmlElement]) -> bool:
    """Whether an inline element is all the text its parent shows."""
    parent = el.getparent()
    if parent is None:
        return True
    if (parent.text or "").strip() or (el.tail or "").strip():
        return False  # the parent shows words of its own (if it shows anything at all)
    if parent not in hiding and _shown(parent.text_content()) != _shown(el.text_content()):
        return False  # the parent shows more (all text of both is visible)
    return visible_text(parent) == visible_text(el)


def _holding_invisible(article: HtmlElement) -> set[HtmlElement]:
    """Elements of the article with an invisible element (`text.INVISIBLE`) inside."""
    holding: set[HtmlElement] = set()
    for hidden in article.iterdescendants(*INVISIBLE):
        for anc in hidden.iterancestors():
            if anc in holding:
                break
            holding.add(anc)
    return holding


def _longer(el: HtmlElement, limit: int, hiding: set[HtmlElement]) -> bool:
    """Whether the element's visible text surely has more than `limit` characters: all
    its text is visible and more than `limit` of it is not white space."""
    if el in hiding:
        return False
    raw = el.text_content()
    return len(raw) > limit and _shown(raw) > limit


def _shown(text: str) -> int:
    """Characters of `text` that are not white space."""
    return len("".join(text.split()))


def _protected(kept: frozenset[HtmlElement]) -> frozenset[HtmlElement]:
    """Elements kept by a rule, and their ancestors (removing one would take them)."""
    ancestors = {a for el in kept for a in el.iterancestors()}
    return frozenset(kept | ancestors)


def _content_elements(root: HtmlElement, ruleset: RuleSet) -> frozenset[HtmlElement]:
    """The elements the page's `content` selectors name (the first selector that matches)."""
    for selector in ruleset.content:
        found = selector(root)
        if found:
            return frozenset(found)
    return frozenset()


def _unique(findings: list[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))


def _paragraph_chars(el: HtmlElement) -> int:
    """Characters of the paragraphs under `el`: the measure of article-like content."""
    return sum(len(p.text_content()) for p in el.iter("p", "li", "blockquote", "pre"))


def _guard_finding(rule_id: str, text: str) -> Finding:
    return Finding("guard", f"rule {rule_id} skipped: it would remove article text ({text[:80]!r})")


def _attached(el: HtmlElement, root: HtmlElement) -> bool:
    """False once an ancestor was removed (the element is no longer under `root`)."""
    node: HtmlElement | None = el
    while node is not None:
        if node is root:
            return True
        node = node.getparent()
    return False


def _remove(el: HtmlElement, action: str) -> None:
    """`drop` the element, `unwrap` it (keep its content) or take its `text` (keep children)."""
    if action == "text":
        el.text = None
        for child in el:
            child.tail = None
        return
    if el.getparent() is None:
        return
    if action == "unwrap":
        el.drop_tag()
    else:
        el.drop_tree()
