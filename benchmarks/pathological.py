"""Pathological inputs through `clean` and `sanitize`: each must finish in < 5 s and < 1 GB with a
result or a clear SanitizerError (issue 7, done-when 3).

Each case runs in its own subprocess (so one blow-up can't hide another, and peak memory is
that process's own); wall time and peak RSS come from `resource.getrusage(RUSAGE_CHILDREN)`.

    python benchmarks/pathological.py            # the table; exit 1 if any case is over budget
    python benchmarks/pathological.py --command clean --command sanitize
    python benchmarks/pathological.py --json     # one JSON object per case
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIME_BUDGET = 5.0
MEMORY_BUDGET_MB = 1024

#: name -> Python expression building the input (bytes), evaluated in the child.
CASES: dict[str, str] = {
    "100k nested divs": "b'<html><body>' + b'<div>' * 100_000 + b'deep' + b'</div>' * 100_000",
    "100k nested spans + text": "b'<p>' + b'<span>x ' * 100_000 + b'</p>'",
    "20 MB attribute": "b'<html><body><p title=\"' + b'a' * 20_000_000 + b'\">text</p>'",
    "20 MB href": "b'<body><a href=\"https://x.example/' + b'a' * 20_000_000 + b'\">l</a>'",
    "billion laughs (DTD entities)": (
        "b'<!DOCTYPE x [<!ENTITY a \"' + b'lol' * 10 + b'\">' + b''.join("
        "b'<!ENTITY %c \"' % (98 + i) + (b'&%c;' % (97 + i)) * 10 + b'\">' for i in range(9))"
        " + b']><html><body><p>&j;</p></body></html>'"),
    "entity flood (4M &amp;)": "b'<p>' + b'&amp;' * 4_000_000 + b'</p>'",
    "numeric entity flood (3M)": "b'<p>' + b'&#x1F600;' * 2_000_000 + b'</p>'",
    "20k nested tables": ("b'<body>' + b'<table><tr><td>' * 20_000 + b'cell'"
                          " + b'</td></tr></table>' * 20_000"),
    "2M paragraphs": "b'<body>' + b'<p>x</p>' * 2_000_000",
    "10k attributes": ("b'<p ' + b' '.join(b'a%d=\"v\"' % i for i in range(10_000))"
                       " + b'>x</p>'"),
    "10 MB word (no spaces)": "b'<p>' + b'Share' * 2_000_000 + b'</p>'",
    "share-bait 500k times": "b'<article>' + b'<p>Share this: Spread it!</p>' * 500_000",
    "unclosed tags 1M": "b'<body>' + b'<b><i><u>' * 340_000",
    "comment flood": "b'<body>' + b'<!-- x -->' * 2_000_000 + b'<p>text</p>'",
    # just under the limits: must still finish in budget
    "99k paragraphs (under limit)": "b'<body>' + b'<p>x</p>' * 99_000",
    "share-bait 49k times (under)": "b'<article>' + b'<p>Share this: Spread it!</p>' * 49_000",
    "199k &amp; in one text": "b'<p>' + b'&amp;' * 199_000 + b'</p>'",
}
#: The ways in: `clean`, and `sanitize_fragment` (what `sanitizer sanitize` runs).
COMMANDS = ("clean", "sanitize")

CHILD = r"""
import resource, sys, time
sys.setrecursionlimit(10_000)
from sanitizer import Sanitizer, SanitizerError
from sanitizer.api import sanitize_fragment
data = eval(sys.argv[2])
start = time.perf_counter()
try:
    if sys.argv[1] == "clean":
        doc = Sanitizer().clean_html(data, url="https://patho.example/a")
        outcome = f"ok: {len(doc.html)} chars"
    else:
        outcome = f"ok: {len(sanitize_fragment(data.decode('utf-8', 'replace')))} chars"
except SanitizerError as err:
    outcome = f"error: {type(err).__name__}: {str(err)[:70]}"
print(outcome, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, sep="\t")
"""


@dataclass
class Outcome:
    """One case through one command."""

    case: str
    command: str
    seconds: float
    peak_mb: float
    outcome: str

    @property
    def within_budget(self) -> bool:
        clear = self.outcome.startswith(("ok:", "error:"))
        return clear and self.seconds < TIME_BUDGET and self.peak_mb < MEMORY_BUDGET_MB


def run_case(name: str, command: str) -> Outcome:
    """Run one case in a fresh interpreter and measure it."""
    start = time.perf_counter()
    peak_kb = 0
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, command, CASES[name]],
                              capture_output=True, text=True, timeout=60, cwd=ROOT, check=False)
        text, _, rss = done.stdout.strip().rpartition("\t")
        if text:
            peak_kb = int(rss)
        else:
            text = f"crash: {done.stderr.strip().splitlines()[-1:]}"
    except subprocess.TimeoutExpired:
        text = "timeout (60 s)"
    seconds = time.perf_counter() - start
    if not peak_kb:  # the largest any child reached (KiB on Linux)
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Outcome(name, command, seconds, peak_kb / 1024, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--only", metavar="TEXT", help="cases whose name contains TEXT")
    parser.add_argument("--command", dest="commands", action="append", choices=COMMANDS,
                        help="only this way in (repeatable; default: all)")
    args = parser.parse_args(argv)
    results = []
    for name in CASES:
        if args.only and args.only not in name:
            continue
        for command in args.commands or COMMANDS:
            result = run_case(name, command)
            results.append(result)
            if args.json:
                print(json.dumps({**asdict(result), "within_budget": result.within_budget}))
            else:
                print(f"{name:30} {command:15} {result.seconds:6.2f} s {result.peak_mb:7.0f} MB  "
                      f"{'ok ' if result.within_budget else 'OVER'} {result.outcome}", flush=True)
    return 0 if all(r.within_budget for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
