"""Refuse regexes that can backtrack catastrophically, before a page ever meets them.

A rule regex runs over text from pages we do not control, so a pattern such as
`(a+)+b` or `(\\w+\\s?)*$` could stall a run for minutes on one crafted block. Python's
`re` has no time limit, so the loader rejects the shape that causes it: a repeated
group (`*`, `+`, `{2,}`) that contains another unbounded repeat ("nested quantifiers",
star height > 1). Write `(?:\\w+(?:,\\s*)?){0,5}` as `[\\w,\\s]{0,60}` instead.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

# Python 3.11+ keeps the regex parser in re._parser (the old sre_parse warns on import).
sre_constants: Any = importlib.import_module("re._constants")
sre_parse: Any = importlib.import_module("re._parser")

_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT}
_UNBOUNDED = sre_constants.MAXREPEAT


class UnsafeRegex(ValueError):
    """A regex that does not compile, or whose shape can backtrack catastrophically."""


def compile_safe(pattern: str, flags: int = re.I) -> re.Pattern[str]:
    """Compile `pattern`, refusing nested unbounded quantifiers.

    Raises:
        UnsafeRegex: a syntax error, or a repeat inside a repeat.
    """
    try:
        compiled = re.compile(pattern, flags)
        tree = sre_parse.parse(pattern, flags)
    except re.error as err:
        raise UnsafeRegex(f"bad regex {pattern!r}: {err}") from err
    nested = _nested_repeat(list(tree), inside_repeat=False)
    if nested:
        raise UnsafeRegex(f"unsafe regex {pattern!r}: a repeated group holds another unbounded "
                          f"repeat ({nested}), which can backtrack catastrophically; use a "
                          "bounded character class such as [\\w\\s,]{0,60}")
    return compiled


def _nested_repeat(items: list[tuple[Any, Any]], inside_repeat: bool) -> str:
    """A description of the first unbounded repeat found inside a repeat, or ''."""
    for op, arg in items:
        if op in _REPEATS:
            low, high, body = arg
            if inside_repeat and high == _UNBOUNDED:
                return f"{{{low},}} inside a repeated group"
            found = _nested_repeat(list(body), inside_repeat or high > 1)
        else:
            found = _nested_repeat_in(op, arg, inside_repeat)
        if found:
            return found
    return ""


def _nested_repeat_in(op: Any, arg: Any, inside_repeat: bool) -> str:
    """Look into groups, alternations and lookarounds."""
    if op is sre_constants.SUBPATTERN:
        return _nested_repeat(list(arg[-1]), inside_repeat)
    if op is sre_constants.BRANCH:
        for branch in arg[1]:
            found = _nested_repeat(list(branch), inside_repeat)
            if found:
                return found
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return _nested_repeat(list(arg[1]), inside_repeat)
    if op is sre_constants.ATOMIC_GROUP:
        return _nested_repeat(list(arg), inside_repeat)
    return ""
