"""The compiled rules of one rule file: what `rules/*.toml` turns into (see rules/README.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from sanitizer.regexwords import WordFilter
from sanitizer.selectors import Selector, TokenPattern
from sanitizer.text import fold

Matcher = Selector | TokenPattern
#: Precedence tiers, first wins (rules/README.md "Precedence").
TIERS = ("user", "site", "cms", "generic", "imported")
Tier = Literal["user", "site", "cms", "generic", "imported"]

_PUNCT_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


def phrase_key(text: str) -> str:
    """How a block's text is compared with a literal phrase: folded, edges trimmed."""
    return _PUNCT_EDGES.sub("", fold(text))


def host_matches(pattern: str, host: str) -> bool:
    """`example.com` covers it and `www.`; `.example.com` (or `*.example.com`) all subdomains."""
    pattern = pattern.lower().removeprefix("*")
    host = host.lower()
    if pattern.startswith("."):
        return host == pattern[1:] or host.endswith(pattern)
    return host == pattern or host == "www." + pattern


@dataclass(frozen=True, slots=True)
class StripRule:
    """Remove elements: by selector or class/id tokens, optionally only when their text matches.

    `hosts` / `not_hosts` narrow a rule of a generic file to some sites (imported
    ad-blocker filters: `example.com##.share`, `~example.com##.share`).
    """

    id: str
    match: Matcher
    text: re.Pattern[str] | None = None
    max_chars: int | None = None
    action: str = "drop"
    why: str = ""
    hosts: tuple[str, ...] = ()
    not_hosts: tuple[str, ...] = ()

    def applies_to(self, host: str) -> bool:
        """Whether the rule's own host limits let it run on `host`."""
        if self.hosts and not any(host_matches(p, host) for p in self.hosts):
            return False
        return not any(host_matches(p, host) for p in self.not_hosts)


@dataclass(frozen=True, slots=True)
class PhraseRule:
    """Remove short blocks whose whole text is a known share-bait phrase."""

    id: str
    literals: frozenset[str] = frozenset()
    regex: re.Pattern[str] | None = None
    scope: str = "node"
    max_chars: int = 120
    why: str = ""
    #: The words a text must hold for `regex` to match it (sanitizer/regexwords.py).
    gate: WordFilter | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.regex is not None and self.gate is None:
            object.__setattr__(self, "gate", WordFilter.of([self.regex]))

    def matches(self, text: str, key: str | None = None, folded: str | None = None) -> bool:
        """True when `text` (a whole block) is this phrase; `key` is its `phrase_key`,
        `folded` its `regexwords.fold_letters`, when the caller has them already."""
        if len(text) > self.max_chars:
            return False
        if self.literals and (key if key is not None else phrase_key(text)) in self.literals:
            return True
        return bool(self.regex and (self.gate is None or self.gate.may_match(text, folded))
                    and self.regex.fullmatch(text.strip()))


@dataclass(frozen=True, slots=True)
class AllowRule:
    """Elements no strip rule may remove."""

    id: str
    match: Selector


@dataclass(frozen=True, slots=True)
class Transform:
    """A declarative change to matching elements, applied before stripping.

    Exactly one of: `unwrap` (keep the content, drop the tag), `rename` (a new tag
    name), `attributes` (lazy-attribute map: copy the value of each key to the
    attribute it names, e.g. `data-lazy-src` -> `src`), `drop_attributes`.
    """

    id: str
    select: Selector
    unwrap: bool = False
    rename: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    drop_attributes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Replace:
    """A literal text replacement in the page's markup, before anything else reads it."""

    id: str
    find: str
    replace: str


@dataclass(frozen=True, slots=True)
class Example:
    """A rule file's own test case: a sample page and what cleaning it must give.

    An example with a `url` and no `sample` names a live page (imported `test_url`s):
    `rules check` lists it as skipped, since checks never use the network.
    """

    sample: str | None
    url: str | None = None
    keeps: tuple[str, ...] = ()
    drops: tuple[str, ...] = ()
    source: str | None = None
    publisher: str | None = None

    @property
    def offline(self) -> bool:
        return self.sample is not None


@dataclass(frozen=True, slots=True)
class RuleFile:
    """One parsed rule file, compiled."""

    path: str
    tier: Tier = "generic"
    hosts: tuple[str, ...] = ()
    urls: tuple[re.Pattern[str], ...] = ()
    fingerprint: tuple[Selector, ...] = ()
    content: tuple[Selector, ...] = ()
    title: tuple[Selector, ...] = ()
    author: tuple[Selector, ...] = ()
    date: tuple[Selector, ...] = ()
    strips: tuple[StripRule, ...] = ()
    phrases: tuple[PhraseRule, ...] = ()
    allows: tuple[AllowRule, ...] = ()
    transforms: tuple[Transform, ...] = ()
    replaces: tuple[Replace, ...] = ()
    source_links: tuple[Selector, ...] = ()
    examples: tuple[Example, ...] = ()
    page_links: tuple[tuple[str, Selector], ...] = field(default=(), repr=False)
    disable: frozenset[str] = frozenset()
    imported: bool = False
    prune: bool | None = None  # False: keep the site body as the rules leave it

    @property
    def is_site(self) -> bool:
        """A file that applies to some hosts or URLs only."""
        return bool(self.hosts or self.urls)

    @property
    def is_cms(self) -> bool:
        """A file that applies to pages its fingerprint matches."""
        return bool(self.fingerprint) and not self.is_site

    def applies_to(self, host: str, url: str = "") -> bool:
        """Whether this site file covers `host` (exact, `.domain`) or `url` (a pattern)."""
        if any(host_matches(pattern, host) for pattern in self.hosts):
            return True
        return bool(url) and any(p.search(url) for p in self.urls)
