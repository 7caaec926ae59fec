"""Class names and ids tested against many token patterns at once, by set look-ups.

A token pattern (`tokens = '(^|[-_])(share|sharing)([-_]|$)'` in a rule file) is a
regular expression over one class name or id. A page has hundreds of distinct names
and the rules a dozen patterns, each a few microseconds to search: that was most of
the strip stage's time. Most patterns are word lists in one of three shapes:

- `(^|[-_])(words)([-_]|$)`: a run of the name's `-`/`_`-separated parts is a word;
- `^(words)$`: the whole name is a word, or starts with a `prefix.*` one;
- `^(words)[-_]`: the name starts with a word, then a separator.

`NameMatcher` reads those shapes (a small subset of regex: literals, groups, `|`, `?`,
`^`, `$`, `[-_]`, a trailing `.*`), lists every word they accept, and answers a name
with a few dictionary look-ups. A pattern outside the subset, and a name that is not
ASCII (where lower-casing and `re.I` may differ), are searched with the regex itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sanitizer.selectors import TokenPattern

#: Most words one pattern may expand to before it is searched as a regex instead.
MAX_WORDS = 4096
_SEPARATORS = "-_"
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


class _Unsupported(ValueError):
    """The pattern is outside the subset; it is searched as a regex."""


@dataclass(frozen=True, slots=True)
class _Words:
    """What a group accepts: whole words, and `prefix.*` words."""

    exact: frozenset[str]
    prefixes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class NameMatcher:
    """Which of some token patterns (given as (rule, pattern) pairs) a name satisfies."""

    runs: dict[str, tuple[int, ...]]  # a run of parts is this word
    wholes: dict[str, tuple[int, ...]]  # the whole name is this word
    whole_prefixes: tuple[tuple[str, int], ...]  # the whole name starts with this
    leads: dict[str, tuple[int, ...]]  # the name starts with this word and a separator
    searched: tuple[tuple[int, TokenPattern], ...]  # outside the subset
    patterns: dict[int, TokenPattern]
    longest_run: int = 0
    prefix_starts: tuple[str, ...] = ()  # the prefixes of `whole_prefixes`, for one test
    heads: frozenset[str] = frozenset()  # first parts of the `runs` and `leads` words

    @classmethod
    def build(cls, patterns: Sequence[tuple[int, TokenPattern]]) -> NameMatcher:
        runs: dict[str, list[int]] = {}
        wholes: dict[str, list[int]] = {}
        leads: dict[str, list[int]] = {}
        prefixes: list[tuple[str, int]] = []
        searched: list[tuple[int, TokenPattern]] = []
        for rule, pattern in patterns:
            try:
                shapes = _shapes(pattern.pattern.pattern)
            except _Unsupported:
                searched.append((rule, pattern))
                continue
            for shape, words in shapes:
                if shape == "run":
                    _file(runs, words.exact, rule)
                elif shape == "whole":
                    _file(wholes, words.exact, rule)
                    prefixes.extend((prefix, rule) for prefix in sorted(words.prefixes))
                else:
                    _file(leads, words.exact, rule)
        return cls(_frozen(runs), _frozen(wholes), tuple(prefixes), _frozen(leads),
                   tuple(searched), dict(patterns), max(map(len, runs), default=0),
                   tuple(prefix for prefix, _ in prefixes),
                   frozenset(_first_part(word) for word in (*runs, *leads)))

    def matches(self, name: str) -> tuple[int, ...]:
        """The rules whose pattern the name satisfies (exclusions applied), in order."""
        if not name.isascii() or "\n" in name:  # `$` also matches before a final newline
            return tuple(rule for rule, p in self.patterns.items() if p.matches_name(name))
        found = self._candidates(name.lower())
        if self.searched:
            found.extend(rule for rule, pattern in self.searched if pattern.matches_name(name))
        if not found:
            return ()
        return tuple(rule for rule in sorted(set(found))
                     if not _excluded(self.patterns[rule], name))

    def _candidates(self, name: str) -> list[int]:
        found: list[int] = list(self.wholes.get(name, ()))
        if self.prefix_starts and name.startswith(self.prefix_starts):
            found.extend(rule for prefix, rule in self.whole_prefixes if name.startswith(prefix))
        parts = name.replace("_", "-").split("-")
        if self.heads.isdisjoint(parts):
            return found
        if len(parts) == 1:
            found.extend(self.runs.get(name, ()))
            return found
        bounds = [0]
        for part in parts:
            bounds.append(bounds[-1] + len(part) + 1)
        if parts[0] in self.heads:
            for i in range(1, len(parts)):  # `^word[-_]`: the name up to a separator
                found.extend(self.leads.get(name[:bounds[i] - 1], ()))
        longest = self.longest_run
        for i, part in enumerate(parts):  # `(^|[-_])word([-_]|$)`: runs of whole parts
            if part not in self.heads:
                continue
            for j in range(i + 1, len(parts) + 1):
                if bounds[j] - 1 - bounds[i] > longest:
                    break
                found.extend(self.runs.get(name[bounds[i]:bounds[j] - 1], ()))
        return found


def _first_part(word: str) -> str:
    return word.replace("_", "-").split("-")[0]


def _excluded(pattern: TokenPattern, name: str) -> bool:
    return pattern.exclude is not None and bool(pattern.exclude.search(name))


def _file(table: dict[str, list[int]], words: frozenset[str], rule: int) -> None:
    for word in words:
        table.setdefault(word, []).append(rule)


def _frozen(table: dict[str, list[int]]) -> dict[str, tuple[int, ...]]:
    return {word: tuple(dict.fromkeys(rules)) for word, rules in table.items()}


# --- the regex subset --------------------------------------------------------------

#: ("lit", char) | ("alt", [sequence, ...]) | ("opt", node) | ("any*",) | ("^",) | ("$",)
#: | ("sep",): `[-_]`
Node = tuple[Any, ...]


def _shapes(source: str) -> list[tuple[str, _Words]]:
    """The pattern's top-level branches as (shape, words); raises _Unsupported."""
    nodes, end = _parse_alternation(source.lower(), 0)
    if end != len(source):
        raise _Unsupported(source)
    return [_shape(branch) for branch in nodes[1]]


def _shape(seq: list[Node]) -> tuple[str, _Words]:
    if len(seq) >= 2 and _is_start_or_sep(seq[0]) and _is_sep_or_end(seq[-1]):
        words = _expand(seq[1:-1])
        if words.prefixes:
            raise _Unsupported("prefix in a run")
        return "run", words
    if len(seq) >= 2 and seq[0] == ("^",) and seq[-1] == ("$",):
        return "whole", _expand(seq[1:-1])
    if len(seq) >= 2 and seq[0] == ("^",) and seq[-1] == ("sep",):
        words = _expand(seq[1:-1])
        if words.prefixes:
            raise _Unsupported("prefix before a separator")
        return "lead", words
    raise _Unsupported("shape")


def _is_start_or_sep(node: Node) -> bool:
    """`(^|[-_])`"""
    return node[0] == "alt" and sorted(map(tuple, node[1])) == [(("^",),), (("sep",),)]


def _is_sep_or_end(node: Node) -> bool:
    """`([-_]|$)`"""
    return node[0] == "alt" and sorted(map(tuple, node[1])) == [(("$",),), (("sep",),)]


def _expand(seq: Sequence[Node]) -> _Words:
    """Every string a sequence of nodes accepts; a final `.*` makes prefixes."""
    exact: set[str] = {""}
    prefixes: set[str] = set()
    for i, node in enumerate(seq):
        if prefixes:
            raise _Unsupported("text after .*")
        if node == ("any*",):
            if i != len(seq) - 1:
                raise _Unsupported(".* inside")
            return _Words(frozenset(), frozenset(exact))
        words = _node_words(node)
        prefixes = {a + p for a in exact for p in words.prefixes}
        exact = {a + b for a, b in itertools.product(exact, words.exact)}
        if len(exact) + len(prefixes) > MAX_WORDS:
            raise _Unsupported("too many words")
    return _Words(frozenset(exact), frozenset(prefixes))


def _node_words(node: Node) -> _Words:
    kind = node[0]
    if kind == "lit":
        return _Words(frozenset({node[1]}))
    if kind == "opt":
        inner = _node_words(node[1])
        if inner.prefixes:
            raise _Unsupported("optional prefix")
        return _Words(inner.exact | {""})
    if kind == "alt":
        parts = [_expand(branch) for branch in node[1]]
        return _Words(frozenset().union(*(p.exact for p in parts)),
                      frozenset().union(*(p.prefixes for p in parts)))
    raise _Unsupported(kind)  # an anchor or separator class inside a word


def _parse_alternation(src: str, pos: int) -> tuple[Node, int]:
    branches: list[list[Node]] = []
    while True:
        seq, pos = _parse_sequence(src, pos)
        branches.append(seq)
        if pos < len(src) and src[pos] == "|":
            pos += 1
            continue
        return ("alt", branches), pos


def _parse_sequence(src: str, pos: int) -> tuple[list[Node], int]:
    seq: list[Node] = []
    while pos < len(src) and src[pos] not in "|)":
        node, pos = _parse_atom(src, pos)
        if pos < len(src) and src[pos] == "?":
            node, pos = ("opt", node), pos + 1
        if pos < len(src) and src[pos] in "*+{":
            raise _Unsupported("repetition")
        seq.append(node)
    return seq, pos


def _parse_atom(src: str, pos: int) -> tuple[Node, int]:
    ch = src[pos]
    if ch == "(":
        if src.startswith("(?", pos):
            raise _Unsupported("group flags")
        node, pos = _parse_alternation(src, pos + 1)
        if pos >= len(src) or src[pos] != ")":
            raise _Unsupported("unbalanced")
        return node, pos + 1
    if ch in "^$":
        return (ch,), pos + 1
    if src.startswith("[-_]", pos) or src.startswith("[_-]", pos):
        return ("sep",), pos + 4
    if src.startswith(".*", pos):
        return ("any*",), pos + 2
    if ch in _WORD_CHARS:
        return ("lit", ch), pos + 1
    raise _Unsupported(ch)
