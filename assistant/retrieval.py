"""Hybrid retrieval: sentence vectors from Chroma and BM25, fused by reciprocal rank, with an
entity boost for passages that name what the question names."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.chunking import Chunk
from assistant.dense import EXACT_LIMIT, ExactDense
from assistant.embeddings import SentenceEmbedder
from assistant.expectations import answer_kinds
from assistant.index import Snapshot
from assistant.text import query_terms

RRF_K = 60  # the usual reciprocal-rank-fusion constant: flattens the head of each list
DENSE_POOL = 48  # sentences fetched from Chroma per query; chunks are ranked by their best one
EXACT_POOL = 1024  # sentences scored per query when the search is exact, in memory


@dataclass
class Hit:
    """A retrieved chunk with the evidence for it."""

    chunk: Chunk
    score: float  # fused score scaled to 0..1
    similarity: float  # cosine similarity of its best matching sentence
    lexical: float  # BM25 score
    unit_similarity: dict[int, float] = field(default_factory=dict)


@dataclass
class Retrieval:
    """The ranked hits for one query, and what the query looked like."""

    query: str
    entities: list[str]
    hits: list[Hit]
    best_similarity: float


class HybridSearch:
    """Dense + lexical search over one index snapshot."""

    def __init__(
        self,
        snapshot: Snapshot,
        embedder: SentenceEmbedder,
        # A quarter of a first rank: naming the tool tips close calls without outranking a
        # passage that matches what is asked (chosen on the eval's dev split).
        entity_weight: float = 0.25,
    ) -> None:
        self.snapshot = snapshot
        self.embedder = embedder
        self.entity_weight = entity_weight
        entities = snapshot.entities
        # Per chunk: the entities it names (section included), and what each sentence is about.
        self.chunk_entities = [
            frozenset(entities.find(f"{c.section or ''} {' '.join(c.units)}"))
            for c in snapshot.chunks
        ]
        self.unit_names = [[frozenset(entities.find(u)) for u in c.units] for c in snapshot.chunks]
        self.unit_subjects = [entities.subjects(c.units) for c in snapshot.chunks]
        # Small indexes are searched exactly in memory; large ones through Chroma's HNSW.
        self.exact = (
            ExactDense.from_collection(snapshot.collection)
            if snapshot.manifest.units <= EXACT_LIMIT else None
        )

    def is_about(self, position: int, names: set[str]) -> bool:
        """Whether any sentence of the chunk at `position` is about one of `names`."""
        entities = self.snapshot.entities
        return any(entities.expand(s) & names for s in self.unit_subjects[position] if s)

    def search(
        self,
        query: str,
        k: int,
        entities: list[str] | None = None,
        vector: np.ndarray | None = None,
    ) -> Retrieval:
        """The k best chunks for a query (pass `vector` when it is already embedded)."""
        snapshot = self.snapshot
        entities = snapshot.entities.find(query) if entities is None else entities
        vector = self.embedder.encode_query(query) if vector is None else vector
        best, per_unit = self._dense(vector)
        # "tool" in "Which tools are free?" names the kind of answer, not words to look for.
        kinds = answer_kinds(query)
        lexical = snapshot.bm25.scores([t for t in query_terms(query) if t not in kinds])

        fused = np.zeros(len(snapshot.chunks), dtype=np.float64)
        dense_order = sorted(best, key=best.__getitem__, reverse=True)
        for rank, index in enumerate(dense_order):
            fused[index] += 1.0 / (RRF_K + rank + 1)
        lexical_order = [i for i in np.argsort(-lexical, kind="stable") if lexical[i] > 0]
        for rank, index in enumerate(lexical_order):
            fused[index] += 1.0 / (RRF_K + rank + 1)
        fused += self._entity_boost(entities)

        top_bonus = 1.0 / (RRF_K + 1)
        ceiling = 2 * top_bonus + 1.5 * self.entity_weight * top_bonus
        candidates = [i for i in np.argsort(-fused, kind="stable")[:k] if fused[i] > 0]
        hits = [
            Hit(
                chunk=snapshot.chunks[i],
                score=round(float(fused[i] / ceiling), 4),
                similarity=round(best.get(i, 0.0), 4),
                lexical=round(float(lexical[i]), 4),
                unit_similarity=per_unit.get(i, {}),
            )
            for i in candidates
        ]
        best_similarity = max(best.values(), default=0.0)
        return Retrieval(query, entities, hits, best_similarity)

    def _nearest(self, vector: np.ndarray) -> list[tuple[str, float]]:
        """The sentences nearest to a query vector, with their cosine similarity."""
        if self.exact is not None:
            # Scoring every sentence costs microseconds here, and gives each sentence of a
            # retrieved passage its own similarity instead of a guess.
            return self.exact.query(vector, EXACT_POOL)
        count = self.snapshot.manifest.units
        result = self.snapshot.collection.query(  # type: ignore[attr-defined]
            query_embeddings=[vector], n_results=min(DENSE_POOL, count), include=["distances"]
        )
        return [(unit_id, 1.0 - float(distance))
                for unit_id, distance in zip(result["ids"][0], result["distances"][0], strict=True)]

    def _dense(self, vector: np.ndarray) -> tuple[dict[int, float], dict[int, dict[int, float]]]:
        position = self.snapshot.position
        best: dict[int, float] = {}
        per_unit: dict[int, dict[int, float]] = {}
        for unit_id, similarity in self._nearest(vector):
            chunk_id, _, unit = unit_id.rpartition(":")
            index = position.get(chunk_id)
            if index is None:
                continue
            per_unit.setdefault(index, {})[int(unit)] = similarity
            best[index] = max(best.get(index, -1.0), similarity)
        return best, per_unit

    def _entity_boost(self, entities: list[str]) -> np.ndarray:
        boost = np.zeros(len(self.snapshot.chunks), dtype=np.float64)
        if not entities:
            return boost
        index = self.snapshot.entities
        total = sum(index.weight(e) for e in entities)
        # A name found in half the corpus says little about which passage is meant.
        unit = self.entity_weight / (RRF_K + 1) * max(index.distinctiveness(e) for e in entities)
        for position, named in enumerate(self.chunk_entities):
            share = sum(index.weight(e) for e in entities if e in named) / total
            # A passage *about* the entity (its subject) outranks one that mentions it in passing.
            about = bool(index.expand(self.unit_subjects[position][0]) & set(entities))
            boost[position] = unit * (share + (0.5 if about else 0.0))
        return boost


class CorpusRetriever(BaseRetriever):
    """The hybrid search as a LangChain retriever, for use in any LangChain chain."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    search: HybridSearch
    k: int = 5

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [
            Document(
                page_content=hit.chunk.text,
                id=hit.chunk.id,
                metadata={
                    "doc_id": hit.chunk.doc_id,
                    "title": hit.chunk.title,
                    "section": hit.chunk.section,
                    "source": hit.chunk.source,
                    "score": hit.score,
                },
            )
            for hit in self.search.search(query, self.k).hits
        ]
