"""A WARC of real pages and copies of them, built from the shared corpora (for the
scale-out tests and benchmarks/scale.py).

Originals are Readability test pages, saved as files. The WARC holds, for each original,
copies of six kinds (credited with a link, uncredited, canonical only, the first half of
the article, a new headline with a nofollow credit, a named credit without a link), plus
the other real pages of the corpora, which copy nothing.
"""

from __future__ import annotations

import gzip
import html
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SANITIZER_SHARED", ROOT.parent / "shared"))
READABILITY = SHARED / "corpus" / "extraction-dev" / "readability" / "pages"
UNRELATED = (SHARED / "corpus" / "dev" / "pages",
             SHARED / "corpus" / "extraction-dev" / "scrapinghub" / "html")
KINDS = ("linked", "uncredited", "canonical", "partial", "headline", "named")


@dataclass
class WarcCorpus:
    """What was written: the WARC, the original files, and what each record is."""

    warc: Path
    originals: list[str] = field(default_factory=list)
    copy_of: dict[str, str] = field(default_factory=dict)  # copy URL -> original file
    unrelated: list[str] = field(default_factory=list)

    @property
    def records(self) -> int:
        return len(self.copy_of) + len(self.unrelated)


def build(folder: Path, *, originals: int = 60, min_records: int = 500) -> WarcCorpus:
    """Write `folder/corpus.warc.gz` with at least `min_records` HTML responses."""
    from sanitizer import Sanitizer

    folder.mkdir(parents=True, exist_ok=True)
    corpus = WarcCorpus(folder / "corpus.warc.gz")
    cleaner = Sanitizer()
    candidates = sorted(p for p in READABILITY.glob("*/source.html"))
    paragraphs: dict[str, list[str]] = {}
    seen: set[str] = set()
    for path in candidates:
        if len(paragraphs) == originals:
            break
        text = cleaner.clean_file(path).text
        blocks = [b for b in text.split("\n\n") if len(b) > 80]
        if len(set(blocks)) >= 6 and sum(map(len, blocks)) > 2000 and not seen.intersection(blocks):
            paragraphs[str(path)] = blocks  # (some test pages are variants of one article)
            seen.update(blocks)
    corpus.originals = list(paragraphs)
    with corpus.warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for n, (original, blocks) in enumerate(paragraphs.items()):
            for kind in KINDS:
                url = f"http://farm{n % 7}.example/{n}/{kind}/"
                _write(writer, url, _copy_page(kind, blocks, n))
                corpus.copy_of[url] = original
        used = {Path(p).parent.name for p in paragraphs}
        same = {Path(p).read_bytes() for p in paragraphs}  # corpora share a few pages
        others = [p for p in candidates if p.parent.name not in used]
        others += [p for folder_ in UNRELATED for p in sorted(folder_.glob("*.htm*"))]
        others = [p for p in others if _read(p) not in same
                  and not seen.intersection(cleaner.clean_html(_read(p)).text.split("\n\n"))]
        for n, path in enumerate(others):
            if corpus.records >= min_records and n >= 20:
                break
            url = f"http://real{n % 11}.example/page/{n}/"
            _write(writer, url, _read(path))
            corpus.unrelated.append(url)
    return corpus


def _copy_page(kind: str, blocks: list[str], n: int) -> bytes:
    """A content-farm copy of an article, credited the way `kind` says."""
    body = _leading(blocks, 0.5) if kind == "partial" else blocks
    original = f"http://127.0.0.1:9/story/{n}"  # refused at once: no DNS, no traffic
    head = f'<link rel="canonical" href="{original}">' if kind == "canonical" else ""
    credit = {
        "linked": f'<p>This article originally appeared on <a href="{original}">News {n}</a>.</p>',
        "headline": f'<p>Source: <a rel="nofollow" href="{original}">News {n}</a></p>',
        "named": f"<p>This article originally appeared on News {n}.</p>",
    }.get(kind, "")
    title = f"You won't believe story {n}" if kind == "headline" else f"Story {n}"
    paras = "".join(f"<p>{html.escape(b)}</p>" for b in body)
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>{head}"
            f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>"
            f"<div class='sharedaddy'><h3>Share this:</h3><a href='https://www.facebook.com/"
            f"sharer.php?u=1'>Facebook</a></div><div class='entry-content'>{paras}{credit}"
            f"<p>Spread it!</p></div></article><footer>© farm</footer></body></html>")
    return page.encode("utf-8")


def _leading(blocks: list[str], share: float) -> list[str]:
    """The leading blocks that hold `share` of the long paragraphs' characters."""
    total, taken = sum(map(len, blocks)), []
    for block in blocks:
        taken.append(block)
        if sum(map(len, taken)) >= share * total:
            break
    return taken


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _write(writer: WARCWriter, url: str, body: bytes) -> None:
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                          ("Content-Length", str(len(body)))],
                               protocol="HTTP/1.1")
    record = writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                       http_headers=headers)
    writer.write_record(record)
