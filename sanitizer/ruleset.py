"""The rules chosen for one page: the rule files that apply, in precedence order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lxml.html import HtmlElement

from sanitizer.ruletypes import (
    TIERS,
    AllowRule,
    PhraseRule,
    Replace,
    RuleFile,
    StripRule,
    Transform,
)  # fmt: skip
from sanitizer.selectors import Selector
from sanitizer.stripplan import StripPlan, merged

#: One chosen file: the file, its strip plans (its own, then its rules for this host).
Chosen = tuple[RuleFile, tuple[StripPlan, ...]]


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The rules for one page, most specific first.

    CMS files (`fingerprint`) wait in `pending` until `resolve(root)` has looked at the
    page; the strip stage does that before anything else reads the rules.
    """

    chosen: tuple[Chosen, ...] = ()
    pending: tuple[Chosen, ...] = ()
    host: str = ""

    @classmethod
    def build(cls, picked: Sequence[tuple[RuleFile, StripPlan, list[StripRule]]],
              host: str) -> RuleSet:
        """From (file, plan, the file's rules limited to this host) in precedence order."""
        chosen: list[Chosen] = []
        pending: list[Chosen] = []
        for rule_file, plan, limited in picked:
            plans = (plan, StripPlan.build(limited)) if limited else (plan,)
            (pending if rule_file.is_cms else chosen).append((rule_file, plans))
        return cls(tuple(chosen), tuple(pending), host)

    def resolve(self, root: HtmlElement) -> RuleSet:
        """The CMS files whose fingerprint matches the page join the chosen ones."""
        if not self.pending:
            return self
        matching = [c for c in self.pending if any(sel(root) for sel in c[0].fingerprint)]
        merged = sorted([*self.chosen, *matching], key=lambda c: TIERS.index(c[0].tier))
        return RuleSet(tuple(merged), (), self.host)

    @property
    def files(self) -> tuple[RuleFile, ...]:
        return tuple(f for f, _ in self.chosen)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.path for f in self.files)

    @property
    def disabled(self) -> frozenset[str]:
        """Rule ids switched off by a chosen file's `disable` list."""
        return frozenset().union(*(f.disable for f in self.files))

    @property
    def plans(self) -> tuple[StripPlan, ...]:
        return tuple(plan for _, plans in self.chosen for plan in plans)

    @property
    def strips(self) -> tuple[StripRule, ...]:
        off = self.disabled
        return tuple(r for plan in self.plans for r in plan.rules if r.id not in off)

    @property
    def phrases(self) -> tuple[PhraseRule, ...]:
        off = self.disabled
        return tuple(r for f in self.files for r in f.phrases if r.id not in off)

    @property
    def allows(self) -> tuple[AllowRule, ...]:
        off = self.disabled
        return tuple(r for f in self.files for r in f.allows if r.id not in off)

    @property
    def transforms(self) -> tuple[Transform, ...]:
        off = self.disabled
        return tuple(r for f in self.files for r in f.transforms if r.id not in off)

    @property
    def replaces(self) -> tuple[Replace, ...]:
        off = self.disabled
        return tuple(r for f in self.files for r in f.replaces if r.id not in off)

    @property
    def prune(self) -> bool:
        """Whether extraction may drop navigation and link lists inside the body: the most
        specific file that says decides (ftr-site-config's `prune: no` says no)."""
        return next((f.prune for f in self.files if f.prune is not None), True)

    @property
    def content(self) -> tuple[Selector, ...]:
        """Body selectors of files written for this tool (most specific first)."""
        return tuple(sel for f in self.files if not f.imported for sel in f.content)

    @property
    def imported_content(self) -> tuple[Selector, ...]:
        """Body selectors of imported files (ftr-site-config): often older than the site's
        current markup, so extraction tries them only when its own heuristics find nothing."""
        return tuple(sel for f in self.files if f.imported for sel in f.content)

    def first(self, key: str) -> tuple[tuple[Selector, ...], bool]:
        """The `title` / `author` / `date` / `source_links` selectors of the first file
        that has any (the most specific file decides), and whether that file is imported."""
        return next(((getattr(f, key), f.imported) for f in self.files if getattr(f, key)),
                    ((), False))

    def holds_allowed(self, el: HtmlElement) -> bool:
        """Whether an [[allow]] rule protects the element or one inside it."""
        return any(found is el or el in found.iterancestors()  # an XPath may look further
                   for rule in self.allows for found in rule.match(el))

    def strip_hits(self, root: HtmlElement, scopes: Sequence[HtmlElement] | None = None
                   ) -> Iterator[tuple[StripRule, HtmlElement]]:
        """Every strip rule's matches on the page (or in `scopes`, see StripPlan.hits),
        file by file in precedence order."""
        off = self.disabled
        for plan in merged(self.plans):
            for rule, el in plan.hits(root, scopes):
                if rule.id not in off and (not rule.not_hosts or rule.applies_to(self.host)):
                    yield rule, el
