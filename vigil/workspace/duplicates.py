"""Exact and near-duplicate detection for report texts.

Exact duplicates share a *fingerprint*: the SHA-256 of the text after Unicode normalisation,
case folding and collapsing punctuation and white space, so the same wire story saved as HTML and
as plain text matches. Near duplicates (a story re-published with an extra paragraph, a corrected
figure) are found with MinHash over word 5-shingles: the share of equal signature slots estimates
the Jaccard similarity of the shingle sets. Signatures are deterministic (fixed hash parameters),
so they can be stored with a report and compared later; an LSH index finds candidates without
comparing every pair.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Generic, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from vigil.errors import DataError

NUM_PERM = 128
SHINGLE_WORDS = 5
NEAR_DUPLICATE_THRESHOLD = 0.8
_BANDS = 32  # 32 bands of 4 rows: pairs above ~0.5 similarity almost always become candidates
_PRIME = np.uint64((1 << 31) - 1)  # Mersenne prime; a, x < 2**31 keep a·x + b inside 64 bits
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)

Signature = npt.NDArray[np.uint64]
K = TypeVar("K", bound=Hashable)


def normalise(text: str) -> str:
    """Text reduced to lower-case words separated by single spaces (for hashing, not display)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", folded).strip()


def fingerprint(text: str) -> str:
    """SHA-256 (hex) of the normalised text: equal for texts that differ only in form."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def shingles(text: str, size: int = SHINGLE_WORDS) -> npt.NDArray[np.uint64]:
    """32-bit hashes of the distinct runs of ``size`` consecutive words (one run if shorter)."""
    words = normalise(text).split()
    if not words:
        return np.zeros(0, dtype=np.uint64)
    runs = {" ".join(words[i : i + size]) for i in range(max(1, len(words) - size + 1))}
    hashes = [
        int.from_bytes(hashlib.blake2b(run.encode(), digest_size=4).digest(), "little")
        for run in runs
    ]
    return np.fromiter(hashes, dtype=np.uint64, count=len(hashes))


@cache
def _permutations(num_perm: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """Fixed parameters of the hash family ``(a·x + b) mod p``, the same in every run."""
    rng = np.random.default_rng(20141)
    a = rng.integers(1, int(_PRIME), size=num_perm, dtype=np.uint64)
    b = rng.integers(0, int(_PRIME), size=num_perm, dtype=np.uint64)
    return a, b


def minhash(text: str, *, num_perm: int = NUM_PERM) -> Signature:
    """MinHash signature of the text's word shingles (all-max for a text without words)."""
    hashes = shingles(text)
    if hashes.size == 0:
        return np.full(num_perm, np.iinfo(np.uint64).max, dtype=np.uint64)
    a, b = _permutations(num_perm)
    permuted = (np.outer(a, hashes % _PRIME) + b[:, None]) % _PRIME
    return permuted.min(axis=1).astype(np.uint64)


def similarity(left: Signature, right: Signature) -> float:
    """Estimated Jaccard similarity of two signatures (share of equal slots)."""
    if left.shape != right.shape:
        raise DataError(
            f"cannot compare MinHash signatures of lengths {left.size} and {right.size}: "
            "recompute both with the same num_perm"
        )
    return float(np.mean(left == right))


def signature_to_bytes(signature: Signature) -> bytes:
    """Compact little-endian bytes for storing a signature in a database column."""
    return signature.astype("<u8").tobytes()


def signature_from_bytes(data: bytes) -> Signature:
    """Inverse of :func:`signature_to_bytes`."""
    if len(data) % 8:
        raise DataError(
            f"a stored MinHash signature must be a multiple of 8 bytes, got {len(data)}"
        )
    return np.frombuffer(data, dtype="<u8").astype(np.uint64)


@dataclass(frozen=True, slots=True)
class Duplicate(Generic[K]):
    """A known text that a new one duplicates: its key, how, and how similar (1.0 if exact)."""

    key: K
    kind: Literal["exact", "near"]
    similarity: float


@dataclass(frozen=True, slots=True)
class KnownText(Generic[K]):
    """A stored report as duplicate detection sees it: key, fingerprint and signature."""

    key: K
    fingerprint: str
    signature: Signature

    @classmethod
    def of(cls, key: K, text: str) -> KnownText[K]:
        """Fingerprint and sign a text in one go."""
        return cls(key=key, fingerprint=fingerprint(text), signature=minhash(text))


def find_duplicate(
    text: str, known: Iterable[KnownText[K]], *, threshold: float = NEAR_DUPLICATE_THRESHOLD
) -> Duplicate[K] | None:
    """The best duplicate of ``text`` among ``known``: an exact match first, else the most
    similar text at or above ``threshold``, else None."""
    own_print, own_signature = fingerprint(text), minhash(text)
    best: Duplicate[K] | None = None
    for item in known:
        if item.fingerprint == own_print:
            return Duplicate(key=item.key, kind="exact", similarity=1.0)
        score = similarity(own_signature, item.signature)
        if score >= threshold and (best is None or score > best.similarity):
            best = Duplicate(key=item.key, kind="near", similarity=score)
    return best


class NearDuplicateIndex(Generic[K]):
    """Locality-sensitive hashing over MinHash bands, for many texts at once.

    Texts whose signatures agree on all rows of at least one band become candidates; candidates
    are then checked against the threshold, so no pair below it is reported.
    """

    def __init__(self, *, bands: int = _BANDS) -> None:
        self.bands = bands
        self._buckets: dict[tuple[int, bytes], list[K]] = defaultdict(list)
        self._signatures: dict[K, Signature] = {}

    def _keys(self, signature: Signature) -> list[tuple[int, bytes]]:
        rows = signature.size // self.bands
        return [
            (band, signature[band * rows : (band + 1) * rows].tobytes())
            for band in range(self.bands)
        ]

    def add(self, key: K, signature: Signature) -> None:
        """Index one signature under ``key``."""
        self._signatures[key] = signature
        for bucket in self._keys(signature):
            self._buckets[bucket].append(key)

    def query(
        self, signature: Signature, *, threshold: float = NEAR_DUPLICATE_THRESHOLD
    ) -> list[tuple[K, float]]:
        """Indexed keys at or above ``threshold`` similarity, most similar first."""
        candidates = {key for bucket in self._keys(signature) for key in self._buckets[bucket]}
        scored = [(key, similarity(signature, self._signatures[key])) for key in candidates]
        return sorted(
            [(key, score) for key, score in scored if score >= threshold],
            key=lambda pair: -pair[1],
        )


def near_duplicate_pairs(
    texts: Sequence[str], *, threshold: float = NEAR_DUPLICATE_THRESHOLD
) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, similarity)`` with ``i < j`` of texts at or above ``threshold``."""
    index: NearDuplicateIndex[int] = NearDuplicateIndex()
    pairs: list[tuple[int, int, float]] = []
    for j, text in enumerate(texts):
        signature = minhash(text)
        pairs.extend((i, j, score) for i, score in index.query(signature, threshold=threshold))
        index.add(j, signature)
    return sorted(pairs)
