"""Page URLs listed by an RSS 2.0 / RSS 1.0 / Atom feed or an XML sitemap (index).

`Fetcher.get` accepts HTML pages only (it refuses `application/rss+xml` and XML that does
not look like HTML), so a feed is read here over the fetcher's session with the same
timeout, User-Agent and byte cap. Entities are never resolved (no XXE, no billion laughs).

>>> feed_urls("https://times.example/feed.xml", fetcher)  # doctest: +SKIP
['https://times.example/2024/05/river-park/', ...]
"""

from __future__ import annotations

import gzip
import zlib
from urllib.parse import urljoin

import requests
from lxml import etree

from sanitizer.errors import FetchError, HTTPStatusError, InputError, TooLarge
from sanitizer.fetch import Fetcher, read_file
from sanitizer.urls import is_web_url

#: How many child sitemaps of a sitemap index are read.
MAX_CHILD_SITEMAPS = 50
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/xml;q=0.9, "
               "text/xml;q=0.9, */*;q=0.1")
CHUNK = 64 * 1024


def feed_urls(source: str, fetcher: Fetcher) -> list[str]:
    """The page URLs a feed or sitemap (a URL or a local file) lists, in order, once each.

    Raises:
        FetchError: the feed URL can't be fetched.
        InputError: the file can't be read, or it is not a feed or sitemap.
    """
    found = _read_listing(source, fetcher, depth=0)
    return list(dict.fromkeys(found))


def _read_listing(source: str, fetcher: Fetcher, *, depth: int) -> list[str]:
    body = _fetch_xml(source, fetcher) if is_web_url(source) else read_file(source).content
    root = parse_xml(body, source)
    kind = etree.QName(root).localname.lower()
    base = source if is_web_url(source) else None
    if kind == "sitemapindex":
        if depth > 0:
            raise InputError(f"{source}: a sitemap index inside a sitemap index", source=source)
        children = _texts(root, "sitemap", "loc", base)[:MAX_CHILD_SITEMAPS]
        return [url for child in children for url in _read_listing(child, fetcher, depth=1)]
    if kind == "urlset":
        return _texts(root, "url", "loc", base)
    if kind in ("rss", "rdf"):
        return _texts(root, "item", "link", base)
    if kind == "feed":
        return _atom_links(root, base)
    raise InputError(f"{source} is not an RSS/Atom feed or a sitemap (its root element is "
                     f"<{kind}>)", source=source)


def parse_xml(body: bytes, source: str) -> etree._Element:
    """Parse XML safely (no entities, no network); InputError when it is not XML."""
    if body[:2] == b"\x1f\x8b":  # a .xml.gz sitemap served without Content-Encoding
        body = _gunzip(body, source)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             recover=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as err:
        raise InputError(f"{source} is not an RSS/Atom feed or a sitemap (not XML: {err})",
                         source=source) from err
    if root is None:
        raise InputError(f"{source} is empty", source=source)
    return root


def _gunzip(body: bytes, source: str, cap: int = 50 * 2**20) -> bytes:
    inflater = zlib.decompressobj(wbits=31)
    try:
        data = inflater.decompress(body, cap)
    except (zlib.error, gzip.BadGzipFile) as err:
        raise InputError(f"{source}: broken gzip data ({err})", source=source) from err
    if inflater.unconsumed_tail:
        raise InputError(f"{source}: over {cap} bytes once decompressed", source=source)
    return data


def _texts(root: etree._Element, parent: str, child: str, base: str | None) -> list[str]:
    """Text of every `<parent><child>` (any namespace), as absolute web URLs."""
    path = f"//*[local-name()='{parent}']/*[local-name()='{child}']"
    values = [str(el.text or "").strip() for el in root.xpath(path)]
    return [url for url in (_absolute(v, base) for v in values) if url]


def _atom_links(root: etree._Element, base: str | None) -> list[str]:
    """Each Atom entry's alternate link (a link without rel counts as alternate)."""
    urls = []
    for entry in root.xpath("//*[local-name()='entry']"):
        for link in entry.xpath("*[local-name()='link']"):
            if (link.get("rel") or "alternate") == "alternate":
                url = _absolute(link.get("href") or "", base)
                if url:
                    urls.append(url)
                    break
    return urls


def _absolute(value: str, base: str | None) -> str | None:
    url = urljoin(base, value) if base else value
    return url if is_web_url(url) else None


def _fetch_xml(url: str, fetcher: Fetcher) -> bytes:
    """GET a feed over the fetcher's session: timeout, User-Agent and byte cap kept."""
    headers = {"User-Agent": fetcher.user_agent, "Accept": FEED_ACCEPT}
    try:
        with fetcher.session.get(url, headers=headers, timeout=fetcher.timeout,
                                 stream=True) as response:
            if response.status_code >= 400:
                raise HTTPStatusError(f"HTTP {response.status_code} for feed {url}", url=url,
                                      status=response.status_code)
            chunks, size = [], 0
            for chunk in response.iter_content(CHUNK):
                size += len(chunk)
                if size > fetcher.max_bytes:
                    raise TooLarge(f"feed {url} is larger than {fetcher.max_bytes} bytes",
                                   url=url)
                chunks.append(chunk)
    except requests.RequestException as err:
        raise FetchError(f"could not fetch feed {url}: {type(err).__name__}", url=url) from err
    return b"".join(chunks)
