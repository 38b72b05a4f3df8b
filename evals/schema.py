"""The eval case schema, and loading datasets with errors that name the file and the case."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from evals.matching import normalise

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"
Category = Literal[
    "fact", "number", "price", "paraphrase", "recommend", "decide", "compare", "followup",
    "offtopic", "out-of-corpus", "injection",
]
Split = Literal["dev", "test"]
# The names `tools:` may use: the tools the corpus compares, spelled as the corpus spells them.
# A typo ("Weights and Biases") would otherwise open a separate row in the per-tool breakdown.
TOOLS = (
    "Kubeflow", "MLflow", "Ray", "BentoML", "Metaflow", "ClearML", "Weights & Biases", "Comet",
    "KServe",
)
# Questions of these kinds have no answer in the corpus whatever their wording.
REFUSAL_CATEGORIES = frozenset({"offtopic", "out-of-corpus"})
# These kinds ask for something the corpus states; an injection may go either way (it may
# carry a real question), and so may paraphrases and follow-ups.
ANSWER_CATEGORIES = frozenset({"fact", "number", "price", "recommend", "decide", "compare"})
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class DatasetError(ValueError):
    """A dataset file cannot be used; the message names the file and the case."""


def _groups(value: object) -> object:
    # A bare string is a group with one accepted phrasing: ["$15", ["42.2K", "42,200"]].
    if isinstance(value, list):
        return [[item] if isinstance(item, str) else item for item in value]
    return value


class EvalCase(BaseModel):
    """One question (or conversation) with what a correct answer must and must not contain."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Unique slug, e.g. `ray-github-stars`.")
    question: str | None = Field(None, description="The question, for a single-turn case.")
    turns: list[str] | None = Field(
        None, description="User turns of a conversation; the last one is scored."
    )
    facts: list[list[str]] = Field(
        default_factory=list,
        description="Fact groups: each must appear in the answer in one of its phrasings.",
    )
    evidence: list[list[str]] = Field(
        default_factory=list,
        description="Evidence groups: each must be in a cited passage, in one of its forms.",
    )
    related: list[str] = Field(
        default_factory=list,
        description="Other passage text a good answer may cite (counts for citation precision).",
    )
    answerable: bool = Field(description="False when the corpus cannot answer: expect a refusal.")
    must_not_contain: list[str] = Field(
        default_factory=list, description="Phrases that must not appear in the answer."
    )
    tools: list[str] = Field(default_factory=list, description="The tools the case is about.")
    category: Category = Field(description="What kind of question this is.")
    split: Split = Field(description="`dev` to tune on, `test` to report.")
    notes: str | None = Field(None, description="Free text for reviewers.")

    @field_validator("facts", "evidence", mode="before")
    @classmethod
    def _bare_strings(cls, value: object) -> object:
        return _groups(value)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("use lower-case letters, digits and dashes, e.g. `ray-github-stars`")
        return value

    @field_validator("tools")
    @classmethod
    def _known_tools(cls, tools: list[str]) -> list[str]:
        unknown = [tool for tool in tools if tool not in TOOLS]
        if unknown:
            raise ValueError(
                f"unknown tool {unknown[0]!r}: use one of {', '.join(TOOLS)} (spelled as shown)"
            )
        return tools

    @field_validator("must_not_contain")
    @classmethod
    def _matchable(cls, phrases: list[str]) -> list[str]:
        for phrase in phrases:
            if not normalise(phrase):
                raise ValueError(
                    f"{phrase!r} is empty once [n] markers, `**` and spaces are ignored, so it "
                    "can never match: remove it or write the words that must not appear"
                )
        return phrases

    @field_validator("facts", "evidence")
    @classmethod
    def _no_empty_groups(cls, groups: list[list[str]]) -> list[list[str]]:
        for group in groups:
            if not group or not all(phrase.strip() for phrase in group):
                raise ValueError("every group needs at least one non-empty phrasing")
        return groups

    @model_validator(mode="after")
    def _consistent(self) -> EvalCase:
        if (self.question is None) == (self.turns is None):
            raise ValueError("give exactly one of `question` or `turns`")
        if self.question is not None and not self.question.strip():
            raise ValueError("`question` is empty")
        if self.turns is not None and (not self.turns or not all(t.strip() for t in self.turns)):
            raise ValueError("`turns` needs at least one non-empty user message")
        if self.answerable and not (self.facts and self.evidence):
            raise ValueError("an answerable case needs `facts` and `evidence`")
        if not self.answerable and (self.facts or self.evidence):
            raise ValueError(
                "an unanswerable case has no `facts` or `evidence`: it expects a refusal"
            )
        if self.category in REFUSAL_CATEGORIES and self.answerable:
            raise ValueError(f"a `{self.category}` case is unanswerable: set `answerable: false`")
        if self.category in ANSWER_CATEGORIES and not self.answerable:
            raise ValueError(
                f"a `{self.category}` case asks what the corpus states: set `answerable: true`, "
                "or use category `out-of-corpus` if the corpus cannot answer it"
            )
        return self

    @property
    def messages(self) -> list[str]:
        """The user messages in order; the last one is the one scored."""
        return list(self.turns) if self.turns is not None else [self.question or ""]

    @property
    def text(self) -> str:
        """The case as a reader sees it: the turns joined by ` → `."""
        return " → ".join(self.messages)


def load_file(path: Path) -> list[EvalCase]:
    """Validate one YAML dataset file; errors name the file and the case id."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DatasetError(f"{path}: cannot read YAML: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("cases"), list):
        raise DatasetError(f"{path}: expected a mapping with a `cases:` list")
    cases: list[EvalCase] = []
    for position, item in enumerate(raw["cases"], start=1):
        label = (
            f"case {item.get('id')!r}" if isinstance(item, dict) and item.get("id")
            else f"case #{position}"
        )
        try:
            cases.append(EvalCase.model_validate(item))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'case'}: {err['msg']}"
                for err in exc.errors()
            )
            raise DatasetError(f"{path}: {label}: {problems}") from exc
    return cases


def dataset_files(paths: Iterable[Path]) -> list[Path]:
    """The YAML files named, or found inside the folders named, in a stable order."""
    files: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        elif path.is_file():
            found = [path]
        else:
            raise DatasetError(f"{path}: no such dataset file or folder")
        for file in found:
            # A folder and a file inside it, both given, name the file once, not twice.
            if file.resolve() not in seen:
                seen.add(file.resolve())
                files.append(file)
    if not files:
        raise DatasetError("no dataset files found: pass YAML files or a folder holding them")
    return files


def load_cases(paths: Sequence[Path] | None = None, split: str = "all") -> list[EvalCase]:
    """Every case of the datasets (default: `evals/datasets/`), optionally one split only."""
    seen: dict[str, Path] = {}
    cases: list[EvalCase] = []
    for path in dataset_files(paths or [DATASETS_DIR]):
        for case in load_file(path):
            if case.id in seen:
                raise DatasetError(
                    f"{path}: case {case.id!r}: duplicate id (first defined in {seen[case.id]})"
                )
            seen[case.id] = path
            cases.append(case)
    if split == "all":
        return cases
    return [case for case in cases if case.split == split]
