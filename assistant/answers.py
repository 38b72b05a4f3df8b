"""The shapes the assistant returns: answers, citations and passages (the public contract)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

_PASSAGE = {
    "doc_id": "kubeflow-alternatives.md",
    "title": "Kubeflow Alternatives",
    "section": "Pricing Comparison",
    "source": "https://example.org/kubeflow-alternatives",
    "text": "| Comet | Free (individual) | $19/month (Pro) | Custom |",
    "score": 0.87,
    "chunk_id": "c7d0a4e2b1f3",
}


class Passage(BaseModel):
    """A retrieved passage: where it comes from, its text and how well it matched."""

    model_config = ConfigDict(json_schema_extra={"examples": [_PASSAGE]})

    doc_id: str = Field(description="Path of the document inside the corpus.")
    title: str = Field(description="Title of the document.")
    section: str | None = Field(description="Section path inside the document, if any.")
    source: str = Field(description="Source URL of the document, or its corpus path.")
    text: str = Field(description="The passage itself.")
    score: float = Field(description="Retrieval score, 0 to 1, higher is better.")
    chunk_id: str = Field(description="Stable id of the passage.")


class Citation(Passage):
    """A passage the answer cites as `[n]`."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"n": 1, **_PASSAGE}]})

    n: int = Field(description="The number used in the answer's [n] markers.")


class Answer(BaseModel):
    """An answer with its numbered citations."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5b0c1e8f9a2d4c7b8e6f1a3d2c4b5a69",
                    "answer": "Comet's Pro plan costs $19/month [1].",
                    "citations": [{"n": 1, **_PASSAGE}],
                    "answerable": True,
                    "mode": "extractive",
                    "question": "What does Comet cost?",
                    "timings_ms": {"retrieve_ms": 7.9, "answer_ms": 1.2, "total_ms": 9.4},
                }
            ]
        }
    )

    id: str = Field(description="Id of this answer, for feedback.")
    answer: str = Field(description="The answer; [n] markers point at `citations`.")
    citations: list[Citation] = Field(description="The passages the answer uses, numbered.")
    answerable: bool = Field(description="False when the corpus does not cover the question.")
    mode: str = Field(description="How the answer was written: 'extractive' or 'llm'.")
    question: str = Field(description="The question as understood (follow-ups made standalone).")
    timings_ms: dict[str, float] = Field(description="Time spent per stage, in milliseconds.")
