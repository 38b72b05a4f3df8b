"""Draft eval cases from thumbs-down feedback, for a person to review and complete."""

from __future__ import annotations

import re
from collections.abc import Iterable

import yaml

from assistant.feedback import FeedbackRecord

HEADER = """\
# Draft eval cases from thumbs-down feedback. Review each one before moving it into
# evals/datasets/: decide whether the corpus can answer it and add `answerable: true` with
# `facts` and `evidence` from the corpus (or `answerable: false` and an unanswerable category),
# check the question and `category`, choose `split`, and delete the `notes`. Drafts leave
# `answerable` out, so every one fails validation until then, on purpose: a thumbs down says
# the answer was wrong, not what the right one is.
"""


def _slug(text: str, answer_id: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())[:6]
    suffix = "".join(re.findall(r"[a-z0-9]", answer_id.lower()))[:6]
    return "-".join(["feedback", *words, *([suffix] if suffix else [])])


def draft_case(record: FeedbackRecord) -> dict[str, object]:
    """One draft case: the question as the assistant understood it (standalone, follow-ups
    resolved), what it said, and what the user said. It has no `answerable` on purpose."""
    cited = "; ".join(
        f"[{c.get('n')}] {c.get('section') or c.get('title')}" for c in record.citations
    )
    notes = [f"User said: {record.comment or '(no comment)'}", f"Answer given: {record.answer}"]
    if cited:
        notes.append(f"Cited: {cited}")
    question = record.question.strip() or record.message
    if record.message != question:
        # The raw message may lean on a conversation the draft does not carry ("and its price?").
        notes.append(f"Asked as: {record.message}")
    notes.append(f"The assistant {'answered' if record.answerable else 'refused'}.")
    return {
        "id": _slug(question, record.answer_id),
        "question": question,
        "facts": [],
        "evidence": [],
        "tools": [],
        "category": "fact",
        "split": "dev",
        "notes": "\n".join(notes),
    }


def drafts_yaml(records: Iterable[FeedbackRecord]) -> tuple[str, int]:
    """The YAML text of the drafts (one per rated answer) and how many there are."""
    cases: list[dict[str, object]] = []
    seen: set[str] = set()
    for record in records:
        if record.answer_id in seen:
            continue  # one answer rated down twice is one case to write
        seen.add(record.answer_id)
        cases.append(draft_case(record))
    body = yaml.safe_dump({"cases": cases}, sort_keys=False, allow_unicode=True, width=100)
    return HEADER + body, len(cases)
