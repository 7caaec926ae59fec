"""Stage: the last word on safety. nh3 with the allow-list from `rules/allowlist.toml`.

This is the only module that imports nh3 (bleach is unmaintained and slower; see
DESIGN.md §7). Nothing edits its output: render only wraps it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from html import escape
from typing import Any

import nh3
from lxml import etree
from lxml.html import HtmlElement, fragment_fromstring

from sanitizer.article import TITLE_CLASS
from sanitizer.document import Document
from sanitizer.errors import RuleError
from sanitizer.limits import check_ampersands
from sanitizer.parse import tree_safe
from sanitizer.rulebook import Rulebook
from sanitizer.text import block_text

#: Never allowed, whatever an allow-list says: each can run script or load a page.
FORBIDDEN_TAGS = frozenset({"script", "style", "iframe", "frame", "frameset", "object", "embed",
                            "base", "meta", "link", "form", "svg", "math", "template", "noscript"})
FORBIDDEN_SCHEMES = frozenset({"javascript", "vbscript", "data", "file"})
_EVENT_ATTR = re.compile(r"^on", re.I)
FORBIDDEN_ATTRS = frozenset({"style", "srcdoc", "formaction", "action", "background", "ping"})


def make_cleaner(allowlist: Mapping[str, Any], path: str = "allowlist.toml") -> nh3.Cleaner:
    """Build an nh3 Cleaner from an allow-list table, refusing unsafe entries.

    Raises:
        RuleError: the allow-list names a tag, attribute or scheme that can run script.
    """
    tags = set(allowlist.get("tags", ()))
    attributes = {tag: set(names) for tag, names in allowlist.get("attributes", {}).items()}
    generic = set(allowlist.get("generic_attributes", ()))
    schemes = set(allowlist.get("url_schemes", ("http", "https", "mailto")))
    _refuse_unsafe(tags, attributes, generic, schemes, path)
    if generic:
        attributes["*"] = generic
    classes = {tag: set(names) for tag, names in allowlist.get("classes", {}).items()}
    for tag in classes:
        attributes.get(tag, set()).discard("class")
    return nh3.Cleaner(
        tags=tags,
        clean_content_tags=set(allowlist.get("drop_with_content", ())) - tags,
        attributes=attributes,
        url_schemes=schemes,
        allowed_classes=classes,
        link_rel=None,  # rel is set per link by normalize.py (noopener, nofollow)
        strip_comments=True,
    )


def _refuse_unsafe(tags: set[str], attributes: Mapping[str, set[str]], generic: set[str],
                   schemes: set[str], path: str) -> None:
    bad = sorted(tags & FORBIDDEN_TAGS)
    if bad:
        raise RuleError(f"allow-list may not keep {', '.join(bad)}", path=path)
    names = generic.union(*attributes.values()) if attributes else generic
    bad = sorted(n for n in names if _EVENT_ATTR.match(n) or n.lower() in FORBIDDEN_ATTRS)
    if bad:
        raise RuleError(f"allow-list may not keep attribute(s) {', '.join(bad)}", path=path)
    bad = sorted(s for s in schemes if s.lower() in FORBIDDEN_SCHEMES)
    if bad:
        raise RuleError(f"allow-list may not keep URL scheme(s) {', '.join(bad)}", path=path)


@cache
def cleaner_for(rulebook: Rulebook) -> nh3.Cleaner:
    """The Cleaner of a rulebook, built once (a Rulebook is immutable and hashable)."""
    return make_cleaner(rulebook.allowlist, rulebook.allowlist_path)


def sanitize_html(html: str, rulebook: Rulebook) -> str:
    """Sanitise an HTML fragment with the rulebook's allow-list.

    Raises:
        InputError: more `&` than nh3 handles in bounded time (see `sanitizer.limits`).
    """
    check_ampersands(html, "article")
    # control characters (e.g. from `&#1`) would reach the output and vanish on a re-parse
    return str(cleaner_for(rulebook).clean(tree_safe(html)))


def inner_html(el: HtmlElement) -> str:
    """The markup inside `el` (its text and children), without `el` itself."""
    parts = [escape(el.text or "", quote=False)]
    parts += [etree.tostring(child, encoding="unicode", method="html") for child in el]
    return "".join(parts)


def sanitize(doc: Document, rules: Rulebook) -> Document:
    """Stage: serialise the article and sanitise it, and take the text of the result;
    the result is final."""
    if doc.article is None:
        return doc.replace(html="", text="")
    markup = etree.tostring(doc.article, encoding="unicode", method="html", with_tail=False)
    clean = sanitize_html(markup, rules)
    text = article_text(fragment_fromstring(clean, create_parent="div")) if clean else ""
    return doc.replace(html=clean, text=text)


def plain_text(doc: Document, rules: Rulebook) -> Document:
    """Stage, for text output (in place of `sanitize`): the article's text, and no
    markup.

    The same text as `sanitize` takes from its markup, but where the sanitiser's HTML5
    parser moves words (text standing in a table goes before it): here they stay where
    the page has them.
    """
    if doc.article is None:
        return doc.replace(html="", text="")
    return doc.replace(html="", text=article_text(doc.article))


def article_text(article: HtmlElement) -> str:
    """The text of a normalised article (or of markup holding one): its blocks, a blank
    line apart, without the title heading (a field of its own)."""
    return block_text(article, skip=set(article.find_class(TITLE_CLASS)))
