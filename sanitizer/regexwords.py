r"""The words every match of a case-insensitive regex holds, and quick tests built on them.

Every match of `(originally|first)\s+published` holds "originally published" or "first
published", and every match of `^\s*(source|via):` starts with "source :" or "via :" (a
space in a word stands for any white space, or none): a text without one can't match.
Looking for words costs a fraction of the patterns' backtracking.

As the words allow any spacing, the tests can read lxml's `text_content()` of an element
instead of the `visible_text` the patterns will see, and tell where in it the words are:
the elements that hold none need no more reading. Source detection uses this for credit
lines (credits.py); the strip stage gates each [[phrase]] regex with `may_match` on the
very text the regex will see.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from re import _constants as sre  # type: ignore[attr-defined]  # the stdlib's regex parser
from re import _parser  # type: ignore[attr-defined]
from typing import Any

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
#: The commonest characters of (English) text: a search tries fewer places for words
#: that start with another.
_COMMON = frozenset("etaoinsrhl ")
#: Under re.I these non-ASCII letters match ASCII ones (the `re` docs on IGNORECASE).
_ASCII_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


@dataclass(frozen=True, slots=True)
class WordFilter:
    """Words one of which a text matching any of some patterns starts with or contains.

    The words are looked for in lower case, their letters ASCII or without case. Of a
    word with other letters (é, ü, я), its longest part without them is, if long enough;
    other words are `others`, looked for the way the patterns would (re.I) in text with
    a `foreign` letter, one of these words' first.
    """

    starts: re.Pattern[str] | None
    anywhere: re.Pattern[str] | None  # the `starts` and `contains` words anywhere
    contains: re.Pattern[str] | None
    others: re.Pattern[str] | None
    foreign: re.Pattern[str] | None

    @classmethod
    def of(cls, patterns: Iterable[re.Pattern[str]]) -> WordFilter | None:
        """The filter for re.I patterns; None if one of them has no certain word."""
        starts: set[str] = set()
        contains: set[str] = set()
        others: set[str] = set()
        for pattern in patterns:
            words, leading = _words_of(pattern)
            if words is None:
                return None
            for word in (w.translate(_ASCII_FOLD).lower() for w in words):
                if all(map(_plain, word)):
                    (starts if leading else contains).add(word)
                elif part := _plain_part(word):
                    contains.add(part)  # in the word's text wherever it stands
                else:
                    others.add(word)
        letters = "".join(sorted({next(c for c in w if not _plain(c)) for w in others}))
        return cls(_compiled(starts, leading=True),
                   _compiled({_rarer_tail(word) for word in starts | contains}),
                   _compiled(contains), _compiled(others, flags=re.I),
                   re.compile(f"[{re.escape(letters)}]", re.I) if letters else None)

    def may_match(self, text: str, folded: str | None = None) -> bool:
        """False when no pattern can match `text`, nor a text with the same words
        (`folded`: `fold_letters(text)`, when a caller tries several filters on one text)."""
        folded = fold_letters(text) if folded is None else folded
        return ((self.starts is not None and self.starts.match(folded) is not None)
                or (self.contains is not None and self.contains.search(folded) is not None)
                or (self._foreign(text) and self.others is not None
                    and self.others.search(text) is not None))

    def may_match_within(self, text: str) -> bool:
        """False when no pattern can match any part of `text`, nor of a text with its words."""
        return self._foreign(text) or (
            self.anywhere is not None and self.anywhere.search(fold_letters(text)) is not None)

    def word_places(self, text: str) -> list[int]:
        """Places in `text`, in order: where each of its words starts (or ends, see
        `_rarer_tail`).

        A part of `text` that holds none of these places can't match a pattern.
        """
        places = _places(self.anywhere, fold_letters(text))
        if self._foreign(text):
            places = sorted(places + _places(self.others, text))
        return places

    def _foreign(self, text: str) -> bool:
        # a foreign letter is not ASCII, nor does it match ASCII (re.I): see _ASCII_FOLD
        return (self.foreign is not None and not text.isascii()
                and self.foreign.search(text) is not None)


def _places(pattern: re.Pattern[str] | None, text: str) -> list[int]:
    """Every place where a match of `pattern` starts, overlapping ones too."""
    places: list[int] = []
    found = pattern.search(text) if pattern is not None else None
    while found is not None:
        places.append(found.start())
        found = pattern.search(text, found.start() + 1)  # type: ignore[union-attr]
    return places


def _fewest(words: set[str], *, leading: bool = False) -> set[str]:
    """The words that don't contain a shorter one (start with one, if `leading`)."""
    kept: list[str] = []
    for word in sorted(words, key=len):
        if not any(word.startswith(u) if leading else u in word for u in kept):
            kept.append(word)
    return set(kept)


def _compiled(words: set[str], *, leading: bool = False, flags: int = 0
              ) -> re.Pattern[str] | None:
    """A regex for any of the words, or for a text `leading` with one (after white space).

    Of words that contain another, that one is enough.
    """
    fewest = _fewest(words, leading=leading)
    if not fewest:
        return None
    return re.compile((r"\s*" if leading else "") + _any_word(fewest), flags)


def _plain_part(word: str) -> str:
    """The longest run of `_plain` characters of `word`, if four letters or more, or "".

    >>> _plain_part("ursprünglich erschienen")
    'nglich erschienen'
    """
    runs = ("".join(chars) for plain, chars in itertools.groupby(word, _plain) if plain)
    part = max(runs, key=_length, default="").strip()
    return part if _length(part) >= 4 else ""


def _plain(char: str) -> bool:
    """True for ASCII and for characters without case: `fold_letters` leaves them as they are."""
    return char.isascii() or (char.lower() == char.upper() == char and char != "\u0307")


def fold_letters(text: str) -> str:
    """`text` in lower case, where every letter re.I matches to an ASCII one is it.

    Each character stays in its place: İ would lower-case to two (i, combining dot).
    """
    folded = text.lower() if text.isascii() else text.replace("\u0130", "i").lower()
    return folded if folded.isascii() else folded.replace("\u0131", "i").replace("\u017f", "s")


def _rarer_tail(word: str) -> str:
    """The end of `word` from its first uncommon character, if six letters or more.

    Where a word is, its end is too: "originally published" is looked for as "ginally
    published".
    """
    for i, char in enumerate(word):
        if _length(word[i:]) < 6:
            break
        if char not in _COMMON:
            return word[i:]
    return word


def _any_word(words: Iterable[str]) -> str:
    r"""A regex that finds any of the words, as a trie: quicker than an alternation.

    >>> print(_any_word(["first", "found", "fonte", "( ap )"]))
    (?:\(\s*ap\s*\)|f(?:irst|o(?:nte|und)))
    """
    branches: dict[str, set[str]] = {}
    for word in words:
        branches.setdefault(word[0], set()).add(word[1:])
    parts = [(r"\s*" if first == " " else re.escape(first))
             + ("" if "" in rests else _any_word(rests))
             for first, rests in sorted(branches.items())]
    return f"(?:{'|'.join(parts)})" if len(parts) > 1 else parts[0]


def _words_of(pattern: re.Pattern[str]) -> tuple[frozenset[str] | None, bool]:
    """The words every match of an re.I pattern starts with, else those it contains.

    The flag says which: True when the words start the match.
    """
    if not pattern.flags & re.I:
        return None, False
    items = _parser.parse(pattern.pattern, pattern.flags)
    leading = _leading_of(items, pattern.flags)
    return (leading, True) if leading else (_in_sequence(items), False)


def required_words(pattern: str, flags: int = re.I) -> frozenset[str] | None:
    r"""Words one of which is in every match of `pattern`; None when no word is certain.

    >>> sorted(required_words(r"\b(first|originally)\s+published\s+\w+"))
    ['first published', 'originally published']
    """
    return _in_sequence(_parser.parse(pattern, flags))


def leading_words(pattern: str, flags: int = re.I) -> frozenset[str] | None:
    r"""Words one of which starts (after white space) every match of a `^` pattern.

    >>> sorted(leading_words(r"^\s*(source|via)\s*:"))
    ['source :', 'via :']
    """
    return _leading_of(_parser.parse(pattern, flags), flags)


def _leading_of(parsed: Any, flags: int) -> frozenset[str] | None:
    items = list(parsed)
    if not items or items[0] != (sre.AT, sre.AT_BEGINNING) or flags & re.M:
        return None
    return _leading(items[1:])


def _in_sequence(items: Any) -> frozenset[str] | None:
    """The most telling word set of a sequence: the one whose shortest word is longest.

    A stretch of items that match a few strings each (literals, small groups) gives
    the words it matches; another group, branch or repeat gives the words it requires.
    Every item of a sequence is matched, so any one set will do.
    """
    options: list[frozenset[str] | None] = []
    stretch: frozenset[str] | None = _EMPTY
    for op, arg in items:
        strings = _strings(op, arg)
        longer = _joined(stretch, strings) if stretch is not None else None
        if longer is not None:
            stretch = longer
            continue
        options.append(_words(stretch))
        stretch = strings
        if strings is None:
            options.append(_in_item(op, arg, _in_sequence))
    options.append(_words(stretch))
    return max((o for o in options if o), key=lambda words: min(map(_length, words)),
               default=None)


def _leading(items: Any) -> frozenset[str] | None:
    """The words one of which a sequence's match starts with, past white space."""
    stretch = _EMPTY
    for op, arg in items:
        strings = _strings(op, arg)
        longer = _joined(stretch, strings)
        if longer is not None:
            stretch = longer
        elif stretch in (_EMPTY, _SPACE):
            return _in_item(op, arg, _leading)
        else:
            break
    return _words(stretch)


def _in_item(op: Any, arg: Any, words_of: Callable[[Any], frozenset[str] | None]
             ) -> frozenset[str] | None:
    """`words_of` a group, branch or required repeat; None for anything else."""
    if op is sre.SUBPATTERN:
        return words_of(arg[-1])
    if op is sre.ATOMIC_GROUP:
        return words_of(arg)
    if op in _REPEATS and arg[0] >= 1:
        return words_of(arg[2])
    if op is sre.BRANCH:
        union: frozenset[str] = frozenset()
        for branch in arg[1]:
            words = words_of(branch)
            if not words:
                return None  # a branch without a certain word: nothing is certain
            union |= words
        return union
    return None


_EMPTY, _SPACE = frozenset({""}), frozenset({" "})
#: A stretch matching more strings than this is cut: its words would cost more to find.
_MAX_STRINGS = 64


def _strings(op: Any, arg: Any) -> frozenset[str] | None:
    """The few strings an item matches, a space standing for any white space; or None."""
    if op is sre.LITERAL:
        return _SPACE if chr(arg).isspace() else frozenset({chr(arg)})
    if _is_space(op, arg):
        return _SPACE
    if op is sre.IN and all(kind is sre.LITERAL for kind, _ in arg):
        return frozenset(" " if chr(c).isspace() else chr(c) for _, c in arg)
    if op is sre.SUBPATTERN:
        return _sequence_strings(arg[-1])
    if op is sre.BRANCH:
        union: frozenset[str] = frozenset()
        for branch in arg[1]:
            strings = _sequence_strings(branch)
            if strings is None:
                return None
            union |= strings
        return union if len(union) <= _MAX_STRINGS else None
    if op in _REPEATS and arg[:2] in ((0, 1), (1, 1)):
        body = _sequence_strings(arg[2])
        return body if body is None or arg[0] else body | _EMPTY
    return None


def _sequence_strings(items: Any) -> frozenset[str] | None:
    strings: frozenset[str] | None = _EMPTY
    for op, arg in items:
        strings = _joined(strings, _strings(op, arg)) if strings is not None else None
    return strings


def _joined(heads: frozenset[str], tails: frozenset[str] | None) -> frozenset[str] | None:
    """Every head followed by every tail (runs of spaces made one); None if too many."""
    if tails is None or len(heads) * len(tails) > _MAX_STRINGS:
        return None
    return frozenset((head + tail).replace("  ", " ") for head in heads for tail in tails)


def _words(strings: frozenset[str] | None) -> frozenset[str] | None:
    """The strings as words, trimmed; None unless every one has a character to find."""
    words = frozenset(s.strip() for s in strings or ())
    return words if words and all(words) else None


def _length(word: str) -> int:
    return len(word.replace(" ", ""))


def _is_space(op: Any, arg: Any) -> bool:
    """True for an item that matches white space only (or nothing): `\\s*`, a space."""
    if op is sre.LITERAL:
        return chr(arg).isspace()
    if op is sre.IN:
        return all(item == (sre.CATEGORY, sre.CATEGORY_SPACE) for item in arg)
    if op in _REPEATS:
        return all(_is_space(*item) for item in arg[2])
    return False
