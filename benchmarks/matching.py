"""Matching cost per copy as the originals grow, and how close the scores are to exact.

    python benchmarks/matching.py [--copies 1000] [--originals 1000] [--seed 1]

Synthetic articles (300-700 words) drawn from the vocabulary of the bundled samples'
text; 1,000 copies: full copies with extra text, copies of 60% and of a third of an
original, and unrelated texts. For 100 ... 1,000 indexed originals it times, per copy,
the audit's matcher (MinHash signature + LSH query + exact containment of the candidates)
against brute force (exact containment with every original), then compares the audit's
reported share with brute force's, and the pure MinHash estimate with the exact value.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sanitizer.matching import (  # noqa: E402
    COPY_SHARE,
    MatchIndex,
    containment,
    estimate_containment,
    minhash,
    shingles,
)


def vocabulary() -> list[str]:
    """Words of the bundled samples' pages (tags stripped), plus numbered fillers."""
    words: set[str] = set()
    for page in (ROOT / "samples").glob("*/*/source.html"):
        text = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8", errors="replace"))
        words |= {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)}
    return sorted(words) + [f"term{i}" for i in range(3000)]


def make_texts(vocab: list[str], n: int, rng: random.Random) -> list[str]:
    return [" ".join(rng.choice(vocab) for _ in range(rng.randint(300, 700))) for _ in range(n)]


def make_copies(originals: list[str], vocab: list[str], n: int, rng: random.Random
                ) -> list[str]:
    """Full, 60%, a-third copies of random originals, and unrelated texts (a quarter each)."""
    copies = []
    for i in range(n):
        words = rng.choice(originals).split()
        extra = " ".join(rng.choice(vocab) for _ in range(rng.randint(20, 120)))
        kind = i % 4
        if kind == 0:
            copies.append(f"{extra} {' '.join(words)} {extra}")
        elif kind == 1:
            copies.append(" ".join(words[: int(len(words) * 0.6)]) + " " + extra)
        elif kind == 2:
            start = rng.randint(0, len(words) // 3)
            copies.append(extra + " " + " ".join(words[start:start + len(words) // 3]))
        else:
            copies.append(" ".join(rng.choice(vocab) for _ in range(rng.randint(300, 700))))
    return copies


def time_per_copy(index: MatchIndex, copy_sets: list[frozenset[int]]) -> float:
    started = time.perf_counter()
    for items in copy_sets:
        index.best(items)
    return (time.perf_counter() - started) / len(copy_sets)


def brute_best(originals: list[frozenset[int]], items: frozenset[int]) -> float:
    return max(containment(o, items) for o in originals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1000)
    parser.add_argument("--originals", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    vocab = vocabulary()
    originals = make_texts(vocab, args.originals, rng)
    copies = make_copies(originals, vocab, args.copies, rng)
    original_sets = [shingles(t) for t in originals]
    copy_sets = [shingles(t) for t in copies]
    print(f"{len(copies)} copies, vocabulary {len(vocab)} words, 5-word shingles, "
          f"128 permutations, LSH threshold 0.1 (b=64, r=2)")
    print(f"{'originals':>10} {'LSH ms/copy':>12} {'brute ms/copy':>14} {'candidates/copy':>16}")
    for n in sorted({100, 200, 500, args.originals} & set(range(1, args.originals + 1))):
        index = MatchIndex()
        for i in range(n):
            index.add(str(i), original_sets[i])
        lsh = time_per_copy(index, copy_sets)
        sample = copy_sets[:200]
        started = time.perf_counter()
        for items in sample:
            brute_best(original_sets[:n], items)
        brute = (time.perf_counter() - started) / len(sample)
        candidates = statistics.mean(len(index.candidates(s)) for s in copy_sets[:200])
        print(f"{n:>10} {lsh * 1000:>12.2f} {brute * 1000:>14.2f} {candidates:>16.2f}")
    accuracy(index, original_sets, copy_sets)


def accuracy(index: MatchIndex, original_sets: list[frozenset[int]],
             copy_sets: list[frozenset[int]]) -> None:
    """Reported share vs brute-force exact, and the MinHash estimate vs exact."""
    report_errors, estimate_errors, missed, found = [], [], 0, 0
    signatures = [minhash(o) for o in original_sets]
    for items in copy_sets:
        exact = [containment(o, items) for o in original_sets]
        best = max(range(len(exact)), key=exact.__getitem__)
        match = index.best(items)
        reported = match.share if match else 0.0
        if exact[best] >= COPY_SHARE:
            found += match is not None
            missed += match is None
            report_errors.append(abs(reported - exact[best]))
            estimate = estimate_containment(signatures[best], minhash(items),
                                            len(original_sets[best]), len(items))
            estimate_errors.append(abs(estimate - exact[best]))
        elif match is not None:
            report_errors.append(abs(reported - exact[best]))
    print(f"\ncopies whose best exact share >= {COPY_SHARE}: {found + missed}; found by LSH "
          f"{found}, missed {missed}")
    print(f"audit's reported share vs exact: max error {max(report_errors):.4f}, "
          f"mean {statistics.mean(report_errors):.4f}, "
          f"within 0.05: {sum(e <= 0.05 for e in report_errors)}/{len(report_errors)}")
    print(f"pure MinHash estimate vs exact (not used for scores): max error "
          f"{max(estimate_errors):.3f}, mean {statistics.mean(estimate_errors):.3f}, "
          f"within 0.05: {sum(e <= 0.05 for e in estimate_errors)}/{len(estimate_errors)}")


if __name__ == "__main__":
    main()
