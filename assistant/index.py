"""The index: sentence vectors in Chroma, chunks and entities on disk, swapped in atomically.

Each ingest that changes anything writes a new *generation* (a Chroma collection plus a folder
holding the chunks) and then replaces `manifest.json` in one rename. Readers only ever follow the
manifest, so they see the old generation or the new one, never a half-written one. Vectors of
unchanged sentences are copied from the previous generation, so only new text is embedded.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
from pydantic import BaseModel

from assistant.chunking import CHUNKER_VERSION, Chunk, chunk_document
from assistant.config import Settings
from assistant.dense import pages
from assistant.embeddings import SentenceEmbedder
from assistant.entities import EntityIndex, learn_entities, standalone
from assistant.lexical import BM25
from assistant.loading import CorpusError, load_corpus
from assistant.text import content_hash, terms, words

log = logging.getLogger(__name__)

INDEX_FORMAT = 1
MANIFEST = "manifest.json"
CHUNKS_FILE = "chunks.json"
COLLECTION_PREFIX = "passages-g"


class IndexNotFoundError(Exception):
    """There is no usable index yet."""


class IndexManifest(BaseModel):
    """What the current generation holds and what built it."""

    format: int = INDEX_FORMAT
    generation: int
    collection: str
    embedding_model: str
    chunker: str
    documents: dict[str, str]  # doc_id -> fingerprint of the file's bytes
    chunks: int
    units: int
    built_at: str


@dataclass
class IngestReport:
    """What an ingest did."""

    documents: int = 0
    chunks: int = 0
    units: int = 0
    embedded: int = 0
    reused: int = 0
    removed: int = 0
    changed: bool = False
    generation: int = 0
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Snapshot:
    """One generation of the index, loaded for reading."""

    manifest: IndexManifest
    chunks: list[Chunk]
    entities: EntityIndex
    bm25: BM25
    collection: object  # chromadb Collection
    vocabulary: frozenset[str]

    @cached_property
    def position(self) -> dict[str, int]:
        """Chunk id -> its index in `chunks`."""
        return {chunk.id: i for i, chunk in enumerate(self.chunks)}


def _unit_key(text: str) -> str:
    # Vectors are reused by the text they embed, so an unchanged sentence is never re-embedded.
    return content_hash("unit", text)


class IndexStore:
    """Builds, refreshes and opens the index under `settings.index_dir`."""

    def __init__(self, settings: Settings, embedder: SentenceEmbedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self.root = Path(settings.index_dir)

    @cached_property
    def client(self):  # noqa: ANN201 - chromadb client types are internal
        """The Chroma client: embedded under the index folder, or a server when configured."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.settings.chroma_url:
            url = urlparse(self.settings.chroma_url)
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        self.root.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(self.root / "chroma"), settings=chroma_settings)

    def manifest(self) -> IndexManifest | None:
        """The current generation's manifest, or None when nothing was built yet."""
        path = self.root / MANIFEST
        if not path.is_file():
            return None
        return IndexManifest.model_validate_json(path.read_text(encoding="utf-8"))

    def is_current(self, paths: list[Path] | None = None) -> bool:
        """True when the index exists, matches this model and chunker, and matches the files."""
        manifest = self.manifest()
        if manifest is None or not self._compatible(manifest):
            return False
        result = load_corpus(paths or [self.settings.corpus_dir])
        return {d.doc_id: d.fingerprint for d in result.documents} == manifest.documents

    def ingest(
        self,
        paths: list[Path] | None = None,
        progress: Callable[[str], None] | None = None,
        show_bar: bool = False,
    ) -> IngestReport:
        """Bring the index in line with the files: embed new text only, drop what was removed."""
        started = time.perf_counter()
        say = progress or (lambda message: None)
        result = load_corpus(paths or [self.settings.corpus_dir])
        report = IngestReport(skipped=result.skipped, documents=len(result.documents))
        if not result.documents:
            where = ", ".join(str(p) for p in (paths or [self.settings.corpus_dir]))
            raise CorpusError(
                f"No readable documents in {where}: add Markdown, text, HTML or PDF files "
                "(or point ASSISTANT_CORPUS_DIR at them)."
            )
        chunks = _unique(c for d in result.documents for c in chunk_document(d))
        fingerprints = {d.doc_id: d.fingerprint for d in result.documents}
        report.chunks = len(chunks)
        report.units = sum(len(c.units) for c in chunks)

        current = self.manifest()
        previous_chunks = self._read_chunks(current) if current else []
        if (
            current is not None
            and self._compatible(current)
            and current.documents == fingerprints
            and [c.id for c in previous_chunks] == [c.id for c in chunks]
        ):
            report.generation = current.generation
            report.seconds = time.perf_counter() - started
            return report

        reusable = self._reusable_vectors(current) if current and self._compatible(current) else {}
        entities = learn_entities(chunks)
        units = [
            # "Originally developed as Allegro Trains, it offers..." is embedded as "..., ClearML
            # offers...": a sentence that leans on a pronoun still matches questions naming it.
            (f"{c.id}:{i}", c, standalone(text, subject))
            for c in chunks
            for i, (text, subject) in enumerate(zip(c.units, entities.subjects(c.units),
                                                    strict=True))
        ]
        missing = sorted({text for _, _, text in units if _unit_key(text) not in reusable})
        say(f"Embedding {len(missing)} new sentences ({len(units) - len(missing)} reused)")
        fresh = self.embedder.encode(missing, progress=show_bar)
        vectors = dict(reusable)
        vectors.update({_unit_key(text): vec for text, vec in zip(missing, fresh, strict=True)})
        report.embedded = len(missing)
        report.reused = len(units) - len(missing)
        old_ids = {f"{c.id}:{i}" for c in previous_chunks for i in range(len(c.units))}
        report.removed = len(old_ids - {unit_id for unit_id, _, _ in units})

        generation = (current.generation if current else 0) + 1
        manifest = IndexManifest(
            generation=generation,
            collection=f"{COLLECTION_PREFIX}{generation}",
            embedding_model=self.embedder.name,
            chunker=CHUNKER_VERSION,
            documents=fingerprints,
            chunks=len(chunks),
            units=len(units),
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        try:
            self._write_generation(manifest, chunks, units, vectors, entities)
            self._write_manifest(manifest)
        except BaseException:
            self._drop_generation(generation)  # readers still follow the old manifest
            raise
        self._prune(keep={generation, generation - 1})
        report.changed = True
        report.generation = generation
        report.seconds = time.perf_counter() - started
        return report

    def open(self) -> Snapshot:
        """Load the current generation for reading."""
        manifest = self.manifest()
        if manifest is None:
            raise IndexNotFoundError(
                f"No index in {self.root}/: run `assistant ingest` to build it from the corpus."
            )
        if not self._compatible(manifest):
            raise IndexNotFoundError(
                f"The index in {self.root}/ was built by {manifest.embedding_model} with chunker "
                f"{manifest.chunker}; run `assistant ingest` to rebuild it for "
                f"{self.embedder.name} and {CHUNKER_VERSION}."
            )
        data = json.loads((self._generation_dir(manifest.generation) / CHUNKS_FILE).read_text())
        chunks = [Chunk.from_record(r) for r in data["chunks"]]
        entities = EntityIndex.from_records(data["entities"], total_chunks=len(chunks))
        bm25 = BM25([terms(_lexical_text(c)) for c in chunks])
        vocabulary = frozenset(w for c in chunks for w in words(_lexical_text(c)))
        collection = self.client.get_collection(manifest.collection)
        return Snapshot(manifest, chunks, entities, bm25, collection, vocabulary)

    # -- internals ---------------------------------------------------------------------------

    def _compatible(self, manifest: IndexManifest) -> bool:
        return (
            manifest.format == INDEX_FORMAT
            and manifest.embedding_model == self.embedder.name
            and manifest.chunker == CHUNKER_VERSION
        )

    def _generation_dir(self, generation: int) -> Path:
        return self.root / f"g{generation}"

    def _read_chunks(self, manifest: IndexManifest) -> list[Chunk]:
        path = self._generation_dir(manifest.generation) / CHUNKS_FILE
        if not path.is_file():
            return []
        return [Chunk.from_record(r) for r in json.loads(path.read_text())["chunks"]]

    def _reusable_vectors(self, manifest: IndexManifest) -> dict[str, np.ndarray]:
        try:
            collection = self.client.get_collection(manifest.collection)
        except Exception:  # noqa: BLE001 - a missing collection only means nothing to reuse
            return {}
        vectors: dict[str, np.ndarray] = {}
        for batch in pages(collection, ["embeddings", "metadatas"]):
            for meta, vector in zip(batch["metadatas"], batch["embeddings"], strict=True):
                vectors[str(meta["key"])] = np.asarray(vector, dtype=np.float32)
        return vectors

    def _write_generation(
        self,
        manifest: IndexManifest,
        chunks: list[Chunk],
        units: list[tuple[str, Chunk, str]],
        vectors: dict[str, np.ndarray],
        entities: EntityIndex,
    ) -> None:
        self._drop_generation(manifest.generation)  # leftovers of a crashed run
        collection = self.client.create_collection(
            manifest.collection,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedding_model": manifest.embedding_model},
            embedding_function=None,
        )
        batch = max(1, min(self.client.get_max_batch_size(), 2000))
        for start in range(0, len(units), batch):
            part = units[start : start + batch]
            collection.add(
                ids=[unit_id for unit_id, _, _ in part],
                embeddings=np.stack([vectors[_unit_key(text)] for _, _, text in part]),
                documents=[text for _, _, text in part],
                metadatas=[
                    {"chunk_id": c.id, "doc_id": c.doc_id, "key": _unit_key(text)}
                    for _, c, text in part
                ],
            )
        folder = self._generation_dir(manifest.generation)
        folder.mkdir(parents=True, exist_ok=True)
        payload = {
            "chunks": [c.to_record() for c in chunks],
            "entities": entities.to_records(),
        }
        _write_atomically(folder / CHUNKS_FILE, json.dumps(payload, ensure_ascii=False))

    def _write_manifest(self, manifest: IndexManifest) -> None:
        _write_atomically(self.root / MANIFEST, manifest.model_dump_json(indent=2))

    def _drop_generation(self, generation: int) -> None:
        with contextlib.suppress(Exception):  # nothing to drop
            self.client.delete_collection(f"{COLLECTION_PREFIX}{generation}")
        shutil.rmtree(self._generation_dir(generation), ignore_errors=True)

    def _prune(self, keep: set[int]) -> None:
        # The previous generation stays so that a reader still on it is not cut off mid-query.
        for collection in self.client.list_collections():
            name = getattr(collection, "name", collection)
            number = name[len(COLLECTION_PREFIX) :]
            if name.startswith(COLLECTION_PREFIX) and number.isdigit() and int(number) not in keep:
                self.client.delete_collection(name)
        for folder in self.root.glob("g*"):
            if folder.is_dir() and folder.name[1:].isdigit() and int(folder.name[1:]) not in keep:
                shutil.rmtree(folder, ignore_errors=True)


def _lexical_text(chunk: Chunk) -> str:
    # The section name counts as text: "pricing" finds the rows of the "Pricing Comparison" table.
    return f"{chunk.section or ''} {' '.join(chunk.units)}"


def _unique(chunks: object) -> list[Chunk]:
    seen: dict[str, Chunk] = {}
    for chunk in chunks:  # type: ignore[attr-defined]
        seen.setdefault(chunk.id, chunk)
    return list(seen.values())


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)
