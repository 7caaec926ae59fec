"""Shingles, containment and the MinHash LSH index (sanitizer.matching)."""

from __future__ import annotations

import random

from sanitizer.matching import (
    MatchIndex,
    containment,
    estimate_containment,
    minhash,
    shingles,
    words,
)

VOCAB = [f"w{i}" for i in range(5000)]


def text(seed: int, n: int = 600) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(VOCAB) for _ in range(n))


def test_words_fold_case_and_punctuation() -> None:
    assert words("Hello, WORLD! It's") == ["hello", "world", "it", "s"]


def test_shingles_of_short_and_empty_texts() -> None:
    assert shingles("") == frozenset()
    assert len(shingles("two words")) == 1
    assert shingles("a b c d e f") == shingles("A, b. c d E f!")


def test_containment_is_the_share_of_the_original() -> None:
    original = text(1)
    third = " ".join(original.split()[:200])
    assert containment(shingles(original), shingles(original + " " + text(2))) == 1.0
    assert 0.3 < containment(shingles(original), shingles(third)) < 0.35
    assert containment(frozenset(), shingles(third)) == 0.0


def test_index_finds_full_and_partial_copies_among_many() -> None:
    index = MatchIndex()
    for seed in range(300):
        index.add(f"o{seed}", shingles(text(seed)))
    partial = " ".join(text(7).split()[:200]) + " " + text(9999, 150)

    best = index.best(shingles(partial))

    assert best is not None and best.key == "o7" and 0.3 < best.share < 0.35
    assert index.best(shingles(text(12345))) is None
    assert index.matches(shingles(text(3)))[0].share == 1.0


def test_minhash_estimate_is_near_exact_for_full_copies() -> None:
    a, b = shingles(text(1)), shingles(text(1) + " " + text(2, 60))
    estimate = estimate_containment(minhash(a), minhash(b), len(a), len(b))
    assert abs(estimate - containment(a, b)) < 0.1
