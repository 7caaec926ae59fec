"""The records that flow through the pipeline: Page in, Document out.

`Document` is frozen; stages return `dataclasses.replace(doc, ...)`. The lxml tree
inside it is the one mutable thing: `pipeline.run` works on its own copy, or on a fresh
parse handed over to it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml.html import HtmlElement

if TYPE_CHECKING:
    from sanitizer.rulebook import RuleSet


@dataclass(frozen=True, slots=True)
class Options:
    """Choices for one run that are not rules.

    Attributes:
        original: the original's URL when the caller knows it (overrides detection).
        nofollow: add `nofollow ugc` to external links of the article.
        guard_share: the largest share of the article's text one rule may remove.
        text_only: make the text alone (the `text` format): no markup is normalised,
            serialised or sanitised, and `Document.html` stays empty.
    """

    original: str | None = None
    nofollow: bool = False
    guard_share: float = 0.5
    text_only: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    """Raw bytes of one page as fetched or read, before decoding.

    Attributes:
        url: the address the page was asked for (or the `--base-url` of a file).
        content: the body bytes.
        final_url: where the redirects ended (`url` when there were none).
        status: the HTTP status, or None for a file.
        headers: response headers (lower-case names).
        redirects: every URL passed through before `final_url`.
    """

    url: str | None
    content: bytes
    final_url: str | None = None
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    redirects: tuple[str, ...] = ()
    elapsed: float = 0.0
    archived: str | None = None  # when a WARC record captured it (WARC-Date)

    @property
    def base_url(self) -> str | None:
        """The URL relative links resolve against."""
        return self.final_url or self.url

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass(frozen=True, slots=True)
class Metadata:
    """What the page says about itself (head tags, JSON-LD, visible byline)."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    site_name: str | None = None
    lang: str | None = None
    description: str | None = None
    image: str | None = None
    canonical: str | None = None
    og_url: str | None = None
    jsonld: tuple[Mapping[str, Any], ...] = ()

    @property
    def byline(self) -> str | None:
        return ", ".join(self.authors) or None


@dataclass(frozen=True, slots=True)
class Source:
    """The original a copy came from, with the evidence for it.

    `confidence` is 0..1; `evidence` holds short human-readable reasons, strongest first.
    """

    url: str | None = None
    publisher: str | None = None
    author: str | None = None
    published: str | None = None
    confidence: float = 0.0
    evidence: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "publisher": self.publisher,
            "author": self.author,
            "published": self.published,
            "confidence": round(self.confidence, 3),
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class Removal:
    """One thing a rule took out: the rule's id and the text it removed."""

    rule: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "text": self.text}


@dataclass(frozen=True, slots=True)
class Finding:
    """A remark about the page that is not an error (a skipped rule, no source found)."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Document:
    """One page on its way through the pipeline.

    Attributes:
        url: the page's own URL (base for relative links), if known.
        root: the parsed page (`<html>` element); the pipeline's own.
        encoding: the character encoding the bytes were decoded with.
        metadata: what the page says about itself.
        article: the main-content element, once extracted (inside `root` until
            the attribution block is attached).
        source: the detected (or given) original, None when the page is an original.
        removals: every removal, in order.
        findings: remarks that are not errors.
        html: the final sanitised article markup (set by the sanitise stage).
        text: plain text of `html`.
        ruleset: the rules chosen for this page (set by the rule-selection stage).
        options: per-run choices (a given original, link policy).
    """

    url: str | None
    root: HtmlElement
    encoding: str = "utf-8"
    page: Page | None = None
    metadata: Metadata = Metadata()
    article: HtmlElement | None = None
    source: Source | None = None
    removals: tuple[Removal, ...] = ()
    findings: tuple[Finding, ...] = ()
    html: str = ""
    text: str = ""
    ruleset: RuleSet | None = None
    options: Options = Options()

    def replace(self, **changes: Any) -> Document:
        """A copy with some fields changed (`dataclasses.replace`)."""
        return dataclasses.replace(self, **changes)

    def removed(self, *removals: Removal) -> Document:
        return self.replace(removals=self.removals + removals)

    def noted(self, *findings: Finding) -> Document:
        return self.replace(findings=self.findings + findings)

    @property
    def title(self) -> str | None:
        return self.metadata.title
