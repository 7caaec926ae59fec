"""Many CSS selectors matched in one pass over a page, by attribute look-ups.

cssselect turns each selector into an XPath that walks the whole tree, and a page's
strip rules hold dozens of them. Most are compounds of a tag, classes, an id and
attribute tests, perhaps under an ancestor (`.author-box .social`, `ul > li.share`).
`compile_group` reads that subset of CSS into `Chain`s, predicates over an element's
attributes and ancestors. An `AttributeIndex` files each chain under one of its
conditions (a class name, an id, an attribute's value), so one pass over the page
reads each element's class and id (and the few other attributes some rule names) and
checks only the chains filed under what it finds. The answers for a value are
remembered: pages repeat their class names.

Selectors outside the subset (pseudo-classes, `:not()`, sibling combinators, a
compound with no attribute test) are left to XPath by the caller.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from lxml import etree
from lxml.html import HtmlElement

from sanitizer.selectors import TokenPattern
from sanitizer.tokenmatch import NameMatcher

#: Distinct attribute values whose answers an index remembers (then it starts over).
VALUE_MEMORY = 50_000
#: Attributes token patterns look at (class names and ids), read on every element.
NAMES = ("class", "id")

_IDENT = r"-?[_a-zA-Z][-\w]*"
_WS = "[ \t\r\n\f]"  # white space to CSS (U+00A0 is a name character)
_TAG = re.compile(r"[a-zA-Z][a-zA-Z0-9]*|\*")
_PART = re.compile(
    rf"\.(?P<cls>{_IDENT})|#(?P<id>{_IDENT})"
    rf"|\[{_WS}*(?P<attr>{_IDENT}){_WS}*(?:(?P<op>[~^$*|]?=){_WS}*"
    r"""(?:"(?P<dq>[^"\\]*)"|'(?P<sq>[^'\\]*)'|(?P<bare>-?[_a-zA-Z][-\w]*))"""
    rf"{_WS}*)?\]")
_COMBINATOR = re.compile(f"{_WS}*(>){_WS}*|{_WS}+")
#: White space to XPath's normalize-space (and so to cssselect's class and `~=` tests).
_XML_SPACE = re.compile("[ \t\r\n]+")


@dataclass(frozen=True, slots=True)
class Condition:
    """One attribute test, with cssselect's meaning: `op` is "" (present), "=", "~="
    (a whitespace-separated word; classes are this), "^=", "$=", "*=" or "|="."""

    attr: str
    op: str = ""
    value: str = ""

    def test(self, value: str | None) -> bool:
        if value is None:
            return False
        want = self.value
        match self.op:
            case "":
                return True
            case "=":
                return value == want
            case "~=":
                return want in words_of(value)
            case "^=":
                return value.startswith(want)
            case "$=":
                return value.endswith(want)
            case "*=":
                return want in value
            case _:  # "|="
                return value == want or value.startswith(want + "-")

    def regex(self) -> str:
        """A regular expression true of the values `test` accepts (for "", "^=", "$=",
        "*=" and "|=": the conditions an index tests one by one)."""
        literal = re.escape(self.value)
        return {"": "", "^=": rf"\A{literal}", "$=": rf"{literal}\Z", "*=": literal,
                "|=": rf"\A{literal}(?:-|\Z)"}[self.op]


@dataclass(frozen=True, slots=True)
class Compound:
    """A tag (or any) with attribute tests: `div.share#bar[data-x^='y']`."""

    tag: str | None
    conditions: tuple[Condition, ...]

    def matches(self, el: HtmlElement) -> bool:
        return (self.tag is None or el.tag == self.tag) and all(
            c.test(el.get(c.attr)) for c in self.conditions)


@dataclass(frozen=True, slots=True)
class Chain:
    """A compound, and the compounds its ancestors must match, nearest first:
    `context` holds (combinator, compound) pairs, ">" for a parent, " " for any ancestor."""

    last: Compound
    context: tuple[tuple[str, Compound], ...] = ()

    def matches(self, el: HtmlElement) -> bool:
        return self.last.matches(el) and self._context_holds(el, 0)

    def _context_holds(self, el: HtmlElement, step: int) -> bool:
        if step == len(self.context):
            return True
        combinator, compound = self.context[step]
        if combinator == ">":
            parent = el.getparent()
            return (parent is not None and compound.matches(parent)
                    and self._context_holds(parent, step + 1))
        return any(compound.matches(anc) and self._context_holds(anc, step + 1)
                   for anc in el.iterancestors())

    @property
    def key(self) -> Condition:
        """The condition to file the chain under: its id, else a class, else the first."""
        conditions = self.last.conditions
        return (next((c for c in conditions if c.attr == "id" and c.op == "="), None)
                or next((c for c in conditions if c.attr == "class" and c.op == "~="), None)
                or conditions[0])


def words_of(value: str) -> list[str]:
    """An attribute value's words as cssselect's XPath sees them (split on XML white
    space only; the tree holds no other ASCII white space, see sanitizer/parse.py)."""
    return value.split() if value.isascii() else _XML_SPACE.split(value.strip(" \t\r\n"))


def compile_group(expr: str) -> tuple[list[Chain], list[str]]:
    """The selectors of a CSS group (`a, b, c`) this module can match, and the rest as
    CSS text for XPath (`[]` when every part compiled)."""
    chains: list[Chain] = []
    rest: list[str] = []
    for part in _split_group(expr):
        chain = _compile_selector(part)
        if chain is None:
            rest.append(part)
        else:
            chains.append(chain)
    return chains, rest


def _split_group(expr: str) -> list[str]:
    """The selectors of a group; commas inside quotes or brackets don't split."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(expr):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(expr[start:i].strip(" \t\r\n\f"))
            start = i + 1
    parts.append(expr[start:].strip(" \t\r\n\f"))
    return [p for p in parts if p]


def _compile_selector(text: str) -> Chain | None:
    """A `Chain` for one selector of the subset, or None."""
    compounds: list[Compound] = []
    combinators: list[str] = []
    pos = 0
    while True:
        compound, pos = _compound_at(text, pos)
        if compound is None:
            return None
        compounds.append(compound)
        if pos == len(text):
            break
        m = _COMBINATOR.match(text, pos)
        if m is None or m.end() == len(text):
            return None
        combinators.append(">" if m.group(1) else " ")
        pos = m.end()
    last = compounds[-1]
    if not last.conditions:
        return None  # nothing to file it under
    context = tuple(zip(reversed(combinators), reversed(compounds[:-1]), strict=True))
    return Chain(last, context)


def _compound_at(text: str, pos: int) -> tuple[Compound | None, int]:
    start, tag = pos, None
    m = _TAG.match(text, pos)
    if m:
        tag = None if m.group() == "*" else m.group().lower()
        pos = m.end()
    conditions: list[Condition] = []
    while (m := _PART.match(text, pos)) is not None:
        condition = _condition(m)
        if condition is None:
            return None, pos
        conditions.append(condition)
        pos = m.end()
    if pos < len(text) and text[pos] not in " \t\r\n\f>":
        return None, pos  # a pseudo-class, an escape, a sibling combinator
    if pos == start:
        return None, pos  # nothing here
    return Compound(tag, tuple(conditions)), pos


def _condition(m: re.Match[str]) -> Condition | None:
    if m["cls"]:
        return Condition("class", "~=", m["cls"])
    if m["id"]:
        return Condition("id", "=", m["id"])
    attr = m["attr"].lower()
    op = m["op"] or ""
    value = next((v for v in (m["dq"], m["sq"], m["bare"]) if v is not None), "")
    if op in ("~=", "^=", "$=", "*=") and (not value or (op == "~=" and " " in value)):
        return None  # never true in cssselect; XPath keeps that meaning
    return Condition(attr, op, value)


#: What a look-up finds: (rule index, chain to verify on the element, or None).
Entry = tuple[int, Chain | None]


@dataclass(frozen=True, slots=True, eq=False)
class AttributeIndex:
    """Chains filed by attribute value, and token patterns (rule index, pattern) that a
    class name or id must satisfy, for `hits`."""

    exact: dict[tuple[str, str], tuple[Entry, ...]]
    words: dict[tuple[str, str], tuple[Entry, ...]]
    tests: dict[str, tuple[tuple[Condition, Entry], ...]]
    names: NameMatcher | None = None  # the token patterns: class names and ids
    #: Attributes read on every element: class, id and those some chain tests on any tag.
    everywhere: tuple[str, ...] = NAMES
    #: Attributes only chains with a tag test (`a[href*=...]`): tag -> attributes.
    on_tags: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Per attribute, true of any value one of its tests might accept.
    _maybe: dict[str, re.Pattern[str]] = field(default_factory=dict)
    _memory: dict[str, dict[str, tuple[Entry, ...]]] = field(default_factory=dict)
    _name_memory: dict[str, tuple[Entry, ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, chains: Sequence[tuple[int, Chain]],
              patterns: Sequence[tuple[int, TokenPattern]] = ()) -> AttributeIndex:
        exact: dict[tuple[str, str], list[Entry]] = {}
        words: dict[tuple[str, str], list[Entry]] = {}
        tests: dict[str, list[tuple[Condition, Entry]]] = {}
        for rule, chain in chains:
            key = chain.key
            entry = (rule, None if chain.last.conditions == (key,) and not chain.context
                     and chain.last.tag is None else chain)
            if key.op == "=":
                exact.setdefault((key.attr, key.value), []).append(entry)
            elif key.op == "~=":
                words.setdefault((key.attr, key.value), []).append(entry)
            else:
                tests.setdefault(key.attr, []).append((key, entry))
        tags: dict[str, set[str | None]] = {}  # attribute -> tags of the chains keyed on it
        for _, chain in chains:
            tags.setdefault(chain.key.attr, set()).add(chain.last.tag)
        on_tags: dict[str, tuple[str, ...]] = {}
        everywhere = list(NAMES)
        for attr, named in sorted(tags.items()):
            if attr in NAMES:
                continue
            if None in named:
                everywhere.append(attr)
            else:
                for tag in sorted(t for t in named if t is not None):
                    on_tags[tag] = (*on_tags.get(tag, ()), attr)
        maybe = {attr: re.compile("|".join(f"(?:{cond.regex()})" for cond, _ in found))
                 for attr, found in tests.items()}
        return cls({k: tuple(v) for k, v in exact.items()},
                   {k: tuple(v) for k, v in words.items()},
                   {k: tuple(v) for k, v in tests.items()},
                   NameMatcher.build(patterns) if patterns else None, tuple(everywhere),
                   on_tags, maybe)

    def hits(self, scopes: Iterable[HtmlElement]) -> Iterator[tuple[int, HtmlElement]]:
        """(rule index, element) for every match in the scopes' subtrees, in order."""
        on_tags, entries_of = self.on_tags, self._entries
        memories = [(attr, self._memory.setdefault(attr, {})) for attr in self.everywhere]
        for el in itertools.chain.from_iterable(s.iter(etree.Element) for s in scopes):
            entries: list[Entry] = []
            for attr, memory in memories:  # the loop every element goes through: lean
                value = el.get(attr)
                if value is not None:
                    found = memory.get(value)
                    entries.extend(entries_of(attr, value) if found is None else found)
            if on_tags and el.tag in on_tags:
                self._read(el, on_tags[el.tag], entries)
            if entries:
                yield from _verified(entries, el)

    def _read(self, el: HtmlElement, attrs: Iterable[str], entries: list[Entry]) -> None:
        for attr in attrs:
            value = el.get(attr)
            if value is not None:
                entries.extend(self._entries(attr, value))

    def _entries(self, attr: str, value: str) -> tuple[Entry, ...]:
        """What an attribute value is filed under (remembered per value)."""
        memory = self._memory.setdefault(attr, {})
        known = memory.get(value)
        if known is not None:
            return known
        if len(memory) >= VALUE_MEMORY:
            memory.clear()
        found: list[Entry] = list(self.exact.get((attr, value), ()))
        words = words_of(value)
        for word in words:
            found.extend(self.words.get((attr, word), ()))
        tests = self.tests.get(attr)
        if tests and self._maybe[attr].search(value):
            found.extend(entry for cond, entry in tests if cond.test(value))
        if self.names is not None and attr in NAMES:
            # class names as TokenPattern splits them; an id is one name (none if empty)
            for name in value.split() if attr == "class" else [value] if value else []:
                found.extend(self._pattern_entries(self.names, name))
        known = tuple(found)
        memory[value] = known
        return known

    def _pattern_entries(self, names: NameMatcher, name: str) -> tuple[Entry, ...]:
        """The token patterns one class name or id satisfies (remembered per name)."""
        known = self._name_memory.get(name)
        if known is None:
            if len(self._name_memory) >= VALUE_MEMORY:
                self._name_memory.clear()
            known = tuple((rule, None) for rule in names.matches(name))
            self._name_memory[name] = known
        return known


def _verified(entries: list[Entry], el: HtmlElement) -> Iterator[tuple[int, HtmlElement]]:
    """Each rule once per element, when one of its chains holds there."""
    done: set[int] = set()
    for rule, chain in entries:
        if rule not in done and (chain is None or chain.matches(el)):
            done.add(rule)
            yield rule, el
