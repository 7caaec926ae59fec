"""Which original a copy reproduces, and how much of it.

A text becomes a set of word shingles (runs of `SHINGLE_WORDS` folded words, each hashed
to 64 bits). Candidates come from MinHash LSH (datasketch) over those sets, so a query
costs about the same with 100 or 100,000 originals; each candidate is then scored
exactly by containment, the share of the original's shingles found in the copy.

The LSH threshold is a low Jaccard similarity on purpose: a copy of a third of an
article, with a little text of its own, has a Jaccard similarity near 0.25 with the
original while its containment is a third.

>>> index = MatchIndex()
>>> index.add("https://times.example/a", shingles(original_text))  # doctest: +SKIP
>>> index.matches(shingles(copy_text))                              # doctest: +SKIP
[Match(key='https://times.example/a', share=0.97, shared=412)]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from hashlib import blake2b
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # datasketch costs ~0.5 s to import: only audits load it
    from datasketch import MinHash

from sanitizer.text import fold

SHINGLE_WORDS = 5
NUM_PERM = 128
#: Jaccard similarity at which LSH proposes a candidate (b=64 bands of r=2 rows).
LSH_THRESHOLD = 0.1
#: A page is a copy when it reproduces at least this share of an original...
COPY_SHARE = 0.2
#: ... and at least this many shingles of it (a short original quoted is not a copy).
MIN_SHARED = 8
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Match:
    """An original found in a copy: its key, the share of it reproduced, shingles shared."""

    key: str
    share: float
    shared: int


def words(text: str) -> list[str]:
    """The folded words of `text` (punctuation and case ignored)."""
    return _WORD.findall(fold(text))


def shingles(text: str, size: int = SHINGLE_WORDS) -> frozenset[int]:
    """The set of hashed `size`-word shingles of `text` (a shorter text is one shingle)."""
    ws = words(text)
    if not ws:
        return frozenset()
    if len(ws) < size:
        return frozenset({_hash64(" ".join(ws))})
    return frozenset(_hash64(" ".join(ws[i:i + size])) for i in range(len(ws) - size + 1))


def _hash64(gram: str) -> int:
    return int.from_bytes(blake2b(gram.encode("utf-8"), digest_size=8).digest(), "little")


def containment(original: frozenset[int], copy: frozenset[int]) -> float:
    """Share of `original`'s shingles that occur in `copy` (0 for an empty original)."""
    if not original:
        return 0.0
    return len(original & copy) / len(original)


def minhash(items: Iterable[int], num_perm: int = NUM_PERM) -> MinHash:
    """A MinHash signature of a shingle set (64-bit hashes, fixed seed: comparable)."""
    from datasketch import MinHash

    signature = MinHash(num_perm=num_perm, hashfunc=_identity, scheme="affine64")
    batch = list(items)
    if batch:
        signature.update_batch(batch)
    return signature


def _identity(value: int) -> int:
    return value


def estimate_containment(original: MinHash, copy: MinHash, n_original: int, n_copy: int
                         ) -> float:
    """Containment of the original in the copy estimated from signatures and set sizes.

    From Jaccard J: |O & C| = J (|O| + |C|) / (1 + J), divided by |O|.
    """
    if n_original == 0:
        return 0.0
    j = float(original.jaccard(copy))
    return min(1.0, j * (n_original + n_copy) / ((1 + j) * n_original))


class MatchIndex:
    """Originals indexed for containment queries: LSH for candidates, exact scores.

    Build it in one thread (`add`), then query it from many (`matches` only reads).
    """

    def __init__(self, *, num_perm: int = NUM_PERM, threshold: float = LSH_THRESHOLD) -> None:
        self.num_perm = num_perm
        from datasketch import MinHashLSH

        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._sets: dict[str, frozenset[int]] = {}

    def __len__(self) -> int:
        return len(self._sets)

    def __contains__(self, key: object) -> bool:
        return key in self._sets

    def add(self, key: str, items: frozenset[int]) -> None:
        """Index one original under `key` (an empty text is kept but never matched)."""
        if key in self._sets:
            return
        self._sets[key] = items
        if items:
            self._lsh.insert(key, minhash(items, self.num_perm))

    def shingles_of(self, key: str) -> frozenset[int]:
        """The shingle set indexed under `key`."""
        return self._sets[key]

    def candidates(self, items: frozenset[int]) -> list[str]:
        """Keys of originals that LSH proposes for a copy's shingles (unscored)."""
        if not items:
            return []
        return sorted(self._lsh.query(minhash(items, self.num_perm)))

    def matches(self, items: frozenset[int], *, min_share: float = COPY_SHARE,
                min_shared: int = MIN_SHARED) -> list[Match]:
        """Originals the copy reproduces, best first, scored by exact containment."""
        found = []
        for key in self.candidates(items):
            original = self._sets[key]
            shared = len(original & items)
            share = shared / len(original)
            if share >= min_share and shared >= min(min_shared, len(original)):
                found.append(Match(key, round(share, 4), shared))
        return sorted(found, key=lambda m: (-m.share, -m.shared, m.key))

    def best(self, items: frozenset[int], *, min_share: float = COPY_SHARE) -> Match | None:
        """The original the copy reproduces most, or None when it reproduces none."""
        found = self.matches(items, min_share=min_share)
        return found[0] if found else None
