"""The eval cases and the metrics: schema, datasets, metrics on hand-made answers, thresholds."""

from __future__ import annotations

from typing import get_args

import pytest

from evals import metrics
from evals.matching import number_tokens
from evals.schema import Category, DatasetError, load_cases
from evals.thresholds import Thresholds, load_thresholds
from tests.conftest import SEED_CORPUS
from tests.eval_helpers import make_answer, make_case, write_cases

TOOLS = ["Kubeflow", "MLflow", "Ray", "BentoML", "Metaflow", "ClearML", "Weights & Biases", "Comet"]


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
    corpus = (SEED_CORPUS / "kubeflow-alternatives.md").read_text(encoding="utf-8")
    for case in load_cases():
        for group in case.evidence:
            assert any(metrics.contains(corpus, p) for p in group), (case.id, group)
        for group in case.facts:
            assert any(metrics.contains(corpus, p) for p in group), (case.id, group)


# -- the schema --------------------------------------------------------------------------------

def test_schema_error_names_the_file_and_the_case(tmp_path):
    path = write_cases(tmp_path / "bad.yaml", [{"id": "no-facts", "question": "How much?",
                                           "answerable": True, "category": "price",
                                           "split": "dev"}])
    with pytest.raises(DatasetError, match=r"bad\.yaml: case 'no-facts': .*needs `facts`"):
        load_cases([path])


def test_schema_rejects_duplicate_ids_across_files(tmp_path):
    case = {"id": "same", "question": "Hi?", "answerable": False, "category": "offtopic",
            "split": "dev"}
    first = write_cases(tmp_path / "a.yaml", [case])
    second = write_cases(tmp_path / "b.yaml", [case])
    with pytest.raises(DatasetError, match=r"b\.yaml: case 'same': duplicate id .*a\.yaml"):
        load_cases([first, second])


def test_schema_rejects_unknown_fields_and_both_question_and_turns(tmp_path):
    with pytest.raises(DatasetError, match=r"t\.yaml: case 'c': fact: Extra inputs are not "):
        typo = {**make_case().model_dump(), "fact": "typo"}
        load_cases([write_cases(tmp_path / "t.yaml", [typo])])
    with pytest.raises(ValueError, match="exactly one of `question` or `turns`"):
        make_case(turns=["a", "b"])


def test_schema_rejects_a_forbidden_phrase_that_can_never_match(tmp_path):
    # Matching ignores [n] markers and `**`, so "[1]" is empty there and could never fire.
    path = write_cases(tmp_path / "f.yaml", [{**make_case(id="marker").model_dump(),
                                         "must_not_contain": ["Paris", "[1]"]}])
    with pytest.raises(DatasetError, match=r"f\.yaml: case 'marker': must_not_contain: .*'\[1\]'"
                       r" is empty .* can never match"):
        load_cases([path])
    assert make_case(must_not_contain=["$500"]).must_not_contain == ["$500"]


def test_schema_rejects_an_unknown_tool_naming_it(tmp_path):
    path = write_cases(tmp_path / "t.yaml", [{**make_case(id="typo").model_dump(),
                                         "tools": ["Ray", "Weights and Biases"]}])
    with pytest.raises(DatasetError, match=r"case 'typo': tools: .*unknown tool "
                       r"'Weights and Biases': use one of Kubeflow, .*KServe"):
        load_cases([path])
    assert make_case(tools=["KServe", "Weights & Biases"]).tools == ["KServe", "Weights & Biases"]


def test_schema_ties_the_category_to_answerable():
    unanswerable = {"facts": [], "evidence": [], "answerable": False}
    with pytest.raises(ValueError, match="`offtopic` case is unanswerable"):
        make_case(category="offtopic")
    with pytest.raises(ValueError, match="`out-of-corpus` case is unanswerable"):
        make_case(category="out-of-corpus")
    with pytest.raises(ValueError, match="`price` case asks what the corpus states"):
        make_case(category="price", **unanswerable)
    # An injection may carry a real question (answerable) or only the injection (refused).
    assert make_case(category="injection").answerable
    assert not make_case(category="injection", **unanswerable).answerable


def test_schema_a_folder_and_a_file_inside_it_are_read_once(tmp_path):
    path = write_cases(tmp_path / "one.yaml", [make_case(id="only").model_dump()])
    assert [c.id for c in load_cases([tmp_path, path])] == ["only"]


def test_schema_bare_string_is_a_group_of_one():
    assert make_case(facts=["$15", ["42.2K", "42,200"]]).facts == [["$15"], ["42.2K", "42,200"]]


# -- the metrics on hand-made answers ----------------------------------------------------------

def test_metrics_fact_recall_counts_groups_and_whole_words():
    case = make_case(facts=[["Ray"], ["42.2K", "42,200"]])
    assert metrics.fact_recall(case, "Ray has 42,200 stars [1].") == (1.0, [])
    assert metrics.fact_recall(case, "An array of 42.2K things.") == (0.5, ["Ray"])
    assert metrics.fact_recall(case, "Ray has 42.2K stars.", answerable=False)[0] == 0.0


def test_metrics_grounding_fails_when_the_fact_is_in_no_cited_passage():
    case = make_case()
    good = make_answer("ClearML costs $15 [1].", ["| ClearML | From $15/month |"])
    bad = make_answer("ClearML costs $15 [1].", ["ClearML auto-logs experiments."])
    assert metrics.grounding(case, good) == 1.0
    assert metrics.grounding(case, bad) == 0.0


def test_metrics_grounding_checks_the_passages_the_stating_sentence_cites():
    # $15 is in passage 2, but the sentence stating it cites only passage 1.
    cited = ["ClearML auto-logs experiments.", "| ClearML | From $15/month |"]
    wrong = make_answer("ClearML costs $15 [1]. It is a platform [2].", cited)
    right = make_answer("ClearML is a platform [1]. It costs $15 [2].", cited)
    unmarked = make_answer("ClearML costs $15. It is a platform [1][2].", cited)
    assert metrics.grounding(make_case(), wrong) == 0.0
    assert metrics.grounding(make_case(), right) == 1.0
    assert metrics.grounding(make_case(), unmarked) == 1.0  # no marker: any cited passage


def test_metrics_citation_validity_needs_every_marker_to_resolve():
    assert metrics.citation_validity(make_answer("A [1]. B [2].", ["a", "b"])) == 1.0
    assert metrics.citation_validity(make_answer("A [1]. B [3].", ["a", "b"])) == 0.0
    assert metrics.citation_validity(make_answer("No markers.", ["a"])) == 0.0
    assert metrics.citation_validity(make_answer("Refused.", [], answerable=False)) == 1.0


def test_metrics_citation_validity_needs_every_citation_to_be_pointed_at():
    assert metrics.citation_validity(make_answer("A [1].", ["a", "b", "c"])) == 0.0
    assert metrics.citation_validity(make_answer("A [1][3]. B [2].", ["a", "b", "c"])) == 1.0
    assert metrics.citation_validity(make_answer("A [1].", [], answerable=False)) == 0.0


def test_metrics_citation_precision_is_the_share_of_citations_holding_evidence():
    case = make_case(related=["starting at $15 per month"])
    answer = make_answer("$15 [1][2][3].", ["From $15/month", "starting at $15 per month", "other"])
    assert metrics.citation_precision(case, answer) == pytest.approx(2 / 3)
    assert metrics.citation_precision(case, make_answer("x", [], answerable=False)) is None


def test_metrics_unsupported_numbers_are_found():
    answer = make_answer("It costs $15 [1], or $99 for 2 seats [1].",
                         ["From $15/month for 2 seats"])
    assert metrics.unsupported_numbers(answer) == (["$99"], 3)


@pytest.mark.parametrize(("stated", "passage"), [
    ("$15", "15% lower"), ("42.2M", "42.2K stars"), ("30 billion", "30x cheaper"),
    ("2-1", "1-2 weeks"), ("15%", "$15/month"), ("$60", "60 GPUs"),
])
def test_metrics_a_number_needs_its_unit_currency_and_range(stated, passage):
    answer = make_answer(f"It is {stated} [1].", [passage])
    assert metrics.unsupported_numbers(answer)[0], (stated, passage)


@pytest.mark.parametrize(("stated", "passage"), [
    ("30,000", "30000 runs"), ("$60", "$60/month for Pro"), ("42.2K", "42,200 stars"),
    ("1–2", "1-2 weeks"), ("82%", "82% lower"), ("30x", "30x cost reduction"),
])
def test_metrics_a_number_in_another_form_is_still_supported(stated, passage):
    assert metrics.unsupported_numbers(make_answer(f"It is {stated} [1].", [passage])) == ([], 1)


def test_number_tokens_read_currency_scale_unit_and_range_as_one():
    assert number_tokens("From $15/month, 42.2K stars, 30x, 82%, 1-2 weeks, 30 million") == {
        "$15", "42200", "30x", "82%", "1-2", "30000000"}
    assert number_tokens("v3.11 and Apache-2.0 [3]") == {"3.11", "2.0"}


def test_metrics_unsupported_numbers_checks_the_passages_the_sentence_cites():
    cited = ["| ClearML | From $15/month |", "W&B: $60/month for Pro teams"]
    crossed = make_answer("ClearML costs $15 [2]. W&B costs $60 [1].", cited)
    assert metrics.unsupported_numbers(crossed) == (["$15", "$60"], 2)
    straight = make_answer("ClearML costs $15 [1]. W&B costs $60 [2].", cited)
    assert metrics.unsupported_numbers(straight) == ([], 2)
    unmarked = make_answer("ClearML costs $15 and W&B $60. Both have tiers [1][2].", cited)
    assert metrics.unsupported_numbers(unmarked) == ([], 2)


def test_metrics_refusal_accuracy_both_ways():
    refusal = make_answer("The corpus does not cover that.", [], answerable=False)
    unanswerable = make_case(facts=[], evidence=[], answerable=False, category="offtopic")
    assert metrics.refusal_correct(unanswerable, refusal)
    assert metrics.refusal_correct(make_case(), refusal) is None  # answerable: a false refusal
    assert not metrics.refusal_correct(unanswerable, make_answer("Paris [1].", ["Paris"]))


def test_metrics_refusal_accuracy_and_false_refusals_are_apart():
    refusal = make_answer("The corpus does not cover that.", [], answerable=False)
    answered = make_answer("ClearML costs $15 [1].", ["From $15/month"])
    unanswerable = make_case(id="u", facts=[], evidence=[], answerable=False, category="offtopic")
    cases = [unanswerable, unanswerable, make_case(), make_case(), make_case(), make_case()]
    answers = [refusal, answered, refusal, answered, answered, answered]
    scores = [metrics.score_case(c, metrics.Observation(a, [], 1.0), k=5)
              for c, a in zip(cases, answers, strict=True)]
    figures = metrics.aggregate(cases, scores)
    assert figures["refusal_accuracy"] == 0.5  # of the 2 unanswerable cases
    assert figures["false_refusal_rate"] == 0.25  # of the 4 answerable ones
    assert "refused an answerable question" in scores[2].issues


def test_metrics_retrieval_recall_and_reciprocal_rank():
    case = make_case(evidence=["From $15/month", "$60/month"])
    passages = ["nothing", "From $15/month", "more", "$60/month Pro"]
    assert metrics.retrieval(case, passages, k=2) == (0.5, 0.5)
    assert metrics.retrieval(case, passages, k=4) == (1.0, 0.5)


def test_metrics_reciprocal_rank_counts_evidence_not_related_text():
    case = make_case(evidence=["From $15/month"], related=["ClearML"])
    passages = ["ClearML auto-logs", "From $15/month"]
    assert metrics.retrieval(case, passages, k=2) == (1.0, 0.5)


def test_metrics_case_issues_and_percentiles():
    score = metrics.score_case(
        make_case(must_not_contain=["82%"]),
        metrics.Observation(make_answer("82% lower costs [1].", ["82% lower"]), [], 5.0), k=5,
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


def test_datasets_dev_and_test_share_no_evidence():
    # Tuning on dev must not teach the answers of test: no evidence text is in both splits.
    # The decision cases share their anchors by design (one question, several phrasings).
    by_split: dict[str, set[str]] = {"dev": set(), "test": set()}
    for case in load_cases():
        if case.category == "decide":
            continue
        by_split[case.split] |= {e.lower() for group in case.evidence for e in group}
    assert by_split["dev"] & by_split["test"] == set()
