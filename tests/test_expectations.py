"""What a question expects of its answer, and the answers that follow from it."""

from __future__ import annotations

import pytest

from assistant.expectations import (
    answer_kinds,
    asks_for_drawbacks,
    asks_for_several,
    compared_aspect,
    negated_terms,
    states_drawback,
)


def test_expectations_compared_aspect_drops_tools_and_comparison_words():
    assert compared_aspect("Which has more GitHub stars, MLflow or BentoML?",
                           ["MLflow", "BentoML"]) == "github stars"
    assert compared_aspect("How does Ray's architecture differ from Kubeflow's?",
                           ["Ray", "Kubeflow"]) == "architecture"
    assert compared_aspect("How long does Ray take to learn compared with Metaflow?",
                           ["Ray", "Metaflow"]).startswith("how long")
    assert compared_aspect("MLflow vs Ray: which fits us?", ["MLflow", "Ray"]) == ""


def test_expectations_negated_terms_are_what_follows_the_negation():
    assert negated_terms("Which tool if nobody on the team knows Kubernetes?") >= {"kubernet"}
    # "not just" adds a need rather than ruling one out.
    assert negated_terms("We run parallel Python jobs, not just ML pipelines.") == frozenset()
    assert negated_terms("What should we use without a platform team?") >= {"platform"}
    assert negated_terms("Which tool is best for serving?") == frozenset()


def test_expectations_answer_kinds_are_what_a_which_question_asks_for():
    assert answer_kinds("Which tool is free?") == {"tool"}
    assert answer_kinds("What open-source platforms track experiments?") == {"platform"}
    # Here the alternatives are the topic, not the kind of answer.
    assert answer_kinds("What are the alternatives to Kubeflow?") == frozenset()


def test_expectations_a_question_in_the_plural_asks_for_several_tools():
    assert asks_for_several("Which tools are free?")
    assert asks_for_several("Are any of the tools free?")
    assert asks_for_several("Which of these platforms track experiments?")
    assert not asks_for_several("Which tool is free?")
    assert answer_kinds("Which of these tools are free to use?") == {"tool"}


def test_expectations_a_downside_question_asks_for_one_side():
    assert asks_for_drawbacks("What's the catch with Ray?")
    assert asks_for_drawbacks("What do we lose by moving serving to BentoML?")
    assert not asks_for_drawbacks("What are the pros and cons of Kubeflow's design?")
    assert not asks_for_drawbacks("Does Ray catch exceptions?")


def test_expectations_a_drawback_is_stated_not_denied():
    assert states_drawback("This narrower scope means less complexity but requires pairing.")
    assert states_drawback("The serving API signatures will change, requiring client updates.")
    assert not states_drawback("A gentle learning curve that does not require Kubernetes.")
    assert not states_drawback("Neither requires your data scientists to understand it.")
    assert not states_drawback("Comparable features with significantly less operational overhead.")
    assert not states_drawback("Choose BentoML if serving is your bottleneck.")
    assert not states_drawback("MLflow abstracts away complexity with minimal overhead.")
    assert states_drawback("Upgrades keep breaking existing pipelines.")
    assert states_drawback("Its setup is complex and a platform team is required.")


@pytest.mark.parametrize(
    "question",
    [
        "Which tool fits a team where nobody knows Kubernetes?",
        "Which platform if no one here understands Kubernetes?",
        "What should we pick if our data scientists don't know Kubernetes?",
    ],
)
def test_answers_recommendation_never_offers_what_a_negated_need_rules_out(assistant, question):
    answer = assistant.ask(question)
    assert answer.answerable
    assert "must understand Kubernetes" not in answer.answer
    assert "MLflow" in answer.answer or "Metaflow" in answer.answer


def test_answers_comparison_answers_the_aspect_asked(assistant):
    answer = assistant.ask("Which has fewer GitHub stars, Kubeflow or BentoML?")
    assert "15.6K" in answer.answer and "8.6K" in answer.answer


def test_answers_recommendation_meets_a_negated_need(assistant):
    answer = assistant.ask("What should we use if we have no platform team to run Kubernetes?")
    lead = answer.answer.splitlines()[0]
    assert "MLflow" in lead or "Metaflow" in lead
    assert "not require" in lead or "Neither requires" in lead


def test_answers_paraphrase_in_words_the_corpus_lacks_is_answered(assistant):
    answer = assistant.ask("What is W&B strong at?")
    assert answer.answerable and "excels" in answer.answer


def test_answers_topic_the_corpus_lacks_is_refused_even_with_a_known_tool(assistant):
    answer = assistant.ask("Which office does the Metaflow team work from?")
    assert not answer.answerable and answer.citations == []
