"""Incremental ingest: only new text is embedded, removed files vanish, crashes change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.index import IndexNotFoundError
from tests.conftest import make_store


def test_index_reingest_of_unchanged_corpus_embeds_nothing(corpus_copy, tmp_path, embedder):
    store = make_store(corpus_copy, tmp_path / "index", embedder)
    first = store.ingest()
    assert first.changed and first.embedded == first.units > 0
    before = embedder.texts_embedded
    again = store.ingest()
    assert not again.changed
    assert again.embedded == 0
    assert embedder.texts_embedded == before


def test_index_changed_file_reembeds_only_its_changed_sentences(corpus_copy, tmp_path, embedder):
    store = make_store(corpus_copy, tmp_path / "index", embedder)
    first = store.ingest()
    seed = corpus_copy / "kubeflow-alternatives.md"
    seed.write_text(seed.read_text().replace("42.2K GitHub stars", "43K GitHub stars"))
    (corpus_copy / "extra.md").write_text(
        "---\ntitle: Extra\n---\n\n## Notes\n\nFlyteSpecial is mentioned only here.\n"
    )
    before = embedder.texts_embedded
    second = store.ingest()
    assert second.changed
    assert second.embedded == 2  # the edited Ray sentence and the new file's sentence
    assert embedder.texts_embedded - before == 2
    assert second.reused == first.units - 1
    passages = Assistant(store.settings, store).search("FlyteSpecial", k=3)
    assert passages[0].doc_id == "extra.md"


def test_index_removed_file_loses_its_chunks(corpus_copy, tmp_path, embedder):
    (corpus_copy / "extra.md").write_text("# Extra\n\nZenithTool handles feature stores.\n")
    store = make_store(corpus_copy, tmp_path / "index", embedder)
    store.ingest()
    assert store.open().collection.count() == store.manifest().units
    (corpus_copy / "extra.md").unlink()
    report = store.ingest()
    assert report.removed == 1
    snapshot = store.open()
    assert all(c.doc_id != "extra.md" for c in snapshot.chunks)
    ids = snapshot.collection.get(include=[])["ids"]
    assert len(ids) == report.units
    assert not [i for i in ids if i.split(":")[0] not in snapshot.position]


def test_index_crash_mid_ingest_leaves_served_index_whole(
    corpus_copy, tmp_path, embedder, monkeypatch
):
    store = make_store(corpus_copy, tmp_path / "index", embedder)
    store.ingest()
    manifest_before = (tmp_path / "index" / "manifest.json").read_text()
    assistant = Assistant(store.settings, store)
    (corpus_copy / "extra.md").write_text("# Extra\n\nNew text that must be embedded.\n")

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(store, "_write_manifest", crash)
    with pytest.raises(RuntimeError):
        store.ingest()
    assert (tmp_path / "index" / "manifest.json").read_text() == manifest_before
    answer = assistant.ask("How many GitHub stars does Ray have?")
    assert "42.2K" in answer.answer
    names = [c.name for c in store.client.list_collections()]
    assert names == [json.loads(manifest_before)["collection"]]


def test_index_built_by_another_model_is_rebuilt(corpus_copy, tmp_path, embedder):
    store = make_store(corpus_copy, tmp_path / "index", embedder)
    store.ingest()
    path = tmp_path / "index" / "manifest.json"
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "embedding_model": "some-other-model"}))
    with pytest.raises(IndexNotFoundError, match="assistant ingest"):
        store.open()
    report = store.ingest()
    assert report.changed and report.embedded == report.units
    assert store.open().manifest.embedding_model == embedder.name


def test_index_running_assistant_follows_a_new_generation(corpus_copy, tmp_path, embedder):
    store = make_store(corpus_copy, tmp_path / "index", embedder)
    store.ingest()
    assistant = Assistant(store.settings, store)
    Path(corpus_copy / "extra.md").write_text("# Extra\n\nQuasarFlow is a newly added tool.\n")
    make_store(corpus_copy, tmp_path / "index", embedder).ingest()
    assert assistant.search("QuasarFlow", k=1)[0].doc_id == "extra.md"
