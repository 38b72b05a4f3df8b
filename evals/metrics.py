"""Deterministic metrics: each one scores an answer against a case, no LLM judge needed."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.answers import Answer
from evals.matching import (
    MARKER,
    cited_by,
    contains,
    number_tokens,
    statements,
)
from evals.schema import EvalCase


@dataclass(frozen=True)
class Metric:
    """How one aggregate figure is named, read and compared."""

    key: str
    label: str
    higher_is_better: bool
    quality: bool  # answer/retrieval quality (compared with the baseline), not speed or size
    percent: bool = True  # a 0..1 figure (shown with 3 decimals and charted as a bar)


METRICS: tuple[Metric, ...] = (
    Metric("fact_recall", "Fact recall", True, True),
    Metric("grounding", "Evidence grounding", True, True),
    Metric("citation_validity", "Citation validity", True, True),
    Metric("citation_precision", "Citation precision", True, True),
    Metric("unsupported_numbers", "Unsupported-number rate", False, True),
    Metric("refusal_accuracy", "Refusal accuracy", True, True),
    Metric("false_refusal_rate", "False-refusal rate", False, True),
    Metric("forbidden_free", "No forbidden phrase", True, True),
    Metric("retrieval_recall", "Retrieval recall@k", True, True),
    Metric("mrr", "Retrieval MRR", True, True),
    Metric("faithfulness_llm", "Faithfulness (LLM-judged)", True, True),
    Metric("answer_words_median", "Median answer words", False, False, percent=False),
    Metric("latency_p50_ms", "Latency p50 (ms)", False, False, percent=False),
    Metric("latency_p95_ms", "Latency p95 (ms)", False, False, percent=False),
)
METRIC_BY_KEY = {metric.key: metric for metric in METRICS}


@dataclass
class Observation:
    """What a system did on one case: its final answer, what search returned, how long it took."""

    answer: Answer
    retrieved: list[str]  # passage texts for the (standalone) question, best first
    latency_ms: float
    faithfulness: float | None = None  # the LLM judge's verdict, when a judge is configured


@dataclass
class CaseScore:
    """Every metric for one case; None where a metric does not apply to the case."""

    fact_recall: float | None = None
    grounding: float | None = None
    citation_validity: float = 1.0
    citation_precision: float | None = None
    numbers_total: int = 0
    numbers_unsupported: list[str] = field(default_factory=list)
    refusal_correct: bool | None = None  # unanswerable cases only: refused as it should be?
    refused: bool = False  # the answer says the corpus cannot answer (answerable false)
    retrieval_recall: float | None = None
    reciprocal_rank: float | None = None
    faithfulness: float | None = None
    words: int = 0
    latency_ms: float = 0.0
    missing_facts: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when nothing is wrong with the answer."""
        return not self.issues


def fact_recall(
    case: EvalCase, answer_text: str, answerable: bool = True
) -> tuple[float | None, list[str]]:
    """Share of fact groups the answer states, and the groups it misses (first phrasing)."""
    if not case.facts:
        return None, []
    if not answerable:
        # A refusal that lists the tools the corpus covers states no fact about them.
        return 0.0, [group[0] for group in case.facts]
    missing = [group[0] for group in case.facts if not any(contains(answer_text, p) for p in group)]
    return 1 - len(missing) / len(case.facts), missing


def _passages(answer: Answer) -> dict[int, str]:
    return {citation.n: citation.text for citation in answer.citations}


def grounding(case: EvalCase, answer: Answer) -> float | None:
    """Of the facts the answer states, the share held by a passage cited where it is stated.

    A fact counts as held when some sentence stating it cites a passage holding it (in any
    accepted phrasing); a sentence with no marker is checked against every cited passage.
    """
    if not answer.answerable:
        return None
    stated = [group for group in case.facts if any(contains(answer.answer, p) for p in group)]
    if not stated:
        return None
    passages, sentences = _passages(answer), statements(answer.answer)

    def held(group: list[str]) -> bool:
        saying = [s for s in sentences if any(contains(s.text, p) for p in group)]
        # A phrase that spans two sentences is stated by the answer as a whole.
        sources = [t for s in saying for t in cited_by(s, passages)] if saying else list(
            passages.values()
        )
        return any(contains(text, p) for text in sources for p in group)

    return sum(held(group) for group in stated) / len(stated)


def citation_validity(answer: Answer) -> float:
    """1 when the [n] markers and the citations match one to one (every [n] resolves, every
    citation is pointed at), else 0; a refusal with neither is valid."""
    markers = {int(n) for n in MARKER.findall(answer.answer)}
    known = {citation.n for citation in answer.citations}
    # A citation nothing points at leaves the reader unable to tell what it supports.
    return 1.0 if markers == known else 0.0


def holds_evidence(case: EvalCase, passage: str) -> bool:
    """Whether a passage holds any of the case's evidence or related text."""
    phrases = [p for group in case.evidence for p in group] + list(case.related)
    return any(contains(passage, phrase) for phrase in phrases)


def citation_precision(case: EvalCase, answer: Answer) -> float | None:
    """Share of citations holding required evidence (or related text); None without citations."""
    if not answer.citations or not case.answerable:
        return None
    relevant = sum(1 for citation in answer.citations if holds_evidence(case, citation.text))
    return relevant / len(answer.citations)


def unsupported_numbers(answer: Answer) -> tuple[list[str], int]:
    """Numbers the answer states that no passage cited by their sentence holds, and how many
    numbers it states (counted per sentence; see `evals.matching.number_tokens`)."""
    passages = _passages(answer)
    unsupported: list[str] = []
    total = 0
    for sentence in statements(answer.answer):
        stated = number_tokens(sentence.text)
        held = set().union(*(number_tokens(text) for text in cited_by(sentence, passages)))
        total += len(stated)
        unsupported += sorted(stated - held)
    return unsupported, total


def refused(answer: Answer) -> bool:
    """Whether the answer is a refusal: it says the corpus cannot answer."""
    return not answer.answerable


def refusal_correct(case: EvalCase, answer: Answer) -> bool | None:
    """For an unanswerable case, whether it was refused (answerable false, no citations);
    None for an answerable case (see `refused` and the false-refusal rate)."""
    if case.answerable:
        return None
    return refused(answer) and not answer.citations


def retrieval(case: EvalCase, passages: Sequence[str], k: int) -> tuple[float | None, float | None]:
    """Recall@k (share of evidence groups in the top k) and the reciprocal rank of the first
    passage holding any evidence (0 when none of the top k does)."""
    if not case.evidence:
        return None, None
    top = list(passages)[:k]
    found = sum(1 for group in case.evidence if any(contains(t, p) for t in top for p in group))
    # Evidence only, as recall@k counts it: `related` text is not what the question asks for.
    rank = next(
        (i for i, text in enumerate(top, start=1)
         if any(contains(text, p) for group in case.evidence for p in group)),
        None,
    )
    return found / len(case.evidence), (1 / rank if rank else 0.0)


def answer_words(answer_text: str) -> int:
    """Words a reader reads: markers and bold marks left out."""
    return len(MARKER.sub(" ", answer_text).replace("**", " ").split())


def score_case(case: EvalCase, observation: Observation, k: int) -> CaseScore:
    """All metrics for one case, with the issues that make it fail."""
    answer = observation.answer
    score = CaseScore(words=answer_words(answer.answer), latency_ms=observation.latency_ms)
    score.fact_recall, score.missing_facts = fact_recall(case, answer.answer, answer.answerable)
    score.grounding = grounding(case, answer)
    score.citation_validity = citation_validity(answer)
    score.citation_precision = citation_precision(case, answer)
    score.numbers_unsupported, score.numbers_total = unsupported_numbers(answer)
    score.refusal_correct = refusal_correct(case, answer)
    score.refused = refused(answer)
    score.retrieval_recall, score.reciprocal_rank = retrieval(case, observation.retrieved, k)
    score.forbidden = [p for p in case.must_not_contain if contains(answer.answer, p)]
    score.faithfulness = observation.faithfulness

    issues = score.issues
    if score.refusal_correct is False:
        issues.append("answered an unanswerable question")
    if case.answerable and score.refused:
        issues.append("refused an answerable question")
    if score.missing_facts:
        issues.append("missing facts: " + ", ".join(score.missing_facts))
    if score.grounding is not None and score.grounding < 1:
        issues.append("a stated fact is in no cited passage")
    if score.citation_validity < 1:
        issues.append("the [n] markers and the citations do not match one to one")
    if score.numbers_unsupported:
        issues.append("numbers in no cited passage: " + ", ".join(score.numbers_unsupported))
    if score.forbidden:
        issues.append("forbidden phrases: " + ", ".join(score.forbidden))
    if score.citation_precision == 0:
        issues.append("no citation holds the evidence")
    if score.faithfulness is not None and score.faithfulness < 1:
        issues.append("the LLM judge found a claim its citations do not state")
    return score


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def aggregate(cases: Sequence[EvalCase], scores: Sequence[CaseScore]) -> dict[str, float | None]:
    """The figures of a run, keyed as in `METRICS`; None where no case measures a metric."""
    numbers_total = sum(s.numbers_total for s in scores)
    unsupported = sum(len(s.numbers_unsupported) for s in scores)
    answered = [s.words for c, s in zip(cases, scores, strict=True) if c.answerable]
    latencies = [s.latency_ms for s in scores]
    return {
        "fact_recall": _mean([s.fact_recall for s in scores]),
        "grounding": _mean([s.grounding for s in scores]),
        "citation_validity": _mean([s.citation_validity for s in scores]),
        "citation_precision": _mean([s.citation_precision for s in scores]),
        "unsupported_numbers": unsupported / numbers_total if numbers_total else 0.0,
        "refusal_accuracy": _mean(
            [None if s.refusal_correct is None else float(s.refusal_correct) for s in scores]
        ),
        "false_refusal_rate": _mean(
            [float(s.refused) for c, s in zip(cases, scores, strict=True) if c.answerable]
        ),
        "forbidden_free": _mean([0.0 if s.forbidden else 1.0 for s in scores]),
        "retrieval_recall": _mean([s.retrieval_recall for s in scores]),
        "mrr": _mean([s.reciprocal_rank for s in scores]),
        "faithfulness_llm": _mean([s.faithfulness for s in scores]),
        "answer_words_median": float(statistics.median(answered)) if answered else None,
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }
