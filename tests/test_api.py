"""The HTTP API's contract, against a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import json
import re
import shutil
import socket
import time

import httpx
import pytest

from assistant.api import create_app
from tests.servers import serving


@pytest.fixture(scope="module")
def base_url(assistant):
    with serving(create_app(assistant.settings, assistant)) as url:
        yield url


def sse_events(text: str) -> list[tuple[str, object]]:
    """Parse `event:`/`data:` blocks."""
    events = []
    for block in text.split("\n\n"):
        if block.strip():
            name, data = block.split("\n", 1)
            events.append((name.removeprefix("event: "), json.loads(data.removeprefix("data: "))))
    return events


def test_api_health_and_readiness(base_url):
    assert httpx.get(f"{base_url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{base_url}/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_api_readiness_is_503_until_the_index_loads_then_recovers(seed_settings, tmp_path):
    # No index and no corpus yet: the loader fails, the process stays up, says so, and retries.
    corpus = tmp_path / "corpus"
    settings = seed_settings.model_copy(update={"index_dir": tmp_path / "i",
                                                "corpus_dir": corpus})
    with serving(create_app(settings)) as url:
        assert httpx.get(f"{url}/healthz").status_code == 200
        deadline = time.monotonic() + 10
        while (ready := httpx.get(f"{url}/readyz")).json()["error"]["message"].endswith(
            "retry shortly"
        ) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.status_code == 503 and ready.json()["error"]["code"] == "not_ready"
        assert "could not load" in ready.json()["error"]["message"]
        assert str(tmp_path) not in ready.text  # details stay in the server's log
        chat = httpx.post(f"{url}/v1/chat", json={"message": "hi"})
        assert chat.status_code == 503 and chat.headers["retry-after"]
        shutil.copytree(seed_settings.corpus_dir, corpus)
        deadline = time.monotonic() + 60
        while httpx.get(f"{url}/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        answer = httpx.post(f"{url}/v1/chat", json={"message": "Who built Metaflow?"})
        assert answer.status_code == 200 and "Netflix" in answer.json()["answer"]


def test_api_answers_even_when_the_feedback_store_is_broken(assistant, tmp_path):
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the database's folder should be")
    settings = assistant.settings.model_copy(update={"feedback_db": blocked / "f.sqlite3"})
    with serving(create_app(settings, assistant)) as url:
        answer = httpx.post(f"{url}/v1/chat", json={"message": "What does Comet cost?"})
    assert answer.status_code == 200 and "$19" in answer.json()["answer"]


def test_api_chat_returns_the_answer_object(base_url):
    response = httpx.post(f"{base_url}/v1/chat", json={"message": "What does Comet cost?"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"id", "answer", "citations", "answerable", "mode", "timings_ms"}
    assert "$19" in body["answer"] and body["answerable"] and body["mode"] == "extractive"
    citation = body["citations"][0]
    assert citation["n"] == 1 and "$19/month" in citation["text"]
    assert set(citation) >= {"doc_id", "title", "section", "source", "text", "score"}
    assert {int(n) for n in re.findall(r"\[(\d+)\]", body["answer"])} <= {
        c["n"] for c in body["citations"]}


def test_api_chat_uses_history(base_url):
    response = httpx.post(f"{base_url}/v1/chat", json={
        "message": "How much does it cost?",
        "history": [{"role": "user", "content": "Tell me about ClearML"},
                    {"role": "assistant", "content": "ClearML is a platform."}],
    })
    assert "$15" in response.json()["answer"]


def test_api_chat_refuses_what_the_corpus_does_not_cover(base_url):
    body = httpx.post(f"{base_url}/v1/chat",
                      json={"message": "What is the capital of France?"}).json()
    assert body["answerable"] is False and body["citations"] == []


def test_api_chat_streams_server_sent_events(base_url):
    question = {"message": "How many GitHub stars does Ray have?", "stream": True}
    with httpx.stream("POST", f"{base_url}/v1/chat", json=question) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = sse_events(r.read().decode())
    assert events[0][0] == "citations" and events[-1][0] == "done"
    assert {name for name, _ in events[1:-1]} == {"delta"}
    streamed = "".join(d["text"] for e, d in events if e == "delta")
    assert streamed == events[-1][1]["answer"] and "42.2K" in streamed
    assert events[0][1] == events[-1][1]["citations"]


def test_api_stream_abrupt_disconnects_leave_the_server_serving(base_url):
    port = int(base_url.rsplit(":", 1)[1])
    body = json.dumps({"message": "Should we leave Kubeflow?", "stream": True}).encode()
    for _ in range(5):
        with socket.create_connection(("127.0.0.1", port)) as raw:
            raw.sendall(b"POST /v1/chat HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                        b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            assert raw.recv(64).startswith(b"HTTP/1.1 200")
    answer = httpx.post(f"{base_url}/v1/chat", json={"message": "Who built Metaflow?"})
    assert answer.status_code == 200 and "Netflix" in answer.json()["answer"]


def test_api_search_ranks_passages(base_url):
    response = httpx.post(f"{base_url}/v1/search", json={"query": "ray pricing", "k": 2})
    results = response.json()["results"]
    assert len(results) == 2 and "| Ray |" in results[0]["text"]
    assert results[0]["score"] >= results[1]["score"]


def test_api_feedback_is_stored_for_a_served_answer(base_url, assistant):
    answer = httpx.post(f"{base_url}/v1/chat", json={"message": "What license does BentoML use?"})
    answer_id = answer.json()["id"]
    stored = httpx.post(f"{base_url}/v1/feedback",
                        json={"id": answer_id, "rating": "down", "comment": "too short"})
    assert stored.status_code == 201 and stored.json()["answer_id"] == answer_id
    from assistant.feedback import FeedbackStore

    records = [r for r in FeedbackStore(assistant.settings.feedback_db).records("down")
               if r.answer_id == answer_id]
    assert records[0].comment == "too short"
    assert records[0].message == "What license does BentoML use?"
    assert "Apache" in records[0].answer


def test_api_feedback_for_an_unknown_answer_is_404(base_url):
    response = httpx.post(f"{base_url}/v1/feedback", json={"id": "nope", "rating": "up"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "unknown_answer"


def test_api_metrics_count_requests_answers_and_refusals(base_url):
    httpx.post(f"{base_url}/v1/chat", json={"message": "How much does SageMaker cost?"})
    text = httpx.get(f"{base_url}/metrics").text
    assert re.search(r'assistant_requests_total\{endpoint="/v1/chat",method="POST",status="200"\}'
                     r" [1-9]", text)
    assert 'assistant_request_duration_seconds_bucket{endpoint="/v1/chat"' in text
    assert re.search(r'assistant_answers_total\{channel="api",mode="extractive"\} [1-9]', text)
    assert re.search(r'assistant_refusals_total\{channel="api"\} [1-9]', text)


def test_api_request_id_is_echoed_or_made(base_url):
    given = httpx.get(f"{base_url}/healthz", headers={"x-request-id": "trace-42"})
    assert given.headers["x-request-id"] == "trace-42"
    made = httpx.get(f"{base_url}/healthz", headers={"x-request-id": "bad id\twith spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    error = httpx.get(f"{base_url}/nowhere")
    assert error.headers["x-request-id"]


def test_api_docs_show_an_example_for_every_schema(base_url):
    assert "swagger" in httpx.get(f"{base_url}/docs").text.lower()
    schemas = httpx.get(f"{base_url}/openapi.json").json()["components"]["schemas"]
    ours = {name: s for name, s in schemas.items()
            if name not in {"HTTPValidationError", "ValidationError"}}
    missing = [name for name, s in ours.items() if "examples" not in s and "example" not in s]
    assert {"ChatRequest", "Answer", "Completion", "FeedbackRequest"} <= set(ours)
    assert missing == []
