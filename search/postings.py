"""Decoded postings of one index generation: each term's document numbers and
BM25F scores (the formula and statistics of ``whoosh.scoring.BM25F``), and its
occurrences for phrases, cached as arrays for ``search.evaluation.Evaluator``.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from indexer.codec.readers import field_lengths, occurrences_of, per_field_b, postings_of

#: Postings (documents × terms) kept decoded per generation, 12 bytes each
#: (about 120 MB per process); a term of a 100,000-release index takes 1.2 MB at most.
CACHED_POSTINGS = 10_000_000


class _ArrayCache:
    """A thread-safe LRU of (array, array) pairs, bounded by their total length."""

    def __init__(self, budget: int) -> None:
        self._budget = budget
        self._held = 0
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[str, bytes], tuple[np.ndarray, np.ndarray]] = (
            OrderedDict())

    def get(self, key: tuple[str, bytes],
            compute: Callable[[], tuple[np.ndarray, np.ndarray]]
            ) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        # Computed outside the lock: two threads may both compute a new key, once.
        found = compute()
        with self._lock:
            if key not in self._items:
                self._items[key] = found
                self._held += len(found[0])
                while self._held > self._budget and len(self._items) > 1:
                    _, (first, _) = self._items.popitem(last=False)
                    self._held -= len(first)
        return found


class Postings:
    """Decoded postings and field lengths of one index generation, shared by threads."""

    def __init__(self, searcher: Any, weighting: Any, budget: int = CACHED_POSTINGS) -> None:
        self.size = searcher.doc_count_all()
        self.B = weighting.B
        self.K1 = weighting.K1
        self._field_B = per_field_b(weighting)
        self._terms = _ArrayCache(budget)
        self._occurrences = _ArrayCache(budget)
        self._lengths: dict[str, np.ndarray] = {}

    # ------------------------------------------------------------ lengths

    def lengths(self, searcher: Any, fieldname: str) -> np.ndarray:
        """Every document's length of ``fieldname`` as Whoosh's scorer sees it."""
        found = self._lengths.get(fieldname)
        if found is None:
            found = self._lengths[fieldname] = field_lengths(searcher, fieldname, self.size)
        return found

    # ------------------------------------------------------------ terms

    def term(self, searcher: Any, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, unboosted scores) of one term; empty when absent."""
        return self._terms.get((fieldname, text),
                               lambda: self._score(searcher, fieldname, text))

    def occurrences(self, searcher: Any, fieldname: str, text: bytes
                    ) -> tuple[np.ndarray, np.ndarray]:
        """(document number, position) of every occurrence of a term, for phrases."""
        return self._occurrences.get((fieldname, text),
                                     lambda: occurrences_of(searcher, fieldname, text))

    def _score(self, searcher: Any, fieldname: str, text: bytes
               ) -> tuple[np.ndarray, np.ndarray]:
        ids, weights = postings_of(searcher, fieldname, text)
        if not len(ids):
            return ids, weights
        field = searcher.schema[fieldname]
        if not field.scorable:
            return ids, weights  # whoosh.scoring.WeightScorer: the weight itself
        # whoosh.scoring.BM25F with the parent searcher's statistics.
        df = searcher.doc_frequency(fieldname, text)
        idf = math.log(searcher.doc_count_all() / (df + 1)) + 1
        avgfl = searcher.avg_field_length(fieldname) or 1
        B = self._field_B.get(fieldname, self.B)
        K1 = self.K1
        fl = self.lengths(searcher, fieldname)[ids]
        scores = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))
        return ids, scores
