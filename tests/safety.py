"""Static safety checks on our output: what must never be in it (foundation issue, line 3;
issue 7: allow-listed URL schemes only, rel on external links, no srcdoc/formaction, no style
with url() or expression(), no SVG or MathML)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import html as lxml_html

FORBIDDEN_ELEMENTS = ("script", "style", "iframe", "object", "embed", "form", "base", "frame",
                      "frameset", "applet", "template", "noscript", "svg", "math",
                      "input", "button", "textarea", "select", "portal", "fencedframe")
FORBIDDEN_ATTRIBUTES = frozenset({"srcdoc", "formaction", "action", "background", "ping",
                                  "xlink:href", "dynsrc", "lowsrc", "codebase", "is"})
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "cite", "poster", "background",
                  "xlink:href", "data", "srcset", "longdesc", "usemap")
#: The URL schemes `rules/allowlist.toml` keeps (and raster `data:` images, checked below).
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "data"})
BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data):", re.I)
RASTER_DATA = re.compile(r"^\s*data:image/(png|gif|jpe?g|webp|avif|bmp);", re.I)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)
_URL_CONTROLS = re.compile(r"[\x00-\x20]")
STYLE_RISK = re.compile(r"url\s*\(|expression\s*\(|@import|behaviou?r\s*:|-moz-binding", re.I)
#: `<link>` relations our full-document output may carry (render.py adds rel=canonical).
HARMLESS_LINK_REL = frozenset({"canonical", "author", "license"})
EXTERNAL_REL = frozenset({"noopener", "noreferrer"})
UNTRUSTED_REL = frozenset({"nofollow", "ugc"})


def unsafe_parts(markup: str) -> list[str]:
    """Everything in `markup` that could run script or navigate on its own (empty = safe)."""
    root = lxml_html.document_fromstring(markup if markup.strip() else "<html></html>")
    problems = [f"<{el.tag}>" for el in root.iter(*FORBIDDEN_ELEMENTS)]
    for meta in root.iter("meta"):
        if (meta.get("http-equiv") or "").lower() == "refresh":
            problems.append("<meta http-equiv=refresh>")
    for link in root.iter("link"):
        if not set((link.get("rel") or "").lower().split()) <= HARMLESS_LINK_REL:
            problems.append(f"<link rel={link.get('rel')}>")
    for el in root.iter():
        if isinstance(el.tag, str):
            problems.extend(_attribute_problems(el))
    return problems


def _attribute_problems(el: lxml_html.HtmlElement) -> list[str]:
    problems = []
    for name, value in el.attrib.items():
        lower = name.lower()
        if lower.startswith("on"):
            problems.append(f"{el.tag}[{name}]")
        if lower in FORBIDDEN_ATTRIBUTES:
            problems.append(f"{el.tag}[{name}]")
        if lower == "style" and STYLE_RISK.search(value):
            problems.append(f"{el.tag}[style={value[:40]}]")
        if lower in URL_ATTRIBUTES:
            for url in _urls(name, value):
                if el.tag == "img" and RASTER_DATA.match(url):
                    continue
                if BAD_SCHEME.match(url) or scheme_of(url) in SCRIPT_SCHEMES:
                    problems.append(f"{el.tag}[{name}={url.strip()[:40]}]")
                elif scheme_of(url) not in ALLOWED_SCHEMES | {""}:
                    problems.append(f"{el.tag}[{name}] scheme {scheme_of(url)!r}")
    return problems


def scheme_of(url: str) -> str:
    """The scheme a browser would see (controls and blanks removed, as URL parsers do), or ""."""
    found = _SCHEME.match(_URL_CONTROLS.sub("", url))
    return found.group(1).lower() if found else ""


def link_problems(markup: str, page_url: str | None, *, nofollow: bool = False) -> list[str]:
    """External links without `rel="noopener noreferrer"` (and `nofollow ugc` if asked)."""
    if not markup.strip():
        return []
    root = lxml_html.fragment_fromstring(markup, create_parent="div")
    page_host = _site(page_url)
    need = EXTERNAL_REL | (UNTRUSTED_REL if nofollow else frozenset())
    problems = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if scheme_of(href) not in ("http", "https") or (page_host and _site(href) == page_host):
            continue
        missing = need - set((a.get("rel") or "").lower().split())
        if missing:
            problems.append(f"a[href={href[:40]}] lacks rel {' '.join(sorted(missing))}")
    return problems


def _site(url: str | None) -> str:
    try:
        host = (urlsplit(url or "").hostname or "").lower()
    except ValueError:
        return ""
    return ".".join(host.split(".")[-2:])


def _urls(name: str, value: str) -> list[str]:
    if name.lower() == "srcset":
        return [part.strip().split(" ")[0] for part in value.split(",") if part.strip()]
    return [value]
