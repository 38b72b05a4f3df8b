"""The baseline server: a naive FastAPI + LangChain Chroma endpoint over the same corpus.

This is what the tutorials build: split into 1000-character chunks with 200 of overlap, embed
them into Chroma with the same model through `HuggingFaceEmbeddings`, and answer with the top
passage of a top-4 search.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from fastapi import FastAPI
from pydantic import BaseModel


class ChatIn(BaseModel):
    """The question."""

    message: str


def build_app(corpus: Path, store_dir: Path) -> FastAPI:
    """Index the corpus the tutorial way and serve `POST /chat`."""
    import chromadb
    from langchain_huggingface import HuggingFaceEmbeddings

    from assistant.bench.tutorial import TOP_K, tutorial_store
    from assistant.config import PACKAGED_MODEL
    from assistant.embeddings import resolve_model_path
    from assistant.loading import load_corpus

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is a local folder: never download
    embeddings = HuggingFaceEmbeddings(
        model_name=str(resolve_model_path(PACKAGED_MODEL)),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True},
    )
    client = chromadb.PersistentClient(
        path=str(store_dir), settings=chromadb.config.Settings(anonymized_telemetry=False)
    )
    store = tutorial_store(load_corpus([corpus]).documents, embeddings, client, "tutorial")
    app = FastAPI()

    @app.post("/chat")
    def chat(body: ChatIn) -> dict[str, object]:
        found = store.similarity_search_with_score(body.message, k=TOP_K)
        return {
            "answer": found[0][0].page_content if found else "",
            "sources": [{"text": d.page_content, "source": d.metadata.get("source"),
                         "score": s} for d, s in found],
        }

    return app


def main() -> None:
    """Serve the baseline: `python -m assistant.bench.naive --corpus corpus --port 8100`."""
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="naive-chroma-") as store_dir:
        app = build_app(args.corpus, Path(store_dir))
        uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
