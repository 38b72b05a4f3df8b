"""The shapes the assistant returns: answers, citations and passages (the public contract)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Passage(BaseModel):
    """A retrieved passage: where it comes from, its text and how well it matched."""

    doc_id: str = Field(description="Path of the document inside the corpus.")
    title: str = Field(description="Title of the document.")
    section: str | None = Field(description="Section path inside the document, if any.")
    source: str = Field(description="Source URL of the document, or its corpus path.")
    text: str = Field(description="The passage itself.")
    score: float = Field(description="Retrieval score, 0 to 1, higher is better.")
    chunk_id: str = Field(description="Stable id of the passage.")


class Citation(Passage):
    """A passage the answer cites as `[n]`."""

    n: int = Field(description="The number used in the answer's [n] markers.")


class Answer(BaseModel):
    """An answer with its numbered citations."""

    id: str = Field(description="Id of this answer, for feedback.")
    answer: str = Field(description="The answer; [n] markers point at `citations`.")
    citations: list[Citation] = Field(description="The passages the answer uses, numbered.")
    answerable: bool = Field(description="False when the corpus does not cover the question.")
    mode: str = Field(description="How the answer was written: 'extractive' or 'llm'.")
    question: str = Field(description="The question as understood (follow-ups made standalone).")
    timings_ms: dict[str, float] = Field(description="Time spent per stage, in milliseconds.")
