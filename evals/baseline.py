"""The LangChain tutorial RAG pipeline, run on the same cases so every report shows the gap.

The index is `assistant.bench.tutorial` (RecursiveCharacterTextSplitter 1000/200, Chroma) with
the same embedding model; the top 4 passages are retrieved and the top one is the answer, with
citation [1] (the 4 retrieved passages are the citations). It never refuses and ignores the
conversation, as the tutorial does.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_core.embeddings import Embeddings

from assistant.answers import Answer, Citation, Passage
from assistant.bench.tutorial import TOP_K, tutorial_store
from assistant.loading import Document, load_corpus


class TutorialBaseline:
    """Split, embed into Chroma, retrieve 4, answer with the top passage."""

    name = "baseline"
    mode = "baseline"

    def __init__(self, documents: Sequence[Document], embeddings: Embeddings, k: int = TOP_K):
        self.k = k
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        # Ephemeral clients share one in-memory store per process: a unique name keeps runs apart.
        self.store = tutorial_store(
            documents, embeddings, client, f"baseline-{uuid.uuid4().hex[:12]}"
        )

    @classmethod
    def from_corpus(
        cls, corpus_dir: Path, embeddings: Embeddings, k: int = TOP_K
    ) -> TutorialBaseline:
        """Build the baseline over every readable document of a corpus folder."""
        return cls(load_corpus([Path(corpus_dir)]).documents, embeddings, k)

    def search(self, query: str, k: int = TOP_K) -> list[Passage]:
        """The k nearest splits, best first."""
        found = self.store.similarity_search_with_score(query, k=k)
        return [
            Passage(
                doc_id=doc.metadata["doc_id"],
                title=doc.metadata["title"],
                section=None,
                source=doc.metadata["source"],
                text=doc.page_content,
                score=round(1.0 - float(distance), 4),
                chunk_id=str(doc.id),
            )
            for doc, distance in found
        ]

    def ask(
        self, message: str, history: Iterable[Mapping[str, str] | tuple[str, str]] | None = None
    ) -> Answer:
        """The top passage as the answer, citing the k passages retrieved for the message."""
        started = time.perf_counter()
        passages = self.search(message, self.k)
        citations = [Citation(n=n, **p.model_dump()) for n, p in enumerate(passages, start=1)]
        text = f"{passages[0].text.strip()} [1]" if passages else ""
        return Answer(
            id=uuid.uuid4().hex,
            answer=text,
            citations=citations,
            answerable=bool(passages),
            mode=self.mode,
            question=message,
            timings_ms={"total_ms": round((time.perf_counter() - started) * 1000, 2)},
        )

    @property
    def answer_k(self) -> int:
        """The passages each answer is drawn from (the tutorial's 4)."""
        return self.k

    def retrieve(
        self, message: str, history: Iterable[Mapping[str, str] | tuple[str, str]], k: int
    ) -> list[str]:
        """The search `ask` runs: the last message alone, as the tutorial ignores history."""
        return [passage.text for passage in self.search(message, k)]

    def close(self) -> None:
        """Drop the in-memory collection."""
        self.store.delete_collection()
