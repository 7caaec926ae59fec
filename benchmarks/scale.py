"""Pages per second of `audit` on the Dask engine with 1 and 2 workers, on one WARC.

    python benchmarks/scale.py [--workers 1 2] [--keep DIR]

Builds a WARC of 500+ real pages and copies of them from ../shared/corpus
(tests/warc_corpus.py), audits it against 60 originals on a Dask LocalCluster of N
worker processes (one thread each), and prints pages/s, the scaling ratio, and pages
per core-second (the cost model of docs/scale.md). Start-up of the cluster is not timed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "tests")]
from warc_corpus import READABILITY, build  # noqa: E402

from sanitizer.audit import run_audit  # noqa: E402
from sanitizer.engine import DaskEngine  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--keep", type=Path, help="build the WARC here and keep it")
    args = parser.parse_args()
    if not READABILITY.is_dir():
        sys.exit(f"benchmark: {READABILITY} not found (set SANITIZER_SHARED)")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="scale-"))
    corpus = build(folder)
    print(f"WARC: {corpus.warc} ({corpus.records} HTML records; {len(corpus.originals)} "
          f"originals; {len(corpus.copy_of)} copies)")
    rates: dict[int, float] = {}
    for workers in args.workers:
        with DaskEngine(workers=workers) as engine:
            start = time.perf_counter()
            run = run_audit(corpus.originals, warcs=[str(corpus.warc)],
                            db=folder / f"w{workers}.db", engine=engine, delay=0.0)
            seconds = time.perf_counter() - start
        rates[workers] = len(run.rows) / seconds
        print(f"  {workers} worker(s): {len(run.rows)} rows in {seconds:.1f} s = "
              f"{rates[workers]:.1f} pages/s = {rates[workers] / workers:.1f} pages per "
              "core-second")
    if len(rates) > 1:
        low, high = min(rates), max(rates)
        print(f"scaling {low} -> {high} workers: x{rates[high] / rates[low]:.2f} "
              f"(ideal x{high / low:.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
