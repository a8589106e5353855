"""Duplicate detection: exact content hashes and near-duplicate story signatures."""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import unicodedata
import zlib
from collections.abc import Iterable

import numpy as np
from datasketch import MinHash  # type: ignore[import-untyped]

logger = logging.getLogger(__name__)

WHITESPACE = re.compile(r"\s+")
# Han, Hiragana and Katakana are written without spaces: each character is a token there.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN = re.compile(rf"[{CJK}]|[^\W{CJK}]+")

# Everything that changes the bytes of a signature is pinned here (and SIGNATURE_VERSION
# bumped when it changes), so stored signatures stay comparable across processes and runs.
SIGNATURE_VERSION = 1
NUM_PERM = 128
SEED = 1
SCHEME = "affine32"  # datasketch >= 2.0: uint32 hash values, 4 bytes per permutation
HEADER_SIZE = 2  # version byte, shingle-size byte
MAX_SHINGLE_SIZE = 255  # the most one byte of the header holds
SIGNATURE_SIZE = HEADER_SIZE + 4 * NUM_PERM
# Tuned with bench/dedup.py on labelled wire republications: the best clustering F1 among the
# settings that keep clustering precision >= 0.95 on every generated data set.
SHINGLE_SIZE = 3
DEFAULT_THRESHOLD = 0.4
# Below this many tokens a text is a teaser or a stub: too few shingles to tell stories apart.
MIN_TOKENS = 30
# Fraction of pairs at exactly the threshold that the LSH index must return as candidates;
# the estimated Jaccard check afterwards removes the extra candidates this lets in.
LSH_CANDIDATE_RECALL = 0.99


def normalize_text(text: str) -> str:
    """Case-folded, NFKC-normalised text with runs of white space collapsed."""
    return WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def content_hash(text: str) -> str:
    """sha256 hex digest of the normalised text: equal for texts that differ only in spacing/case."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


def story_tokens(text: str) -> list[str]:
    """Words of the text, ignoring case, punctuation and spacing (CJK: one token per character)."""
    # normalize_text without its white-space pass, which cannot change the tokens but is
    # the slowest step on long texts.
    return TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


@functools.cache
def _permutations() -> np.ndarray:
    """The MinHash permutation parameters, generated once per process from the fixed seed."""
    return np.asarray(MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations)


def story_signature(text: str, shingle_size: int = SHINGLE_SIZE) -> bytes | None:
    """MinHash signature of the text's word shingles, for near-duplicate story detection.

    Args:
        text: article text.
        shingle_size: words per shingle; signatures of different sizes are not comparable.

    Returns:
        SIGNATURE_SIZE bytes (a version byte, the shingle size, then NUM_PERM little-endian
        uint32 minima), identical for the same text in any process; None when the text has
        fewer than MIN_TOKENS words.

    Raises:
        ValueError: when shingle_size is not 1-255.

    """
    if not 1 <= shingle_size <= MAX_SHINGLE_SIZE:
        raise ValueError(f"dedup: shingle_size must be 1..{MAX_SHINGLE_SIZE}, got {shingle_size}")
    tokens = story_tokens(text)
    if len(tokens) < max(MIN_TOKENS, shingle_size):
        return None
    windows = zip(*(tokens[k:] for k in range(shingle_size)), strict=False)
    shingles = {" ".join(window).encode("utf-8") for window in windows}
    # crc32 as the shingle hash: datasketch pre-mixes every input hash (MurmurHash3 finalizer)
    # before permuting; on 600 bench pairs it estimated Jaccard as well as the default sha1
    # (mean absolute error 0.021 for both) in a quarter of the time.
    minhash = MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        hashfunc=zlib.crc32,
        permutations=_permutations(),
        scheme=SCHEME,
    )
    minhash.update_batch(shingles)
    values = np.asarray(minhash.hashvalues, dtype="<u4")
    return bytes((SIGNATURE_VERSION, shingle_size)) + values.tobytes()


def _decode(signature: bytes) -> tuple[int, np.ndarray]:
    """(shingle size, hash values) of a signature; ValueError when it is not one of ours."""
    if len(signature) != SIGNATURE_SIZE or signature[0] != SIGNATURE_VERSION:
        raise ValueError(
            f"dedup: not a version {SIGNATURE_VERSION} story signature "
            f"({len(signature)} bytes, expected {SIGNATURE_SIZE})"
        )
    return signature[1], np.frombuffer(signature, dtype="<u4", offset=HEADER_SIZE)


def _estimate(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of permutations whose minima agree."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity (0.0-1.0) of the shingle sets behind two signatures.

    Raises:
        ValueError: when a signature is malformed or the two used different shingle sizes.

    """
    size_a, values_a = _decode(a)
    size_b, values_b = _decode(b)
    if size_a != size_b:
        raise ValueError(f"dedup: signatures of {size_a}- and {size_b}-word shingles")
    return _estimate(values_a, values_b)


def _lsh_params(threshold: float) -> tuple[int, int]:
    """(bands, rows) of the most selective LSH banding that still meets LSH_CANDIDATE_RECALL."""
    for rows in range(NUM_PERM // 2, 0, -1):
        bands = NUM_PERM // rows
        if 1 - (1 - threshold**rows) ** bands >= LSH_CANDIDATE_RECALL:
            return bands, rows
    return NUM_PERM, 1


# An odd 64-bit multiplier (the golden ratio's): mixes the band number and each hash value in.
_KEY_MIX = np.uint64(0x9E3779B97F4A7C15)


def _band_keys(values: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One uint64 per LSH band of each signature in values (n, NUM_PERM): (n, bands).

    A key mixes the band's number with its hash values, so equal keys mean (but for a rare
    collision, which only adds a candidate the similarity check then drops) the same band.
    """
    banded = values[:, : bands * rows].reshape(len(values), bands, rows).astype(np.uint64)
    keys = np.broadcast_to(np.arange(bands, dtype=np.uint64), banded.shape[:2]).copy()
    for row in range(rows):
        keys = keys * _KEY_MIX + banded[:, :, row]  # wraps modulo 2**64, as a hash should
    return keys


class StoryClusterer:
    """Groups articles into stories: a near-duplicate joins the story of its closest match.

    Candidates are the indexed articles that share an LSH band with the new one, confirmed
    with the estimated Jaccard similarity; ties go to the article indexed first, so the same
    input order always yields the same story ids. Stored articles are indexed in bulk
    (from_stored) as numpy arrays, about 1.6 KB each: a sorted array of band keys, where a
    dict of sets per band (datasketch's MinHashLSH) took ~17 KB an article and 1.4 s per
    10,000 to build (bench/story_index.py). The articles assigned afterwards go in a dict.
    """

    def __init__(
        self, threshold: float = DEFAULT_THRESHOLD, shingle_size: int = SHINGLE_SIZE
    ) -> None:
        """Start an empty index.

        Args:
            threshold: estimated Jaccard similarity from which two articles are one story.
            shingle_size: the shingle size of the signatures this clusterer accepts.

        """
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"dedup: threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.shingle_size = shingle_size
        self._bands, self._rows = _lsh_params(threshold)
        # Every indexed article by its number (insertion order, for the tie-break).
        self._numbers: dict[str, int] = {}
        self._stories: list[str] = []
        # The bulk-loaded articles (numbers 0..n-1): hash values, and their band keys sorted
        # with the article number of each.
        self._stored_values = np.empty((0, NUM_PERM), dtype="<u4")
        self._sorted_keys = np.empty(0, dtype=np.uint64)
        self._key_numbers = np.empty(0, dtype=np.int64)
        # The articles indexed one by one: hash values by number, and numbers by band key.
        self._added_values: dict[int, np.ndarray] = {}
        self._added_keys: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return len(self._stories)

    @classmethod
    def from_stored(
        cls,
        stored: Iterable[tuple[str, str, bytes]],
        threshold: float = DEFAULT_THRESHOLD,
        shingle_size: int = SHINGLE_SIZE,
    ) -> StoryClusterer:
        """A clusterer indexing stored articles, (article_id, story_id, signature), in bulk.

        They are indexed in the order given. A malformed signature or one of another shingle
        size or version is logged and skipped; an article_id seen before keeps its first story.
        """
        clusterer = cls(threshold, shingle_size)
        values = []
        for article_id, story_id, signature in stored:
            usable = clusterer._values(article_id, signature)
            if usable is not None and article_id not in clusterer._numbers:
                clusterer._numbers[article_id] = len(clusterer._stories)
                clusterer._stories.append(story_id)
                values.append(usable)
        if values:
            clusterer._stored_values = np.stack(values)
            keys = _band_keys(clusterer._stored_values, clusterer._bands, clusterer._rows)
            order = np.argsort(keys, axis=None, kind="stable")
            clusterer._sorted_keys = keys.ravel()[order]
            clusterer._key_numbers = order // clusterer._bands
        return clusterer

    def assign(self, article_id: str, signature: bytes | None) -> str:
        """Story id of a new article, which is then indexed for the articles after it.

        Returns:
            The story of the most similar indexed article when its estimated Jaccard
            similarity reaches the threshold; otherwise article_id, a new story. An
            article without a usable signature (too short, malformed) is its own story
            and is not indexed. An article_id seen before keeps its story.

        """
        if article_id in self._numbers:
            return self._stories[self._numbers[article_id]]
        values = self._values(article_id, signature) if signature is not None else None
        if values is None:
            return article_id
        keys = self._keys(values)
        story_id = self._best_story(values, keys) or article_id
        self._index(article_id, story_id, values, keys)
        return story_id

    def _values(self, article_id: str, signature: bytes) -> np.ndarray | None:
        """Hash values of a signature this clusterer can compare, else None (logged)."""
        try:
            shingle_size, values = _decode(signature)
        except ValueError as exc:
            logger.warning("article_id=%s unusable story signature: %s", article_id, exc)
            return None
        if shingle_size != self.shingle_size:
            logger.warning(
                "article_id=%s story signature of %s-word shingles, expected %s",
                article_id,
                shingle_size,
                self.shingle_size,
            )
            return None
        return values

    def _keys(self, values: np.ndarray) -> np.ndarray:
        """The band keys of one signature's hash values."""
        return _band_keys(values[np.newaxis], self._bands, self._rows)[0]

    def _best_story(self, values: np.ndarray, keys: np.ndarray) -> str | None:
        """Story of the closest indexed article at or above the threshold, else None."""
        starts = np.searchsorted(self._sorted_keys, keys, side="left")
        ends = np.searchsorted(self._sorted_keys, keys, side="right")
        stored = np.unique(
            np.concatenate([self._key_numbers[a:b] for a, b in zip(starts, ends, strict=True)])
        )
        added = sorted({n for key in keys.tolist() for n in self._added_keys.get(key, ())})
        numbers = np.concatenate([stored, np.asarray(added, dtype=np.int64)])
        others = np.concatenate(
            [self._stored_values[stored], *(self._added_values[n][np.newaxis] for n in added)]
        )
        scores = np.count_nonzero(others == values, axis=1) / NUM_PERM
        # Numbers ascend, so argmax's first maximum is the article indexed first.
        best = int(np.argmax(scores)) if len(scores) else None
        if best is None or scores[best] < self.threshold:
            return None
        return self._stories[int(numbers[best])]

    def _index(self, article_id: str, story_id: str, values: np.ndarray, keys: np.ndarray) -> None:
        number = len(self._stories)
        self._numbers[article_id] = number
        self._stories.append(story_id)
        self._added_values[number] = values
        for key in keys.tolist():
            self._added_keys.setdefault(key, []).append(number)
