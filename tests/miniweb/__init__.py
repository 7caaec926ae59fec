"""A small web of originals and copies for the audit tests, served by tests/httpserver.py.

The article texts come from the bundled samples (cleaned once); the pages around them are
built here. Every site gets its own real HTTP server on its own loopback address
(127.0.0.2, 127.0.0.3, ...), so sites are told apart as on the real web: a credit to
another site is a credit, a link to the page's own site is not. (Linux routes all of
127.0.0.0/8 to the loopback interface.)

    with Sites() as sites:
        web = build(sites)      # originals, copies and the verdict each copy must get
"""

from __future__ import annotations

import functools
import html
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from httpserver import LocalHTTPServer
from lxml.html import fragment_fromstring

from sanitizer import clean_html

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SHARE_BAIT = ('<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3>'
              '<ul><li><a href="https://twitter.com/intent/tweet?url=x">Twitter</a></li>'
              '<li><a href="https://www.facebook.com/sharer/sharer.php?u=x">Facebook</a></li>'
              "</ul></div>")


@functools.cache
def sample_paragraphs(name: str) -> tuple[str, list[str]]:
    """The title and article paragraphs of a bundled sample, as `clean` keeps them."""
    folder = SAMPLES / name
    meta = tomllib.loads((folder / "meta.toml").read_text(encoding="utf-8"))
    doc = clean_html((folder / "source.html").read_bytes(), url=meta["url"])
    tree = fragment_fromstring(doc.html, create_parent="div")
    paragraphs = [" ".join(p.text_content().split()) for p in tree.iter("p")
                  if p.getparent() is not None and p.getparent().tag != "footer"]
    return doc.title or name, [p for p in paragraphs if len(p.split()) >= 8]


def first_third(paragraphs: list[str]) -> list[str]:
    """The leading paragraphs that hold about a third of the words."""
    total = sum(len(p.split()) for p in paragraphs)
    taken, words = [], 0
    for p in paragraphs:
        if words >= total / 3:
            break
        taken.append(p)
        words += len(p.split())
    return taken


def page(*, title: str, site: str, paragraphs: list[str], head: str = "", top: str = "",
         bottom: str = "", author: str | None = None) -> bytes:
    """An article page: a headline, the paragraphs, and markup above and below them."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    byline = f'<p class="byline">By {html.escape(author)}</p>' if author else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | {html.escape(site)}</title>
<meta property="og:site_name" content="{html.escape(site)}">
<meta property="og:title" content="{html.escape(title)}">
{head}</head>
<body><header><nav><a href="/">Home</a> <a href="/about/">About</a></nav></header>
<main><article><h1>{html.escape(title)}</h1>{byline}{top}
<div class="entry-content">
{body}
</div>
{bottom}</article></main>
<footer><p>&copy; 2024 {html.escape(site)}</p></footer>
</body></html>""".encode()


@dataclass
class MiniWeb:
    """What was served: originals, copies with the verdict each must get, feeds."""

    originals: list[str] = field(default_factory=list)
    expected: dict[str, str] = field(default_factory=dict)
    details: dict[str, dict[str, object]] = field(default_factory=dict)
    feeds: dict[str, str] = field(default_factory=dict)
    sites: Sites = field(default_factory=lambda: Sites())

    @property
    def copies(self) -> list[str]:
        return list(self.expected)


class Sites:
    """One LocalHTTPServer per site name, each on its own loopback address."""

    def __init__(self) -> None:
        self.servers: dict[str, LocalHTTPServer] = {}

    def server(self, name: str) -> LocalHTTPServer:
        """The server of site `name` (started on first use)."""
        if name not in self.servers:
            host = f"127.0.0.{len(self.servers) + 2}"
            self.servers[name] = LocalHTTPServer(host).start()
        return self.servers[name]

    def url(self, name: str, path: str) -> str:
        return self.server(name).url(path)

    def respond(self, url: str, body: bytes, **options: object) -> str:
        """Serve `body` at the absolute `url` (on the server that owns its address)."""
        for server in self.servers.values():
            base = server.url("")
            if url.startswith(base):
                return server.respond(url[len(base):], body, **options)  # type: ignore[arg-type]
        raise KeyError(url)

    def redirect(self, url: str, location: str, status: int = 302) -> None:
        for server in self.servers.values():
            base = server.url("")
            if url.startswith(base):
                server.redirect(url[len(base):], location, status)
                return
        raise KeyError(url)

    def __enter__(self) -> Sites:
        return self

    def __exit__(self, *exc: object) -> None:
        # Each stop waits up to half a second for its serve loop: stop them side by side.
        stoppers = [threading.Thread(target=s.stop) for s in self.servers.values()]
        for thread in stoppers:
            thread.start()
        for thread in stoppers:
            thread.join()


def build(sites: Sites) -> MiniWeb:
    """Serve every page on its site's server; return what to expect."""
    web = MiniWeb(sites=sites)
    server = sites
    A = sites.url("times", "/2024/03/12/bike-lanes/")
    B = sites.url("v8news", "/blog/standalone-wasm/")
    C = sites.url("wire", "/world/anti-drug-operations-stall/")
    GONE = sites.url("times", "/missing-original/")
    AGGREGATOR = sites.url("aggregator", "/stall/")
    UNRELATED = sites.url("blog", "/unrelated/")
    refused_url = LocalHTTPServer.refused_url("/unreachable/")

    def u(site: str, path: str) -> str:
        return sites.url(site, path)

    a_title, a = sample_paragraphs("exampletimes.example/council-bike-lanes")
    b_title, b = sample_paragraphs("v8.dev/emscripten-standalone-wasm")
    c_title, c = sample_paragraphs("reuters.example/cartels-wire")
    d_title, d = sample_paragraphs("ebb.org/bkuhn-blog-2019-10-15")
    third = first_third(b)

    def serve(url: str, body: bytes, verdict: str | None = None, **details: object) -> None:
        server.respond(url, body)
        if verdict:
            web.expected[url] = verdict
            web.details[url] = details

    canon = '<link rel="canonical" href="{}">'
    # originals
    serve(A, page(title=a_title, site="Riverton Times", paragraphs=a, author="Dana Whitfield",
                  head=canon.format(A)))
    serve(B, page(title=b_title, site="Engine Notes", paragraphs=b, head=canon.format(B)))
    serve(C, page(title=c_title, site="Wire Service", paragraphs=c, head=canon.format(C)))
    server.respond(GONE, b"gone", status=404, content_type="text/plain")
    web.originals = [A, B, C, GONE]

    def link(href: str, text: str, rel: str = "") -> str:
        rel_attr = f' rel="{rel}"' if rel else ""
        return f'<a href="{href}"{rel_attr}>{text}</a>'

    serve(u("farm-linked", "/bike-lanes-copy/"),
          page(title=a_title, site="Farm Linked", paragraphs=a, top=SHARE_BAIT,
               bottom=f"<p>Source: {link(A, 'Riverton Times')}</p>" + SHARE_BAIT),
          "linked", position="bottom", rel=None, sharebait=True)
    serve(u("farm-nofollow", "/p/123"),
          page(title="City Says Yes To Bikes, Finally", site="Farm Nofollow", paragraphs=a,
               top="<p>Originally published at " + link(
                   A.rstrip("/"), "Riverton Times",
                   "nofollow ugc") + ".</p>"),
          "linked", position="top", rel="nofollow ugc", headline_changed=True)
    serve(u("syndicate", "/bikes.html"),
          page(title=a_title, site="Syndicate", paragraphs=a, head=canon.format(A)),
          "canonical")
    serve(u("farm-named", "/bikes/"),
          page(title=a_title, site="Farm Named", paragraphs=a,
               bottom="<p><em>This article originally appeared in the Riverton Times.</em></p>"),
          "credited")
    serve(u("farm-licence", "/bikes-cc/"),
          page(title=a_title, site="Farm Licence", paragraphs=a,
               bottom="<p>This article is republished from " + link(A, "Riverton Times")
               + " under a Creative Commons license.</p>"),
          "linked", licence=True)
    serve(u("farm-elsewhere", "/bikes/"),
          page(title=a_title, site="Farm Elsewhere", paragraphs=a,
               bottom=f"<p>Source: {link(UNRELATED, 'Some Blog')}</p>"),
          "uncredited")
    server.redirect(u("farm-moved", "/old-bikes/"),
                    u("farm-moved", "/new-bikes/"), 301)
    server.respond(u("farm-moved", "/new-bikes/"),
                   page(title=a_title, site="Farm Moved", paragraphs=a,
                        bottom=f"<p>Via {link(A, 'Riverton Times', 'sponsored')}</p>"))
    web.expected[u("farm-moved", "/old-bikes/")] = "linked"
    web.details[u("farm-moved", "/old-bikes/")] = {"rel": "sponsored", "redirected": True}

    serve(u("farm-partial", "/wasm-excerpt/"),
          page(title="Standalone Wasm in brief", site="Farm Partial",
               paragraphs=["Here is a summary of an interesting post about WebAssembly "
                           "that we found online this week and wanted to share with you.",
                           *third]),
          "uncredited", partial=True)
    serve(u("farm-partial", "/wasm-third-linked/"),
          page(title=b_title, site="Farm Partial", paragraphs=third,
               bottom=f"<p>Read the full article at {link(B, 'Engine Notes')}.</p>"),
          "linked", partial=True)
    serve(u("farm-bare", "/wasm/"),
          page(title=b_title, site="Farm Bare", paragraphs=b, top=SHARE_BAIT),
          "uncredited", sharebait=True)
    serve(u("farm-hidden", "/wasm/"),
          page(title=b_title, site="Farm Hidden", paragraphs=b,
               bottom='<div style="display: none">Source: ' + link(B, "Engine Notes")
               + "</div>"),
          "linked", position="hidden")

    serve(AGGREGATOR, page(title=c_title, site="Aggregator", paragraphs=c,
                           bottom=f"<p>Source: {link(C, 'Wire Service')}</p>"), "linked")
    serve(u("farm-upstream", "/stall/"),
          page(title=c_title, site="Farm Upstream", paragraphs=c,
               bottom=f"<p>{link(AGGREGATOR, 'Source link')}</p>"),
          "upstream")

    serve(UNRELATED, page(title=d_title, site="Some Blog", paragraphs=d), "not-a-copy")
    web.expected[A] = "not-a-copy"  # a copy that is an original
    web.details[A] = {"original_itself": True}
    server.respond(u("broken", "/404/"), b"<p>no</p>", status=404)
    web.expected[u("broken", "/404/")] = "error"
    server.respond(u("broken", "/image.png"), b"\x89PNG\r\n\x1a\n" + bytes(64),
                   content_type="image/png")
    web.expected[u("broken", "/image.png")] = "error"
    web.expected[refused_url] = "error"

    rss = "".join(f"<item><title>x</title><link>{html.escape(item)}</link></item>"
                  for item in (u("farm-linked", "/bike-lanes-copy/"), u("farm-bare", "/wasm/")))
    server.respond(u("farm-linked", "/feed.xml"),
                   f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{rss}'
                   "</channel></rss>".encode(), content_type="application/rss+xml")
    server.respond(u("times", "/sitemap.xml"),
                   ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                    f'sitemap/0.9"><url><loc>{A}</loc></url></urlset>').encode(),
                   content_type="application/xml")
    web.feeds = {"rss": u("farm-linked", "/feed.xml"),
                 "sitemap": u("times", "/sitemap.xml"),
                 "not-a-feed": AGGREGATOR}
    return web
