"""Main-content extraction and metadata: sanitizer vs trafilatura vs readability-lxml, one run.

    python benchmarks/extraction.py [--data ../shared/corpus/extraction-dev] [--json OUT.json]
                                    [--tools sanitizer,trafilatura,readability-lxml]
                                    [--n-bootstrap 1000] [--no-memory] [--no-metadata]

Text: every tool runs on the same Scrapinghub pages (`scrapinghub/`), scored with the
reference metric of `../shared/tools/eval_extraction.py` (imported, not copied). The
sanitizer is timed as `sanitizer clean --format text` runs it: the whole pipeline for
text output, `Sanitizer(options=Options(text_only=True)).clean_html(html, url=url).text`
(the same text as the HTML pipeline's, tests/test_invariants.py; no markup is made and
sanitised for it). Each page is timed around the tool's call only (files are read and
decoded beforehand, one untimed warm-up call first).

Memory: each tool runs again over all pages in a fresh process (so one tool's imports
and caches do not count against another): the peak RSS of the run (VmHWM, reset after the
imports, data loading and warm-up), its growth over the RSS before, and the largest Python
heap peak of one page (`tracemalloc`; lxml's C allocations are not traced).

Metadata: title, byline, site name and date on the Readability pages (`readability/`),
accuracy over the pages whose expected value is not empty, for sanitizer (the pipeline's
`Document.metadata`) and `trafilatura.extract_metadata`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import multiprocessing
import re
import resource
import statistics
import sys
import time
import tracemalloc
import unicodedata
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _shared import ROOT, SHARED, shared_path

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(SHARED / "tools"))

Extractor = Callable[[str, "str | None"], str]
TOOLS = ("sanitizer", "trafilatura", "readability-lxml")
META_FIELDS = (("title", "title"), ("byline", "byline"), ("site name", "siteName"),
               ("date", "publishedTime"))  # fmt: skip


def _eval() -> object:
    """The reference scorer's module (metric, data loading, decoding)."""
    shared_path("tools", "eval_extraction.py")
    import eval_extraction

    return eval_extraction


# ------------------------------------------------------------------ the tools


def sanitizer_text(html: str, url: str | None) -> str:
    """Adapter (also for eval_extraction.py `py:benchmarks.extraction:sanitizer_text`)."""
    return _sanitizer().clean_html(html, url=url).text


_CACHE: dict[str, object] = {}


def _sanitizer() -> object:
    """One Sanitizer per process (rules loaded once, as a batch `clean` does), set up as
    `clean --format text` sets it up."""
    if "sanitizer" not in _CACHE:
        from sanitizer import Options, Sanitizer

        _CACHE["sanitizer"] = Sanitizer(options=Options(text_only=True))
    return _CACHE["sanitizer"]


def trafilatura_text(html: str, url: str | None) -> str:
    """trafilatura.extract with the benchmark's settings (comments left out)."""
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


def readability_text(html: str, url: str | None) -> str:
    """readability-lxml's summary, made text with html-text (as the benchmark does)."""
    from readability import Document

    return _eval().html_fragment_text(Document(html).summary(html_partial=True))


EXTRACTORS: dict[str, Extractor] = {
    "sanitizer": sanitizer_text,
    "trafilatura": trafilatura_text,
    "readability-lxml": readability_text,
}


# ------------------------------------------------------------------ text: quality and speed


def load_pages(data: Path) -> tuple[list[tuple[str, str, str | None]], dict[str, str]]:
    """Scrapinghub pages as (id, decoded html, url), and the gold bodies by id."""
    ev = _eval()
    docs, gold = ev.load_dataset(data / "scrapinghub")
    return [(key, ev.decode_html(raw), url) for key, raw, url in docs], gold


def time_tool(func: Extractor, pages: list[tuple[str, str, str | None]]
              ) -> tuple[dict[str, str], list[float]]:
    """Texts by page id and seconds per page (one untimed warm-up call first)."""
    func(pages[0][1], pages[0][2])
    texts, seconds = {}, []
    for key, html, url in pages:
        start = time.perf_counter()
        try:
            texts[key] = func(html, url) or ""
        except Exception:
            texts[key] = ""
        seconds.append(time.perf_counter() - start)
    return texts, seconds


def score(texts: dict[str, str], gold: dict[str, str], n_bootstrap: int) -> dict[str, float]:
    """Precision, recall, F1 (and their bootstrap std) with the reference metric."""
    ev = _eval()
    rows = [ev.page_scores(gold[key], texts[key]) for key in gold]
    result = ev.aggregate(rows)
    if n_bootstrap > 1:
        stds = ev.bootstrap_std(rows, ev.aggregate, n_bootstrap, 0)
        result.update({f"{k}_std": v for k, v in stds.items()})
    return result


def memory_of(tool: str, data: str) -> dict[str, float]:
    """Run `tool` over all pages in this (fresh) process; its memory figures (MiB)."""
    logging.disable(logging.CRITICAL)
    pages, _ = load_pages(Path(data))
    func = EXTRACTORS[tool]
    func(pages[0][1], pages[0][2])
    before = _rss("VmRSS")
    _reset_peak()
    for _, html, url in pages:
        func(html, url)
    after = _rss("VmHWM")
    heap = 0
    for _, html, url in pages:
        tracemalloc.start()
        func(html, url)
        heap = max(heap, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return {"rss_peak_mib": after, "rss_growth_mib": after - before,
            "heap_peak_page_mib": heap / 2**20}


def _rss(field: str) -> float:
    """VmRSS / VmHWM of this process in MiB (Linux), else the ru_maxrss high-water mark."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    match = re.search(rf"^{field}:\s+(\d+) kB", status, re.M)
    return int(match.group(1)) / 1024 if match else 0.0


def _reset_peak() -> None:
    """Reset the process's peak RSS to its current RSS (Linux >= 4.0), where allowed."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def measure_memory(tools: list[str], data: Path) -> dict[str, dict[str, float]]:
    """Memory figures of each tool, each in its own spawned process."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1, maxtasksperchild=1) as pool:
        return {tool: pool.apply(memory_of, (tool, str(data))) for tool in tools}


# ------------------------------------------------------------------ metadata


def norm(field: str, value: str | None) -> str:
    """The one comparison normalisation of a metadata value, for every tool alike."""
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    if field == "publishedTime":
        return text.strip()[:10]
    if field == "byline":
        text = re.sub(r"^\s*(written\s+)?(by|par)\s*:?\s+", "", text)
        text = re.sub(r"\s*(;|&|\band\b)\s*", ", ", text)
    return " ".join(re.sub("[\"'\u201c\u201d\u2018\u2019]", "", text).split())


def sanitizer_metadata(html: str) -> dict[str, str | None]:
    """Title, byline, site name and date as the pipeline's Document has them."""
    meta = _sanitizer().clean_html(html).metadata
    return {"title": meta.title, "byline": meta.byline, "siteName": meta.site_name,
            "publishedTime": meta.published}


def trafilatura_metadata(html: str) -> dict[str, str | None]:
    import trafilatura

    meta = trafilatura.extract_metadata(html)
    if meta is None:
        return {}
    return {"title": meta.title, "byline": meta.author, "siteName": meta.sitename,
            "publishedTime": meta.date}


def metadata_accuracy(data: Path) -> dict[str, dict[str, tuple[int, int]]]:
    """(hits, pages with an expected value) per tool and field."""
    tools = {"sanitizer": sanitizer_metadata, "trafilatura": trafilatura_metadata}
    counts = {t: {key: (0, 0) for _, key in META_FIELDS} for t in tools}
    for page in sorted((data / "readability" / "pages").iterdir()):
        html = (page / "source.html").read_text("utf-8", errors="replace")
        expected = json.loads((page / "expected-metadata.json").read_text("utf-8"))
        for tool, func in tools.items():
            got = func(html)
            for _, key in META_FIELDS:
                want = norm(key, expected.get(key))
                hits, total = counts[tool][key]
                hit = bool(want) and norm(key, got.get(key)) == want
                counts[tool][key] = (hits + hit, total + bool(want))
    return counts


# ------------------------------------------------------------------ report


def text_table(results: dict[str, dict[str, float]]) -> str:
    """One row per tool, and ratios against trafilatura where it ran."""
    lines = [f"{'tool':18} {'precision':>15} {'recall':>15} {'F1':>15} {'ms/page':>8} "
             f"{'pages/s':>8} {'peak MiB':>9} {'+MiB':>6} {'heap MiB':>9}"]
    for tool, r in results.items():
        cells = [f"{r[k]:.3f} ± {r.get(k + '_std', 0.0):.3f}"
                 for k in ("precision", "recall", "f1")]
        mem = [f"{r[k]:>{w}.1f}" if k in r else f"{'-':>{w}}"
               for k, w in (("rss_peak_mib", 9), ("rss_growth_mib", 6), ("heap_peak_page_mib", 9))]
        lines.append(f"{tool:18} {cells[0]:>15} {cells[1]:>15} {cells[2]:>15} "
                     f"{r['median_ms']:>8.2f} {r['pages_per_s']:>8.1f} {' '.join(mem)}")
    base = results.get("trafilatura")
    if base:
        lines.append("")
        lines.append("vs trafilatura     dF1     dP      dR      time ratio (median ms)")
        for tool, r in results.items():
            deltas = [r[k] - base[k] for k in ("f1", "precision", "recall")]
            lines.append(f"{tool:18} {deltas[0]:+.3f} {deltas[1]:+.3f}  {deltas[2]:+.3f}  "
                         f"{r['median_ms'] / base['median_ms']:.2f}x")
    return "\n".join(lines)


def metadata_table(counts: dict[str, dict[str, tuple[int, int]]]) -> str:
    lines = [f"{'field':10} {'n':>4} " + " ".join(f"{t:>12}" for t in counts)]
    for label, key in META_FIELDS:
        total = next(iter(counts.values()))[key][1]
        row = " ".join(f"{counts[t][key][0] / max(total, 1):>12.3f}" for t in counts)
        lines.append(f"{label:10} {total:>4} {row}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="the extraction-dev folder")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--n-bootstrap", type=int, default=1000)
    parser.add_argument("--no-memory", action="store_true", help="skip the memory runs")
    parser.add_argument("--no-metadata", action="store_true", help="skip the metadata table")
    parser.add_argument("--json", type=Path, help="write every figure here")
    args = parser.parse_args(argv)
    data = args.data or shared_path("corpus", "extraction-dev")
    tools = [t for t in args.tools.split(",") if t]
    logging.disable(logging.CRITICAL)  # libraries' log lines would bury the report
    pages, gold = load_pages(data)
    results: dict[str, dict[str, float]] = {}
    for tool in tools:
        texts, seconds = time_tool(EXTRACTORS[tool], pages)
        results[tool] = score(texts, gold, args.n_bootstrap)
        results[tool].update(median_ms=1000 * statistics.median(seconds),
                             pages_per_s=len(seconds) / sum(seconds))
    if not args.no_memory:
        for tool, figures in measure_memory(tools, data).items():
            results[tool].update(figures)
    print(f"Scrapinghub pages: {len(pages)} ({data / 'scrapinghub'})")
    print(text_table(results))
    report: dict[str, object] = {"text": results}
    if not args.no_metadata:
        counts = metadata_accuracy(data)
        print(f"\nReadability pages: metadata accuracy ({data / 'readability'})")
        print(metadata_table(counts))
        report["metadata"] = counts
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
