"""Throwaway dev checks for extract.py and metadata.py (run from the repository root).

    python benchmarks/_dev_extract_check.py meta [--show FIELD]
    python benchmarks/_dev_extract_check.py structure
    python /work/shared/tools/eval_extraction.py \
        --data /work/shared/corpus/extraction-dev/scrapinghub \
        --extractor py:benchmarks._dev_extract_check:extract_text
"""

from __future__ import annotations

import json
import re
import sys
import time
import unicodedata
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sanitizer.extract import find_main_content
from sanitizer.metadata import read_metadata
from sanitizer.text import block_text

SHARED = Path(__file__).resolve().parents[2] / "shared"
READABILITY = SHARED / "corpus/extraction-dev/readability/pages"
FIELDS = ("title", "byline", "siteName", "publishedTime", "lang")


def extract_text(html: str, url: str | None) -> str:
    """Adapter for eval_extraction.py: plain text of the main content."""
    root = lxml.html.fromstring(html)
    found = find_main_content(root)
    return block_text(found) if found is not None else ""


def extract_text_stripped(html: str, url: str | None) -> str:
    """Like extract_text, but on a copy without descendants scoring.py calls boilerplate.

    A rough stand-in for the pipeline's structural strip (share widgets, related posts),
    which runs before extraction; shows what the body costs once that stage exists.
    """
    import copy

    from sanitizer.scoring import is_boilerplate

    root = lxml.html.fromstring(html)
    found = find_main_content(root)
    if found is None:
        return ""
    found = copy.deepcopy(found)
    drop = [el for el in found.iterdescendants()
            if isinstance(el.tag, str) and el.tag != "p" and is_boilerplate(el)]  # fmt: skip
    for el in drop:
        if el.getparent() is not None:
            el.drop_tree()
    return block_text(found)


def norm(field: str, value: str | None) -> str:
    """The one comparison normalisation, for every tool alike."""
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    if field == "publishedTime":
        return text.strip()[:10]
    if field == "byline":
        text = re.sub(r"^\s*(written\s+)?(by|par)\s*:?\s+", "", text)
        text = re.sub(r"\s*(;|&|\band\b)\s*", ", ", text)
    return " ".join(re.sub("[\"'\u201c\u201d\u2018\u2019]", "", text).split())


def ours(html: str, url: str | None) -> dict[str, str | None]:
    meta = read_metadata(lxml.html.fromstring(html), url)
    return {"title": meta.title, "byline": meta.byline, "siteName": meta.site_name,
            "publishedTime": meta.published, "lang": meta.lang}


def theirs(html: str, url: str | None) -> dict[str, str | None]:
    import trafilatura

    meta = trafilatura.extract_metadata(html, default_url=url)
    if meta is None:
        return {}
    return {"title": meta.title, "byline": meta.author, "siteName": meta.sitename,
            "publishedTime": meta.date, "lang": None}


def compare_metadata(show: str | None = None) -> None:
    """Accuracy per field (pages whose expected value is non-null) for both tools."""
    tools = {"sanitizer": ours, "trafilatura": theirs}
    hits = {t: dict.fromkeys(FIELDS, 0) for t in tools}
    extra = {t: dict.fromkeys(FIELDS, 0) for t in tools}
    totals = dict.fromkeys(FIELDS, 0)
    seconds = dict.fromkeys(tools, 0.0)
    for page in sorted(READABILITY.iterdir()):
        html = (page / "source.html").read_text("utf-8", errors="replace")
        expected = json.loads((page / "expected-metadata.json").read_text("utf-8"))
        got = {}
        for name, tool in tools.items():
            start = time.perf_counter()
            got[name] = tool(html, None)
            seconds[name] += time.perf_counter() - start
        for field in FIELDS:
            want = norm(field, expected.get(field))
            totals[field] += bool(want)
            for name in tools:
                value = norm(field, got[name].get(field))
                hits[name][field] += bool(want) and value == want
                extra[name][field] += not want and bool(value)
            if show == field and want and norm(field, got["sanitizer"].get(field)) != want:
                print(f"{page.name:40} want {want!r}\n{'':40} ours {got['sanitizer'][field]!r}"
                      f"\n{'':40} traf {got['trafilatura'].get(field)!r}")
    header = " ".join(f"{t:>12}" for t in tools)
    print(f"{'field':15} {'n':>4} {header}   (extra: value where none expected)")
    for field in FIELDS:
        row = " ".join(f"{hits[t][field] / totals[field]:>12.3f}" for t in tools)
        extras = "/".join(str(extra[t][field]) for t in tools)
        print(f"{field:15} {totals[field]:>4} {row}   extra {extras}")
    print("seconds        " + " ".join(f"{seconds[t]:>12.2f}" for t in tools))


def check_structure() -> None:
    """How many lists/tables/figures/blockquotes of expected.html the chosen element keeps."""
    tags = ("ul", "ol", "table", "figure", "blockquote", "pre", "img")
    kept = dict.fromkeys(tags, 0)
    want = dict.fromkeys(tags, 0)
    missing_first = []
    for page in sorted(READABILITY.iterdir()):
        expected = lxml.html.fromstring((page / "expected.html").read_text("utf-8"))
        root = lxml.html.fromstring((page / "source.html").read_text("utf-8", errors="replace"))
        found = find_main_content(root)
        for tag in tags:
            n = len(expected.xpath(f"//{tag}"))
            want[tag] += n
            kept[tag] += min(n, len(found.xpath(f".//{tag}"))) if found is not None else 0
        paras = [p for p in (block_text(x) for x in expected.xpath("//p")) if len(p) > 80]
        text = block_text(found) if found is not None else ""
        if paras and " ".join(paras[0].split()[:8]) not in " ".join(text.split()):
            missing_first.append(page.name)
    for tag in tags:
        print(f"{tag:12} expected {want[tag]:5}  kept {kept[tag]:5}")
    print("first long paragraph missing:", len(missing_first), missing_first)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "meta"
    if command == "meta":
        compare_metadata(sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--show" else None)
    elif command == "structure":
        check_structure()
