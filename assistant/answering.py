"""The answerer extension point: one base class, one abstract method."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

from assistant.questions import Question
from assistant.retrieval import Hit, Retrieval


@dataclass
class HitPool:
    """The passages an answer may cite; `[n]` in a draft is `hits[n - 1]`."""

    hits: list[Hit] = field(default_factory=list)

    def add(self, hit: Hit) -> int:
        """The index of this hit's passage, adding it if new."""
        for index, known in enumerate(self.hits):
            if known.chunk.id == hit.chunk.id:
                return index
        self.hits.append(hit)
        return len(self.hits) - 1


@dataclass
class Draft:
    """An answer before the grounding guard: text with [n] markers into `hits`."""

    text: str
    hits: list[Hit]
    mode: str | None = None  # how it was written, when not the answerer's own way (an outage)


class Answerer(ABC):
    """Writes a draft answer from retrieved passages."""

    mode: ClassVar[str]

    @abstractmethod
    def draft(self, question: Question, retrieval: Retrieval) -> Draft:
        """A draft whose [n] markers cite the returned hits."""
