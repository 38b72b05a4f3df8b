"""BM25 over the chunks: the lexical half of hybrid retrieval."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np


class BM25:
    """Okapi BM25 with an inverted index; fast enough to rebuild at load for every query."""

    def __init__(self, documents: list[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.size = len(documents)
        self.k1, self.b = k1, b
        lengths = np.array([len(doc) for doc in documents], dtype=np.float32)
        average = float(lengths.mean()) if self.size else 1.0
        self._norm = k1 * (1 - b + b * lengths / max(average, 1.0))
        self._postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for index, doc in enumerate(documents):
            for term, count in Counter(doc).items():
                self._postings[term].append((index, count))
        self.idf = {
            term: math.log(1 + (self.size - len(p) + 0.5) / (len(p) + 0.5))
            for term, p in self._postings.items()
        }

    def scores(self, query: list[str]) -> np.ndarray:
        """A score per document; zero where no query term occurs."""
        scores = np.zeros(self.size, dtype=np.float32)
        for term in set(query):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for index, count in self._postings[term]:
                scores[index] += idf * count * (self.k1 + 1) / (count + self._norm[index])
        return scores

    def __contains__(self, term: str) -> bool:
        return term in self._postings
