"""Duplicate detection: exact content hashes and near-duplicate story signatures."""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import unicodedata
import zlib

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH  # type: ignore[import-untyped]

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


class StoryClusterer:
    """Groups articles into stories: a near-duplicate joins the story of its closest match.

    Candidates come from a MinHash LSH index and are confirmed with the estimated Jaccard
    similarity; ties go to the article indexed first, so the same input order always
    yields the same story ids. Every indexed article stays in memory (about 1 KB each), so
    load only a recent window of stored articles with add_existing.
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
        self._lsh = MinHashLSH(num_perm=NUM_PERM, params=_lsh_params(threshold))
        # article_id -> (story_id, hash values, insertion number for tie-breaking).
        self._articles: dict[str, tuple[str, np.ndarray, int]] = {}

    def __len__(self) -> int:
        return len(self._articles)

    def add_existing(self, article_id: str, story_id: str, signature: bytes) -> None:
        """Index a stored article under its stored story; unusable signatures are skipped.

        A malformed signature or one of another shingle size or version is logged and
        ignored; an article_id already indexed is left as it is.
        """
        values = self._values(article_id, signature)
        if values is not None and article_id not in self._articles:
            self._index(
                article_id, story_id, LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)
            )

    def assign(self, article_id: str, signature: bytes | None) -> str:
        """Story id of a new article, which is then indexed for the articles after it.

        Returns:
            The story of the most similar indexed article when its estimated Jaccard
            similarity reaches the threshold; otherwise article_id, a new story. An
            article without a usable signature (too short, malformed) is its own story
            and is not indexed. An article_id seen before keeps its story.

        """
        if article_id in self._articles:
            return self._articles[article_id][0]
        values = self._values(article_id, signature) if signature is not None else None
        if values is None:
            return article_id
        minhash = LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)
        story_id = self._best_story(minhash) or article_id
        self._index(article_id, story_id, minhash)
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

    def _best_story(self, minhash: LeanMinHash) -> str | None:
        """Story of the closest indexed article at or above the threshold, else None."""
        best: tuple[float, int] | None = None
        best_story = None
        for candidate in self._lsh.query(minhash):
            story_id, other, number = self._articles[candidate]
            score = _estimate(minhash.hashvalues, other)
            if score >= self.threshold and (best is None or (score, -number) > best):
                best, best_story = (score, -number), story_id
        return best_story

    def _index(self, article_id: str, story_id: str, minhash: LeanMinHash) -> None:
        self._lsh.insert(article_id, minhash)
        self._articles[article_id] = (story_id, minhash.hashvalues, len(self._articles))
