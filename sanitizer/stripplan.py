"""Match many [[strip]] rules in a few passes over a page.

An imported ad-blocker list holds thousands of selectors; run one by one they would
walk the tree thousands of times per page. A `StripPlan` compiles a file's rules once:

- CSS made of tags, classes, ids and attribute tests, perhaps under ancestors
  (`div.sharedaddy, #jp-post-flair`, `[id^='taboola-']`, `.author-box .social`), and
  token patterns (`tokens = '(^|-)share'`): matched together in one pass over the page
  by attribute look-ups (sanitizer/cssindex.py);
- other CSS and XPath, when a file has many (`UNION_FROM`): joined into XPath unions
  (`a | b | ...`) arranged as a binary tree, so a page walks the tree once per union
  and descends only into halves that matched something, to name the rule behind each
  hit;

`HostIndex` finds the rules limited to some hosts (`example.com##.share`) for one page
without looking at the others.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree
from lxml.html import HtmlElement

from sanitizer.cssindex import AttributeIndex, Chain, compile_group
from sanitizer.ruletypes import StripRule
from sanitizer.selectors import Selector, TokenPattern

UNION_SIZE = 64
#: Fewer XPath rules than this are run one by one: a hand-written file's rules match on
#: most pages, and descending into unions that match costs more than it saves.
UNION_FROM = 48


@dataclass(frozen=True, slots=True)
class _Union:
    """A union of the XPaths of `members` (rule indexes), with its two halves."""

    xpath: etree.XPath | None
    members: tuple[int, ...]
    halves: tuple[_Union, ...] = ()


@dataclass(frozen=True, slots=True, eq=False)  # eq=False: hashed by identity, for caches
class StripPlan:
    """A file's strip rules compiled for matching together; `hits` gives them in rule order."""

    rules: tuple[StripRule, ...]
    index: AttributeIndex
    unions: tuple[_Union, ...]
    singles: tuple[int, ...]

    @classmethod
    def build(cls, rules: Sequence[StripRule]) -> StripPlan:
        chains: list[tuple[int, Chain]] = []
        xpaths: list[int] = []
        singles: list[int] = []
        patterns: list[tuple[int, TokenPattern]] = []
        for i, rule in enumerate(rules):
            compiled = _chains(rule)
            if compiled:
                chains.extend((i, chain) for chain in compiled)
            elif isinstance(rule.match, TokenPattern):
                patterns.append((i, rule.match))
            elif isinstance(rule.match, Selector):
                xpaths.append(i)
            else:
                singles.append(i)
        if len(xpaths) < UNION_FROM:
            singles, xpaths = sorted(singles + xpaths), []
        chunks = [xpaths[n:n + UNION_SIZE] for n in range(0, len(xpaths), UNION_SIZE)]
        return cls(tuple(rules), AttributeIndex.build(chains, patterns),
                   tuple(_union(rules, chunk) for chunk in chunks), tuple(singles))

    def hits(self, root: HtmlElement, scopes: Sequence[HtmlElement] | None = None
             ) -> list[tuple[StripRule, HtmlElement]]:
        """Every (rule, element) match on the page, or in the subtrees of `scopes` (in
        document order, not nested), in rule order, then document order."""
        found: list[tuple[int, HtmlElement]] = list(self.index.hits(scopes or (root,)))
        xpath_hits: list[tuple[int, HtmlElement]] = []
        for union in self.unions:
            xpath_hits.extend(_union_hits(self.rules, union, root))
        for i in self.singles:
            xpath_hits.extend((i, el) for el in self.rules[i].match(root))
        if scopes:
            within = set(scopes)
            xpath_hits = [(i, el) for i, el in xpath_hits if _under(el, within)]
        found.extend(xpath_hits)
        found.sort(key=lambda hit: hit[0])  # stable: document order within a rule
        return [(self.rules[i], el) for i, el in found]


@lru_cache(maxsize=128)
def merged(plans: tuple[StripPlan, ...]) -> tuple[StripPlan, ...]:
    """The same rules in fewer plans: runs of small plans (hand-written files) become one,
    so a page is walked once for all of them; big plans (imported lists) stay as they are.
    """
    out: list[StripPlan] = []
    run: list[StripPlan] = []
    for plan in (*plans, None):
        if plan is not None and not plan.unions:
            run.append(plan)
            continue
        if run:
            out.append(run[0] if len(run) == 1 else
                       StripPlan.build([rule for p in run for rule in p.rules]))
            run = []
        if plan is not None:
            out.append(plan)
    return tuple(out)


def _under(el: HtmlElement, scopes: set[HtmlElement]) -> bool:
    return el in scopes or any(anc in scopes for anc in el.iterancestors())


def _chains(rule: StripRule) -> list[Chain]:
    """The rule's CSS as chains for the attribute index, when all of it compiles; [] when
    some part needs XPath (the rule then runs as XPath, whole)."""
    if not isinstance(rule.match, Selector) or rule.match.kind != "css":
        return []
    chains, rest = compile_group(rule.match.expr)
    return [] if rest else chains


def _union(rules: Sequence[StripRule], members: Sequence[int]) -> _Union:
    sources = [_source(rules[i]) for i in members]
    try:
        xpath: etree.XPath | None = etree.XPath(" | ".join(sources))
    except etree.XPathSyntaxError:
        xpath = None  # not all members are node-sets: only the leaves are evaluated
    if len(members) == 1:
        return _Union(xpath, tuple(members))
    half = len(members) // 2
    return _Union(xpath, tuple(members),
                  (_union(rules, members[:half]), _union(rules, members[half:])))


def _source(rule: StripRule) -> str:
    assert isinstance(rule.match, Selector)
    return rule.match.xpath_source or rule.match.expr


def _union_hits(rules: Sequence[StripRule], union: _Union,
                root: HtmlElement) -> Iterator[tuple[int, HtmlElement]]:
    if not union.halves:
        yield from ((union.members[0], el) for el in rules[union.members[0]].match(root))
        return
    if union.xpath is not None:
        try:
            if not union.xpath(root):
                return
        except etree.XPathEvalError:
            pass  # a member that is not a node-set: look at the halves
    for half in union.halves:
        yield from _union_hits(rules, half, root)


@dataclass(frozen=True, slots=True)
class HostIndex:
    """Strip rules limited to some hosts, by the registrable suffixes they name."""

    rules: tuple[StripRule, ...]
    by_domain: dict[str, tuple[int, ...]]

    @classmethod
    def build(cls, rules: Sequence[StripRule]) -> HostIndex:
        by_domain: dict[str, list[int]] = {}
        for i, rule in enumerate(rules):
            for pattern in rule.hosts:
                domain = pattern.lower().lstrip("*.").removeprefix("www.")
                by_domain.setdefault(domain, []).append(i)
        return cls(tuple(rules), {k: tuple(v) for k, v in by_domain.items()})

    def for_host(self, host: str) -> list[StripRule]:
        """The rules whose hosts cover `host`, in file order."""
        labels = host.lower().split(".")
        found: set[int] = set()
        for n in range(len(labels)):
            found.update(self.by_domain.get(".".join(labels[n:]), ()))
        return [self.rules[i] for i in sorted(found) if self.rules[i].applies_to(host)]
