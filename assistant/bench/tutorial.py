"""The LangChain tutorial index, the baseline both the benchmarks and the evals measure against.

Documents split by RecursiveCharacterTextSplitter into 1000 characters with 200 of overlap,
embedded into Chroma (cosine) with whatever LangChain `Embeddings` the caller brings; answers
come from the top 4.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_chroma import Chroma
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.loading import Document

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4


def tutorial_store(
    documents: Sequence[Document], embeddings: Embeddings, client: object, name: str
) -> Chroma:
    """Split the documents and index the splits in a new Chroma collection."""
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    splits = splitter.split_documents(
        [
            LCDocument(page_content=d.text,
                       metadata={"doc_id": d.doc_id, "title": d.title, "source": d.source})
            for d in documents
        ]
    )
    for position, split in enumerate(splits):
        split.id = f"{split.metadata['doc_id']}#{position}"
    store = Chroma(collection_name=name, embedding_function=embeddings, client=client,
                   collection_metadata={"hnsw:space": "cosine"})
    store.add_documents(splits, ids=[s.id for s in splits])
    return store
