"""A quick test a text must pass before a costly regular expression can match it.

A phrase rule's regex (`.{0,200}\\b(only|nur|...)\\b.{0,80}...`) is tried against every
short block of every article, and one that starts with a bounded `.{0,N}` backtracks
at every position its keywords could start: about 16 microseconds a paragraph. Almost
no block matches. `gate` reads the regex's parse tree for the strings one of which any
match must contain (its keywords, not its wildcards) and joins them into one regex
arranged as a trie (`d(?:ank|ona(?:r|te))`), which skips most positions of a text at
once: the costly regex then runs only on the few texts that hold a keyword.

The gate compares lower-cased text with lower-cased words, which is what `re.I` does
except for a few letters it also matches with a look-alike (dotless i, long s, Greek
and old Cyrillic variants: `re._casefix`); a text or word holding one of those always
goes to the regex itself.
"""

from __future__ import annotations

import re
import re._constants as sre_constants  # the stdlib's own regex parse tree
import re._parser as sre_parser
from collections.abc import Iterable

#: Letters `re.I` matches with another letter of a different lower case (re._casefix,
#: Python 3.11), and capital dotted I (its `str.lower()` is two characters).
_CASEFIX = frozenset("isµıſͅΐΰβεθικμπρςσφϐϑϕϖϰϱϵвдостъѣᲀᲁᲂᲃᲄᲅᲆᲇᲈṡẛιΐΰꙋﬅﬆİ")
#: Of those, the everyday letters: a word may hold them; their look-alikes stay unsure.
_EVERYDAY = frozenset("isвдостъѣ")
_UNSURE = re.compile(f"[{re.escape(''.join(sorted(_CASEFIX - _EVERYDAY)))}]")
#: More words than this make a weak gate; the regex then runs on every text.
MAX_WORDS = 400

Words = frozenset[str]
Sequence = sre_parser.SubPattern | list[tuple[object, object]]


def gate(regex: re.Pattern[str]) -> re.Pattern[str] | None:
    """A regex that finds, in a lower-cased text, one of the strings every match of
    `regex` contains; None when some match may contain no known string."""
    try:
        tree = sre_parser.parse(regex.pattern, regex.flags)
    except (re.error, RecursionError, TypeError, ValueError):
        return None
    top = list(tree)
    branches = top[0][1][1] if len(top) == 1 and top[0][0] is sre_constants.BRANCH else [tree]
    words: set[str] = set()
    for branch in branches:
        needed = _needed(branch)
        if needed is None:
            return None  # this alternative may match without any string we know of
        words |= needed
    kept = _without_longer(words)
    if len(kept) > MAX_WORDS:
        return None
    return re.compile(_trie(kept))


def may_match(gate: re.Pattern[str] | None, text: str) -> bool:
    """False only when the regex behind `gate` surely can't match `text`."""
    return gate is None or _UNSURE.search(text) is not None or gate.search(text.lower()) is not None


def _needed(sequence: Sequence) -> Words | None:
    """The strings one of which every match of the sequence contains: of the sets its
    parts need (a run of literals, a group, an alternation, a repeat), the strongest."""
    found: list[Words] = []
    run = ""
    for op, arg in sequence:
        if op is sre_constants.LITERAL and not _UNSURE.match(char := chr(arg)):  # type: ignore[call-overload]
            run += char.lower()
            continue
        if run:
            found.append(frozenset({run}))
            run = ""
        words = _needed_by(op, arg)
        if words:
            found.append(words)
    if run:
        found.append(frozenset({run}))
    return max(found, key=_strength, default=None)


def _needed_by(op: object, arg: object) -> Words | None:
    if op is sre_constants.SUBPATTERN:
        return _needed(arg[-1])  # type: ignore[index]
    if op is sre_constants.ATOMIC_GROUP:
        return _needed(arg)  # type: ignore[arg-type]
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT,
              sre_constants.POSSESSIVE_REPEAT):
        low, _high, inner = arg  # type: ignore[misc]
        return _needed(inner) if low >= 1 else None
    if op is sre_constants.BRANCH:
        branches = [_needed(branch) for branch in arg[1]]  # type: ignore[index]
        if any(words is None for words in branches):
            return None
        return frozenset().union(*branches)  # type: ignore[arg-type]
    return None  # classes, anchors, wildcards, look-arounds: nothing certain


def _strength(words: Words) -> tuple[int, float]:
    """Longer shortest word first (rarer in text), then longer words on average ("the"
    is weaker than {"download", "get"})."""
    return (min(map(len, words)), sum(map(len, words)) / len(words))


def _without_longer(words: Iterable[str]) -> list[str]:
    """The words but those holding a shorter one (found wherever they are)."""
    kept: list[str] = []
    for word in sorted(words, key=lambda w: (len(w), w)):
        if not any(short in word for short in kept):
            kept.append(word)
    return kept


def _trie(words: Iterable[str]) -> str:
    """One regex for the words, common prefixes shared: `ab(?:c|d)` for abc, abd."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_node(root)


def _trie_node(node: dict[str, dict]) -> str:
    branches = [re.escape(ch) + _trie_node(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    ends_here = "" in node
    body = branches[0] if len(branches) == 1 and not ends_here else f"(?:{'|'.join(branches)})"
    return body + ("?" if ends_here else "")
