"""Hand-made eval cases, answers and dataset files for the eval tests."""

from __future__ import annotations

from pathlib import Path

import yaml

from assistant.answers import Answer, Citation
from evals.schema import EvalCase


def make_case(**fields: object) -> EvalCase:
    """A valid answerable price case, with `fields` changed."""
    base: dict[str, object] = {
        "id": "c", "question": "q?", "facts": [["$15"]], "evidence": ["From $15/month"],
        "answerable": True, "category": "price", "split": "dev",
    }
    return EvalCase.model_validate({**base, **fields})


def make_answer(text: str, cited: list[str], answerable: bool = True) -> Answer:
    """An answer citing the given passage texts as [1], [2], ..."""
    citations = [
        Citation(n=n, doc_id="d", title="T", section="S", source="s", text=t, score=1.0,
                 chunk_id=str(n))
        for n, t in enumerate(cited, start=1)
    ]
    return Answer(id="a", answer=text, citations=citations, answerable=answerable,
                  mode="extractive", question="q?", timings_ms={})


def write_cases(path: Path, cases: list[dict[str, object]]) -> Path:
    """A dataset file holding `cases`."""
    path.write_text(yaml.safe_dump({"cases": cases}), encoding="utf-8")
    return path
