"""Text of an lxml subtree, the way a reader sees it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterator

from lxml.html import HtmlElement

#: Elements whose text is never shown to a reader.
INVISIBLE = frozenset({"script", "style", "noscript", "template", "head", "title", "meta", "link"})

#: Elements that start a new line in rendered text.
BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
        "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip

_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_BLANKS = re.compile(r"\n\s*\n+")


def squash_space(text: str) -> str:
    """Collapse runs of white space to one space and trim."""
    return " ".join(text.split())


def tag_of(el: object) -> str:
    """Lower-case tag name, or "" for comments and processing instructions."""
    tag = getattr(el, "tag", None)
    return tag.lower() if isinstance(tag, str) else ""


def visible_text(el: HtmlElement) -> str:
    """The element's visible text as one line (scripts, styles and comments left out)."""
    if not len(el):  # no children: its own text, unless it is invisible
        tag = el.tag
        visible = isinstance(tag, str) and tag.lower() not in INVISIBLE
        return squash_space(el.text) if visible and el.text else ""
    parts: list[str] = []
    _collect_inner(el, parts, blocks=False)
    return squash_space("".join(parts))


def block_text(el: HtmlElement, *, skip: Container[HtmlElement] = ()) -> str:
    """The element's visible text with a blank line between blocks, leaving out the
    elements in `skip` (their tails stay)."""
    parts: list[str] = []
    _collect_inner(el, parts, blocks=True, skip=skip)
    text = "".join(parts)
    lines = [squash_space(line) for line in _BLANKS.split(text)]
    return "\n\n".join(line for line in lines if line)


def _collect_inner(el: HtmlElement, parts: list[str], *, blocks: bool,
                   skip: Container[HtmlElement] = ()) -> None:
    """Text of `el` and its descendants, without `el`'s own tail.

    Iterative (a stack of child iterators, not recursion): a deeply nested tree can't
    overflow it. Comments and invisible elements give only their tails.
    """
    tag = el.tag
    if not isinstance(tag, str) or tag.lower() in INVISIBLE:
        return
    if el.text:
        parts.append(el.text)
    gap = "\n\n" if blocks else " "
    append = parts.append
    stack: list[tuple[HtmlElement, Iterator[HtmlElement], bool]] = [(el, iter(el), False)]
    while stack:
        node, children, is_block = stack[-1]
        child = next(children, None)
        if child is None:  # all of `node` is out: its closing gap, then its tail
            stack.pop()
            if node is not el:
                if is_block:
                    append(gap)
                if node.tail:
                    append(node.tail)
            continue
        tag = child.tag
        if not isinstance(tag, str) or (tag := tag.lower()) in INVISIBLE or (
                skip and child in skip):
            if child.tail:
                append(child.tail)
            continue
        is_block = tag in BLOCKS
        if is_block:
            append(gap)
        if child.text:
            append(child.text)
        stack.append((child, iter(child), is_block))


def fold(text: str) -> str:
    """Normalise for comparisons: NFKC, case-folded, single spaces."""
    return squash_space(unicodedata.normalize("NFKC", text)).casefold()
