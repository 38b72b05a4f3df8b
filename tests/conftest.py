"""Shared fixtures: one embedding model and one built index of the seed corpus per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.core import Assistant
from assistant.embeddings import SentenceEmbedder
from assistant.index import IndexStore

REPO = Path(__file__).resolve().parent.parent
SEED_CORPUS = REPO / "corpus"


@pytest.fixture(scope="session")
def embedder() -> SentenceEmbedder:
    """The packaged model, loaded once for the whole run."""
    return SentenceEmbedder()


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings pointing at the seed corpus and a private index folder."""
    index_dir = tmp_path_factory.mktemp("seed-index")
    return Settings(
        corpus_dir=SEED_CORPUS,
        index_dir=index_dir,
        feedback_db=index_dir / "feedback.sqlite3",
        rate_limit="0",  # tests that exercise the limit set their own
        # Extractive, whatever the shell exports: LLM tests set their own stub.
        llm=None,
        llm_base_url=None,
        llm_api_key=None,
        _env_file=None,
    )


@pytest.fixture(scope="session")
def assistant(seed_settings: Settings, embedder: SentenceEmbedder) -> Assistant:
    """An assistant over the seed corpus."""
    store = IndexStore(seed_settings, embedder)
    store.ingest()
    return Assistant(seed_settings, store)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, target)
    return target


def make_store(corpus: Path, index: Path, embedder: SentenceEmbedder) -> IndexStore:
    """An index store over any corpus folder."""
    return IndexStore(Settings(corpus_dir=corpus, index_dir=index, _env_file=None), embedder)
