"""The public front door: `clean_html`, `clean_url`, and `Sanitizer` for many pages."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import TracebackType

from lxml.html import document_fromstring

from sanitizer.document import Document, Options, Page
from sanitizer.fetch import Fetcher, read_file
from sanitizer.normalize import normalize
from sanitizer.parse import parse_fragment, parse_page
from sanitizer.pipeline import run
from sanitizer.rulebook import Rulebook, load_rules
from sanitizer.sanitize import cleaner_for, inner_html, sanitize_html


class Sanitizer:
    """Clean many pages with one rulebook and one HTTP session.

    Example:
        >>> with Sanitizer(rules="my-rules/") as s:
        ...     docs = [s.clean_url(u) for u in urls]
    """

    def __init__(
        self,
        *,
        rules: str | Path | Rulebook | None = None,
        options: Options | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        if isinstance(rules, Rulebook):
            self.rulebook = rules
        else:
            self.rulebook = load_rules(rules) if rules else load_rules()
        cleaner_for(self.rulebook)  # a bad allow-list fails here, not on the first page
        self.options = options or Options()
        self._fetcher = fetcher
        self._own_fetcher = fetcher is None

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            self._fetcher = Fetcher()
        return self._fetcher

    def clean_page(self, page: Page, *, original: str | None = None) -> Document:
        """Clean a page already fetched or read."""
        options = self.options
        if original:
            options = dataclasses.replace(options, original=original)
        return run(parse_page(page, options), self.rulebook, own_tree=True)

    def clean_html(self, html: str | bytes, *, url: str | None = None,
                   original: str | None = None) -> Document:
        """Clean a page given as markup; `url` is its address (for links and credits)."""
        content = html.encode("utf-8") if isinstance(html, str) else html
        headers = {"content-type": "text/html; charset=utf-8"} if isinstance(html, str) else {}
        return self.clean_page(Page(url=url, content=content, headers=headers),
                               original=original)

    def clean_url(self, url: str, *, original: str | None = None) -> Document:
        """Fetch a URL and clean it."""
        return self.clean_page(self.fetcher.get(url), original=original)

    def clean_file(self, path: str | Path, *, url: str | None = None,
                   original: str | None = None) -> Document:
        """Read a file (`-` for stdin) and clean it."""
        return self.clean_page(read_file(path, base_url=url), original=original)

    def close(self) -> None:
        if self._own_fetcher and self._fetcher is not None:
            self._fetcher.close()
            self._fetcher = None

    def __enter__(self) -> Sanitizer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def clean_html(html: str | bytes, *, url: str | None = None, original: str | None = None,
               rules: str | Path | Rulebook | None = None) -> Document:
    """Clean one page given as markup.

    Example:
        >>> doc = clean_html(raw, url="https://reposter.example/p/123")
        >>> doc.html, doc.source, doc.removals
    """
    return Sanitizer(rules=rules).clean_html(html, url=url, original=original)


def clean_url(url: str, *, original: str | None = None,
              rules: str | Path | Rulebook | None = None,
              fetcher: Fetcher | None = None) -> Document:
    """Fetch and clean one page (with your own `fetcher` for non-default network settings)."""
    with Sanitizer(rules=rules, fetcher=fetcher) as s:
        return s.clean_url(url, original=original)


def sanitize_fragment(html: str, *, url: str | None = None,
                      rules: str | Path | Rulebook | None = None) -> str:
    """Only the last stages of `clean` (normalise, sanitise) on already-extracted HTML."""
    rulebook = rules if isinstance(rules, Rulebook) else load_rules(*([rules] if rules else []))
    root = document_fromstring("<html><body></body></html>")
    holder = parse_fragment(html or "")  # the same limits and repairs as a whole page
    root.find("body").append(holder)
    doc = run(Document(url=url, root=root, article=holder), rulebook, stages=(normalize,))
    assert doc.article is not None
    return sanitize_html(inner_html(doc.article), rulebook)  # the fragment, not our holder
