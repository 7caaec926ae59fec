"""The provenance chain of a copy: follow each page's credit upstream (DESIGN.md §3).

repost.example -> ZeroHedge -> Reuters: fetch the copy, detect the page it credits, fetch
that, and so on, until a page credits nothing, credits a page already seen (a cycle),
can't be fetched, or `max_hops` is reached. Each hop keeps the evidence for its credit and
how much of the next page's text it reproduces.

>>> for hop in trace("https://repost.example/2021/07/story/"):  # doctest: +SKIP
...     print(hop.url, hop.source_url, hop.share)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sanitizer.api import Sanitizer
from sanitizer.audit_records import article_text, load_page, one_line
from sanitizer.matching import containment, shingles
from sanitizer.urls import url_key

MAX_HOPS = 5


@dataclass(frozen=True, slots=True)
class Hop:
    """One page of the chain and what it credits.

    `share` is the share of the credited page's text this page reproduces (None when the
    credited page was not read). `end` says why the chain stops here, if it does.
    """

    url: str
    final_url: str | None = None
    title: str | None = None
    source_url: str | None = None
    publisher: str | None = None
    confidence: float = 0.0
    evidence: tuple[str, ...] = ()
    share: float | None = None
    error: str | None = None
    end: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "final_url": self.final_url, "title": self.title,
                "source_url": self.source_url, "publisher": self.publisher,
                "confidence": self.confidence, "evidence": list(self.evidence),
                "share": self.share, "error": self.error, "end": self.end}


def trace(url: str, *, sanitizer: Sanitizer | None = None, max_hops: int = MAX_HOPS
          ) -> list[Hop]:
    """The chain from `url` upstream: one Hop per page read, the first being `url`."""
    own = sanitizer is None
    s = sanitizer or Sanitizer()
    try:
        return _follow(url, s, max_hops)
    finally:
        if own:
            s.close()


def _follow(url: str, s: Sanitizer, max_hops: int) -> list[Hop]:
    hops: list[Hop] = []
    seen: set[str] = set()
    texts: list[frozenset[int]] = []
    current: str | None = url
    while current is not None:
        seen.add(url_key(current))
        hop, items = _read(current, s)
        if hops and items is not None and texts[-1]:
            hops[-1] = _with_share(hops[-1], containment(items, texts[-1]))
        hops.append(hop)
        texts.append(items or frozenset())
        current = None
        if hop.error:
            hops[-1] = _ended(hop, f"could not read this page: {hop.error}")
        elif not hop.source_url:
            why = (f"credits {hop.publisher} without a link" if hop.publisher
                   else "credits no other page: the start of the chain as far as it says")
            hops[-1] = _ended(hop, why)
        elif url_key(hop.source_url) in seen or (hop.final_url and
                                                 url_key(hop.source_url) == url_key(hop.final_url)):
            hops[-1] = _ended(hop, f"cycle: {hop.source_url} was already visited")
        elif len(hops) > max_hops:
            hops[-1] = _ended(hop, f"stopped after {max_hops} hops (--max-hops)")
        else:
            current = hop.source_url
    return hops


def _read(url: str, s: Sanitizer) -> tuple[Hop, frozenset[int] | None]:
    try:
        page, doc, _root = load_page(url, s)
    except Exception as err:  # a hop that fails ends the chain with its reason
        return Hop(url=url, error=one_line(err)), None
    source = doc.source
    hop = Hop(url=url, final_url=page.final_url or url, title=doc.title,
              source_url=source.url if source else None,
              publisher=source.publisher if source else None,
              confidence=source.confidence if source else 0.0,
              evidence=source.evidence if source else ())
    return hop, shingles(article_text(doc))


def _with_share(hop: Hop, share: float) -> Hop:
    return dataclasses.replace(hop, share=round(share, 4))


def _ended(hop: Hop, why: str) -> Hop:
    return dataclasses.replace(hop, end=why)
