"""The eval suite: datasets, metrics, baseline, reports, exit code and feedback drafts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from assistant.answers import Answer, Citation
from assistant.config import Settings
from assistant.feedback import FeedbackStore
from evals import metrics
from evals.baseline import TutorialBaseline
from evals.cli import eval_command
from evals.report import write_reports
from evals.runner import EvalReport, run_eval
from evals.schema import DatasetError, EvalCase, load_cases
from evals.thresholds import Thresholds, load_thresholds

REPO = Path(__file__).resolve().parent.parent
TOOLS = ["Kubeflow", "MLflow", "Ray", "BentoML", "Metaflow", "ClearML", "Weights & Biases", "Comet"]


def _case(**fields: object) -> EvalCase:
    base: dict[str, object] = {
        "id": "c", "question": "q?", "facts": [["$15"]], "evidence": ["From $15/month"],
        "answerable": True, "category": "price", "split": "dev",
    }
    return EvalCase.model_validate({**base, **fields})


def _answer(text: str, cited: list[str], answerable: bool = True) -> Answer:
    citations = [
        Citation(n=n, doc_id="d", title="T", section="S", source="s", text=t, score=1.0,
                 chunk_id=str(n))
        for n, t in enumerate(cited, start=1)
    ]
    return Answer(id="a", answer=text, citations=citations, answerable=answerable,
                  mode="extractive", question="q?", timings_ms={})


def _write(path: Path, cases: list[dict[str, object]]) -> Path:
    path.write_text(yaml.safe_dump({"cases": cases}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def baseline(embedder) -> TutorialBaseline:
    """The tutorial pipeline over the seed corpus, sharing the session's model."""
    system = TutorialBaseline.from_corpus(REPO / "corpus", embedder)
    yield system
    system.close()


@pytest.fixture(scope="module")
def test_report(assistant, baseline) -> EvalReport:
    """The `test` split through the runner, with the baseline, as `assistant eval` runs it."""
    return run_eval(load_cases(split="test"), assistant, load_thresholds(), baseline=baseline,
                    progress=False)


# -- the datasets ------------------------------------------------------------------------------

def test_datasets_cover_every_tool_and_both_splits_evenly():
    cases = load_cases()
    assert len(cases) >= 80
    assert {tool for case in cases for tool in case.tools} >= set(TOOLS)
    for category in {case.category for case in cases}:
        dev = sum(c.split == "dev" and c.category == category for c in cases)
        test = sum(c.split == "test" and c.category == category for c in cases)
        assert abs(dev - test) <= 1, category


def test_datasets_evidence_and_facts_come_from_the_corpus():
    corpus = (REPO / "corpus" / "kubeflow-alternatives.md").read_text(encoding="utf-8")
    for case in load_cases():
        for group in case.evidence:
            assert any(metrics.contains(corpus, p) for p in group), (case.id, group)
        for group in case.facts:
            assert any(metrics.contains(corpus, p) for p in group), (case.id, group)


# -- the schema --------------------------------------------------------------------------------

def test_schema_error_names_the_file_and_the_case(tmp_path):
    path = _write(tmp_path / "bad.yaml", [{"id": "no-facts", "question": "How much?",
                                           "answerable": True, "category": "price",
                                           "split": "dev"}])
    with pytest.raises(DatasetError, match=r"bad\.yaml: case 'no-facts': .*needs `facts`"):
        load_cases([path])


def test_schema_rejects_duplicate_ids_across_files(tmp_path):
    case = {"id": "same", "question": "Hi?", "answerable": False, "category": "offtopic",
            "split": "dev"}
    first, second = _write(tmp_path / "a.yaml", [case]), _write(tmp_path / "b.yaml", [case])
    with pytest.raises(DatasetError, match=r"b\.yaml: case 'same': duplicate id .*a\.yaml"):
        load_cases([first, second])


def test_schema_rejects_unknown_fields_and_both_question_and_turns(tmp_path):
    with pytest.raises(DatasetError, match="fact"):
        load_cases([_write(tmp_path / "t.yaml", [{**_case().model_dump(), "fact": "typo"}])])
    with pytest.raises(ValueError, match="exactly one of `question` or `turns`"):
        _case(turns=["a", "b"])


def test_schema_bare_string_is_a_group_of_one():
    assert _case(facts=["$15", ["42.2K", "42,200"]]).facts == [["$15"], ["42.2K", "42,200"]]


# -- the metrics on hand-made answers ----------------------------------------------------------

def test_metrics_fact_recall_counts_groups_and_whole_words():
    case = _case(facts=[["Ray"], ["42.2K", "42,200"]])
    assert metrics.fact_recall(case, "Ray has 42,200 stars [1].") == (1.0, [])
    assert metrics.fact_recall(case, "An array of 42.2K things.") == (0.5, ["Ray"])
    assert metrics.fact_recall(case, "Ray has 42.2K stars.", answerable=False)[0] == 0.0


def test_metrics_grounding_fails_when_the_fact_is_in_no_cited_passage():
    case = _case()
    good = _answer("ClearML costs $15 [1].", ["| ClearML | From $15/month |"])
    bad = _answer("ClearML costs $15 [1].", ["ClearML auto-logs experiments."])
    assert metrics.grounding(case, good) == 1.0
    assert metrics.grounding(case, bad) == 0.0


def test_metrics_citation_validity_needs_every_marker_to_resolve():
    assert metrics.citation_validity(_answer("A [1]. B [2].", ["a", "b"])) == 1.0
    assert metrics.citation_validity(_answer("A [1]. B [3].", ["a", "b"])) == 0.0
    assert metrics.citation_validity(_answer("No markers.", ["a"])) == 0.0
    assert metrics.citation_validity(_answer("Refused.", [], answerable=False)) == 1.0


def test_metrics_citation_precision_is_the_share_of_citations_holding_evidence():
    case = _case(related=["starting at $15 per month"])
    answer = _answer("$15 [1][2][3].", ["From $15/month", "starting at $15 per month", "other"])
    assert metrics.citation_precision(case, answer) == pytest.approx(2 / 3)
    assert metrics.citation_precision(case, _answer("x", [], answerable=False)) is None


def test_metrics_unsupported_numbers_are_found():
    answer = _answer("It costs $15 [1], or $99 for 2 seats [1].", ["From $15/month for 2 seats"])
    assert metrics.unsupported_numbers(answer) == (["99"], 3)


def test_metrics_refusal_accuracy_both_ways():
    refusal = _answer("The corpus does not cover that.", [], answerable=False)
    unanswerable = _case(facts=[], evidence=[], answerable=False, category="offtopic")
    assert metrics.refusal_correct(unanswerable, refusal)
    assert not metrics.refusal_correct(_case(), refusal)
    assert not metrics.refusal_correct(unanswerable, _answer("Paris [1].", ["Paris"]))


def test_metrics_retrieval_recall_and_reciprocal_rank():
    case = _case(evidence=["From $15/month", "$60/month"])
    passages = ["nothing", "From $15/month", "more", "$60/month Pro"]
    assert metrics.retrieval(case, passages, k=2) == (0.5, 0.5)
    assert metrics.retrieval(case, passages, k=4) == (1.0, 0.5)


def test_metrics_case_issues_and_percentiles():
    score = metrics.score_case(
        _case(must_not_contain=["82%"]),
        metrics.Observation(_answer("82% lower costs [1].", ["82% lower"]), [], 5.0), k=5,
    )
    assert not score.passed
    assert any("missing facts" in i for i in score.issues)
    assert any("forbidden" in i for i in score.issues)
    assert metrics.percentile([1, 2, 3, 4], 50) == 2.5
    assert metrics.percentile([], 95) == 0.0


def test_thresholds_report_misses_and_trailing_the_baseline():
    bars = Thresholds(minimum={"fact_recall": 0.9}, maximum={"unsupported_numbers": 0.0},
                      not_behind_baseline=["citation_precision"])
    ours = {"fact_recall": 0.8, "unsupported_numbers": 0.1, "citation_precision": 0.5}
    failures = bars.check(ours, {"citation_precision": 0.6})
    assert len(failures) == 3
    assert bars.check({"fact_recall": 1.0, "unsupported_numbers": 0.0,
                       "citation_precision": 0.9}, {"citation_precision": 0.6}) == []


# -- the baseline and the test split -----------------------------------------------------------

def test_baseline_answers_with_the_top_passage_citing_four(baseline):
    answer = baseline.ask("How much does ClearML cost?", [])
    assert len(answer.citations) == 4 and answer.answerable
    assert answer.answer == f"{answer.citations[0].text.strip()} [1]"
    assert all(len(c.text) <= 1000 for c in answer.citations)
    assert baseline.ask("What is the capital of France?", []).answerable  # it never refuses


def test_evals_test_split_is_ahead_of_the_baseline(test_report):
    ours, theirs = test_report.ours.metrics, test_report.baseline.metrics
    for key in ("fact_recall", "citation_precision", "refusal_accuracy"):
        assert ours[key] > theirs[key], key
    for key in ("grounding", "citation_validity", "forbidden_free"):
        assert ours[key] >= theirs[key], key
    assert ours["unsupported_numbers"] <= theirs["unsupported_numbers"]
    assert ours["answer_words_median"] < theirs["answer_words_median"]


def test_evals_test_split_holds_its_regression_floor(test_report):
    # The figures measured when the suite was written; raise them as the answerer improves.
    floor = Thresholds(
        minimum={"fact_recall": 0.89, "grounding": 1.0, "citation_validity": 1.0,
                 "citation_precision": 0.9, "refusal_accuracy": 1.0, "forbidden_free": 1.0},
        maximum={"unsupported_numbers": 0.0, "answer_words_median": 59.5},
    )
    assert floor.check(test_report.ours.metrics) == []


@pytest.mark.xfail(strict=True, reason="the answerer misses fact recall 0.95 on the test split "
                   "(see evals/README.md); remove the marker when it does not")
def test_evals_test_split_meets_the_thresholds(test_report):
    assert test_report.threshold_failures == []


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


# -- the command -------------------------------------------------------------------------------

def _cli_settings(seed_settings: Settings, **overrides: object) -> dict[str, Settings]:
    return {"settings": seed_settings.model_copy(update=overrides)}


def test_eval_command_exit_code_follows_the_thresholds(assistant, seed_settings, tmp_path):
    dataset = _write(tmp_path / "mini.yaml", [
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
    bad = _write(tmp_path / "bad.yaml", [{"id": "x", "question": "?", "answerable": True,
                                          "category": "fact", "split": "test"}])
    result = CliRunner().invoke(eval_command, ["--dataset", str(bad)],
                                obj=_cli_settings(seed_settings))
    assert result.exit_code == 1
    assert "bad.yaml: case 'x'" in result.output and "Traceback" not in result.output


def test_draft_from_feedback_turns_thumbs_down_into_cases(seed_settings, tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    for verdict, question in (("down", "Does Ray support Windows?"), ("up", "Who built Ray?")):
        answer = _answer("Ray handles distributed training [1].", ["Built by Anyscale, Ray ..."])
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
    with pytest.raises(DatasetError, match="needs `facts`"):
        load_cases([output])  # a draft needs a reviewer's facts before it can run
