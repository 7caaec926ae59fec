"""The browser check as a script: every vector of tests/xss through `sanitize` (or `clean`, or
nothing at all) into headless Chromium, with the number of vectors that ran script.

    python benchmarks/browser_check.py                   # sanitize_fragment: expect 0
    python benchmarks/browser_check.py --path clean      # inside an article, through clean
    python benchmarks/browser_check.py --path identity   # no sanitiser: the harness must see hits
    python benchmarks/browser_check.py --path identity --per-vector   # count vectors, not hits

Exit status 1 when a sanitising path lets any vector run (the identity path is expected to).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser import (  # noqa: E402
    Browser,
    clean_api,
    find_chromium,
    load_corpus,
    run_check,
    sanitize_api,
)

from sanitizer import Sanitizer, load_rules  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", choices=("sanitize", "clean", "identity"), default="sanitize")
    parser.add_argument("--per-vector", action="store_true",
                        help="re-run every page with hits one vector at a time (slow)")
    parser.add_argument("--batch", type=int, default=60, help="vectors per page")
    args = parser.parse_args(argv)
    if not find_chromium():
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    vectors = load_corpus()
    rules = load_rules()
    start = time.perf_counter()
    if args.path == "sanitize":
        outputs = [sanitize_api(v.payload, rules) for v in vectors]
    elif args.path == "clean":
        cleaner = Sanitizer(rules=rules)
        outputs = [clean_api(v.payload, cleaner) for v in vectors]
    else:
        outputs = [v.payload for v in vectors]
    prepared = time.perf_counter() - start
    find = args.per_vector or args.path != "identity"
    browser = Browser()
    try:
        result = run_check(browser, outputs, batch=args.batch, find_culprits=find)
    finally:
        browser.close()
    elapsed = time.perf_counter() - start
    by_source = Counter(vectors[i].source for i in result.culprits)
    print(f"path={args.path} vectors={result.vectors} sources={len({v.source for v in vectors})} "
          f"pages={result.pages} hits={result.page_hits} vectors_that_ran={len(result.culprits)}"
          f"{'' if find else ' (not attributed)'} unfinished_pages={len(result.unfinished)} "
          f"prepare={prepared:.1f}s total={elapsed:.1f}s")
    for source, count in sorted(by_source.items()):
        print(f"  {source:12} {count}")
    for i, hits in list(result.culprits.items())[:20] if args.path != "identity" else []:
        print(f"  RAN {vectors[i].ident}: {vectors[i].payload[:70]!r} {hits[:2]}")
    return 0 if args.path == "identity" or result.executions == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
