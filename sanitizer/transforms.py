"""The declarative parts of site rules that change the page rather than remove from it.

Run by the strip stage before any strip rule (the pipeline's order is in pipeline.py):

1. `[[replace]]`: literal find/replace on the page's markup, then a re-parse
   (ftr-site-config's find_string/replace_string; only pages whose rules have one pay);
2. `[[transform]]`: unwrap, rename, lazy-attribute map, drop attributes;
3. `title` / `author` / `date`: the page's metadata, from the most specific file's
   selectors, over what the metadata stage found (an imported file's only fills a field
   the metadata stage left empty: community rules often date from an older layout);
4. `[attribution] source`: a link to the original, written as
   `<meta name="original-source">` for source detection to read.
"""

from __future__ import annotations

from dataclasses import replace as dc_replace
from typing import Any

from lxml import etree
from lxml.html import HtmlElement, tostring

from sanitizer.document import Document, Finding
from sanitizer.parse import parse_text
from sanitizer.ruleset import RuleSet
from sanitizer.ruletypes import Transform
from sanitizer.selectors import Selector


def apply_site_changes(doc: Document, ruleset: RuleSet) -> Document:
    """Replacements, transforms, metadata and source hints of the page's rules."""
    if ruleset.replaces:
        doc = _replace_markup(doc, ruleset)
    for transform in ruleset.transforms:
        for el in transform.select(doc.root):
            _transform(el, transform)
    doc = _metadata_hints(doc, ruleset)
    _source_hint(doc, ruleset)
    return doc


def _replace_markup(doc: Document, ruleset: RuleSet) -> Document:
    markup = tostring(doc.root, encoding="unicode")
    changed = markup
    for rule in ruleset.replaces:
        changed = changed.replace(rule.find, rule.replace)
    if changed == markup:
        return doc
    try:
        root = parse_text(changed, doc.url or "page")
    except ValueError as err:  # InputError: the replacement broke the page beyond repair
        return doc.noted(Finding("rule", f"[[replace]] skipped: the page no longer parses "
                                         f"({err})"))
    return doc.replace(root=root)


def _transform(el: HtmlElement, transform: Transform) -> None:
    if transform.unwrap:
        if el.getparent() is not None:
            el.drop_tag()
    elif transform.rename:
        el.tag = transform.rename
    for source, target in transform.attributes:
        value = el.get(source)
        if value:
            el.set(target, value)
    for name in transform.drop_attributes:
        el.attrib.pop(name, None)


def _metadata_hints(doc: Document, ruleset: RuleSet) -> Document:
    meta = doc.metadata
    changes: dict[str, Any] = {}
    for key, field, current in (("title", "title", meta.title), ("author", "authors",
                                meta.authors), ("date", "published", meta.published)):
        selectors, imported = ruleset.first(key)
        if current and imported:
            continue
        value = _first_value(selectors, doc.root)
        if value:
            changes[field] = (value,) if field == "authors" else value
    return doc.replace(metadata=dc_replace(meta, **changes)) if changes else doc


def _first_value(selectors: tuple[Selector, ...], root: HtmlElement) -> str | None:
    for selector in selectors:
        values = selector.values(root)
        if values:
            return values[0][:500]
    return None


def _source_hint(doc: Document, ruleset: RuleSet) -> None:
    head = doc.root.find("head")
    if head is None:
        return
    for selector in ruleset.first("source_links")[0]:
        for item in selector.evaluate(doc.root):
            url = item.get("href") if isinstance(item, HtmlElement) else str(item)
            if url and url.strip():
                head.append(etree.Element("meta", name="original-source", content=url.strip()))
                return
