"""Chunking keeps meaning together and gives every chunk a stable id and its section."""

from __future__ import annotations

import dataclasses

from assistant.chunking import chunk_document
from assistant.loading import load_corpus
from tests.conftest import SEED_CORPUS


def _seed_chunks():
    [document] = load_corpus([SEED_CORPUS]).documents
    return document, chunk_document(document)


def test_chunking_table_rows_carry_their_header() -> None:
    _, chunks = _seed_chunks()
    rows = [c for c in chunks if c.kind == "table_row"]
    assert len(rows) == 7
    for row in rows:
        assert row.text.startswith("| Tool | Open Source | Managed/Pro Tier | Enterprise |")
        assert row.section == "Pricing Comparison"
    clearml = next(r for r in rows if r.units[0].startswith("ClearML"))
    assert "Managed/Pro Tier: From $15/month" in clearml.units[0]


def test_chunking_keeps_a_paragraph_about_one_tool_whole() -> None:
    _, chunks = _seed_chunks()
    mlflow = [c for c in chunks if "25.4K GitHub stars" in c.text]
    assert len(mlflow) == 1
    assert mlflow[0].text.startswith("MLflow is the most widely adopted")
    assert mlflow[0].text.endswith("does not require Kubernetes expertise.")
    assert mlflow[0].section == "Top Alternatives Overview"
    assert all(c.title == "Kubeflow Alternatives" for c in chunks)


def test_chunking_ids_are_stable_content_hashes() -> None:
    document, chunks = _seed_chunks()
    assert [c.id for c in chunk_document(document)] == [c.id for c in chunks]
    assert len({c.id for c in chunks}) == len(chunks)
    edited = dataclasses.replace(
        document, text=document.text.replace("42.2K GitHub stars", "43K GitHub stars")
    )
    changed = {c.id for c in chunk_document(edited)} ^ {c.id for c in chunks}
    assert len(changed) == 2  # the Ray paragraph's old id and its new one, nothing else
