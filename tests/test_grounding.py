"""The grounding guard drops what the cited passages do not support and renumbers the rest."""

from __future__ import annotations

from assistant.grounding import ground

PASSAGES = [
    "Ray stands out as a general-purpose AI compute engine with 42.2K GitHub stars.",
    "ClearML offers a managed cloud option starting at $15 per month.",
]


def test_grounding_drops_wrong_draft_sentences_and_renumbers(assistant):
    draft = (
        "ClearML starts at $15 per month [2]. "
        "Ray has 99K GitHub stars [1]. "  # wrong number
        "Ray is built by SageMaker [1]. "  # a name the passage never mentions
        "MLflow is the best [7]. "  # points at no passage
        "Kubeflow is great."  # cites nothing
    )
    checked = ground(draft, PASSAGES, assistant.snapshot.entities)
    assert checked.text == "ClearML starts at $15 per month [1]."
    assert checked.used == [1]
    assert len(checked.dropped) == 4


def test_grounding_keeps_supported_sentences_and_labels(assistant):
    draft = "**Options by need:**\n- Ray has 42.2K GitHub stars [1].\n- ClearML costs $15 [2]."
    checked = ground(draft, PASSAGES, assistant.snapshot.entities)
    assert checked.text.splitlines() == [
        "**Options by need:**",
        "- Ray has 42.2K GitHub stars [1].",
        "- ClearML costs $15 [2].",
    ]
    assert checked.used == [0, 1]


def test_grounding_requires_the_named_tool_in_the_cited_passage(assistant):
    checked = ground("MLflow has 42.2K GitHub stars [1].", PASSAGES, assistant.snapshot.entities)
    assert checked.text == ""
    assert checked.used == []
