"""Stage: what the page says about itself (title, byline, dates, site name, JSON-LD).

Sources, strongest first: JSON-LD (schema.org Article types), OpenGraph / twitter: /
Dublin Core / `<meta name>` tags, itemprop microdata, then the visible page (`<title>`,
`<h1>`, `<time datetime>`, the byline element). Pure: no network, no files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from itertools import islice
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement

from sanitizer.document import Document, Metadata
from sanitizer.text import squash_space, visible_text

#: schema.org types whose object describes the article itself.
ARTICLE_TYPE = re.compile(r"article|posting|report|review|story|recipe|howto|creativework", re.I)

TITLE_KEYS = ("dc.title", "dcterms.title", "og:title", "twitter:title", "title",
              "headline", "parsely-title", "sailthru.title")  # fmt: skip
AUTHOR_KEYS = ("author", "dc.creator", "dcterms.creator", "article:author", "parsely-author",
               "sailthru.author", "byl", "citation_author", "og:article:author")  # fmt: skip
PUBLISHED_KEYS = ("article:published_time", "og:published_time", "article:published",
                  "datepublished", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date",
                  "dcterms.created", "dc.date.created", "date", "pubdate", "publishdate",
                  "publish-date", "parsely-pub-date", "sailthru.date", "citation_publication_date",
                  "article.published", "og:article:published_time", "datecreated")  # fmt: skip
MODIFIED_KEYS = ("article:modified_time", "og:updated_time", "datemodified",
                 "dcterms.modified", "dc.date.modified", "last-modified", "lastmod")  # fmt: skip
SITE_KEYS = ("og:site_name", "application-name", "dc.publisher", "dcterms.publisher",
             "publisher", "twitter:app:name:iphone")  # fmt: skip
DESCRIPTION_KEYS = ("og:description", "description", "twitter:description", "dc.description",
                    "dcterms.description", "dcterms.abstract")  # fmt: skip
IMAGE_KEYS = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image",
              "twitter:image:src", "image", "thumbnail")  # fmt: skip

#: Bylines that name no person.
BOILERPLATE_AUTHORS = frozenset(
    {"admin", "administrator", "staff", "staff writer", "editor", "editors", "by", "author",
     "anonymous", "unknown", "guest", "guest author", "webmaster", "redaktion", "redacción",
     "rédaction", "team", "the editors", "editorial staff", "newsroom", "none", "null",
     "follow", "follow author", "contributor", "contributors"}
)  # fmt: skip

#: Tags read on every page, all found in one walk of the tree. On a freshly copied tree a
#: walk costs more than a Python look at the ~100 elements it yields (one XPath per tag
#: would walk it once each).
_READ_TAGS = ("script", "meta", "link", "title", "h1")
_LOWER_JSONLD = str.maketrans("APLICTONDJS", "aplictondjs")
_LOWER_CANONICAL = str.maketrans("CANOIL", "canoil")
_XML_SPACE = " \t\n\r"  # what XPath's normalize-space() strips
# Only read when the head has no date / author. `//@a[. = 'v']/parent::*` selects the same
# nodes as `//*[@a = 'v']`, in the same order, several times faster.
_TIME = etree.XPath("//body/descendant::time/@datetime")
_ITEMPROP_DATE = etree.XPath(
    "//@itemprop[. = 'datePublished' or . = 'dateCreated']/parent::*[not(self::meta)]/@datetime"
    " | //@itemprop[. = 'datePublished']/parent::*[not(self::meta)]/@content"
)
#: Elements inside <body> (not in a comment) marked as a byline by rel, itemprop, class or id.
#: Classes are screened with two tests ("byline" and "writtenby" both contain "by") before
#: the three that decide: one test fewer for the hundreds of classes that match none.
_BYLINE = etree.XPath(
    "(//@class[contains(., 'by') or contains(., 'author')]"
    "[contains(., 'byline') or contains(., 'author') or contains(., 'writtenby')]"
    " | //@id[contains(., 'byline') or contains(., 'author')]"
    " | //@rel[. = 'author'] | //@itemprop[. = 'author'])"
    "/parent::*[ancestor::body][not(ancestor::*[contains(@class, 'comment')])]"
)
#: `json.loads(text, strict=False)` without building a decoder per call.
_JSON = json.JSONDecoder(strict=False)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")
_DC_PREFIX = re.compile(r"^(dc|dcterms?)[.:]")  # "DC.title", "dc:title", "dcterm:title"
_ITEM_NAME = etree.XPath(".//*[@itemprop='name']")
_BYLINE_BAD_CLASS = re.compile(
    r"avatar|image|photo|bio|description|box|comment|follow|related|widget|more|list", re.I
)
_BY_PREFIX = re.compile(r"^\s*(?:(?:written|posted|reported|story|text)\s+)?"
                        r"(?:by|von|par|por|door|di|da|av|af)\s*:?\s+", re.I)  # fmt: skip
_SPLIT_AUTHORS = re.compile(r"\s*(?:[,;|]|\band\b|&|\bund\b|\bet\b|\by\b)\s*", re.I)
_URL_OR_MAIL = re.compile(r"https?://|www\.|\S+@\S+\.\w+|^@|^[\w-]+(\.[\w-]+)+$|\d")
_INLINE_LINK = re.compile(r"\(?\s*(?:https?://|mailto:)\S+\s*\)?|\S+@\S+\.\w+")
_TRAILING_DATE = re.compile(
    r"\s+(?:on\s+)?(?:\d{1,2}\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
    r"\s+\d.*$|\s+\d{1,2}[./]\d{1,2}[./]\d{2,4}.*$", re.I
)  # fmt: skip
_NOT_BYLINE = re.compile(
    r"\b(?:sign\s*(?:in|up)|log\s*in|subscribe|register|follow us|updated)\b", re.I
)
_TITLE_SEP = re.compile(r"\s+[|\-\u2013\u2014:\u00b7\u2022\u00bb/\\]\s+")
_DATE_IN_TEXT = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?"
                           r"(?:Z|[+-]\d\d:?\d\d)?)?")  # fmt: skip
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%d.%m.%Y", "%B %d, %Y", "%b %d, %Y",
                 "%d %B %Y", "%d %b %Y", "%B %d %Y", "%Y-%m-%d %H:%M:%S",
                 "%Y-%m-%dT%H:%M:%S.%f%z", "%a, %d %b %Y %H:%M:%S %Z")  # fmt: skip


def read_metadata(root: HtmlElement, url: str | None) -> Metadata:
    """Everything the page says about itself, from head tags, JSON-LD and the byline."""
    found = _elements_by_tag(root)
    objects = tuple(read_jsonld(found["script"]))
    article = _article_object(objects)
    meta = meta_tags(found["meta"])
    site_name = _first(_site_from_jsonld(article, objects), *_pick(meta, SITE_KEYS))
    authors = _authors_from_jsonld(article) or _authors_from_meta(meta) or visible_byline(root)
    canonical = _first(*_canonical_hrefs(found["link"]))
    og_url = _first(*meta.get("og:url", ()))
    absolute_canonical = _absolute(canonical, url)
    return Metadata(
        title=_title(found, article, meta, site_name),
        authors=tuple(a for a in authors if not _same(a, site_name) or len(authors) == 1),
        published=_published(root, article, meta),
        modified=_first_date(_jsonld_str(article, "dateModified"), *_pick(meta, MODIFIED_KEYS)),
        site_name=site_name,
        lang=_lang(root, meta),
        description=_first(_jsonld_str(article, "description"), *_pick(meta, DESCRIPTION_KEYS)),
        image=_absolute(_first(_jsonld_image(article), *_pick(meta, IMAGE_KEYS)), url),
        canonical=absolute_canonical,
        og_url=absolute_canonical if og_url == canonical else _absolute(og_url, url),
        jsonld=objects,
    )


def _elements_by_tag(root: HtmlElement) -> dict[str, list[HtmlElement]]:
    """The whole page's script, meta, link, title and h1 elements by tag, in page order."""
    found: dict[str, list[HtmlElement]] = {tag: [] for tag in _READ_TAGS}
    for el in root.getroottree().getroot().iter(*_READ_TAGS):
        found[el.tag].append(el)
    return found


def read_jsonld(scripts: Iterable[HtmlElement]) -> Iterator[dict[str, Any]]:
    """Every dict object of the JSON-LD blocks among `scripts`, `@graph` and lists flattened."""
    for script in scripts:
        kind = script.get("type")  # any case, outer spaces allowed
        if kind and kind.strip(_XML_SPACE).translate(_LOWER_JSONLD) == "application/ld+json":
            data = _loads(script.text or "")
            if data is not None:
                yield from _flatten(data)


def _loads(text: str) -> Any:
    """Parsed JSON, tolerating comments, CDATA, trailing commas and raw newlines."""
    text = text.strip().removeprefix("<!--").removesuffix("-->").strip()
    if "<![CDATA[" in text or "]]>" in text:
        text = _CDATA.sub("", text)
    try:
        return _JSON.decode(text)
    except ValueError:
        pass
    try:
        return _JSON.decode(_TRAILING_COMMA.sub(r"\1", text))
    except ValueError:
        return None


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    """Dicts of a JSON-LD value: lists walked, `@graph` members lifted out."""
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if isinstance(graph, list):
            yield from _flatten(graph)
        else:
            yield data


def _types(obj: Mapping[str, Any]) -> list[str]:
    """The object's `@type` values as strings."""
    kind = obj.get("@type", ())
    return [kind] if isinstance(kind, str) else [k for k in kind if isinstance(k, str)]


def _article_object(objects: Iterable[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The JSON-LD object describing the article (or a WebPage), else an empty dict."""
    fallback: Mapping[str, Any] = {}
    for obj in objects:
        types = _types(obj)
        if any(ARTICLE_TYPE.search(t) for t in types):
            return obj
        if not fallback and "WebPage" in types:
            fallback = obj
    return fallback


def _jsonld_str(obj: Mapping[str, Any], *keys: str) -> str | None:
    """The first of `keys` whose value is a non-empty string."""
    for key in keys:
        value = obj.get(key)
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, str) and value.strip():
            return squash_space(value)
    return None


def _names(value: Any) -> list[str]:
    """Names of a JSON-LD person/organisation value (string, dict or list)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return _names(name) if isinstance(name, (str, list)) else []
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


def _authors_from_jsonld(article: Mapping[str, Any]) -> tuple[str, ...]:
    """Author names of the article object."""
    return clean_authors(_names(article.get("author")) or _names(article.get("creator")))


def _site_from_jsonld(article: Mapping[str, Any], objects: Iterable[Mapping[str, Any]]) -> str:
    """Publisher name of the article, else the WebSite object's name."""
    names = _names(article.get("publisher"))
    if not names:
        names = [n for o in objects if "WebSite" in _types(o) for n in _names(o.get("name"))]
    return squash_space(names[0]) if names else ""


def _jsonld_image(article: Mapping[str, Any]) -> str | None:
    """URL of the article object's image."""
    image = article.get("image")
    if isinstance(image, list) and image:
        image = image[0]
    if isinstance(image, dict):
        image = image.get("url")
    return image if isinstance(image, str) else None


def meta_tags(metas: Iterable[HtmlElement]) -> dict[str, list[str]]:
    """`<meta>` contents by lower-case property / name / itemprop, in page order."""
    tags: dict[str, list[str]] = {}
    for el in metas:
        content = squash_space(el.get("content") or "")
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            value = el.get(attr)
            if not value:
                continue
            for key in value.lower().split():
                if key.startswith("dc"):
                    key = _DC_PREFIX.sub(_dc_namespace, key)
                tags.setdefault(key, []).append(content)
    return tags


def _dc_namespace(match: re.Match[str]) -> str:
    """The canonical spelling of a Dublin Core key prefix: "dc." or "dcterms."."""
    return "dc." if match.group(1) == "dc" else "dcterms."


def _pick(meta: Mapping[str, list[str]], keys: Iterable[str]) -> list[str]:
    """Values of the given meta keys, in key order."""
    return [value for key in keys for value in meta.get(key, ())]


def _first(*values: str | None) -> str | None:
    """The first non-empty value."""
    return next((v for v in values if v and v.strip()), None)


def _authors_from_meta(meta: Mapping[str, list[str]]) -> tuple[str, ...]:
    """Authors named in meta tags (first key that names someone)."""
    for key in AUTHOR_KEYS:
        names = clean_authors(meta[key]) if key in meta else ()
        if names:
            return names
    return ()


def visible_byline(root: HtmlElement) -> tuple[str, ...]:
    """Authors from the first visible byline element (rel=author, .byline, .author)."""
    for el in _BYLINE(root):
        if _BYLINE_BAD_CLASS.search(el.get("class", "") + " " + el.get("id", "")):
            continue
        named = _ITEM_NAME(el)
        text = visible_text(named[0]) if named else visible_text(el)
        if 0 < len(text) < 100 and not _NOT_BYLINE.search(text):
            names = clean_authors([text])
            if names:
                return names
    return ()


def clean_authors(values: Iterable[str]) -> tuple[str, ...]:
    """Person names: "By" prefixes, emails, URLs and boilerplate out; duplicates folded."""
    names: list[str] = []
    for value in values:
        if _URL_OR_MAIL.match(value.strip()):
            continue
        value = _BY_PREFIX.sub("", squash_space(_INLINE_LINK.sub(" ", value)))
        value = _TRAILING_DATE.sub("", value)
        one_inverted = value.count(",") == 1 and len(value.split()) <= 3  # "Jong, Michiel de"
        parts = [value] if one_inverted else _SPLIT_AUTHORS.split(value)
        for part in parts:
            name = _BY_PREFIX.sub("", part).strip(" .:-\u2013\u2014'\"")
            if _is_name(name) and not any(_same(name, n) for n in names):
                names.append(name)
    return tuple(names)


def _is_name(name: str) -> bool:
    """Whether the string can be a byline name."""
    return (1 < len(name) <= 80 and name.casefold() not in BOILERPLATE_AUTHORS
            and not _URL_OR_MAIL.search(name) and not name.isdigit()
            and len(name.split()) <= 6 and not _DATE_IN_TEXT.search(name))


def _same(a: str | None, b: str | None) -> bool:
    """Equal after case folding and space squashing."""
    if not a or not b:
        return False
    return squash_space(a).casefold() == squash_space(b).casefold()


def normalize_date(value: str | None) -> str | None:
    """An ISO 8601 date or datetime (timezone kept), or None if it is not a date."""
    value = squash_space(value or "")
    if not value:
        return None
    match = _DATE_IN_TEXT.search(value)
    candidates = ([match.group(0).replace(" ", "T")] if match else []) + [value]
    for text in candidates:
        parsed = _parse_date(text)
        if parsed is not None:
            if parsed.hour == parsed.minute == parsed.second == 0 and len(text) <= 10:
                return parsed.date().isoformat()
            return parsed.isoformat()
    return None


def _parse_date(text: str) -> datetime | None:
    """A datetime from an ISO, RFC 2822 or common written date."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _published(root: HtmlElement, article: Mapping[str, Any],
               meta: Mapping[str, list[str]]) -> str | None:
    """The publication date from JSON-LD or meta tags, else from the body's markup.

    The body (itemprop datePublished / dateCreated, then `<time datetime>`) is searched only
    when needed: each search is a walk of the whole tree.
    """
    head = _first_date(_jsonld_str(article, "datePublished", "dateCreated"),
                       *_pick(meta, PUBLISHED_KEYS))
    return head or _first_date(*_ITEMPROP_DATE(root), *_TIME(root))


def _first_date(*values: str | None) -> str | None:
    """The first value that parses as a plausible date, normalised."""
    for value in values:
        date = normalize_date(value)
        if date and "1990" <= date[:4] <= "2100":
            return date
    return None


def _canonical_hrefs(links: Iterable[HtmlElement]) -> Iterator[str]:
    """The hrefs of the links whose space-separated rel has "canonical" (any case)."""
    for link in links:
        rel, href = link.get("rel"), link.get("href")
        if rel and href is not None and " canonical " in f" {rel.translate(_LOWER_CANONICAL)} ":
            yield href


def _title(found: Mapping[str, list[HtmlElement]], article: Mapping[str, Any],
           meta: Mapping[str, list[str]], site_name: str | None) -> str | None:
    """The headline, without a " | Site Name" suffix."""
    doc_title = _first(*(squash_space(t.text_content()) for t in found["title"][:1]))
    title = _first(_jsonld_title(article, doc_title), *_pick(meta, TITLE_KEYS), doc_title)
    headings = _headings(found["h1"])
    if not title:
        return _first(*headings)
    return strip_site_name(title, site_name, headings)


def _headings(h1s: Iterable[HtmlElement]) -> Iterator[str]:
    """Visible text of the first three `<h1>` inside `<body>`, computed as they are read."""
    in_body = (h1 for h1 in h1s if next(h1.iterancestors("body"), None) is not None)
    for heading in islice(in_body, 3):
        yield visible_text(heading)


def _jsonld_title(article: Mapping[str, Any], doc_title: str | None) -> str | None:
    """The article object's headline, or its name when only the name agrees with <title>."""
    headline, name = _jsonld_str(article, "headline"), _jsonld_str(article, "name")
    if headline and name and doc_title and name.casefold() in doc_title.casefold():
        return name if headline.casefold() not in doc_title.casefold() else headline
    return headline or name


def strip_site_name(title: str, site_name: str | None, headings: Iterable[str] = ()) -> str:
    """The title without a leading or trailing site-name part, or the part a heading repeats."""
    seps = list(_TITLE_SEP.finditer(title))
    if not seps:
        return title
    head, tail = title[: seps[-1].start()].strip(), title[seps[-1].end() :].strip()
    first, rest = title[: seps[0].start()].strip(), title[seps[0].end() :].strip()
    for heading in headings:
        if _same(heading, head) or _same(heading, first):
            return squash_space(heading)
    if site_name and (_same(tail, site_name) or site_name.casefold().startswith(tail.casefold())):
        return head
    if site_name and _same(first, site_name):
        return rest
    return title


def _lang(root: HtmlElement, meta: Mapping[str, list[str]]) -> str | None:
    """The page's language tag (`<html lang>`, else content-language / og:locale)."""
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    lang = _first(lang, *_pick(meta, ("content-language", "dc.language", "language")))
    if not lang:
        locale = _first(*meta.get("og:locale", ()))
        lang = locale.replace("_", "-") if locale else None
    return lang.strip() if lang else None


def _absolute(link: str | None, base: str | None) -> str | None:
    """The link made absolute against `base`."""
    if not link:
        return None
    link = link.strip()
    return urljoin(base, link) if base else link


def add_metadata(doc: Document, rules: object) -> Document:
    """Stage: read the page's metadata."""
    return doc.replace(metadata=read_metadata(doc.root, doc.url))
