"""Runs eval cases through a system (the assistant, the baseline) and scores every answer."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from tqdm import tqdm

from assistant.answers import Answer, Passage
from evals.metrics import CaseScore, Observation, aggregate, score_case
from evals.schema import EvalCase
from evals.thresholds import Thresholds

RETRIEVAL_K = 5


class System(Protocol):
    """Anything that answers like `Assistant`: `ask(message, history)` and `search(query, k)`."""

    def ask(self, message: str, history: list[tuple[str, str]]) -> Answer:
        """Answer the last message of a conversation."""
        ...

    def search(self, query: str, k: int) -> list[Passage]:
        """The k best passages for a query."""
        ...


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
    k: int
    datasets: list[str]
    runs: dict[str, SystemRun]
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


def observe(system: System, case: EvalCase, k: int = RETRIEVAL_K) -> Observation:
    """Put a case to a system: earlier turns build the history, the last one is timed."""
    history: list[tuple[str, str]] = []
    *earlier, last = case.messages
    for message in earlier:
        reply = system.ask(message, history)
        history += [("user", message), ("assistant", reply.answer)]
    started = time.perf_counter()
    answer = system.ask(last, history)
    latency = (time.perf_counter() - started) * 1000
    # Retrieval is scored on the question as the system understood it (follow-ups resolved).
    query = answer.question.strip() or last
    retrieved = [p.text for p in system.search(query, k)] if case.answerable else []
    return Observation(answer=answer, retrieved=retrieved, latency_ms=latency)


def run_system(
    name: str,
    system: System,
    cases: Sequence[EvalCase],
    k: int = RETRIEVAL_K,
    progress: bool = True,
) -> SystemRun:
    """Every case through one system, with a progress bar on stderr."""
    system.search("warm up the model and the index", 1)  # keeps load time out of latency
    results: list[CaseResult] = []
    for case in tqdm(cases, desc=name, unit="case", file=sys.stderr, disable=not progress,
                     leave=False):
        observation = observe(system, case, k)
        results.append(CaseResult(case, observation, score_case(case, observation, k)))
    return SystemRun(name, results, aggregate(cases, [r.score for r in results]))


def run_eval(
    cases: Sequence[EvalCase],
    assistant: System,
    thresholds: Thresholds,
    baseline: System | None = None,
    split: str = "test",
    mode: str = "extractive",
    datasets: Sequence[str] = (),
    k: int = RETRIEVAL_K,
    progress: bool = True,
) -> EvalReport:
    """Run the assistant (and the baseline, if given) on the cases and check the thresholds."""
    started = time.perf_counter()
    runs = {"assistant": run_system("assistant", assistant, cases, k, progress)}
    if baseline is not None:
        runs["baseline"] = run_system("baseline", baseline, cases, k, progress)
    report = EvalReport(split=split, mode=mode, k=k, datasets=list(datasets), runs=runs)
    report.threshold_failures = thresholds.check(
        runs["assistant"].metrics, runs["baseline"].metrics if baseline is not None else None
    )
    report.seconds = round(time.perf_counter() - started, 2)
    return report
