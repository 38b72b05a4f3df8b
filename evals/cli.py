"""`assistant eval`: run the eval datasets, write reports, and draft cases from feedback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from assistant.config import Settings

if TYPE_CHECKING:
    from assistant.core import Assistant
    from evals.judge import FaithfulnessJudge

DEFAULT_OUTPUT = Path("evals/reports")
DEFAULT_DRAFTS = DEFAULT_OUTPUT / "drafts-from-feedback.yaml"
# -k left out: the retrieval metrics use the k each system answers with (ASSISTANT_TOP_K).
DEFAULT_K: int | None = None


class ConfigError(click.ClickException):
    """A usage or configuration problem (datasets, thresholds, settings): exit code 2.

    Exit code 1 is kept for one meaning only: the run worked and a metric missed its bar.
    """

    exit_code = 2


def _settings(ctx: click.Context) -> Settings:
    obj = ctx.find_root().obj or {}
    return obj.get("settings") or Settings()


@click.group(invoke_without_command=True)
@click.option("--dataset", "datasets", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Dataset YAML file or folder (repeatable; default: evals/datasets/).")
@click.option("--split", type=click.Choice(["dev", "test", "all"]), default="test",
              show_default=True, help="Cases to run: tune on dev, report test.")
@click.option("--mode", type=click.Choice(["extractive", "llm"]), default="extractive",
              show_default=True, help="How the assistant answers.")
@click.option("--judge/--no-judge", default=None,
              help="Score faithfulness with the LLM as judge (default: when ASSISTANT_LLM is "
                   "set). Never needed for the thresholds.")
@click.option("--baseline", is_flag=True,
              help="Also run the LangChain tutorial pipeline on the same cases, side by side.")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_OUTPUT, show_default=True, help="Folder for the report files.")
@click.option("--thresholds", "thresholds_file", type=click.Path(exists=True, path_type=Path),
              help="Thresholds YAML (default: evals/thresholds.yaml).")
@click.option("-k", "k", type=click.IntRange(1, 20), default=DEFAULT_K,
              help="k of retrieval recall@k and MRR (default: the k each system answers with, "
                   "ASSISTANT_TOP_K for the assistant, 4 for the baseline).")
@click.pass_context
def eval_command(
    ctx: click.Context,
    datasets: tuple[Path, ...],
    split: str,
    mode: str,
    judge: bool | None,
    baseline: bool,
    output: Path,
    thresholds_file: Path | None,
    k: int | None,
) -> None:
    """Score the assistant on known-fact datasets.

    Exit 0 when every threshold holds, 1 when a metric misses its threshold, 2 for a bad
    dataset, thresholds file or setting.
    """
    if ctx.invoked_subcommand is not None:
        return
    from evals.report import console_table, write_reports
    from evals.runner import run_eval
    from evals.schema import DatasetError, load_cases
    from evals.thresholds import DEFAULT_THRESHOLDS, load_thresholds

    settings = _settings(ctx)
    try:
        cases = load_cases(list(datasets) or None, split=split)
        thresholds = load_thresholds(thresholds_file or DEFAULT_THRESHOLDS)
    except (DatasetError, ValueError) as exc:
        raise ConfigError(str(exc)) from exc
    if not cases:
        raise ConfigError(f"no cases in the {split!r} split of the datasets given")
    assistant = _load_assistant(settings, mode)
    faithfulness = _judge(settings, judge)
    reference = None
    if baseline:
        from evals.baseline import TutorialBaseline

        reference = TutorialBaseline.from_corpus(settings.corpus_dir, assistant.embedder)
    try:
        report = run_eval(
            cases, assistant, thresholds, baseline=reference, split=split, mode=mode,
            datasets=[str(p) for p in datasets] or ["evals/datasets"], k=k,
            progress=sys.stderr.isatty(), judge=faithfulness,
        )
    finally:
        if reference is not None:
            reference.close()
    click.echo(console_table(report))
    for path in write_reports(report, output):
        click.echo(f"wrote {path}", err=True)
    if not report.passed:
        ctx.exit(1)


def _load_assistant(settings: Settings, mode: str) -> Assistant:
    from assistant.core import Assistant
    from assistant.index import IndexNotFoundError
    from assistant.loading import CorpusError

    if mode == "llm" and not settings.llm:
        raise ConfigError(
            "--mode llm: ASSISTANT_LLM is not set, so there is no LLM to answer with. "
            "Set it (and ASSISTANT_LLM_BASE_URL for an OpenAI-compatible server), or run the "
            "default --mode extractive."
        )
    if mode == "extractive" and settings.llm:
        settings = settings.model_copy(update={"llm": None})
    try:
        return Assistant.load(settings)
    except (IndexNotFoundError, CorpusError, ValueError) as exc:
        raise ConfigError(str(exc)) from exc


def _judge(settings: Settings, wanted: bool | None) -> FaithfulnessJudge | None:
    """The LLM judge: on when asked, or by default when an LLM is configured."""
    from assistant.llm import LLMError, chat_model
    from evals.judge import FaithfulnessJudge

    if wanted is False or (wanted is None and not settings.llm):
        return None
    if not settings.llm:
        raise ConfigError("--judge: ASSISTANT_LLM is not set, so there is no LLM to judge with.")
    try:
        return FaithfulnessJudge(chat_model(settings), settings.llm)
    except LLMError as exc:
        raise ConfigError(str(exc)) from exc


@eval_command.command("draft-from-feedback")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_DRAFTS, show_default=True, help="Where to write the draft YAML.")
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@click.pass_context
def draft_from_feedback(ctx: click.Context, output: Path, force: bool) -> None:
    """Turn thumbs-down feedback into draft eval cases to review and move into datasets/."""
    from assistant.feedback import FeedbackStore
    from evals.drafts import drafts_yaml

    settings = _settings(ctx)
    if output.exists() and not force:
        # Drafts are edited by hand during review: writing over them would lose that work.
        raise ConfigError(
            f"{output} exists (drafts under review?): pass --force to overwrite it, or "
            "--output another file."
        )
    if not Path(settings.feedback_db).exists():
        raise ConfigError(
            f"no feedback database at {settings.feedback_db}: feedback is stored there when "
            "users rate answers (POST /v1/feedback or Slack)."
        )
    store = FeedbackStore(settings.feedback_db)
    try:
        text, count = drafts_yaml(store.records(rating="down"))
    finally:
        store.close()
    if not count:
        click.echo("No thumbs-down feedback yet: nothing to draft.")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {count} draft case(s) to {output}: review them, then move them into "
               "evals/datasets/.")
