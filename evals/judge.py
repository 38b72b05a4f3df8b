"""LLM-judged faithfulness: a chat model says whether each sentence's citations state it.

Optional and never in CI: it runs only when an LLM is configured (`ASSISTANT_LLM`), and the
deterministic metrics stay the score that thresholds hold.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from assistant.answers import Answer
from assistant.grounding import LABEL
from evals.matching import MARKER, Statement, statements

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

JUDGE_PROMPT = """You check answers against their sources.
You are given numbered passages and numbered claims; each claim names the passages it cites.
For each claim, decide whether the passages it cites state it: every number, name and fact.
Reply with one line per claim, `<claim number>: yes` or `<claim number>: no`, and nothing else."""
# "1: yes", "- Claim 2: **no**", "1: yes, 2: no": the number, then the word.
VERDICT = re.compile(r"(?<![\w.])(?:claim\s*)?(\d+)\s*[:.)-]\s*\**\s*(yes|no)\b", re.IGNORECASE)


class FaithfulnessJudge:
    """Scores an answer by the share of its claims that the judge finds in their citations."""

    def __init__(self, model: BaseChatModel, name: str) -> None:
        self.model = model
        self.name = name  # the model, as the report names the judge

    def __call__(self, answer: Answer) -> float | None:
        """The share of claims judged supported; None for a refusal or when the judge fails."""
        claims = _claims(answer)
        if not answer.answerable or not claims:
            return None
        # The section too: the guard lets a sentence stand on its passage's heading.
        passages = {c.n: f"({c.section}) {c.text}" if c.section else c.text
                    for c in answer.citations}
        try:
            reply = self.model.invoke(_prompt(claims, passages)).text
        except Exception as exc:  # a judge outage leaves the case unjudged, whatever it was
            log.warning("the faithfulness judge failed (%s): case left unjudged",
                        type(exc).__name__)
            return None
        verdicts = {int(n): word.lower() == "yes" for n, word in VERDICT.findall(reply)}
        numbers = range(1, len(claims) + 1)
        if not all(i in verdicts for i in numbers):
            # An unreadable reply is no doubt about the answer: the case stays unjudged.
            log.warning("the faithfulness judge gave no verdict on every claim: case left "
                        "unjudged")
            return None
        return sum(verdicts[i] for i in numbers) / len(claims)


def _claims(answer: Answer) -> list[Statement]:
    """The sentences that state something: not the bare labels ("**When to stay:**"), which
    the grounding guard lets stand uncited."""
    return [s for s in statements(answer.answer) if not LABEL.match(s.text.strip())]


def _prompt(claims: list[Statement], passages: dict[int, str]) -> list[tuple[str, str]]:
    shown = "\n\n".join(f"[{n}] {text.strip()}" for n, text in sorted(passages.items()))
    listed = "\n".join(
        f"{i}. {MARKER.sub('', claim.text).strip()} (cites "
        + (", ".join(f"[{n}]" for n in sorted(claim.markers)) or "all passages") + ")"
        for i, claim in enumerate(claims, start=1)
    )
    return [("system", JUDGE_PROMPT), ("human", f"Passages:\n\n{shown}\n\nClaims:\n{listed}")]
