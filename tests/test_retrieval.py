"""Hybrid retrieval ranks the passage that holds the answer first."""

from __future__ import annotations

from langchain_core.documents import Document

from assistant.retrieval import CorpusRetriever


def test_retrieval_finds_the_pricing_row_of_the_tool_asked_about(assistant):
    top = assistant.search("ray pricing", k=3)[0]
    assert top.section == "Pricing Comparison"
    assert "| Ray |" in top.text
    assert 0 < top.score <= 1


def test_retrieval_paraphrase_finds_the_serving_recommendation(assistant):
    top = assistant.search("our trained models are slow to reach production", k=3)
    assert any("BentoML" in p.text for p in top)


def test_retrieval_entities_are_learned_from_the_corpus(assistant):
    tools = set(assistant.tools)
    assert {"Kubeflow", "MLflow", "Ray", "BentoML", "Metaflow", "ClearML",
            "Weights & Biases", "Comet ML"} <= tools
    entities = assistant.snapshot.entities
    assert entities.find("W&B vs comet") == ["Weights & Biases", "Comet ML"]
    # A sentence is about the tool named first, in its main clause when a contrast opens it.
    assert entities.subject("Ray sits in the middle, unlike Kubeflow.") == "Ray"
    assert entities.subject("Where Kubeflow tries to cover the full ML lifecycle, BentoML "
                            "packages models into standardized Bentos.") == "BentoML"
    # A move that opens a sentence is what it is about; its paragraph's subject stands for it.
    assert entities.subject("Migrating to Metaflow requires rewriting pipelines.") is None
    assert entities.subjects(("Kubeflow Pipelines use a Python SDK.",
                              "Migrating to Metaflow requires rewriting pipelines.")) == [
        "Kubeflow Pipelines", "Kubeflow Pipelines"]


def test_retrieval_initials_the_corpus_never_writes_stand_for_the_name(assistant):
    entities = assistant.snapshot.entities
    spelled = entities.spell_out("Is Kubeflow part of the CNCF?")
    assert spelled == "Is Kubeflow part of the Cloud Native Computing Foundation?"
    # Initials of four letters or more spell no word: in chat they come in lower case too.
    assert entities.spell_out("is kubeflow backed by cncf or smth") == (
        "is kubeflow backed by Cloud Native Computing Foundation or smth")
    assert entities.spell_out("is cncfx a word?") == "is cncfx a word?"


def test_retrieval_entity_boost_prefers_passages_about_the_named_tool(assistant):
    results = assistant.search("Metaflow learning curve", k=3)
    assert "Metaflow" in results[0].text


def test_retrieval_is_a_langchain_retriever(assistant):
    retriever = CorpusRetriever(search=assistant.search_engine, k=2)
    documents = retriever.invoke("How much does Comet cost?")
    assert len(documents) == 2
    assert isinstance(documents[0], Document)
    assert "Comet ML" in documents[0].page_content
    assert documents[0].metadata["section"] == "Pricing Comparison"
