"""The eval suite: datasets, metrics, baseline, reports, exit code and feedback drafts."""

from __future__ import annotations

import html
import json
from dataclasses import replace
from pathlib import Path
from typing import get_args

import pytest
import yaml
from click.testing import CliRunner

from assistant.answers import Answer, Citation
from assistant.config import Settings
from assistant.core import Assistant
from assistant.feedback import FeedbackRecord, FeedbackStore
from evals import metrics
from evals.baseline import TutorialBaseline
from evals.cli import eval_command
from evals.drafts import draft_case
from evals.matching import number_tokens
from evals.report import fmt, label, to_html, write_reports
from evals.runner import AssistantSystem, EvalReport, run_eval
from evals.schema import Category, DatasetError, EvalCase, load_cases
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
    for category in get_args(Category):  # every kind the schema knows, not only those used
        dev = sum(c.split == "dev" and c.category == category for c in cases)
        test = sum(c.split == "test" and c.category == category for c in cases)
        assert dev and test and abs(dev - test) <= 1, (category, dev, test)


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
    with pytest.raises(DatasetError, match=r"t\.yaml: case 'c': fact: Extra inputs are not "):
        load_cases([_write(tmp_path / "t.yaml", [{**_case().model_dump(), "fact": "typo"}])])
    with pytest.raises(ValueError, match="exactly one of `question` or `turns`"):
        _case(turns=["a", "b"])


def test_schema_rejects_a_forbidden_phrase_that_can_never_match(tmp_path):
    # Matching ignores [n] markers and `**`, so "[1]" is empty there and could never fire.
    path = _write(tmp_path / "f.yaml", [{**_case(id="marker").model_dump(),
                                         "must_not_contain": ["Paris", "[1]"]}])
    with pytest.raises(DatasetError, match=r"f\.yaml: case 'marker': must_not_contain: .*'\[1\]'"
                       r" is empty .* can never match"):
        load_cases([path])
    assert _case(must_not_contain=["$500"]).must_not_contain == ["$500"]


def test_schema_rejects_an_unknown_tool_naming_it(tmp_path):
    path = _write(tmp_path / "t.yaml", [{**_case(id="typo").model_dump(),
                                         "tools": ["Ray", "Weights and Biases"]}])
    with pytest.raises(DatasetError, match=r"case 'typo': tools: .*unknown tool "
                       r"'Weights and Biases': use one of Kubeflow, .*KServe"):
        load_cases([path])
    assert _case(tools=["KServe", "Weights & Biases"]).tools == ["KServe", "Weights & Biases"]


def test_schema_ties_the_category_to_answerable():
    unanswerable = {"facts": [], "evidence": [], "answerable": False}
    with pytest.raises(ValueError, match="`offtopic` case is unanswerable"):
        _case(category="offtopic")
    with pytest.raises(ValueError, match="`out-of-corpus` case is unanswerable"):
        _case(category="out-of-corpus")
    with pytest.raises(ValueError, match="`price` case asks what the corpus states"):
        _case(category="price", **unanswerable)
    # An injection may carry a real question (answerable) or only the injection (refused).
    assert _case(category="injection").answerable
    assert not _case(category="injection", **unanswerable).answerable


def test_schema_a_folder_and_a_file_inside_it_are_read_once(tmp_path):
    path = _write(tmp_path / "one.yaml", [_case(id="only").model_dump()])
    assert [c.id for c in load_cases([tmp_path, path])] == ["only"]


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


def test_metrics_grounding_checks_the_passages_the_stating_sentence_cites():
    # $15 is in passage 2, but the sentence stating it cites only passage 1.
    cited = ["ClearML auto-logs experiments.", "| ClearML | From $15/month |"]
    wrong = _answer("ClearML costs $15 [1]. It is a platform [2].", cited)
    right = _answer("ClearML is a platform [1]. It costs $15 [2].", cited)
    unmarked = _answer("ClearML costs $15. It is a platform [1][2].", cited)
    assert metrics.grounding(_case(), wrong) == 0.0
    assert metrics.grounding(_case(), right) == 1.0
    assert metrics.grounding(_case(), unmarked) == 1.0  # no marker: any cited passage


def test_metrics_citation_validity_needs_every_marker_to_resolve():
    assert metrics.citation_validity(_answer("A [1]. B [2].", ["a", "b"])) == 1.0
    assert metrics.citation_validity(_answer("A [1]. B [3].", ["a", "b"])) == 0.0
    assert metrics.citation_validity(_answer("No markers.", ["a"])) == 0.0
    assert metrics.citation_validity(_answer("Refused.", [], answerable=False)) == 1.0


def test_metrics_citation_validity_needs_every_citation_to_be_pointed_at():
    assert metrics.citation_validity(_answer("A [1].", ["a", "b", "c"])) == 0.0
    assert metrics.citation_validity(_answer("A [1][3]. B [2].", ["a", "b", "c"])) == 1.0
    assert metrics.citation_validity(_answer("A [1].", [], answerable=False)) == 0.0


def test_metrics_citation_precision_is_the_share_of_citations_holding_evidence():
    case = _case(related=["starting at $15 per month"])
    answer = _answer("$15 [1][2][3].", ["From $15/month", "starting at $15 per month", "other"])
    assert metrics.citation_precision(case, answer) == pytest.approx(2 / 3)
    assert metrics.citation_precision(case, _answer("x", [], answerable=False)) is None


def test_metrics_unsupported_numbers_are_found():
    answer = _answer("It costs $15 [1], or $99 for 2 seats [1].", ["From $15/month for 2 seats"])
    assert metrics.unsupported_numbers(answer) == (["$99"], 3)


@pytest.mark.parametrize(("stated", "passage"), [
    ("$15", "15% lower"), ("42.2M", "42.2K stars"), ("30 billion", "30x cheaper"),
    ("2-1", "1-2 weeks"), ("15%", "$15/month"), ("$60", "60 GPUs"),
])
def test_metrics_a_number_needs_its_unit_currency_and_range(stated, passage):
    answer = _answer(f"It is {stated} [1].", [passage])
    assert metrics.unsupported_numbers(answer)[0], (stated, passage)


@pytest.mark.parametrize(("stated", "passage"), [
    ("30,000", "30000 runs"), ("$60", "$60/month for Pro"), ("42.2K", "42,200 stars"),
    ("1–2", "1-2 weeks"), ("82%", "82% lower"), ("30x", "30x cost reduction"),
])
def test_metrics_a_number_in_another_form_is_still_supported(stated, passage):
    assert metrics.unsupported_numbers(_answer(f"It is {stated} [1].", [passage])) == ([], 1)


def test_number_tokens_read_currency_scale_unit_and_range_as_one():
    assert number_tokens("From $15/month, 42.2K stars, 30x, 82%, 1-2 weeks, 30 million") == {
        "$15", "42200", "30x", "82%", "1-2", "30000000"}
    assert number_tokens("v3.11 and Apache-2.0 [3]") == {"3.11", "2.0"}


def test_metrics_unsupported_numbers_checks_the_passages_the_sentence_cites():
    cited = ["| ClearML | From $15/month |", "W&B: $60/month for Pro teams"]
    crossed = _answer("ClearML costs $15 [2]. W&B costs $60 [1].", cited)
    assert metrics.unsupported_numbers(crossed) == (["$15", "$60"], 2)
    straight = _answer("ClearML costs $15 [1]. W&B costs $60 [2].", cited)
    assert metrics.unsupported_numbers(straight) == ([], 2)
    unmarked = _answer("ClearML costs $15 and W&B $60. Both have tiers [1][2].", cited)
    assert metrics.unsupported_numbers(unmarked) == ([], 2)


def test_metrics_refusal_accuracy_both_ways():
    refusal = _answer("The corpus does not cover that.", [], answerable=False)
    unanswerable = _case(facts=[], evidence=[], answerable=False, category="offtopic")
    assert metrics.refusal_correct(unanswerable, refusal)
    assert metrics.refusal_correct(_case(), refusal) is None  # answerable: a false refusal
    assert not metrics.refusal_correct(unanswerable, _answer("Paris [1].", ["Paris"]))


def test_metrics_refusal_accuracy_and_false_refusals_are_apart():
    refusal = _answer("The corpus does not cover that.", [], answerable=False)
    answered = _answer("ClearML costs $15 [1].", ["From $15/month"])
    unanswerable = _case(id="u", facts=[], evidence=[], answerable=False, category="offtopic")
    cases = [unanswerable, unanswerable, _case(), _case(), _case(), _case()]
    answers = [refusal, answered, refusal, answered, answered, answered]
    scores = [metrics.score_case(c, metrics.Observation(a, [], 1.0), k=5)
              for c, a in zip(cases, answers, strict=True)]
    figures = metrics.aggregate(cases, scores)
    assert figures["refusal_accuracy"] == 0.5  # of the 2 unanswerable cases
    assert figures["false_refusal_rate"] == 0.25  # of the 4 answerable ones
    assert "refused an answerable question" in scores[2].issues


def test_metrics_retrieval_recall_and_reciprocal_rank():
    case = _case(evidence=["From $15/month", "$60/month"])
    passages = ["nothing", "From $15/month", "more", "$60/month Pro"]
    assert metrics.retrieval(case, passages, k=2) == (0.5, 0.5)
    assert metrics.retrieval(case, passages, k=4) == (1.0, 0.5)


def test_metrics_reciprocal_rank_counts_evidence_not_related_text():
    case = _case(evidence=["From $15/month"], related=["ClearML"])
    passages = ["ClearML auto-logs", "From $15/month"]
    assert metrics.retrieval(case, passages, k=2) == (1.0, 0.5)


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
    assert bars.check({**ours, "fact_recall": 1.0, "unsupported_numbers": 0.0},
                      {"citation_precision": 0.5}) == []  # a tie is not behind
    assert bars.check({"fact_recall": 1.0, "unsupported_numbers": 0.0,
                       "citation_precision": 0.9}, {"citation_precision": 0.6}) == []


def test_thresholds_errors_name_the_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("min:\n  fact_recall: high\n")
    with pytest.raises(ValueError, match=r"bad\.yaml: min\.fact_recall: expected a number"):
        load_thresholds(bad)
    bad.write_text("max:\n  speed: 1\n")
    with pytest.raises(ValueError, match=r"unknown metric 'speed'"):
        load_thresholds(bad)


def test_thresholds_file_holds_the_issue_bars_and_the_baseline_comparison():
    bars = load_thresholds()
    assert bars.maximum["false_refusal_rate"] == 0.0
    assert {"retrieval_recall", "mrr", "citation_validity", "false_refusal_rate"} <= set(
        bars.not_behind_baseline)
    assert not metrics.METRIC_BY_KEY["false_refusal_rate"].higher_is_better


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
    for key in ("grounding", "forbidden_free"):
        assert ours[key] >= theirs[key], key
    assert ours["unsupported_numbers"] <= theirs["unsupported_numbers"]
    assert ours["answer_words_median"] < theirs["answer_words_median"]


def test_evals_test_split_holds_its_regression_floor(test_report):
    # Today's figures (see "Current figures" in evals/README.md); raise them as answers improve.
    floor = Thresholds(
        minimum={"fact_recall": 0.885, "grounding": 1.0, "citation_validity": 1.0,
                 "citation_precision": 0.9, "refusal_accuracy": 1.0, "forbidden_free": 1.0,
                 "retrieval_recall": 0.96, "mrr": 0.79},
        maximum={"unsupported_numbers": 0.0, "false_refusal_rate": 0.017,
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
    assert result.exit_code == 2  # a usage/config error, not a missed threshold
    assert "bad.yaml: case 'x'" in result.output and "Traceback" not in result.output


def test_eval_command_reports_a_bad_thresholds_file_with_exit_code_2(seed_settings, tmp_path):
    bad = tmp_path / "bars.yaml"
    bad.write_text("min:\n  fact_recal: 0.9\n")
    result = CliRunner().invoke(eval_command, ["--thresholds", str(bad)],
                                obj=_cli_settings(seed_settings))
    assert result.exit_code == 2
    assert "unknown metric 'fact_recal'" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("llm", "says", "never"), [
    (None, "ASSISTANT_LLM is not set", "not built yet"),
    ("openai:gpt-4o-mini", "LLM answers are not built yet", "is not set"),
])
def test_eval_command_llm_mode_says_what_is_wrong(seed_settings, tmp_path, llm, says, never):
    result = CliRunner().invoke(eval_command, ["--mode", "llm", "--output", str(tmp_path)],
                                obj=_cli_settings(seed_settings, llm=llm))
    assert result.exit_code == 2
    assert says in result.output and never not in result.output


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
    path = _write(tmp_path / "d.yaml", [draft])
    with pytest.raises(DatasetError, match="answerable: Field required"):
        load_cases([path])


def test_datasets_dev_and_test_share_no_evidence():
    # Tuning on dev must not teach the answers of test: no evidence text is in both splits.
    # The decision cases share their anchors by design (one question, several phrasings).
    by_split: dict[str, set[str]] = {"dev": set(), "test": set()}
    for case in load_cases():
        if case.category == "decide":
            continue
        by_split[case.split] |= {e.lower() for group in case.evidence for e in group}
    assert by_split["dev"] & by_split["test"] == set()
