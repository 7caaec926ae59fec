"""Score `sanitizer clean` and trafilatura on the labelled repost corpus, in one run.

    python benchmarks/repost.py [--corpus ../shared/corpus/dev] [--json OUT.json]

Each tool runs as a command of the reference scorer (`../shared/tools/eval_repost.py`):
it gets IN_DIR (pages + index.json with their URLs) and writes OUT_DIR/<stem>.html and
OUT_DIR/<stem>.json ({"original_source": {"url", "publisher"}}). The scorer computes
share-bait recall, keep rate and source accuracy; this script prints them side by side.
(`--adapter NAME IN OUT` is that command; it is not meant to be run by hand.)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _shared import ROOT, shared_path

ROWS = (
    ("share-bait recall (items)", "sharebait_recall_micro"),
    ("share-bait recall (pages)", "sharebait_recall_macro"),
    ("share-bait recall, in-body", "sharebait_in_body_recall"),
    ("keep rate (sentences)", "keep_rate_micro"),
    ("source URL accuracy", "source_url_accuracy"),
    ("source publisher accuracy", "source_publisher_accuracy"),
    ("originals w/o false credit", "originals_without_false_attribution"),
    ("seconds (whole command)", "command_seconds"),
)
TOOLS = ("sanitizer", "trafilatura")


def adapt(tool: str, in_dir: Path, out_dir: Path) -> int:
    """Clean every page of IN_DIR with `tool` into OUT_DIR, as the scorer expects."""
    index = json.loads((in_dir / "index.json").read_text(encoding="utf-8"))
    clean = _sanitizer() if tool == "sanitizer" else _trafilatura()
    failed = 0
    for entry in index:
        raw = (in_dir / f"{entry['stem']}.html").read_bytes()
        try:
            html, source = clean(raw, entry.get("url"))
        except Exception as err:  # a failure is scored as an empty page, and reported
            print(f"{tool}: {entry['stem']}: {err}", file=sys.stderr)
            failed += 1
            continue
        (out_dir / f"{entry['stem']}.html").write_text(html, encoding="utf-8")
        (out_dir / f"{entry['stem']}.json").write_text(
            json.dumps({"original_source": source}), encoding="utf-8")
    return 1 if failed else 0


def _sanitizer():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT))
    from sanitizer import Sanitizer, render

    s = Sanitizer()

    def clean(raw: bytes, url: str | None) -> tuple[str, dict | None]:
        doc = s.clean_html(raw, url=url)
        source = {"url": doc.source.url, "publisher": doc.source.publisher} if doc.source \
            else None
        return render(doc, "html"), source

    return clean


def _trafilatura():  # type: ignore[no-untyped-def]
    import trafilatura

    def clean(raw: bytes, url: str | None) -> tuple[str, dict | None]:
        html = trafilatura.extract(raw, url=url, output_format="html") or ""
        return html, None

    return clean


def score(tool: str, corpus: Path, keep_out: Path | None) -> dict:
    """Run the reference scorer with `tool` as its command; its summary."""
    scorer = shared_path("tools", "eval_repost.py")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = f"{sys.executable} {Path(__file__).resolve()} --adapter {tool}"
        argv = [sys.executable, str(scorer), "--corpus", str(corpus), "--cmd", cmd,
                "--json", str(report), "--quiet"]
        if keep_out:
            argv += ["--keep-out", str(keep_out / tool)]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        return json.loads(report.read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, help="labelled corpus folder "
                        "(default: ../shared/corpus/dev)")
    parser.add_argument("--json", type=Path, help="write both summaries here")
    parser.add_argument("--keep-out", type=Path, help="keep each tool's outputs here")
    parser.add_argument("--failures", action="store_true", help="print sanitizer's per-page "
                        "failures")
    parser.add_argument("--adapter", nargs=3, metavar=("TOOL", "IN", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.adapter:
        tool, in_dir, out_dir = args.adapter
        return adapt(tool, Path(in_dir), Path(out_dir))
    corpus = args.corpus or shared_path("corpus", "dev")
    results = {tool: score(tool, corpus, args.keep_out) for tool in TOOLS}
    print(f"corpus: {corpus}  pages: {results['sanitizer']['summary']['pages']}")
    print(f"| {'metric':<28} | " + " | ".join(f"{t:>11}" for t in TOOLS) + " |")
    print(f"|{'-' * 30}|" + "|".join("-" * 13 for _ in TOOLS) + "|")
    for label, key in ROWS:
        cells = [_fmt(results[t]["summary"].get(key)) for t in TOOLS]
        print(f"| {label:<28} | " + " | ".join(f"{c:>11}" for c in cells) + " |")
    if args.failures:
        for page in results["sanitizer"]["pages"]:
            for failure in page["failures"]:
                print(f"  {page['id']}: {failure}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return "n/a" if value != value else f"{value:.3f}"
    return str(value)


if __name__ == "__main__":
    sys.exit(main())
