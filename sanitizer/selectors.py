"""Compiled element selectors: CSS (via cssselect) or XPath, and class/id token patterns.

CSS is translated to XPath once (the translation can be cached by the caller, see
`css_to_xpath`), so every selector is an `etree.XPath` at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cssselect import HTMLTranslator, SelectorError
from lxml import etree
from lxml.html import HtmlElement

_TRANSLATOR = HTMLTranslator()


class SelectorSyntaxError(ValueError):
    """A CSS selector, XPath expression or regex that does not compile."""


def css_to_xpath(expr: str) -> str:
    """The XPath cssselect makes of a CSS selector.

    Raises:
        SelectorSyntaxError: the selector does not parse.
    """
    try:
        return str(_TRANSLATOR.css_to_xpath(expr))
    except (SelectorError, etree.XPathError, ValueError) as err:  # cssselect raises all three
        raise SelectorSyntaxError(f"bad CSS selector {expr!r}: {err}") from err


_XPATH_START = re.compile(r"^\s*(/|\(|\.\.?/|[a-z][-a-z]*(::|\s*\())")


def is_xpath(expr: str) -> bool:
    """Whether a selector string is XPath rather than CSS: it starts like a path (`/`,
    `./`, `(`), an axis (`descendant::`) or a function call (`substring-before(`)."""
    return bool(_XPATH_START.match(expr))


@dataclass(frozen=True, slots=True)
class Selector:
    """A CSS or XPath expression compiled once; calling it returns the matching elements.

    A CSS selector whose XPath comes from a cache (it was validated when cached) is
    compiled on first use: an imported list's `#id` selectors, matched by token
    lookup (stripplan.py), then never are.

    Example:
        >>> Selector.css("div.sharedaddy")(root)
        [<Element div at ...>]
    """

    expr: str
    kind: str  # "css" | "xpath"
    xpath_source: str = field(repr=False, compare=False)
    _compiled: list[etree.XPath] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def css(cls, expr: str, translated: str | None = None) -> Selector:
        """Compile a CSS selector; `translated` is its XPath when already known (a cache)."""
        if translated:
            return cls(expr, "css", translated)
        source = css_to_xpath(expr)
        return cls(expr, "css", source, [_compile(source, expr)])

    @classmethod
    def xpath(cls, expr: str) -> Selector:
        return cls(expr, "xpath", expr, [_compile(expr, expr)])

    @classmethod
    def parse(cls, expr: str, translated: str | None = None) -> Selector:
        """XPath when `expr` looks like a path, CSS otherwise."""
        return cls.xpath(expr) if is_xpath(expr) else cls.css(expr, translated)

    @property
    def compiled(self) -> etree.XPath:
        if not self._compiled:
            self._compiled.append(_compile(self.xpath_source, self.expr))
        return self._compiled[0]

    def __call__(self, root: HtmlElement) -> list[HtmlElement]:
        found = self.evaluate(root)
        return [el for el in found if isinstance(el, HtmlElement)]

    def evaluate(self, root: HtmlElement) -> list[object]:
        """Everything the expression returns: elements, attribute values or strings."""
        try:
            found = self.compiled(root)
        except etree.XPathEvalError:
            return []
        if isinstance(found, list):
            return list(found)
        return [found] if isinstance(found, str) and found else []

    def values(self, root: HtmlElement) -> list[str]:
        """Texts of the matches: an element's text, an attribute's or a string's value."""
        out = []
        for item in self.evaluate(root):
            text = item.text_content() if isinstance(item, HtmlElement) else str(item)
            text = " ".join(text.split())
            if text:
                out.append(text)
        return out


def _compile(source: str, shown: str) -> etree.XPath:
    try:
        return etree.XPath(source)
    except etree.XPathSyntaxError as err:
        raise SelectorSyntaxError(f"bad XPath {shown!r}: {err}") from err


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
        return any(self.matches_name(token) for token in element_tokens(el))

    def matches_name(self, name: str) -> bool:
        """Whether one class name or id satisfies the pattern."""
        return bool(self.pattern.search(name)) and not (
            self.exclude is not None and self.exclude.search(name))

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
