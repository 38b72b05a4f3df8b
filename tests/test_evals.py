"""The eval runner: baseline, the test split against the bars, reports, the command and drafts."""

from __future__ import annotations

import html
import json
from dataclasses import replace

import pytest
import yaml
from click.testing import CliRunner

from assistant.config import Settings
from assistant.core import Assistant
from assistant.feedback import FeedbackRecord, FeedbackStore
from evals import metrics
from evals.baseline import TutorialBaseline
from evals.cli import eval_command
from evals.drafts import draft_case
from evals.report import fmt, label, to_html, write_reports
from evals.runner import AssistantSystem, EvalReport, run_eval
from evals.schema import DatasetError, load_cases
from evals.thresholds import Thresholds, load_thresholds
from tests.conftest import SEED_CORPUS
from tests.eval_helpers import make_answer, write_cases


@pytest.fixture(scope="module")
def baseline(embedder) -> TutorialBaseline:
    """The tutorial pipeline over the seed corpus, sharing the session's model."""
    system = TutorialBaseline.from_corpus(SEED_CORPUS, embedder)
    yield system
    system.close()


@pytest.fixture(scope="module")
def test_report(assistant, baseline) -> EvalReport:
    """The `test` split through the runner, with the baseline, as `assistant eval` runs it."""
    return run_eval(load_cases(split="test"), assistant, load_thresholds(), baseline=baseline,
                    progress=False)


# -- the baseline and the test split -----------------------------------------------------------

def test_baseline_answers_with_the_top_passage_citing_four(baseline):
    answer = baseline.ask("How much does ClearML cost?", [])
    assert len(answer.citations) == 4 and answer.answerable
    assert answer.answer == f"{answer.citations[0].text.strip()} [1]"
    assert all(len(c.text) <= 1000 for c in answer.citations)
    assert baseline.ask("What is the capital of France?", []).answerable  # it never refuses


def test_evals_test_split_is_ahead_of_the_baseline(test_report):
    ours, theirs = test_report.ours.metrics, test_report.baseline.metrics
    for key in ("fact_recall", "citation_validity", "citation_precision", "refusal_accuracy",
                "retrieval_recall", "mrr"):
        assert ours[key] > theirs[key], key
    for key in ("grounding", "forbidden_free"):  # both perfect
        assert ours[key] >= theirs[key], key
    assert ours["unsupported_numbers"] <= theirs["unsupported_numbers"]
    assert ours["answer_words_median"] < theirs["answer_words_median"]


def test_evals_test_split_holds_its_regression_floor(test_report):
    # Today's figures (see "Current figures" in evals/README.md); raise them as answers improve.
    floor = Thresholds(
        minimum={"fact_recall": 0.93, "grounding": 1.0, "citation_validity": 1.0,
                 "citation_precision": 0.94, "refusal_accuracy": 1.0, "forbidden_free": 1.0,
                 "retrieval_recall": 0.95, "mrr": 0.81},
        maximum={"unsupported_numbers": 0.0, "false_refusal_rate": 0.0,
                 "answer_words_median": 59.5},
    )
    assert floor.check(test_report.ours.metrics) == []


@pytest.mark.xfail(strict=True, reason="the answerer misses fact recall 0.95 and refuses one "
                   "answerable test case (see evals/README.md); remove the marker when it does not")
def test_evals_test_split_meets_the_thresholds(test_report):
    assert test_report.threshold_failures == []


def test_evals_retrieval_is_the_search_that_fed_the_answer(assistant, seed_settings, baseline):
    # With top_k 3 the answer draws on 3 passages, so recall@k must look at those 3.
    narrow = Assistant(seed_settings.model_copy(update={"top_k": 3}), assistant.store)
    cases = [c for c in load_cases(split="test") if c.category in {"price", "followup"}][:6]
    report = run_eval(cases, narrow, Thresholds(), baseline=baseline, progress=False)
    assert (report.ours.k, report.baseline.k) == (3, 4)
    for result in report.ours.results:
        retrieved = result.observation.retrieved
        assert len(retrieved) == 3, result.case.id
        cited = [c.text for c in result.observation.answer.citations]
        assert set(cited) <= set(retrieved), result.case.id
    followup = next(c for c in cases if c.turns)
    *earlier, last = followup.messages
    system = AssistantSystem(narrow)
    history: list[tuple[str, str]] = []
    for message in earlier:
        history += [("user", message), ("assistant", narrow.ask(message, history).answer)]
    resolved = narrow.ask(last, history).question
    assert system.retrieve(last, history, 3) == [p.text for p in narrow.search(resolved, 3)]
    assert run_eval(cases[:1], narrow, Thresholds(), k=2, progress=False).ours.k == 2


def test_report_files_are_written_and_self_contained(test_report, tmp_path):
    paths = write_reports(test_report, tmp_path)
    assert sorted(p.name for p in paths) == ["report.html", "report.json", "report.md"]
    data = json.loads((tmp_path / "report.json").read_text())
    assert set(data["runs"]) == {"assistant", "baseline"}
    page = (tmp_path / "report.html").read_text()
    assert page.count("<svg") >= 3
    assert "<script" not in page and "<link" not in page and "src=" not in page
    for failing in test_report.ours.failures:
        assert failing.case.id in page
        for citation in failing.observation.answer.citations:
            assert html.escape(citation.text) in page  # the cited passage itself, not its title
    for failing in test_report.baseline.failures:
        assert failing.case.id in page


def test_report_markdown_agrees_with_the_json(test_report, tmp_path):
    write_reports(test_report, tmp_path)
    data = json.loads((tmp_path / "report.json").read_text())
    markdown = (tmp_path / "report.md").read_text()
    rows = {line.split(" | ")[0].lstrip("| "): line.strip(" |").split(" | ")
            for line in markdown.splitlines() if line.startswith("| ")}
    for metric in metrics.METRICS:
        row = rows[label(metric)]
        ours, theirs = (data["runs"][name]["metrics"][metric.key] for name in ("assistant",
                                                                                 "baseline"))
        assert row[1:3] == [fmt(metric, ours), fmt(metric, theirs)], metric.key
    failing = [c for c in data["runs"]["assistant"]["cases"] if not c["passed"]]
    assert f"## Failing cases ({len(failing)})" in markdown
    assert label(metrics.METRIC_BY_KEY["false_refusal_rate"]).endswith("(lower is better)")
    for case in data["runs"]["baseline"]["cases"]:
        assert (f"`{case['id']}`" in markdown) == (not case["passed"])


def test_report_html_shows_na_without_a_bar_and_one_latency_scale(test_report):
    ours = test_report.ours
    blank = replace(test_report, runs={**test_report.runs,
                                       "assistant": replace(ours, metrics={**ours.metrics,
                                                                           "grounding": None})})
    page = to_html(blank)
    assert "n/a (assistant)" in page
    top = max(r.score.latency_ms for run in test_report.runs.values() for r in run.results)
    assert page.count(f">{top:.0f} ms</text>") == 2  # both histograms end at the same time
    assert "lower is better" in page


# -- the command -------------------------------------------------------------------------------

def _cli_settings(seed_settings: Settings, **overrides: object) -> dict[str, Settings]:
    return {"settings": seed_settings.model_copy(update=overrides)}


def test_eval_command_exit_code_follows_the_thresholds(assistant, seed_settings, tmp_path):
    dataset = write_cases(tmp_path / "mini.yaml", [
        {"id": "ray-stars", "question": "How many GitHub stars does Ray have?",
         "facts": [["42.2K"]], "evidence": ["42.2K GitHub stars"], "answerable": True,
         "tools": ["Ray"], "category": "number", "split": "test"},
        {"id": "france", "question": "What is the capital of France?", "answerable": False,
         "category": "offtopic", "split": "test"},
    ])
    easy = tmp_path / "easy.yaml"
    easy.write_text("min:\n  fact_recall: 1.0\n  refusal_accuracy: 1.0\n")
    hard = tmp_path / "hard.yaml"
    hard.write_text("max:\n  latency_p50_ms: 0.0\n")
    runner = CliRunner()
    args = ["--dataset", str(dataset), "--output", str(tmp_path / "out")]
    ok = runner.invoke(eval_command, [*args, "--thresholds", str(easy)],
                       obj=_cli_settings(seed_settings))
    assert ok.exit_code == 0, ok.output
    assert "Fact recall" in ok.output and "All thresholds hold." in ok.output
    assert (tmp_path / "out" / "report.html").exists()
    missed = runner.invoke(eval_command, [*args, "--thresholds", str(hard)],
                           obj=_cli_settings(seed_settings))
    assert missed.exit_code == 1
    assert "latency_p50_ms" in missed.output


def test_eval_command_reports_a_bad_dataset_without_a_traceback(seed_settings, tmp_path):
    bad = write_cases(tmp_path / "bad.yaml", [{"id": "x", "question": "?", "answerable": True,
                                          "category": "fact", "split": "test"}])
    result = CliRunner().invoke(eval_command, ["--dataset", str(bad)],
                                obj=_cli_settings(seed_settings))
    assert result.exit_code == 2  # a usage/config error, not a missed threshold
    assert "bad.yaml: case 'x'" in result.output and "Traceback" not in result.output


def test_eval_command_reports_a_bad_thresholds_file_with_exit_code_2(seed_settings, tmp_path):
    bad = tmp_path / "bars.yaml"
    bad.write_text("min:\n  fact_recal: 0.9\n")
    result = CliRunner().invoke(eval_command, ["--thresholds", str(bad)],
                                obj=_cli_settings(seed_settings))
    assert result.exit_code == 2
    assert "unknown metric 'fact_recal'" in result.output and "Traceback" not in result.output


def test_eval_command_llm_mode_without_an_llm_says_what_to_set(seed_settings, tmp_path):
    result = CliRunner().invoke(eval_command, ["--mode", "llm", "--output", str(tmp_path)],
                                obj=_cli_settings(seed_settings, llm=None))
    assert result.exit_code == 2
    assert "ASSISTANT_LLM is not set" in result.output and "Traceback" not in result.output


def test_draft_from_feedback_turns_thumbs_down_into_cases(seed_settings, tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    for verdict, question in (("down", "Does Ray support Windows?"), ("up", "Who built Ray?")):
        answer = make_answer("Ray handles distributed training [1].",
                             ["Built by Anyscale, Ray ..."])
        answer = answer.model_copy(update={"id": question[:8], "question": question})
        store.remember(answer, question, channel="api")
        store.add(answer.id, verdict, comment="wrong answer" if verdict == "down" else None)
    store.close()
    output = tmp_path / "drafts.yaml"
    settings = _cli_settings(seed_settings, feedback_db=tmp_path / "feedback.sqlite3")
    result = CliRunner().invoke(eval_command, ["draft-from-feedback", "--output", str(output)],
                                obj=settings)
    assert result.exit_code == 0, result.output
    drafts = yaml.safe_load(output.read_text())["cases"]
    assert [d["question"] for d in drafts] == ["Does Ray support Windows?"]
    assert "wrong answer" in drafts[0]["notes"] and "distributed training" in drafts[0]["notes"]
    assert "answerable" not in drafts[0]
    with pytest.raises(DatasetError, match=r"drafts\.yaml: case 'feedback-does-ray-.*': "
                       r"answerable: Field required"):
        load_cases([output])  # a draft needs a reviewer's verdict before it can run
    output.write_text("# reviewed by hand\n")
    again = CliRunner().invoke(eval_command, ["draft-from-feedback", "--output", str(output)],
                               obj=settings)
    assert again.exit_code == 2 and "--force" in again.output
    assert output.read_text() == "# reviewed by hand\n"
    forced = CliRunner().invoke(
        eval_command, ["draft-from-feedback", "--output", str(output), "--force"], obj=settings
    )
    assert forced.exit_code == 0 and "Does Ray support Windows?" in output.read_text()


def test_draft_of_a_wrong_refusal_uses_the_resolved_question_and_no_verdict(tmp_path):
    record = FeedbackRecord(
        id=1, answer_id="abc123", rating="down", comment="it is in the corpus", channel="slack",
        user=None, created=0.0, message="and how much does it cost?",
        question="and how much does ClearML cost?", answer="The corpus does not cover that.",
        answerable=False, citations=[],
    )
    draft = draft_case(record)
    assert draft["question"] == "and how much does ClearML cost?"
    assert "and how much does it cost?" in str(draft["notes"])
    assert "answerable" not in draft and draft["facts"] == []
    path = write_cases(tmp_path / "d.yaml", [draft])
    with pytest.raises(DatasetError, match="answerable: Field required"):
        load_cases([path])
