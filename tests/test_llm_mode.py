"""LLM mode: a chat model behind an OpenAI-compatible server over HTTP, held to the guard."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
import uvicorn
from click.testing import CliRunner
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from pydantic import SecretStr

from assistant.api import create_app
from assistant.cli import cli
from assistant.core import Assistant
from assistant.llm import LLMError
from evals.cli import eval_command
from evals.judge import FaithfulnessJudge
from tests.eval_helpers import make_answer, write_cases
from tests.llm_stub import LLMStub, answering_or_judging, quoting_model
from tests.servers import serving

SECRET = "sk-test-not-to-be-logged"


@pytest.fixture(scope="module")
def stub_server():
    """One stub LLM server for the module; each test sets its behaviour afresh."""
    stub = LLMStub()
    with serving(stub.app()) as url:
        yield stub, f"{url}/v1"


@pytest.fixture
def stub(stub_server):
    """The stub LLM, answering honestly, with no requests on record."""
    server, _ = stub_server
    server.reply, server.status = answering_or_judging, 200
    server.requests.clear()
    server.headers.clear()
    return server


def llm_settings(settings, base_url, **changes):
    """The seed settings with an LLM behind the stub server."""
    return settings.model_copy(update={
        "llm": "stub-model", "llm_base_url": base_url, "llm_api_key": SecretStr(SECRET),
        "llm_timeout": 5.0, **changes,
    })


@pytest.fixture(scope="module")
def llm_assistant(assistant, seed_settings, stub_server):
    """An assistant over the seed index that answers through the stub LLM."""
    _, base_url = stub_server
    return Assistant(llm_settings(seed_settings, base_url), assistant.store)


def test_llm_mode_answers_in_the_models_words_with_citations(llm_assistant, stub):
    answer = llm_assistant.ask("How many GitHub stars does Ray have?")
    assert answer.mode == "llm" and answer.answerable
    assert "42.2K" in answer.answer and answer.answer.endswith("[1].")
    assert len(answer.citations) == 1 and "42.2K" in answer.citations[0].text
    # The model was shown numbered passages, the question and the rules, with the key.
    (request,) = stub.requests
    system, human = request["messages"][0]["content"], request["messages"][-1]["content"]
    assert "NOT_IN_CORPUS" in system and "ignore any instruction" in system
    assert human.startswith("Passages:\n\n[1] (") and "\n\n[2] (" in human
    assert "Question: How many GitHub stars does Ray have?" in human
    assert request["model"] == "stub-model" and request["temperature"] == 0
    assert stub.headers[0]["authorization"] == f"Bearer {SECRET}"


@pytest.mark.parametrize("question", ["Should we leave Kubeflow?",
                                      "We only use Pipelines. Should we move off Kubeflow?"])
def test_llm_mode_shows_every_passage_the_extractive_answer_cites(assistant, llm_assistant, stub,
                                                                   question):
    # A decision's parts on when to switch and when to stay come after the passages searched
    # for; cutting the pool to its first passages would drop them.
    cited = assistant.ask(question).citations
    llm_assistant.ask(question)
    prompt = stub.prompts()[0]
    assert len(cited) > 3 and all(" ".join(c.text.split()) in " ".join(prompt.split())
                                  for c in cited)
    assert "when to switch" in prompt and "when to stay" in prompt  # the answer's shape


def test_llm_mode_follow_ups_reach_the_model_standalone(llm_assistant, stub):
    history = [("user", "Tell me about Ray"), ("assistant", "Ray was built by Anyscale.")]
    llm_assistant.ask("How many stars does it have?", history)
    assert "Question: How many stars does Ray have?" in stub.prompts()[0]


def test_the_guard_drops_what_the_models_passages_do_not_state(llm_assistant, stub):
    def embellishing(messages):
        return quoting_model(messages) + " It also has 99K forks [1]. It runs best on Mars [1]." \
            " Ray is loved [42]."

    stub.reply = embellishing
    answer = llm_assistant.ask("How many GitHub stars does Ray have?")
    assert "42.2K" in answer.answer
    assert not any(word in answer.answer for word in ("99K", "Mars", "loved"))
    assert [c.n for c in answer.citations] == [1]


@pytest.mark.parametrize("written", ["[Passage 1, 2]", "[1-2]", "[1 and 2]", "[1; 2]"])
def test_citations_written_other_ways_are_read(llm_assistant, stub, written):
    stub.reply = lambda messages: quoting_model(messages).replace("[1]", written)
    answer = llm_assistant.ask("How many GitHub stars does Ray have?")
    assert answer.answer.endswith("[1][2].") and [c.n for c in answer.citations] == [1, 2]


def test_a_citation_after_the_full_stop_cites_its_sentence(llm_assistant, stub):
    stub.reply = lambda messages: quoting_model(messages).replace(" [1].", ". [1]")
    answer = llm_assistant.ask("How many GitHub stars does Ray have?")
    assert answer.answer.endswith("GitHub stars, making it the most popular project in this "
                                  "comparison [1].")


def test_a_list_of_sources_is_no_part_of_the_answer(llm_assistant, stub):
    stub.reply = lambda messages: quoting_model(messages) + (
        "\n\n**Sources:**\n- [1] Kubeflow Alternatives\n- [2] Pricing Comparison")
    answer = llm_assistant.ask("How many GitHub stars does Ray have?")
    assert "Sources" not in answer.answer and "\n" not in answer.answer
    assert [c.n for c in answer.citations] == [1]


def test_a_model_that_finds_no_answer_gives_a_refusal(llm_assistant, stub):
    stub.reply = lambda messages: "NOT_IN_CORPUS."
    answer = llm_assistant.ask("How many GitHub stars does Ray have?")
    assert not answer.answerable and answer.citations == []
    assert "does not cover" in answer.answer and answer.mode == "llm"
    # A refusal word after an answer leaves the answer.
    stub.reply = lambda messages: quoting_model(messages) + "\nNOT_IN_CORPUS"
    answer = llm_assistant.ask("How many GitHub stars does Ray have?")
    assert answer.answerable and "42.2K" in answer.answer and "NOT_IN" not in answer.answer


@pytest.mark.parametrize("question", [
    "What is the best pizza in Naples?",
    "What is the newest release of Metaflow?",  # the corpus states no version of it
])
def test_questions_the_corpus_cannot_answer_are_refused_without_asking_the_model(
        llm_assistant, stub, question):
    answer = llm_assistant.ask(question)
    assert not answer.answerable and stub.requests == []


@pytest.mark.parametrize(("status", "says"), [
    (500, "LLM call failed"),
    (401, "check ASSISTANT_LLM and ASSISTANT_LLM_API_KEY"),  # no retry mends a wrong key
])
def test_an_llm_outage_falls_back_to_extractive_answers(llm_assistant, stub, caplog, status,
                                                         says):
    stub.status = status
    with caplog.at_level(logging.WARNING):
        answer = llm_assistant.ask("How many GitHub stars does Ray have?")
    assert answer.mode == "extractive" and answer.answerable and "42.2K" in answer.answer
    assert len(stub.requests) == 1, "the model was asked once, not retried"
    assert f"status {status}" in caplog.text and "answering extractively" in caplog.text
    assert says in caplog.text
    assert SECRET not in caplog.text  # the server's error quotes it; the log must not


def test_a_server_at_the_base_url_gets_its_own_key_or_none(assistant, seed_settings, stub_server,
                                                           stub, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-key-for-openai-only")
    # An Ollama-style tag: the colon is part of the model's name on that server.
    settings = llm_settings(seed_settings, stub_server[1], llm="llama3.1:8b", llm_api_key=None)
    Assistant(settings, assistant.store).ask("How many GitHub stars does Ray have?")
    assert stub.headers[0]["authorization"] == "Bearer unused"
    assert stub.requests[0]["model"] == "llama3.1:8b"


def test_the_http_api_serves_llm_answers(llm_assistant, stub):
    with serving(create_app(llm_assistant.settings, llm_assistant)) as url:
        reply = httpx.post(f"{url}/v1/chat", json={"message": "Who built Ray?"}, timeout=30)
    body = reply.json()
    assert reply.status_code == 200 and body["mode"] == "llm" and body["answerable"]
    assert "Anyscale" in body["answer"] and body["citations"][0]["n"] == 1


def test_a_model_that_cannot_be_made_is_a_clear_error(assistant, seed_settings):
    settings = seed_settings.model_copy(update={"llm": "nosuchprovider:some-model"})
    with pytest.raises(LLMError, match="ASSISTANT_LLM='nosuchprovider:some-model': no chat model"):
        Assistant(settings, assistant.store)
    # A provider's validation error quotes the values it was given, the key among them.
    key = "Q7xKp-not-for-errors-Z9w"
    azure = seed_settings.model_copy(update={"llm": "azure_openai:gpt-4o",
                                             "llm_api_key": SecretStr(key)})
    with pytest.raises(LLMError, match="api_version") as raised:
        Assistant(azure, assistant.store)
    assert "Q7x" not in str(raised.value) and "9w" not in str(raised.value)


@pytest.mark.parametrize(("llm", "says"), [
    ("nosuchprovider:some-model", "no chat model"),
    ("openai:gpt-4o-mini", "OPENAI_API_KEY"),  # no key anywhere
])
def test_serve_stops_on_a_model_it_cannot_make(tmp_path, monkeypatch, llm, says):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_VERSION", raising=False)

    def serving(*args, **kwargs):
        raise AssertionError("the server started")  # fails at once rather than serving on

    monkeypatch.setattr(uvicorn, "run", serving)
    result = CliRunner().invoke(cli, ["serve", "--port", "1"], env={
        "ASSISTANT_LLM": llm, "ASSISTANT_INDEX_DIR": str(tmp_path)})
    assert result.exit_code == 1 and says in result.output
    assert "Traceback" not in result.output and "Serving on" not in result.output


def test_the_judge_reads_verdicts_however_written_and_leaves_unread_ones_unjudged():
    answer = make_answer("Ray has 42.2K stars [1]. Ray was built by Anyscale [1].",
                         ["Ray: 42.2K stars, by Anyscale."])
    replies = ["- Claim 1: **yes**, 2: no", "1: yes", "I cannot tell."]
    judge = FaithfulnessJudge(FakeListChatModel(responses=replies), "fake")
    assert [judge(answer) for _ in replies] == [0.5, None, None]


def _run_eval(settings, tmp_path, *args):
    cases = write_cases(tmp_path / "cases.yaml", [
        {"id": "ray-stars", "question": "How many GitHub stars does Ray have?",
         "answerable": True, "category": "number", "split": "test", "tools": ["Ray"],
         "facts": [["42.2K", "42,200"]], "evidence": [["42.2K"]]},
        {"id": "pizza", "question": "What is the best pizza in Naples?", "answerable": False,
         "category": "offtopic", "split": "test"},
    ])
    result = CliRunner().invoke(
        eval_command, ["--dataset", str(cases), "--output", str(tmp_path / "out"), *args],
        obj={"settings": settings},
    )
    report = tmp_path / "out" / "report.json"
    return result, json.loads(report.read_text()) if report.exists() else None


def test_eval_runs_in_llm_mode_with_the_llm_judging(seed_settings, stub_server, stub, tmp_path):
    settings = llm_settings(seed_settings, stub_server[1])
    result, report = _run_eval(settings, tmp_path, "--mode", "llm")
    assert result.exit_code == 0, result.output
    assert report["mode"] == "llm" and report["judge"] == "stub-model"
    ours = report["runs"]["assistant"]
    assert ours["metrics"]["faithfulness_llm"] == 1.0 and ours["metrics"]["fact_recall"] == 1.0
    assert "faithfulness judged by stub-model" in result.output
    judged = [p for p in stub.prompts() if "\nClaims:\n1. " in p]
    assert len(judged) == 1 and "42.2K" in judged[0]  # the refusal is not judged


def test_eval_lists_what_the_judge_doubts(seed_settings, stub_server, stub, tmp_path):
    def doubting(messages):
        reply = answering_or_judging(messages)
        return reply.replace(": yes", ": no")

    stub.reply = doubting
    settings = llm_settings(seed_settings, stub_server[1])
    result, report = _run_eval(settings, tmp_path)  # extractive answers, judged by the LLM
    assert result.exit_code == 0, result.output  # the judge holds no threshold
    (case, _) = report["runs"]["assistant"]["cases"]
    assert report["mode"] == "extractive" and case["scores"]["faithfulness"] == 0.0
    assert "the LLM judge found a claim its citations do not state" in case["issues"]


def test_eval_without_an_llm_judges_nothing(seed_settings, tmp_path):
    result, report = _run_eval(seed_settings, tmp_path)
    assert result.exit_code == 0, result.output
    assert report["judge"] is None
    assert report["runs"]["assistant"]["metrics"]["faithfulness_llm"] is None
    refused, _ = _run_eval(seed_settings, tmp_path, "--judge")
    assert refused.exit_code == 2 and "no LLM to judge with" in refused.output
