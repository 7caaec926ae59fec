"""Convert Adblock Plus / uBlock Origin cosmetic filters into [[strip]] rules.

| filter | rule |
|---|---|
| `##sel` | `css = "sel"` (every page) |
| `a.com,b.org##sel` | `hosts = [".a.com", ".b.org"]` (a domain covers its subdomains) |
| `~a.com##sel` | `not_hosts = [".a.com"]` |
| `a.com#@#sel` | the same selector's rules get `a.com` in `not_hosts`; `#@#sel` drops them |
| `sel:has-text(T)`, `#?#`, `:-abp-contains(T)` | `css = "sel"`, `text` = T (`/re/` as a regex) |
| `A:has(B)`, `:-abp-has(B)` | one `xpath` (cssselect, or `A[B]` for `> B`) |
| `:xpath(E)` alone | `xpath = "E"` |

Network filters, scriptlets, `#$#` style injection, HTML filters, `example.*` entity
domains and other procedural operators are reported as unsupported with their line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cssselect import HTMLTranslator, SelectorError
from lxml import etree

from sanitizer.ftr import Note, read_source
from sanitizer.saferegex import UnsafeRegex, compile_safe
from sanitizer.selectors import SelectorSyntaxError, css_to_xpath

_FILTER = re.compile(r"^(?P<domains>[^#]*)(?P<sep>#@#|#\?#|#@\?#|##)(?P<selector>.+)$")
_HAS_TEXT = re.compile(r"^(?P<base>.*?):(?:has-text|-abp-contains|contains)\((?P<arg>.*)\)$")
_HAS = re.compile(r"^(?P<base>[^:]*(?::(?!has|-abp-has)[^:]*)*):(?:has|-abp-has)\((?P<arg>.*)\)$")
_PROCEDURAL = re.compile(r":(has-text|-abp-contains|-abp-properties|upward|xpath|remove|style|"
                         r"matches-css\w*|min-text-length|watch-attr|matches-path|matches-attr|"
                         r"matches-media|others|remove-attr|remove-class|nth-ancestor)\(")
_TRANSLATOR = HTMLTranslator()


@dataclass
class Imported:
    """The rule data of one filter list and what could not be expressed."""

    data: dict[str, Any]
    filters: int = 0
    unsupported: list[Note] = field(default_factory=list)
    exceptions: list[tuple[int, list[str], str]] = field(default_factory=list)

    @property
    def converted(self) -> int:
        return self.filters - len(self.unsupported)


def convert_list(path: Path) -> Imported:
    """Read and convert one filter list.

    Raises:
        RuleError: the file can't be read or is not UTF-8 text.
    """
    return convert_text(read_source(path), path)


def convert_text(text: str, path: Path) -> Imported:
    """Convert the text of a filter list named `path`."""
    stem = re.sub(r"[^\w.-]+", "-", path.stem)
    out = Imported({"description": f"Imported from the filter list {path.name}",
                    "imported_from": f"abp/{path.name}", "strip": []})
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("!", "[")):
            continue
        out.filters += 1
        problem = _convert_line(line, number, f"abp.{stem}.L{number}", out)
        if problem:
            out.unsupported.append(Note(str(path), number, line[:80], problem))
    _apply_exceptions(out, str(path))
    return out


def _convert_line(line: str, number: int, rule_id: str, out: Imported) -> str:
    """Add the rule for one filter line; why it can't be expressed, or ''."""
    m = _FILTER.match(line)
    if m is None:
        return ("a network filter or snippet: requests are not blocked and scripts not run"
                if "#$" not in line and "#%#" not in line else "style injection or scriptlet")
    if m["selector"].startswith(("+js(", "^", "%")):
        return "a scriptlet or HTML filter"
    hosts: list[str] = []
    not_hosts: list[str] = []
    for domain in filter(None, (d.strip() for d in m["domains"].split(","))):
        if domain.endswith(".*") or "/" in domain:
            return f"entity or regex domain {domain!r} is not supported"
        (not_hosts if domain.startswith("~") else hosts).append("." + domain.lstrip("~"))
    if "@" in m["sep"]:
        out.exceptions.append((number, not_hosts if not hosts and not_hosts else hosts,
                               m["selector"].strip()))
        return ""
    rule, problem = selector_rule(m["selector"].strip())
    if problem:
        return problem
    table: dict[str, Any] = {"id": rule_id, **rule}
    if hosts:
        table["hosts"] = hosts
    if not_hosts:
        table["not_hosts"] = not_hosts
    out.data["strip"].append(table)
    return ""


def selector_rule(selector: str) -> tuple[dict[str, str], str]:
    """The keys of a [[strip]] for one cosmetic selector, or a reason it can't be one."""
    if selector.startswith(":xpath(") and selector.endswith(")"):
        xpath = selector[7:-1]
        return ({"xpath": xpath}, "") if _xpath_ok(xpath) else ({}, "invalid :xpath()")
    text = None
    m = _HAS_TEXT.match(selector)
    if m:
        selector, text = m["base"] or "*", _text_regex(m["arg"])
        if text is None:
            return {}, "unsafe or invalid :has-text() regex"
    if _PROCEDURAL.search(selector):
        return {}, "procedural operator that is not the last part of the selector"
    rule = _css_or_xpath(selector)
    if rule is None:
        return {}, "selector that cssselect can't compile"
    if text is not None:
        rule["text"] = text
    return rule, ""


def _css_or_xpath(selector: str) -> dict[str, str] | None:
    try:
        css_to_xpath(selector)
        return {"css": selector}
    except SelectorSyntaxError:
        pass
    m = _HAS.match(selector)
    if m is None:
        return None
    inner = m["arg"].strip()
    try:
        outer = _TRANSLATOR.css_to_xpath(m["base"] or "*")
        prefix = "" if inner.startswith(">") else "descendant::"
        if inner.startswith(("+", "~")):
            return None
        relative = _TRANSLATOR.css_to_xpath(inner.lstrip(">").strip(), prefix=prefix)
    except (SelectorError, etree.XPathError, ValueError):
        return None
    xpath = f"{outer}[{relative}]"
    return {"xpath": xpath} if _xpath_ok(xpath) else None


def _text_regex(arg: str) -> str | None:
    if len(arg) > 2 and arg.startswith("/") and arg.rstrip("imsu").endswith("/"):
        pattern = arg[1:arg.rstrip("imsu").rindex("/")]
    else:
        pattern = re.escape(arg)
    try:
        compile_safe(pattern)
    except UnsafeRegex:
        return None
    return pattern


def _xpath_ok(expr: str) -> bool:
    try:
        etree.XPath(expr)
    except etree.XPathSyntaxError:
        return False
    return True


def _apply_exceptions(out: Imported, path: str) -> None:
    """`#@#` exceptions: exclude their domains from this list's rules of the same selector."""
    rules = out.data["strip"]
    for number, domains, selector in out.exceptions:
        same = [r for r in rules if r.get("css") == selector]
        if not same:
            out.unsupported.append(Note(path, number, f"#@#{selector}"[:80],
                                        "exception for a selector this list does not hide"))
            continue
        for rule in same:
            if domains:
                rule["not_hosts"] = sorted({*rule.get("not_hosts", []), *domains})
            else:
                rules.remove(rule)
