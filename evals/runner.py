"""Runs eval cases through a system (the assistant, the baseline) and scores every answer."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from tqdm import tqdm

from assistant.answers import Answer
from evals.metrics import CaseScore, Observation, aggregate, score_case
from evals.schema import EvalCase
from evals.thresholds import Thresholds

if TYPE_CHECKING:
    from assistant.core import Assistant
    from evals.judge import FaithfulnessJudge

History = list[tuple[str, str]]
Judge = Callable[[Answer], float | None]  # an answer's faithfulness, None when unjudged


class System(Protocol):
    """What the runner puts cases to: answers, and the search that fed each answer."""

    name: str
    answer_k: int  # passages the answer is drawn from: the default k of the retrieval metrics

    def ask(self, message: str, history: History) -> Answer:
        """Answer the last message of a conversation."""
        ...

    def retrieve(self, message: str, history: History, k: int) -> list[str]:
        """The texts of the k best passages of the search `ask` runs for this message."""
        ...


class AssistantSystem:
    """`Assistant` as the runner sees it: retrieval scored on the search behind its answers."""

    name = "assistant"

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    @property
    def answer_k(self) -> int:
        """The assistant's `top_k` setting, which `ask` retrieves with."""
        return self.assistant.settings.top_k

    def ask(self, message: str, history: History) -> Answer:
        """`Assistant.ask`, unchanged."""
        return self.assistant.ask(message, history)

    def retrieve(self, message: str, history: History, k: int) -> list[str]:
        """The search `Assistant.ask` runs: the analysed question (follow-ups resolved,
        injected instructions removed) with the entities the analysis found."""
        assistant = self.assistant
        assistant.refresh()
        question = assistant.understand(message, history)
        found = assistant.search_engine.search(question.text, k, entities=question.entities)
        return [hit.chunk.text for hit in found.hits]


def as_system(system: System | Assistant) -> System:
    """A system as given, or an `Assistant` wrapped so the runner can score its retrieval."""
    return system if hasattr(system, "retrieve") else AssistantSystem(system)  # type: ignore[return-value,arg-type]


@dataclass
class CaseResult:
    """One case as a system handled it."""

    case: EvalCase
    observation: Observation
    score: CaseScore


@dataclass
class SystemRun:
    """Every case result of one system, and the aggregate figures."""

    name: str
    results: list[CaseResult]
    metrics: dict[str, float | None]
    k: int  # the retrieval metrics' k for this system

    @property
    def failures(self) -> list[CaseResult]:
        """The cases with at least one issue."""
        return [r for r in self.results if not r.score.passed]

    def by_tool(self) -> dict[str, dict[str, float | None]]:
        """Aggregate figures per tool tag ("(none)" for cases about no tool)."""
        groups: dict[str, list[CaseResult]] = {}
        for result in self.results:
            for tool in result.case.tools or ["(none)"]:
                groups.setdefault(tool, []).append(result)
        return {
            tool: {
                **aggregate([r.case for r in rs], [r.score for r in rs]),
                "cases": float(len(rs)),
                "passed": float(sum(r.score.passed for r in rs)),
            }
            for tool, rs in sorted(groups.items())
        }


@dataclass
class EvalReport:
    """A whole eval run: what was run, the systems' figures and the threshold verdict."""

    split: str
    mode: str
    k: int | None  # -k as given; None: each system's own answer k (see `SystemRun.k`)
    datasets: list[str]
    runs: dict[str, SystemRun]
    judge: str | None = None  # the model that judged faithfulness, when one did
    threshold_failures: list[str] = field(default_factory=list)
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    seconds: float = 0.0

    @property
    def ours(self) -> SystemRun:
        """The assistant's run."""
        return self.runs["assistant"]

    @property
    def baseline(self) -> SystemRun | None:
        """The baseline's run, when one was made."""
        return self.runs.get("baseline")

    @property
    def passed(self) -> bool:
        """True when every threshold holds (the exit code is 0)."""
        return not self.threshold_failures


def observe(system: System, case: EvalCase, k: int, judge: Judge | None = None) -> Observation:
    """Put a case to a system: earlier turns build the history, the last one is timed (and
    judged, when a judge is given)."""
    history: History = []
    *earlier, last = case.messages
    for message in earlier:
        reply = system.ask(message, history)
        history += [("user", message), ("assistant", reply.answer)]
    started = time.perf_counter()
    answer = system.ask(last, history)
    latency = (time.perf_counter() - started) * 1000
    # Scored on the search that fed the answer: same message, same history, same analysis.
    retrieved = system.retrieve(last, history, k) if case.answerable else []
    faithfulness = judge(answer) if judge is not None else None
    return Observation(answer=answer, retrieved=retrieved, latency_ms=latency,
                       faithfulness=faithfulness)


def run_system(
    system: System,
    cases: Sequence[EvalCase],
    k: int | None = None,
    progress: bool = True,
    judge: Judge | None = None,
) -> SystemRun:
    """Every case through one system, with a progress bar on stderr (k: its answer k)."""
    k = k or system.answer_k
    system.retrieve("warm up the model and the index", [], 1)  # keeps load time out of latency
    results: list[CaseResult] = []
    for case in tqdm(cases, desc=system.name, unit="case", file=sys.stderr,
                     disable=not progress, leave=False):
        observation = observe(system, case, k, judge)
        results.append(CaseResult(case, observation, score_case(case, observation, k)))
    return SystemRun(system.name, results, aggregate(cases, [r.score for r in results]), k)


def run_eval(
    cases: Sequence[EvalCase],
    assistant: System | Assistant,
    thresholds: Thresholds,
    baseline: System | None = None,
    split: str = "test",
    mode: str = "extractive",
    datasets: Sequence[str] = (),
    k: int | None = None,
    progress: bool = True,
    judge: FaithfulnessJudge | None = None,
) -> EvalReport:
    """Run the assistant (and the baseline, if given) on the cases and check the thresholds.

    `k` is the retrieval metrics' k; None measures each system at the k its answers use.
    A judge, when given, scores both systems' faithfulness.
    """
    started = time.perf_counter()
    runs = {"assistant": run_system(as_system(assistant), cases, k, progress, judge)}
    if baseline is not None:
        runs["baseline"] = run_system(baseline, cases, k, progress, judge)
    report = EvalReport(split=split, mode=mode, k=k, datasets=list(datasets), runs=runs,
                        judge=judge.name if judge is not None else None)
    report.threshold_failures = thresholds.check(
        runs["assistant"].metrics, runs["baseline"].metrics if baseline is not None else None
    )
    report.seconds = round(time.perf_counter() - started, 2)
    return report
