"""Start-up cost and quality with community rule sets imported and loaded.

    python benchmarks/rules_startup.py [--upstream ../shared/upstream] [--quality]

Imports ../shared/upstream/ftr-site-config (import-ftr) and fanboy-social (import-abp)
into a temporary folder, then:

- start-up: in fresh processes, seconds to load the rulebook and pick the rules for one
  page, bundled rules alone vs bundled + imported; the first run fills the on-disk
  cache (its own temporary one), the median of the next runs is what a user sees;
- `--quality`: share-bait recall and keep rate on the labelled dev pages (the reference
  scorer eval_repost.py) and extraction F1 on the Scrapinghub pages (eval_extraction.py's
  metric), with and without the imported rules.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _shared import ROOT, SHARED, shared_path

sys.path.insert(0, str(ROOT))
PROBE = """
import sys, time
start = time.perf_counter()
from sanitizer import load_rules
imported = time.perf_counter()
rules = load_rules(*sys.argv[1:])
loaded = time.perf_counter()
rules.select("https://www.20minutes.fr/medias/some-article")
rules.select("https://repost.example/2021/07/x/")
picked = time.perf_counter()
print(imported - start, loaded - imported, picked - loaded)
"""


def import_upstream(upstream: Path, out: Path) -> list[str]:
    """Import both rule sets into `out`; the folders to pass as --rules."""
    from sanitizer.importer import import_abp, import_ftr

    ftr = import_ftr(upstream / "ftr-site-config", out / "ftr")
    abp = import_abp(sorted((upstream / "fanboy-social").glob("*.txt")), out / "abp")
    print(f"import-ftr: {ftr.summary()}")
    print(f"import-abp: {abp.summary()}")
    return [str(out / "ftr"), str(out / "abp")]


def startup(rules: list[str], runs: int, env: dict[str, str]) -> dict[str, float]:
    """Seconds (import, load, select) in fresh processes: the cold run and the warm median."""
    times = []
    for _ in range(runs + 1):
        proc = subprocess.run([sys.executable, "-c", PROBE, *rules], env=env, cwd=ROOT,
                              capture_output=True, text=True, check=True)
        times.append([float(x) for x in proc.stdout.split()])
    warm = times[1:]
    return {"cold load+select": times[0][1] + times[0][2],
            "import sanitizer": statistics.median(t[0] for t in warm),
            "load": statistics.median(t[1] for t in warm),
            "select (2 pages)": statistics.median(t[2] for t in warm)}


def repost_scores(rules: list[str]) -> dict[str, float]:
    """The reference repost scorer's summary, cleaning with `rules` loaded."""
    scorer = shared_path("tools", "eval_repost.py")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = " ".join([sys.executable, str(Path(__file__).resolve()),
                        *(f"--rules={r}" for r in rules), "--adapter"])
        subprocess.run([sys.executable, str(scorer), "--corpus", str(SHARED / "corpus" / "dev"),
                        "--cmd", cmd, "--json", str(report), "--quiet"], check=True,
                       stdout=subprocess.DEVNULL)
        summary: dict[str, float] = json.loads(report.read_text(encoding="utf-8"))["summary"]
        return summary


def extraction_scores(rules: list[str]) -> dict[str, float]:
    """Precision / recall / F1 of the article text on the Scrapinghub pages."""
    sys.path.insert(0, str(SHARED / "tools"))
    import eval_extraction as ev

    from sanitizer import Sanitizer, load_rules

    s = Sanitizer(rules=load_rules(*rules))
    docs, gold = ev.load_dataset(SHARED / "corpus" / "extraction-dev" / "scrapinghub")
    texts = {}
    for key, raw, url in docs:
        try:
            texts[key] = s.clean_html(ev.decode_html(raw), url=url).text
        except Exception:  # scored as an empty extraction
            texts[key] = ""
    result: dict[str, float] = ev.aggregate([ev.page_scores(gold[k], texts[k]) for k in gold])
    return result


def adapter(in_dir: Path, out_dir: Path, rules: list[str]) -> int:
    """The scorer's command: clean IN_DIR's pages into OUT_DIR with `rules` loaded."""
    from sanitizer import Sanitizer, load_rules, render

    s = Sanitizer(rules=load_rules(*rules))
    for entry in json.loads((in_dir / "index.json").read_text(encoding="utf-8")):
        doc = s.clean_html((in_dir / f"{entry['stem']}.html").read_bytes(), url=entry.get("url"))
        source = {"url": doc.source.url, "publisher": doc.source.publisher} if doc.source \
            else None
        (out_dir / f"{entry['stem']}.html").write_text(render(doc, "html"), encoding="utf-8")
        (out_dir / f"{entry['stem']}.json").write_text(json.dumps({"original_source": source}),
                                                       encoding="utf-8")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--upstream", type=Path, default=SHARED / "upstream")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quality", action="store_true")
    parser.add_argument("--adapter", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--rules", action="append", default=[], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.adapter:
        return adapter(Path(args.adapter[0]), Path(args.adapter[1]), args.rules)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SANITIZER_CACHE_DIR": str(Path(tmp) / "cache")}
        os.environ.update(env)
        imported = import_upstream(args.upstream, Path(tmp) / "imported")
        setups = {"bundled": [], "bundled + imported": imported}
        print(f"\nstart-up, seconds (fresh processes; warm = median of {args.runs}):")
        for name, rules in setups.items():
            cells = ", ".join(f"{k} {v:.3f}" for k, v in startup(rules, args.runs, env).items())
            print(f"  {name:<19} {cells}")
        if args.quality:
            _quality(setups)
    return 0


def _quality(setups: dict[str, list[str]]) -> None:
    keys = ("sharebait_recall_micro", "sharebait_in_body_recall", "keep_rate_micro",
            "source_url_accuracy", "source_publisher_accuracy")
    print("\nquality:")
    for name, rules in setups.items():
        repost = repost_scores(rules)
        extraction = extraction_scores(rules)
        cells = [f"{k} {repost[k]:.3f}" for k in keys]
        cells += [f"extraction {k} {extraction[k]:.3f}" for k in ("precision", "recall", "f1")]
        print(f"  {name}:\n    " + "\n    ".join(cells))


if __name__ == "__main__":
    sys.exit(main())
