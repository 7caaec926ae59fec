"""Stage: lift the extracted content out of the page into a standalone `<article>`."""

from __future__ import annotations

from lxml.html import HtmlElement

from sanitizer.document import Document, Finding
from sanitizer.rulebook import Rulebook
from sanitizer.text import fold, visible_text

HEADINGS = ("h1", "h2")
#: Marks the heading this stage adds: the text output leaves it out (the title is a field
#: of its own in JSON; extractors' text is the body).
TITLE_CLASS = "article-title"


def isolate_article(doc: Document, rules: Rulebook) -> Document:
    """Stage: a new `<article>` holding the title heading and the content's children."""
    if doc.article is None:
        return doc.noted(Finding("no-content", "no article content found"))
    article = doc.root.makeelement("article", {})  # the page's parser: its element classes
    title = doc.metadata.title
    if title and not _has_heading(doc.article, title):
        heading = article.makeelement("h1", {"class": TITLE_CLASS})
        heading.text = title
        article.append(heading)
    content = doc.article
    if content.tag == "article" or content.getparent() is None:
        article.text = content.text
        for child in list(content):
            article.append(child)
    else:
        tail = content.tail
        content.tail = None
        article.append(content)
        content.tail = tail
    return doc.replace(article=article)


def _has_heading(content: HtmlElement, title: str) -> bool:
    """True when the content already starts with the title as a heading."""
    want = fold(title)
    for heading in content.iter(*HEADINGS):
        got = fold(visible_text(heading))
        if got and (got == want or got in want or want in got):
            return True
    return False
