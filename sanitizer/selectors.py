"""Compiled element selectors: CSS (via cssselect) or XPath, and class/id token patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement


class SelectorSyntaxError(ValueError):
    """A CSS selector, XPath expression or regex that does not compile."""


@dataclass(frozen=True, slots=True)
class Selector:
    """A CSS or XPath expression compiled once; calling it returns the matching elements.

    Example:
        >>> Selector.css("div.sharedaddy")(root)
        [<Element div at ...>]
    """

    expr: str
    kind: str  # "css" | "xpath"
    _xpath: etree.XPath = field(repr=False, compare=False)

    @classmethod
    def css(cls, expr: str) -> Selector:
        try:
            compiled = CSSSelector(expr, translator="html")
        except (SelectorError, etree.XPathError) as err:  # cssselect raises both kinds
            raise SelectorSyntaxError(f"bad CSS selector {expr!r}: {err}") from err
        return cls(expr, "css", compiled)

    @classmethod
    def xpath(cls, expr: str) -> Selector:
        try:
            compiled = etree.XPath(expr)
        except etree.XPathSyntaxError as err:
            raise SelectorSyntaxError(f"bad XPath {expr!r}: {err}") from err
        return cls(expr, "xpath", compiled)

    def __call__(self, root: HtmlElement) -> list[HtmlElement]:
        try:
            found = self._xpath(root)
        except etree.XPathEvalError:
            return []
        if not isinstance(found, list):
            return []
        return [el for el in found if isinstance(el, HtmlElement)]


@dataclass(frozen=True, slots=True)
class TokenPattern:
    """Matches elements by one of their class or id tokens, e.g. `^share(-|_|$)`.

    Class names are the most stable hook share plugins leave (`sharedaddy`,
    `a2a_kit`, `td-post-sharing`); a token pattern catches the families we have
    not seen by the words their authors pick.
    """

    pattern: re.Pattern[str]
    exclude: re.Pattern[str] | None = None

    @classmethod
    def compile(cls, pattern: str, exclude: str | None = None) -> TokenPattern:
        try:
            return cls(
                re.compile(pattern, re.I),
                re.compile(exclude, re.I) if exclude else None,
            )
        except re.error as err:
            raise SelectorSyntaxError(f"bad token pattern: {err}") from err

    def matches(self, el: HtmlElement) -> bool:
        for token in element_tokens(el):
            if self.pattern.search(token) and not (self.exclude and self.exclude.search(token)):
                return True
        return False

    def __call__(self, root: HtmlElement) -> list[HtmlElement]:
        found = root.xpath("descendant-or-self::*[@class or @id]")
        return [el for el in found if isinstance(el, HtmlElement) and self.matches(el)]


def element_tokens(el: HtmlElement) -> list[str]:
    """The element's class names and id."""
    tokens = (el.get("class") or "").split()
    ident = el.get("id")
    if ident:
        tokens.append(ident)
    return tokens
