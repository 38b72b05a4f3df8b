"""Counts stated in sentences ("42.2K GitHub stars"), so that "which has the most stars?" is
answered by comparing them rather than by the sentence that best matches the words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text import stem

# "the most GitHub stars", "the fewest stars", "the most monthly downloads", "the lowest star
# count"
COUNTED_SUPERLATIVE = re.compile(
    r"\b(most|highest|largest|biggest|fewest|least|lowest|smallest)\s+(?:number of\s+)?"
    r"(?:[\w-]+\s+)?(?:([a-z][\w-]*) count|([a-z][\w-]*s))\b",
    re.IGNORECASE,
)
FEWEST = frozenset({"fewest", "least", "lowest", "smallest"})
SCALE = {"k": 1e3, "m": 1e6, "b": 1e9, "million": 1e6, "billion": 1e9, "thousand": 1e3}


@dataclass(frozen=True)
class CountAsked:
    """A question for the most or fewest of something counted."""

    noun: str  # what is counted, as written ("stars")
    phrase: str  # with what qualifies it ("GitHub stars")
    fewest: bool


def count_asked(question: str) -> CountAsked | None:
    """The counted thing and the direction of "which has the most/fewest ...?", if asked."""
    match = COUNTED_SUPERLATIVE.search(question)
    if match is None:
        return None
    phrase = match.group(0)[len(match.group(1)):].strip().removesuffix(" count")
    noun = (match.group(2) or match.group(3)).lower()
    return CountAsked(noun=noun, phrase=phrase, fewest=match.group(1).lower() in FEWEST)


def stated_count(sentence: str, noun: str) -> float | None:
    """The count a sentence states of a noun ("with 42.2K GitHub stars" -> 42200), if any."""
    pattern = (
        r"(\d+(?:\.\d+)?)\s*(k|m|b|million|billion|thousand)?\+?\s+(?:[\w-]+\s+){0,2}?"
        + re.escape(stem(noun))
        + r"\w*\b"
    )
    match = re.search(pattern, sentence, re.IGNORECASE)
    if match is None:
        return None
    return float(match.group(1)) * SCALE.get((match.group(2) or "").lower(), 1.0)
