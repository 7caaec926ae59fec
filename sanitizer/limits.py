"""Resource limits on hostile input: every page and fragment is checked against these before
(or, for what only a parser can see, right after) it is parsed, so no input can make us run for
minutes or take gigabytes. Each breach is an `InputError` that says which limit and by how much.

- bytes: 20 MB, the fetch cap (a page is rarely over 2 MB);
- markup nodes (start tags, comments, `<!`/`<?` constructs): 100,000; lxml holds ~0.5 KB a
  node, and the stages walk the tree several times (99,000 paragraphs clean in ~4 s);
- `&` characters: 200,000; nh3's tokenizer is quadratic in `&` within one text run
  (800,000 take 6 s);
- nesting depth: 256, libxml2's own limit without `huge_tree` (deeper content is cut off);
- one text or attribute value: 10 MB, libxml2's own limit without `huge_tree`.

The last two are libxml2's (`huge_tree` stays off); `parser_limit_error` turns its
ERR_RESOURCE_LIMIT into our error instead of a silently truncated tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sanitizer.errors import InputError

MAX_BYTES = 20 * 2**20
MAX_NODES = 100_000
MAX_AMPERSANDS = 200_000
MAX_DEPTH = 256
MAX_VALUE_BYTES = 10_000_000

_MARKUP_NODE = re.compile(r"<[A-Za-z!?]")


def check_text(text: str, where: str = "input", source: str | None = None, *,
               utf8: bytes | None = None) -> None:
    """Raise InputError if decoded markup is over the node or `&` limit (before parsing).

    `utf8`: the bytes `text` was decoded from exactly, where `<` and `&` are counted
    faster (one byte each).
    """
    counted: str | bytes = text if utf8 is None else utf8
    many = _count(counted, "<") > MAX_NODES
    nodes = sum(1 for _ in _MARKUP_NODE.finditer(text)) if many else 0
    if nodes > MAX_NODES:
        raise InputError(f"{where}: {nodes:,} tags and comments; the limit is {MAX_NODES:,}",
                         source=source)
    check_ampersands(counted, where, source)


def check_ampersands(markup: str | bytes, where: str = "input", source: str | None = None
                     ) -> None:
    """Raise InputError if `markup` holds more `&` than nh3 handles in bounded time."""
    count = _count(markup, "&")
    if count > MAX_AMPERSANDS:
        raise InputError(f"{where}: {count:,} character references or '&'; the limit is "
                         f"{MAX_AMPERSANDS:,}", source=source)


def _count(markup: str | bytes, char: str) -> int:
    return markup.count(char) if isinstance(markup, str) else markup.count(char.encode())


def parser_limit_error(messages: Iterable[str], where: str = "input",
                       source: str | None = None) -> InputError | None:
    """The InputError for libxml2's resource-limit messages, or None when there are none."""
    for message in messages:
        if "depth" in message.lower():
            return InputError(f"{where}: elements nested more than {MAX_DEPTH} deep",
                              source=source)
        return InputError(f"{where}: a text or attribute value longer than "
                          f"{MAX_VALUE_BYTES // 1_000_000} MB", source=source)
    return None
