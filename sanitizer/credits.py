"""The credit phrases, wire agencies and publisher names of `rules/attribution.toml`,
compiled, and how one block of text is read as a credit.

Most text holds no credit: quick tests on lxml's text of an element (regexwords.py) rule
it out before the phrases run on the visible text.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree
from lxml.html import HtmlElement

from sanitizer.errors import RuleError
from sanitizer.regexwords import WordFilter
from sanitizer.text import INVISIBLE, fold, visible_text
from sanitizer.urls import absolute, host_of, is_web_url, path_depth, same_site, site_of

if TYPE_CHECKING:
    from sanitizer.document import Document

#: Link texts that say nothing about who the publisher is.
GENERIC_LINK_TEXT = re.compile(
    r"^(here|this|link|source|source link|the source|original|the original|original article|"
    r"read (the )?(original|full|more)( article| story)?|read more|click here|this link|website|"
    r"hier|aquí|aqui|ici|qui|tutaj|здесь|هنا|di sini|quelle|fuente|fonte)$",
    re.I,
)
#: Links that share the page rather than credit anything.
SHARE_LINK = re.compile(
    r"(facebook\.com/(sharer|share\.php|dialog)|twitter\.com/(intent|share)|x\.com/intent|"
    r"linkedin\.com/(shareArticle|sharing)|pinterest\.com/pin/create|reddit\.com/submit|"
    r"addtoany\.com|addthis\.com|t\.me/share|api\.whatsapp\.com|wa\.me/|[?&]share=)",
    re.I,
)
#: Captured "publishers" that are no one: "its original source", "Nov 20".
NOT_A_NAME = re.compile(
    r"^(its|the|an?|this|that)?\s*(original\s+)?(source|post|article|story|site|website|page|"
    r"author|link|blog)s?$|^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|"
    r"^\d[\d\s/.:-]*$",
    re.I,
)
DATELINE_CHARS = 400
#: A summary credits its source in the lead: the first paragraphs with text.
LEAD_PARAGRAPHS = 3
SUMMARY_WEIGHT = 0.5
_TRAILING_JUNK = re.compile(
    r"\s+(by\s+)?click(ing)?\s+here$|\s+(and|und|y|e|et|on|am|in)\s*$|[\s\-–—:]+$", re.I)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One piece of evidence for an original source."""

    url: str | None = None
    publisher: str | None = None
    weight: float = 0.0
    evidence: str = ""
    kind: str = ""  # "credit", "canonical", "meta", "wire", "summary", "own"


@dataclass(frozen=True, slots=True)
class CreditPhrase:
    id: str
    regex: re.Pattern[str]
    weight: float
    unlinked: float
    edge_only: bool = False


@dataclass(frozen=True, slots=True)
class CreditLine:
    """A short block's visible text and the first credit phrase it matches."""

    text: str
    phrase: CreditPhrase
    match: re.Match[str]


@dataclass(frozen=True, slots=True)
class Wire:
    name: str
    dateline: re.Pattern[str] | None
    trailer: re.Pattern[str] | None
    bylines: frozenset[str]
    domains: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CreditRules:
    """The attribution data, compiled."""

    phrases: tuple[CreditPhrase, ...] = ()
    wires: tuple[Wire, ...] = ()
    publishers: Mapping[str, str] = field(default_factory=dict)
    known_names: frozenset[str] = frozenset()  # publishers and agency bylines, folded
    words: WordFilter | None = None  # the phrases' words: no credit without one
    wire_words: WordFilter | None = None  # the datelines' and trailers' words

    def publisher_for(self, url: str | None) -> str | None:
        """A known publisher name for the URL's site, else the site's domain."""
        return self.known_publisher(url) or host_of(url) or None

    def known_publisher(self, url: str | None) -> str | None:
        """The publisher table's (or a wire agency's) name for the URL's site."""
        if not url:
            return None
        site, host = site_of(url), host_of(url)
        known = self.publishers.get(site) or self.publishers.get(host)
        if known:
            return known
        return next((w.name for w in self.wires if site in w.domains or host in w.domains),
                    None)

    def may_credit(self, content: str) -> bool:
        """False when no phrase can match a block whose `text_content()` is `content`.

        A quick test before `credit_line`, good for blocks without invisible text (a
        script, an SVG title): their visible text has the words of `content`.
        """
        return self.words is None or self.words.may_match(content)

    def credit_places(self, content: str) -> list[int] | None:
        """Places in `content`, in order, one in each word of a credit it holds; None when
        a credit needs no word.

        A block whose text holds none of these places can't credit (as `may_credit`).
        """
        return None if self.words is None else self.words.word_places(content)

    def credit_line(self, block: HtmlElement) -> CreditLine | None:
        """The first credit phrase a short block's visible text matches, if any."""
        text = visible_text(block)
        if not text or len(text) > 320:
            return None
        for phrase in self.phrases:
            match = phrase.regex.search(text)
            if match is not None:
                return CreditLine(text, phrase, match)
        return None

    def read_credit(self, line: CreditLine, block: HtmlElement, own: str | None, *,
                    at_edge: bool = True) -> Candidate | None:
        """The credit a block's credit line makes, if it names or links someone.

        A phrase marked `edge_only` says little in the middle of an article ("Source:
        Eurostat" under a chart): there it weighs only its `unlinked` weight.
        """
        phrase = line.phrase
        named = _named(line.match)
        link = _credit_link(block, own, named)
        evidence = f'credit "{line.text[:100]}" ({phrase.id})'
        weight = phrase.weight if at_edge or not phrase.edge_only else phrase.unlinked
        if link is not None and phrase.edge_only and path_depth(link.get("href")) == 0:
            link = None  # "Read more on <a href=/>Site</a>" promotes a site, credits nothing
        if link is not None:
            name = named or _link_name(link) or self.publisher_for(link.get("href"))
            return Candidate(url=link.get("href"), publisher=name, weight=weight,
                             evidence=evidence, kind="credit")
        if named:
            weight = weight if self.is_known(named) else phrase.unlinked
            return Candidate(publisher=named, weight=weight, evidence=evidence)
        return None

    def is_known(self, name: str) -> bool:
        """True for a wire agency or a publisher in the table."""
        return _name_key(name) in self.known_names

    def wire_credits(self, doc: Document, own: str | None) -> Iterator[Candidate]:
        """Wire-copy credits: a dateline at the article's start, or the agency as author."""
        if doc.article is None:
            return
        own_site = site_of(own)
        head, tail = self._edges(doc.article)
        authors = {fold(a).removeprefix("by ") for a in doc.metadata.authors}
        for wire in self.wires:
            if own_site and own_site in wire.domains:
                continue
            if wire.dateline is not None and wire.dateline.search(head):
                yield Candidate(publisher=wire.name, weight=0.7,
                                evidence=f"wire dateline of {wire.name}")
            if wire.trailer is not None and wire.trailer.search(tail):
                yield Candidate(publisher=wire.name, weight=0.7,
                                evidence=f"closing line of {wire.name} copy")
            if authors & wire.bylines:
                yield Candidate(publisher=wire.name, weight=0.7,
                                evidence=f"{wire.name} is the author")

    def _edges(self, article: HtmlElement) -> tuple[str, str]:
        """The first and last lines of the article's text, where datelines and trailers stand.

        Empty when no dateline or trailer can be there: then the text isn't worth reading.
        """
        if self.wire_words is not None and not any(
                map(self.wire_words.may_match_within, _ends(_visible_content(article)))):
            return "", ""
        text = visible_text(article)
        return text[:DATELINE_CHARS], text[-DATELINE_CHARS:]

    def summary_credits(self, doc: Document, own: str | None) -> Iterator[Candidate]:
        """A rewrite that links a known publisher's article in its lead and names it again.

        ZeroHedge's summary of a Reuters report links "tell Reuters" in its second
        paragraph and says "told Reuters" twice more. An original that cites a fact
        from elsewhere rarely does both.
        """
        if doc.article is None:
            return
        text = ""  # the article's, folded, read once needed
        lead = itertools.islice((p for p in doc.article.iter("p") if _shows_text(p)),
                                LEAD_PARAGRAPHS)
        for p in lead:
            for a in p.iter("a"):
                href = absolute(a.get("href") or "", own)
                publisher = self.known_publisher(href)
                if (not publisher or path_depth(href) < 2 or not is_web_url(href)
                        or (own and same_site(href, own))):
                    continue
                name = fold(publisher).removeprefix("the ")
                text = text or fold(visible_text(doc.article))
                if text.count(name) >= 2:
                    yield Candidate(url=href, publisher=publisher, weight=SUMMARY_WEIGHT,
                                    evidence=f"links {publisher} in the lead and names it "
                                             f"{text.count(name)} times")
                    return


def _named(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    raw = groups.get("publisher") or groups.get("publisher2") or ""
    name = _TRAILING_JUNK.sub("", raw.strip()).strip(" \"'“”‘’«»")
    if not name or GENERIC_LINK_TEXT.match(name) or NOT_A_NAME.match(name) or len(name) < 2:
        return None
    return name


def _credit_link(block: HtmlElement, own: str | None, named: str | None) -> HtmlElement | None:
    """The link of a credit line: an article on another site, the named one first."""
    links = []
    for a in block.iter("a"):
        href = absolute(a.get("href") or "", own)
        if not is_web_url(href) or SHARE_LINK.search(href) or (own and same_site(href, own)):
            continue
        a.set("href", href)
        links.append(a)
    if not links:
        return None
    return max(links, key=lambda a: (path_depth(a.get("href")) > 0, path_depth(a.get("href"))))


def _link_name(link: HtmlElement) -> str | None:
    text = visible_text(link)
    if not text or GENERIC_LINK_TEXT.match(text) or len(text) > 60 or "://" in text:
        return None
    return text


def _ends(content: str, size: int = DATELINE_CHARS) -> tuple[str, str]:
    """The first and last `size` characters of `content`, white space left out.

    They hold the words of the first and last `size` characters of its visible text:
    white space is all that `visible_text` takes out or adds, and the words of a
    WordFilter match without it.
    """
    head, tail = ("".join(part.split()) for part in (content[:2 * size], content[-2 * size:]))
    if len(head) < size or len(tail) < size:
        head = tail = "".join(content.split())
    return head[:size], tail[-size:]


def compile_credit_rules(data: Mapping[str, Any], path: str = "attribution.toml") -> CreditRules:
    """Compile the attribution table; a bad regex raises RuleError naming it."""
    phrases = tuple(
        CreditPhrase(
            id=str(item.get("id", "credit")),
            regex=_compile(item.get("regex", ""), path, item.get("id")),
            weight=float(item.get("weight", 0.7)),
            unlinked=float(item.get("unlinked", item.get("weight", 0.7))),
            edge_only=bool(item.get("edge_only", False)),
        )
        for item in data.get("credit", [])
    )
    wires = tuple(
        Wire(
            name=str(item["name"]),
            dateline=_optional(item.get("dateline"), path, item["name"]),
            trailer=_optional(item.get("trailer"), path, item["name"]),
            bylines=frozenset(fold(b) for b in item.get("byline", [])),
            domains=tuple(item.get("domains", [])),
        )
        for item in data.get("wire", [])
    )
    publishers = dict(data.get("publishers", {}))
    known = {_name_key(n) for n in publishers.values()}
    known |= {_name_key(b) for w in wires for b in w.bylines}
    return CreditRules(phrases, wires, publishers, frozenset(known))


def with_word_filters(rules: CreditRules) -> CreditRules:
    """`rules` with the quick tests of their phrases, datelines and trailers.

    They take a few hundredths of a second to build, then spare most of the work on
    each page: worth it for the attribution stage, not for a credit check in passing.
    """
    edges = [r for w in rules.wires for r in (w.dateline, w.trailer) if r is not None]
    return dataclasses.replace(rules, words=WordFilter.of(p.regex for p in rules.phrases),
                               wire_words=WordFilter.of(edges))


def _name_key(name: str) -> str:
    return fold(name).removeprefix("the ")


def _optional(pattern: str | None, path: str, rule_id: object) -> re.Pattern[str] | None:
    return _compile(pattern, path, rule_id) if pattern else None


def _compile(pattern: str, path: str, rule_id: object) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.I)
    except re.error as err:
        raise RuleError(f"bad regex: {err}", path=path, rule_id=str(rule_id)) from err


def text_content(el: HtmlElement) -> str:
    """`el.text_content()` in half the time: the same libxml2 call, without XPath."""
    text: str = etree.tostring(el, method="text", encoding="unicode", with_tail=False)
    return text


def _visible_content(el: HtmlElement) -> str:
    """`text_content()` without the text of invisible elements (scripts, SVG titles).

    It has the characters of `visible_text(el)`, spaced as in the page: words found in
    one (by a WordFilter) are in the other.
    """
    if not any(has_text(node) for node in el.iter(*INVISIBLE) if node is not el):
        return text_content(el)
    bare = copy.deepcopy(el)
    etree.strip_elements(bare, *INVISIBLE, with_tail=False)
    return text_content(bare)


def _shows_text(el: HtmlElement) -> bool:
    """`bool(visible_text(el))`, mostly without reading the visible text."""
    if not text_content(el).strip():
        return False  # no text at all, visible or not
    if any(has_text(node) for node in el.iter(*INVISIBLE)):
        return bool(visible_text(el))
    return True


def has_text(el: HtmlElement) -> bool:
    """True unless `el` is empty: its `text_content()` may have text."""
    return bool(el.text) or len(el) > 0
