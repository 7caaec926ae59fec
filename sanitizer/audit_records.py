"""The records of an audit: `AuditRow` (one per copy), `OriginalDoc` (one per original),
and how one page is loaded for both (fetched or read, cleaned, and parsed as it was)."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement, fragment_fromstring

from sanitizer.api import Sanitizer
from sanitizer.attribution import ATTRIBUTION_CLASS
from sanitizer.document import Document, Page
from sanitizer.errors import InputError, SanitizerError
from sanitizer.fetch import read_file
from sanitizer.matching import shingles
from sanitizer.parse import parse_page
from sanitizer.text import block_text, fold, visible_text
from sanitizer.urls import host_of, is_web_url, site_of, url_key
from sanitizer.verdict import OriginalRef

#: Removals by these rule families are page furniture, not share-bait.
NOT_SHAREBAIT = ("widgets.", "own-output.")
KEPT_CHARS = 1500
MAX_REMOVED = 40


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One copy's result: the verdict, the original it copies, and the evidence.

    `share` is the share of the original's shingles found in the copy (for `not-a-copy`,
    of the closest original). `credit_position` is `top`, `bottom` or `hidden`;
    `credit_rel` holds the link's `nofollow`/`ugc`/`sponsored` tokens. `removed` is what
    cleaning stripped (rule id, text); `kept` the start of the article text that stayed.
    """

    url: str
    verdict: str
    original: str | None = None
    share: float = 0.0
    final_url: str | None = None
    site: str | None = None
    title: str | None = None
    original_title: str | None = None
    headline_changed: bool | None = None
    credit_text: str | None = None
    credit_url: str | None = None
    credit_rel: str | None = None
    credit_position: str | None = None
    licence: str | None = None
    sharebait: tuple[str, ...] = ()
    removed: tuple[tuple[str, str], ...] = ()
    kept: str = ""
    evidence: tuple[str, ...] = ()
    error: str | None = None
    article_text: str = dataclasses.field(default="", compare=False, repr=False)

    def replace(self, **changes: Any) -> AuditRow:
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """The row as plain JSON-ready values (lists for tuples), without the full text."""
        row = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        del row["article_text"]
        row["sharebait"] = list(self.sharebait)
        row["removed"] = [list(pair) for pair in self.removed]
        row["evidence"] = list(self.evidence)
        return row

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> AuditRow:
        """A row read back from `as_dict` or the store (extra keys ignored)."""
        names = {f.name for f in dataclasses.fields(cls)} - {"article_text"}
        values = {k: v for k, v in row.items() if k in names}
        values["sharebait"] = tuple(values.get("sharebait") or ())
        values["removed"] = tuple(tuple(p) for p in values.get("removed") or ())
        values["evidence"] = tuple(values.get("evidence") or ())
        if values.get("headline_changed") is not None:
            values["headline_changed"] = bool(values["headline_changed"])
        return cls(**values)

    @classmethod
    def from_document(cls, url: str, page: Page, doc: Document) -> AuditRow:
        """What every copy row says about the page itself, before matching."""
        text = article_text(doc)
        removed = tuple((r.rule, " ".join(r.text.split())[:200]) for r in doc.removals)
        bait = tuple(dict.fromkeys(f"{rule}: {text[:80]}" for rule, text in removed
                                   if not rule.startswith(NOT_SHAREBAIT)))
        return cls(url=url, verdict="not-a-copy", final_url=page.final_url or page.url,
                   site=host_of(page.final_url or page.url or url) or None,
                   title=doc.title, sharebait=bait, removed=removed[:MAX_REMOVED],
                   kept=text[:KEPT_CHARS], article_text=text)


@dataclass(frozen=True, slots=True)
class OriginalDoc:
    """One original as stored: its text, the URLs it is known by, the names it goes by."""

    url: str
    status: str
    final_url: str | None = None
    title: str | None = None
    site: str | None = None
    publisher: str | None = None
    authors: tuple[str, ...] = ()
    identities: tuple[str, ...] = ()
    text: str = ""
    error: str | None = None

    @classmethod
    def from_document(cls, url: str, page: Page, doc: Document) -> OriginalDoc:
        final = page.final_url or url
        meta = doc.metadata
        same = [u for u in (meta.canonical, meta.og_url) if is_web_url(u) and
                site_of(u) == site_of(final)]
        identities = tuple(dict.fromkeys(url_key(u) for u in (url, final, *same) if u))
        return cls(url=url, status="ok", final_url=final, title=doc.title,
                   site=host_of(final) or None, publisher=meta.site_name,
                   authors=meta.authors, identities=identities, text=article_text(doc))

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> OriginalDoc:
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in row.items() if k in names}
        values["authors"] = tuple(values.get("authors") or ())
        values["identities"] = tuple(values.get("identities") or ())
        values["text"] = values.get("text") or ""
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        row = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        row["authors"], row["identities"] = list(self.authors), list(self.identities)
        return row

    @property
    def shingles(self) -> frozenset[int]:
        return shingles(self.text)

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]

    @property
    def ref(self) -> OriginalRef:
        """The original as `verdict.read_credit` needs it."""
        names = {fold(n).removeprefix("the ") for n in (self.publisher, *self.authors) if n}
        names |= {n for n in (host_of(self.final_url), site_of(self.final_url)) if n}
        return OriginalRef(url=self.final_url or self.url, identities=frozenset(self.identities),
                           title=self.title, names=frozenset(names))


def load_page(src: str, sanitizer: Sanitizer, page: Page | None = None
              ) -> tuple[Page, Document, HtmlElement]:
    """Fetch a URL or read a saved page (unless `page` holds it already, as a WARC record
    does); clean it; parse it again as it was.

    A saved page has no address: its canonical may well be the original's.
    """
    if page is None and is_web_url(src):
        page = sanitizer.fetcher.get(src)
    elif page is None and "://" in src:
        raise InputError(f"unsupported URL scheme in {src!r}: use http or https", source=src)
    elif page is None:
        page = read_file(src)
    root = parse_page(page).root
    return page, sanitizer.clean_page(page), root


def article_text(doc: Document) -> str:
    """The cleaned article's text without the credit block `clean` attached."""
    if not doc.html.strip():
        return doc.text
    fragment = fragment_fromstring(doc.html, create_parent="div")
    for footer in fragment.iter("footer"):
        if ATTRIBUTION_CLASS in (footer.get("class") or "").split():
            footer.drop_tree()
            break
    return block_text(fragment) or visible_text(fragment)


def one_line(err: BaseException) -> str:
    """An error as one line: its message, or its type when it has none."""
    text = " ".join(str(err).split())
    if isinstance(err, SanitizerError):
        return text or type(err).__name__
    return f"{type(err).__name__}: {text}" if text else type(err).__name__
