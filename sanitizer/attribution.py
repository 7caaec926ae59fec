"""Everything about crediting the original: detect it, then attach a visible credit.

Signals, strongest first (DESIGN.md §3): JSON-LD `isBasedOn`; `original-source` /
`syndication-source` meta; a cross-site `rel=canonical` or `og:url`; an in-body credit
phrase with a link ("Source link", "Originally published at ..."); a wire dateline or
byline; a credit that names a publisher without a link. Phrases, agencies and
publisher names are data in `rules/attribution.toml`.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from lxml.html import HtmlElement
from lxml.html.builder import E

from sanitizer.credits import (
    Candidate,
    CreditLine,
    CreditRules,
    compile_credit_rules,
    has_text,
    text_content,
    with_word_filters,
)
from sanitizer.document import Document, Finding, Source
from sanitizer.rulebook import Rulebook
from sanitizer.text import INVISIBLE, fold, tag_of, visible_text
from sanitizer.urls import absolute, host_of, is_web_url, path_depth, same_site, site_of, url_key

#: A source is claimed only when its evidence adds up to at least this.
THRESHOLD = 0.5
#: Blocks longer than this are article prose, not credit lines.
CREDIT_MAX_CHARS = 320
CREDIT_BLOCKS = ("p", "div", "span", "em", "i", "small", "strong", "b", "footer", "li", "h4",
                 "h5", "h6", "aside", "section", "cite", "a", "center", "font")
#: Where a credit is never: captions credit photos, quotes credit speakers.
NOT_CREDITS = frozenset({"figcaption", "figure", "blockquote", "q", "nav", "header", "button",
                         "label", "select", "option", "form", "time"})
#: Class words of photo and media credits ("Photo via Reuters" credits a picture).
MEDIA_CLASS = re.compile(r"caption|photo|image|img|gallery|thumb|media-credit", re.I)
MEDIA_DEPTH = 3
#: Credit lines stand at the article's edges; "Source: ..." mid-article cites data.
EDGE_START, EDGE_END = 0.15, 0.75
#: How many elements before and after the article a credit is looked for in.
NEARBY_WINDOW = 6
ATTRIBUTION_CLASS = "attribution"


@cache
def _credit_rules(rulebook: Rulebook) -> CreditRules:
    return with_word_filters(compile_credit_rules(rulebook.attribution))


def detect_source(doc: Document, rules: Rulebook) -> Document:
    """Stage: find the original this page copies, or note that there is none."""
    credit_rules = _credit_rules(rules)
    if doc.options.original:
        return doc.replace(source=_given_source(doc.options.original, credit_rules))
    source = _decide(list(_candidates(doc, credit_rules)), doc, credit_rules)
    if source is None:
        return doc.replace(source=None).noted(Finding("no-source", "no original source found"))
    return doc.replace(source=source)


def _given_source(url: str, credit_rules: CreditRules) -> Source:
    return Source(url=url, publisher=credit_rules.publisher_for(url), confidence=1.0,
                  evidence=("given by the caller (--original)",))


def _candidates(doc: Document, credit_rules: CreditRules) -> Iterator[Candidate]:
    """Every piece of evidence the page offers, weak and strong."""
    own = doc.url
    yield from _our_own_block(doc)
    yield from _jsonld_candidates(doc.metadata.jsonld, own)
    yield from _meta_candidates(doc.root, own)
    yield from _canonical_candidates(doc.metadata.canonical, doc.metadata.og_url, own)
    yield from _credit_lines(doc, credit_rules)
    yield from credit_rules.wire_credits(doc, _own_url(doc))
    yield from credit_rules.summary_credits(doc, _own_url(doc))


def _canonical_candidates(canonical: str | None, og_url: str | None, own: str | None
                          ) -> Iterator[Candidate]:
    """A canonical or og:url on another site names the original.

    A home page is a misconfiguration, not a credit; an og:url elsewhere says little
    when the canonical points to the page's own site.
    """
    self_canonical = bool(canonical and own and same_site(canonical, own))
    for key, url, weight in (("canonical", canonical, 0.8),
                             ("og:url", og_url, 0.3 if self_canonical else 0.6)):
        if (is_web_url(url) and own and not same_site(url, own)
                and path_depth(url or "") > 0):
            yield Candidate(url=url, weight=weight, evidence=f"cross-site {key} {url}",
                            kind="canonical")


def _our_own_block(doc: Document) -> Iterator[Candidate]:
    """A credit block this tool attached on an earlier run (cleaning is idempotent)."""
    scope = doc.article if doc.article is not None else doc.root
    for footer in scope.iter("footer"):
        if ATTRIBUTION_CLASS in (footer.get("class") or "").split():
            link = next((a for a in footer.iter("a") if is_web_url(a.get("href"))), None)
            if link is not None:
                yield Candidate(url=link.get("href"), publisher=visible_text(link) or None,
                                weight=1.0, evidence="attribution block of an earlier clean")


def _jsonld_candidates(objects: tuple[Mapping[str, Any], ...], own: str | None
                       ) -> Iterator[Candidate]:
    for obj in _walk_jsonld(objects):
        based = obj.get("isBasedOn") or obj.get("isBasedOnUrl")
        for item in based if isinstance(based, list) else [based]:
            url, name = _jsonld_ref(item)
            if is_web_url(url) and not (own and same_site(url, own)):
                yield Candidate(url=url, publisher=name, weight=1.0,
                                evidence=f"JSON-LD isBasedOn {url}")


def _walk_jsonld(objects: tuple[Mapping[str, Any], ...]) -> Iterator[Mapping[str, Any]]:
    stack: list[Any] = list(objects)
    while stack:
        obj = stack.pop()
        if isinstance(obj, Mapping):
            yield obj
            stack.extend(v for v in obj.values() if isinstance(v, Mapping | list))
        elif isinstance(obj, list):
            stack.extend(obj)


def _jsonld_ref(item: object) -> tuple[str | None, str | None]:
    if isinstance(item, str):
        return item, None
    if isinstance(item, Mapping):
        url = item.get("url") or item.get("@id")
        publisher = item.get("publisher")
        name = publisher.get("name") if isinstance(publisher, Mapping) else publisher
        return (url if isinstance(url, str) else None), (name if isinstance(name, str) else None)
    return None, None


_META_SOURCE = ("original-source", "syndication-source", "dc.source", "citation_original_url")


def _meta_candidates(root: HtmlElement, own: str | None) -> Iterator[Candidate]:
    for meta in root.iter("meta", "link"):
        key = (meta.get("name") or meta.get("property") or meta.get("rel") or "").lower()
        if key not in _META_SOURCE:
            continue
        url = absolute(meta.get("content") or meta.get("href") or "", own)
        if is_web_url(url) and not (own and same_site(url, own)):
            weight = 1.0 if key == "original-source" else 0.9
            yield Candidate(url=url, weight=weight, evidence=f"<{tag_of(meta)} {key}> {url}")


def _credit_lines(doc: Document, credit_rules: CreditRules) -> Iterator[Candidate]:
    """Credits read from short blocks, once each (nested blocks repeat one line)."""
    if doc.article is None:
        return
    offsets: dict[HtmlElement | None, int] | None = None  # counted once a line is found
    best: dict[str, Candidate] = {}  # one line counts once, with its link if it has one
    for block, line in _credit_blocks(doc.article, credit_rules):
        if offsets is None:
            offsets = _text_offsets(doc.article)
        offset = offsets.get(block)
        total = max(offsets[None], 1)
        at_edge = offset is None or not EDGE_START < offset / total < EDGE_END
        candidate = credit_rules.read_credit(line, block, _own_url(doc), at_edge=at_edge)
        if candidate is None:
            continue
        known = best.get(candidate.evidence)
        if known is None or _rank(candidate) > _rank(known):
            best[candidate.evidence] = candidate
    yield from best.values()


def _rank(candidate: Candidate) -> tuple[bool, float]:
    return candidate.url is not None, candidate.weight


def _own_url(doc: Document) -> str | None:
    """The page's address; for a file without one, its canonical or og:url.

    Only for telling the page's own links from others': a canonical is never evidence
    against itself this way (the canonical candidate is judged against `doc.url` alone).
    """
    return doc.url or doc.metadata.canonical or doc.metadata.og_url


def _text_offsets(article: HtmlElement) -> dict[HtmlElement | None, int]:
    """How many characters of text come before each element; the total under None."""
    offsets: dict[HtmlElement | None, int] = {}
    count = 0
    for el in article.iter():
        offsets[el] = count
        count += len(el.text or "") + len(el.tail or "") if el is not article else 0
    offsets[None] = count
    return offsets


def _credit_blocks(article: HtmlElement, credit_rules: CreditRules
                   ) -> Iterator[tuple[HtmlElement, CreditLine]]:
    """Short blocks in the article and just after it that read as credit lines."""
    for scope in _scopes(article):
        for el in _candidate_blocks(scope, credit_rules):
            line = None if _in_media(el) else credit_rules.credit_line(el)
            if line is not None:
                yield el, line


def _scopes(article: HtmlElement) -> Iterator[HtmlElement]:
    """The article and the elements near it, unless inside a NOT_CREDITS element."""
    parent = article.getparent()
    outer = [tag_of(node) in NOT_CREDITS for node in article.iterancestors()]
    for scope in (article, *nearby(article)):
        if not any(outer if scope.getparent() is parent else outer[1:]):
            yield scope


def _candidate_blocks(scope: HtmlElement, credit_rules: CreditRules) -> Iterator[HtmlElement]:
    """Blocks outside NOT_CREDITS whose short text may make a credit, by quick tests.

    The words of a credit are looked for once in the scope's text; only the elements
    around them are read, each by its place in that text. Invisible text (a script)
    may split a word there: the short blocks that hold some, and the elements around
    them, are read anyway, and tested on their visible text.
    """
    content = text_content(scope)
    places = credit_rules.credit_places(content)
    reach = _reach_of_invisible_text(scope)
    if places is not None and not places and not reach:
        return
    stack = [(scope, 0, len(content), content)]
    while stack:
        el, start, end, content = stack.pop()
        if el not in reach and not _any_within(places, start, end):
            continue
        tag = tag_of(el)
        if tag in NOT_CREDITS:
            continue
        if tag in CREDIT_BLOCKS and _short(content) and (
                credit_rules.may_credit(visible_text(el) if el in reach else content)):
            yield el
        stack.extend(reversed(_children_text(el, start, end, content)))


def _short(content: str) -> bool:
    """True for the `text_content()` of a block short enough to be a credit line."""
    return 0 < len(content.strip()) <= CREDIT_MAX_CHARS * 2


def _any_within(places: list[int] | None, start: int, end: int) -> bool:
    """Whether one of the sorted places is in [start, end); places None: anywhere."""
    if places is None:
        return True
    i = bisect.bisect_left(places, start)
    return i < len(places) and places[i] < end


def _children_text(el: HtmlElement, start: int, end: int, content: str
                   ) -> list[tuple[HtmlElement, int, int, str]]:
    """Each child element, the place of its text in the scope's [start, end), its text.

    The places are sums of lengths: should they not add up to `el`'s `content` (an
    entity node would do that), every child gets all of `el`'s: none is passed over.
    """
    children = []
    at = start + len(el.text or "")
    for child in el:
        text = text_content(child) if isinstance(child.tag, str) else ""
        if isinstance(child.tag, str):
            children.append((child, at, at + len(text), text))
        at += len(text) + len(child.tail or "")
    if at != start + len(content):
        return [(child, start, end, text) for child, _, _, text in children]
    return children


def _reach_of_invisible_text(scope: HtmlElement) -> set[HtmlElement]:
    """The short blocks of `scope` that hold invisible text (a script), and what holds them.

    That text is in `text_content()`, not in `visible_text`, and may split a word.
    """
    reach: set[HtmlElement] = set()
    for node in scope.iter(*INVISIBLE):
        if node is scope or not has_text(node):
            continue
        outer = [*itertools.takewhile(lambda el: el is not scope, node.iterancestors()), scope]
        for i, el in enumerate(outer):
            if tag_of(el) not in CREDIT_BLOCKS:
                continue
            size = len(text_content(el).strip())
            if size > CREDIT_MAX_CHARS * 2:
                break  # the blocks around it are longer still
            if size:
                reach.update(outer[i:])
                break
    return reach


def _in_media(el: HtmlElement) -> bool:
    """True for a block in a photo or media credit, by its or its parents' class."""
    near = itertools.islice(itertools.chain([el], el.iterancestors()), MEDIA_DEPTH)
    return any(MEDIA_CLASS.search(node.get("class") or "") for node in near)


def nearby(article: HtmlElement) -> Iterator[HtmlElement]:
    """Elements just before and after the article, in its parent and grandparent.

    Credit notes often sit beside the body: salon's `p.editors_note` precedes its
    `<article>`; sciencefly's "Source link" follows the entry content. (The strip stage
    runs its rules over these elements too, so that what is read here is clean.)
    """
    node: HtmlElement | None = article
    for _ in range(2):
        if node is None or node.getparent() is None:
            return
        for siblings in (node.itersiblings(preceding=True), node.itersiblings()):
            elements = (s for s in siblings if isinstance(s.tag, str))
            yield from itertools.islice(elements, NEARBY_WINDOW)
        node = node.getparent()


@dataclass
class _Tally:
    weight: float = 0.0
    publisher: str | None = None
    publisher_weight: float = 0.0


def _decide(candidates: list[Candidate], doc: Document, credit_rules: CreditRules
            ) -> Source | None:
    """Add up the evidence per URL and per publisher; claim a source above THRESHOLD."""
    own_names = {fold(n) for n in (doc.metadata.site_name, site_of(doc.url)) if n}
    candidates = [c for c in candidates if not (c.publisher and fold(c.publisher) in own_names)]
    candidates = _past_intermediates(candidates)
    by_url: dict[str, _Tally] = {}
    named: dict[str, _Tally] = {}
    for c in candidates:
        if c.url:
            tally = by_url.setdefault(url_key(c.url), _Tally())
            tally.weight += c.weight
            if c.publisher and c.weight > tally.publisher_weight:
                tally.publisher, tally.publisher_weight = c.publisher, c.weight
        if c.publisher:
            nt = named.setdefault(fold(c.publisher), _Tally(publisher=c.publisher))
            nt.weight += c.weight
    url, url_tally = _best_url(by_url, candidates)
    if url is not None and url_tally.weight >= THRESHOLD:
        publisher = (url_tally.publisher or credit_rules.known_publisher(url)
                     or _named_for_url(named, url) or credit_rules.publisher_for(url))
        confidence = min(1.0, url_tally.weight)
    elif named:
        top = max(named.values(), key=lambda t: t.weight)
        if top.weight < THRESHOLD:
            return None
        url, publisher, confidence = None, top.publisher, min(1.0, top.weight)
    else:
        return None
    evidence = tuple(c.evidence for c in sorted(candidates, key=lambda c: -c.weight))
    return Source(url=url, publisher=publisher, confidence=round(confidence, 3),
                  evidence=evidence)


def _past_intermediates(candidates: list[Candidate]) -> list[Candidate]:
    """Prefer a linked credit line over a canonical that points to another site.

    A mirror of the seed repost has its canonical on the content farm and a "Source
    link" to ZeroHedge: the canonical names an intermediate copy, the credit the
    original the copy came from.
    """
    credits = [c.url for c in candidates if c.kind == "credit" and c.url and c.weight >= 0.7]
    if not credits:
        return candidates
    return [c for c in candidates if c.kind != "canonical"
            or any(same_site(c.url, url) for url in credits)]


def _best_url(by_url: dict[str, _Tally], candidates: list[Candidate]
              ) -> tuple[str | None, _Tally]:
    if not by_url:
        return None, _Tally()
    key = max(by_url, key=lambda k: (by_url[k].weight, path_depth(k)))
    original = next(c.url for c in candidates if c.url and url_key(c.url) == key)
    return original, by_url[key]


def _named_for_url(named: dict[str, _Tally], url: str) -> str | None:
    """A publisher named in a credit whose name matches the URL's site."""
    site = re.sub(r"\W", "", site_of(url).rsplit(".", 1)[0])
    for tally in named.values():
        if tally.publisher and site and site in re.sub(r"\W", "", fold(tally.publisher)):
            return tally.publisher
    return None


def attach_credit(doc: Document, rules: Rulebook) -> Document:
    """Stage: end the article with a visible credit to the original (replacing an old one)."""
    if doc.article is None:
        return doc
    for old in list(doc.article.iter("footer")):
        if ATTRIBUTION_CLASS in (old.get("class") or "").split():
            old.drop_tree()
    if doc.source is None or not (doc.source.url or doc.source.publisher):
        return doc
    doc.article.append(credit_block(doc.source))
    return doc


def credit_block(source: Source) -> HtmlElement:
    """`<footer class="attribution">`: who published the original, when, and a link to it."""
    footer = E.footer(E.p(*_credit_words(source), **{"class": "attribution-credit"}),
                      **{"class": ATTRIBUTION_CLASS})
    return footer


def _credit_words(source: Source) -> list[Any]:
    """The credit sentence: "Originally published by <a>Publisher</a>, by Author, on Date."."""
    name = source.publisher or host_of(source.url) or "the original publisher"
    words: list[Any] = ["Originally published by "]
    if source.url and is_web_url(source.url):
        words.append(E.a(name, href=source.url, rel="noopener noreferrer"))
    else:
        words.append(name)
    if source.author:
        words.append(f", by {source.author}")
    if source.published:
        words.append(f", on {source.published}")
    words.append(".")
    return words
