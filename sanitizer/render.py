"""Document -> output string: a full HTML document, the article fragment, text or JSON.

Formatting only: the article markup is the sanitiser's output and is not edited here;
the document format wraps it in a head whose every value is escaped.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from sanitizer.document import Document
from sanitizer.urls import is_web_url
from sanitizer.version import __version__

FORMATS = ("html", "fragment", "text", "json")
EXTENSIONS = {"html": ".html", "fragment": ".html", "text": ".txt", "json": ".json"}


def render(doc: Document, fmt: str = "html") -> str:
    """The document in one of FORMATS."""
    if fmt == "html":
        return render_page(doc)
    if fmt == "fragment":
        return doc.html + "\n"
    if fmt == "text":
        return doc.text + "\n"
    if fmt == "json":
        return json.dumps(as_dict(doc), ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def render_page(doc: Document) -> str:
    """A complete HTML5 document around the sanitised article."""
    meta = doc.metadata
    head = ['<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="repost-sanitizer {__version__}">']
    if meta.title:
        head.append(f"<title>{escape(meta.title)}</title>")
    source_url = doc.source.url if doc.source else None
    if is_web_url(source_url):
        head.append(f'<link rel="canonical" href="{escape(source_url or "")}">')
        head.append(f'<meta name="original-source" content="{escape(source_url or "")}">')
    elif is_web_url(doc.url):
        head.append(f'<link rel="canonical" href="{escape(doc.url or "")}">')
    if meta.byline:
        head.append(f'<meta name="author" content="{escape(meta.byline)}">')
    lang = f' lang="{escape(meta.lang)}"' if meta.lang else ""
    return ("<!DOCTYPE html>\n"
            f"<html{lang}>\n<head>\n" + "\n".join(head) + "\n</head>\n"
            f"<body>\n{doc.html}\n</body>\n</html>\n")


def as_dict(doc: Document) -> dict[str, Any]:
    """The JSON shape of a cleaned document."""
    meta = doc.metadata
    return {
        "url": doc.url,
        "title": meta.title,
        "byline": meta.byline,
        "published": meta.published,
        "site_name": meta.site_name,
        "lang": meta.lang,
        "original_source": doc.source.as_dict() if doc.source else None,
        "removed": [r.as_dict() for r in doc.removals],
        "findings": [{"code": f.code, "message": f.message} for f in doc.findings],
        "html": doc.html,
        "text": doc.text,
    }
