"""Exact dense search in memory, for indexes small enough that a matrix product beats HNSW."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

# Up to this many sentence vectors (about 75 MB of float32), one matrix product is faster than a
# round trip through Chroma's HNSW index and exact rather than approximate.
EXACT_LIMIT = 50_000


def pages(collection: object, include: list[str], page: int = 2000) -> Iterator[dict]:
    """Every record of a Chroma collection, a page of `collection.get` at a time."""
    count = collection.count()  # type: ignore[attr-defined]
    for offset in range(0, count, page):
        yield collection.get(include=include, limit=page, offset=offset)  # type: ignore[attr-defined]


class ExactDense:
    """All sentence vectors of one index generation, searched by one matrix product."""

    def __init__(self, ids: list[str], matrix: np.ndarray) -> None:
        self.ids = ids
        self.matrix = matrix

    @classmethod
    def from_collection(cls, collection: object, page: int = 2000) -> ExactDense:
        """Read every vector of a Chroma collection (vectors are unit length: cosine = dot)."""
        ids: list[str] = []
        rows: list[np.ndarray] = []
        for batch in pages(collection, ["embeddings"], page):
            ids.extend(batch["ids"])
            rows.append(np.asarray(batch["embeddings"], dtype=np.float32))
        matrix = np.vstack(rows) if rows else np.zeros((0, 1), dtype=np.float32)
        return cls(ids, matrix)

    def query(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """The n most similar sentence ids with their cosine similarity, best first."""
        if not self.ids:
            return []
        similarities = self.matrix @ vector.astype(np.float32, copy=False)
        n = min(n, len(self.ids))
        top = np.argpartition(-similarities, n - 1)[:n]
        top = top[np.argsort(-similarities[top], kind="stable")]
        return [(self.ids[i], float(similarities[i])) for i in top]
