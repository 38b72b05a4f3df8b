"""The HTTP API served by a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
import time

import httpx
import pytest
import uvicorn

from assistant.api import create_app


@pytest.fixture(scope="module")
def base_url(assistant):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(assistant.settings, assistant),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_api_health_and_readiness(base_url):
    assert httpx.get(f"{base_url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{base_url}/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_api_chat_returns_the_answer_object(base_url):
    response = httpx.post(f"{base_url}/v1/chat", json={"message": "What does Comet cost?"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"id", "answer", "citations", "answerable", "mode", "timings_ms"}
    assert "$19" in body["answer"] and body["answerable"] and body["mode"] == "extractive"
    citation = body["citations"][0]
    assert citation["n"] == 1 and "$19/month" in citation["text"]
    assert set(citation) >= {"doc_id", "title", "section", "source", "text", "score"}


def test_api_chat_uses_history(base_url):
    response = httpx.post(f"{base_url}/v1/chat", json={
        "message": "How much does it cost?",
        "history": [{"role": "user", "content": "Tell me about ClearML"},
                    {"role": "assistant", "content": "ClearML is a platform."}],
    })
    assert "$15" in response.json()["answer"]


def test_api_chat_streams_server_sent_events(base_url):
    events = []
    with httpx.stream("POST", f"{base_url}/v1/chat",
                      json={"message": "How many GitHub stars does Ray have?", "stream": True}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        for block in r.read().decode().split("\n\n"):
            if block.strip():
                name, data = block.split("\n", 1)
                events.append((name.removeprefix("event: "), json.loads(data[len("data: "):])))
    assert [e for e, _ in events][0] == "citations" and events[-1][0] == "done"
    streamed = "".join(d["text"] for e, d in events if e == "delta")
    assert streamed == events[-1][1]["answer"] and "42.2K" in streamed


def test_api_search_ranks_passages(base_url):
    response = httpx.post(f"{base_url}/v1/search", json={"query": "ray pricing", "k": 2})
    results = response.json()["results"]
    assert len(results) == 2 and "| Ray |" in results[0]["text"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/v1/chat", {"message": "   "}, 422),
        ("POST", "/v1/chat", {"message": "x" * 4001}, 422),
        ("POST", "/v1/chat", {"message": "hi", "top_k": 0}, 422),
        ("POST", "/v1/chat", {"message": "hi", "history": [{"role": "robot", "content": "x"}]},
         422),
        ("POST", "/v1/chat", "not json", 422),
        ("POST", "/v1/search", {"query": ""}, 422),
        ("GET", "/v1/nowhere", None, 404),
        ("GET", "/v1/chat", None, 405),
    ],
)
def test_api_bad_requests_get_json_errors(base_url, method, path, body, status):
    kwargs = {"content": body} if isinstance(body, str) else {"json": body}
    response = httpx.request(method, f"{base_url}{path}", **(kwargs if body is not None else {}))
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] and error["message"]
    assert "Traceback" not in response.text
