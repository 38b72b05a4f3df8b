"""The grounding guard every answer passes: citations must exist and must hold the facts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.entities import EntityIndex
from assistant.text import numbers, split_sentences

MARKER = re.compile(r"\s?\[(\d+)\]")
LABEL = re.compile(r"^\*\*[^*\d]{1,40}\*\*$")
_CAPITALISED = re.compile(r"(?<=[a-z,;:]\s)([A-Z][A-Za-z0-9&]+(?:\s+[A-Z][A-Za-z0-9&]+)*)")


@dataclass
class Grounded:
    """A checked answer: its text renumbered 1..m, the passages used (by original index)."""

    text: str
    used: list[int]
    dropped: list[str] = field(default_factory=list)


def ground(draft: str, passages: Sequence[str], entities: EntityIndex) -> Grounded:
    """Keep only sentences whose [n] markers point at given passages that hold their facts."""
    kept_lines: list[str] = []
    dropped: list[str] = []
    order: dict[int, int] = {}
    for line in draft.splitlines():
        kept: list[str] = []
        prefix = _prefix(line)
        for sentence in split_sentences(line[len(prefix) :]):
            cited = [int(n) - 1 for n in MARKER.findall(sentence)]
            valid = sorted({i for i in cited if 0 <= i < len(passages)})
            claim = MARKER.sub("", sentence).strip()
            if not claim.strip(" .!?"):
                continue  # a marker alone ("[1]") states nothing, so it may cite nothing
            if LABEL.match(claim):
                kept.append(claim)  # a bare label such as "**Options by need:**" states nothing
                continue
            if not valid or not _supported(claim, [passages[i] for i in valid], entities):
                dropped.append(claim)
                continue
            for i in valid:
                order.setdefault(i, len(order) + 1)
            markers = "".join(f"[{order[i]}]" for i in valid)
            kept.append(_attach(claim, markers))
        if kept:
            kept_lines.append(prefix + " ".join(kept))
    used = sorted(order, key=order.__getitem__)
    return Grounded(text="\n".join(kept_lines).strip(), used=used, dropped=dropped)


def _supported(claim: str, cited: list[str], entities: EntityIndex) -> bool:
    """Every number and every name in the claim appears in at least one cited passage."""
    evidence = " ".join(cited)
    evidence_lower = evidence.lower()
    if not numbers(claim) <= numbers(evidence):
        return False
    if not set(entities.find(claim)) <= set(entities.find(evidence)):
        return False
    body = re.sub(r"\*\*[^*]+\*\*", "", claim)  # bold labels are ours, not claims
    return all(name.lower() in evidence_lower for name in _CAPITALISED.findall(body))


def _attach(claim: str, markers: str) -> str:
    # "... per month." + "[2]" -> "... per month [2]." keeps the marker inside the sentence.
    if claim and claim[-1] in ".!?":
        return f"{claim[:-1]} {markers}{claim[-1]}"
    return f"{claim} {markers}"


def _prefix(line: str) -> str:
    match = re.match(r"^(\s*(?:[-*]|\d+\.)\s+)", line)
    return match.group(1) if match else ""
