"""Static safety checks on our output: what must never be in it (issue: foundation, line 3)."""

from __future__ import annotations

import re

from lxml import html as lxml_html

FORBIDDEN_ELEMENTS = ("script", "style", "iframe", "object", "embed", "form", "base", "frame",
                      "frameset", "applet")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "cite", "poster", "background",
                  "xlink:href", "data", "srcset")
BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data):", re.I)
RASTER_DATA = re.compile(r"^\s*data:image/(png|gif|jpe?g|webp|avif|bmp);", re.I)


def unsafe_parts(markup: str) -> list[str]:
    """Everything in `markup` that could run script or navigate on its own (empty = safe)."""
    root = lxml_html.document_fromstring(markup or "<html></html>")
    problems = [f"<{el.tag}>" for el in root.iter(*FORBIDDEN_ELEMENTS)]
    for meta in root.iter("meta"):
        if (meta.get("http-equiv") or "").lower() == "refresh":
            problems.append("<meta http-equiv=refresh>")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            if name.lower().startswith("on"):
                problems.append(f"{el.tag}[{name}]")
            if name.lower() in URL_ATTRIBUTES:
                for url in _urls(name, value):
                    if BAD_SCHEME.match(url) and not (el.tag == "img" and RASTER_DATA.match(url)):
                        problems.append(f"{el.tag}[{name}={url[:40]}]")
    return problems


def _urls(name: str, value: str) -> list[str]:
    if name.lower() == "srcset":
        return [part.strip().split(" ")[0] for part in value.split(",") if part.strip()]
    return [value]
