"""Bad input, auth, rate limits, CORS and load, against a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from pydantic import SecretStr

from assistant.api import create_app
from tests.servers import serving

JSON = {"content-type": "application/json"}
BIG = 1_048_576 + 1


@pytest.fixture(scope="module")
def base_url(assistant):
    with serving(create_app(assistant.settings, assistant)) as url:
        yield url


def _served(assistant, **settings):
    return serving(create_app(assistant.settings.model_copy(update=settings), assistant))


def _chunked(data: bytes, size: int = 65536):
    for start in range(0, len(data), size):
        yield data[start : start + size]


MALFORMED = [
    ("malformed JSON", "POST", "/v1/chat", b'{"message": ', JSON, 400),
    ("invalid UTF-8", "POST", "/v1/chat", b'{"message": "\xff\xfe"}', JSON, 400),
    ("deeply nested JSON", "POST", "/v1/chat", b"[" * 100_000, JSON, 400),
    ("array instead of object", "POST", "/v1/chat", b'["hi"]', JSON, 422),
    ("string instead of object", "POST", "/v1/chat", b'"hi"', JSON, 422),
    ("missing message", "POST", "/v1/chat", {"history": []}, JSON, 422),
    ("message of the wrong type", "POST", "/v1/chat", {"message": 42}, JSON, 422),
    ("empty message", "POST", "/v1/chat", {"message": ""}, JSON, 422),
    ("whitespace-only message", "POST", "/v1/chat", {"message": " \n\t "}, JSON, 422),
    ("message over 4000 characters", "POST", "/v1/chat", {"message": "x" * 4001}, JSON, 422),
    ("history not a list", "POST", "/v1/chat", {"message": "hi", "history": "no"}, JSON, 422),
    ("history over 50 turns", "POST", "/v1/chat",
     {"message": "hi", "history": [{"role": "user", "content": "x"}] * 51}, JSON, 422),
    ("history with an unknown role", "POST", "/v1/chat",
     {"message": "hi", "history": [{"role": "robot", "content": "x"}]}, JSON, 422),
    ("history turn without content", "POST", "/v1/chat",
     {"message": "hi", "history": [{"role": "user"}]}, JSON, 422),
    ("top_k zero", "POST", "/v1/chat", {"message": "hi", "top_k": 0}, JSON, 422),
    ("top_k too large", "POST", "/v1/chat", {"message": "hi", "top_k": 21}, JSON, 422),
    ("top_k not a number", "POST", "/v1/chat", {"message": "hi", "top_k": "five"}, JSON, 422),
    ("stream not a boolean", "POST", "/v1/chat", {"message": "hi", "stream": []}, JSON, 422),
    ("stream as a string", "POST", "/v1/chat", {"message": "hi", "stream": "yes"}, JSON, 422),
    ("top_k as a boolean", "POST", "/v1/chat", {"message": "hi", "top_k": True}, JSON, 422),
    ("top_k as a string", "POST", "/v1/chat", {"message": "hi", "top_k": "5"}, JSON, 422),
    ("top_k as a float", "POST", "/v1/chat", {"message": "hi", "top_k": 5.5}, JSON, 422),
    ("completion message over 20000 characters", "POST", "/v1/chat/completions",
     {"messages": [{"role": "user", "content": "x" * 20_001}]}, JSON, 422),
    ("text/plain body", "POST", "/v1/chat", b'{"message": "hi"}', {"content-type": "text/plain"},
     415),
    ("no content type", "POST", "/v1/chat", b'{"message": "hi"}', {}, 415),
    ("form-encoded body", "POST", "/v1/chat", b"message=hi",
     {"content-type": "application/x-www-form-urlencoded"}, 415),
    ("body over 1 MB", "POST", "/v1/chat", b"{" + b" " * BIG + b"}", JSON, 413),
    ("search k out of range", "POST", "/v1/search", {"query": "ray", "k": 0}, JSON, 422),
    ("search without a query", "POST", "/v1/search", {"k": 3}, JSON, 422),
    ("feedback with an unknown rating", "POST", "/v1/feedback", {"id": "a", "rating": "meh"},
     JSON, 422),
    ("feedback without an id", "POST", "/v1/feedback", {"rating": "up"}, JSON, 422),
    ("completion without messages", "POST", "/v1/chat/completions", {"messages": []}, JSON, 422),
    ("completion ending with an assistant turn", "POST", "/v1/chat/completions",
     {"messages": [{"role": "assistant", "content": "hi"}]}, JSON, 422),
    ("completion with an unknown role", "POST", "/v1/chat/completions",
     {"messages": [{"role": "wizard", "content": "hi"}]}, JSON, 422),
    ("unknown route", "GET", "/v1/nowhere", None, {}, 404),
    ("wrong method", "GET", "/v1/chat", None, {}, 405),
    ("wrong method on a GET route", "DELETE", "/healthz", None, {}, 405),
]


@pytest.mark.parametrize(("kind", "method", "path", "body", "headers", "status"), MALFORMED,
                         ids=[m[0] for m in MALFORMED])
def test_api_malformed_requests_get_json_errors(base_url, kind, method, path, body, headers,
                                                status):
    content = json.dumps(body).encode() if isinstance(body, dict) else body
    response = httpx.request(method, f"{base_url}{path}", content=content, headers=headers)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message"} and error["message"]
    expected_code = {400: "invalid_json", 404: "not_found", 405: "method_not_allowed",
                     413: "payload_too_large", 415: "unsupported_media_type",
                     422: "invalid_request"}[status]
    assert error["code"] == expected_code
    assert "Traceback" not in response.text and 'File "' not in response.text
    if status == 405:
        assert response.headers["allow"]


def test_api_chunked_body_over_the_limit_is_413(base_url):
    # A generator body goes out with Transfer-Encoding: chunked and no Content-Length.
    response = httpx.post(f"{base_url}/v1/chat", headers=JSON,
                          content=_chunked(b'{"message": "' + b"x" * BIG + b'"}'))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_api_keeps_serving_after_bad_requests(base_url):
    for _kind, method, path, body, headers, _ in MALFORMED:
        content = json.dumps(body).encode() if isinstance(body, dict) else body
        httpx.request(method, f"{base_url}{path}", content=content, headers=headers)
    answer = httpx.post(f"{base_url}/v1/chat", json={"message": "Who built Metaflow?"})
    assert answer.status_code == 200 and "Netflix" in answer.json()["answer"]


def test_api_without_keys_needs_no_auth(base_url):
    assert httpx.post(f"{base_url}/v1/search", json={"query": "ray"}).status_code == 200


def test_api_keys_are_required_and_never_logged(assistant, caplog):
    secret = "sk-test-4f1c9a7e"
    caplog.set_level(logging.DEBUG)
    with _served(assistant, api_keys=SecretStr(f"{secret},other-key")) as url:
        chat = {"message": "What does Comet cost?"}
        missing = httpx.post(f"{url}/v1/chat", json=chat)
        wrong = httpx.post(f"{url}/v1/chat", json=chat, headers={"authorization": "Bearer nope"})
        right = httpx.post(f"{url}/v1/chat", json=chat,
                           headers={"authorization": f"Bearer {secret}"})
        metrics = httpx.get(f"{url}/metrics")
        probes = [httpx.get(f"{url}{p}").status_code for p in ("/healthz", "/readyz", "/docs")]
    assert missing.status_code == wrong.status_code == metrics.status_code == 401
    assert missing.json()["error"]["code"] == "unauthorized"
    assert missing.headers["www-authenticate"] == "Bearer"
    assert right.status_code == 200 and "$19" in right.json()["answer"]
    assert probes == [200, 200, 200]
    assert any(r.name == "assistant.access" for r in caplog.records)
    assert secret not in caplog.text and "nope" not in caplog.text
    assert secret not in missing.text + wrong.text


def test_api_rate_limit_answers_429_with_retry_after(assistant):
    with _served(assistant, rate_limit="3/minute", api_keys=SecretStr("key-a,key-b")) as url:
        def search(key: str) -> httpx.Response:
            return httpx.post(f"{url}/v1/search", json={"query": "ray"},
                              headers={"authorization": f"Bearer {key}"})

        statuses = [search("key-a").status_code for _ in range(3)]
        limited = search("key-a")
        other_client = search("key-b")
        health = httpx.get(f"{url}/healthz")
    assert statuses == [200, 200, 200]
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 20
    assert other_client.status_code == 200 and health.status_code == 200


def test_api_rate_limit_counts_failed_keys_and_ignores_forwarded_addresses(assistant):
    with _served(assistant, rate_limit="3/minute", api_keys=SecretStr("right")) as url:
        guesses = [httpx.post(f"{url}/v1/search", json={"query": "ray"},
                              headers={"authorization": f"Bearer guess-{i}"}).status_code
                   for i in range(5)]
    assert guesses[:3] == [401, 401, 401] and guesses[3:] == [429, 429]
    with _served(assistant, rate_limit="3/minute") as url:
        spoofed = [httpx.post(f"{url}/v1/search", json={"query": "ray"},
                              headers={"x-forwarded-for": f"10.0.0.{i}"}).status_code
                   for i in range(5)]
    assert spoofed[:3] == [200, 200, 200] and spoofed[3:] == [429, 429]


def test_api_cors_is_closed_unless_configured(base_url, assistant):
    preflight = {"origin": "https://ui.example", "access-control-request-method": "POST"}
    closed = httpx.options(f"{base_url}/v1/chat", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    with _served(assistant, cors_origins="https://ui.example") as url:
        opened = httpx.options(f"{url}/v1/chat", headers=preflight)
        other = httpx.options(f"{url}/v1/chat",
                              headers={**preflight, "origin": "https://evil.example"})
    assert opened.headers["access-control-allow-origin"] == "https://ui.example"
    assert "access-control-allow-origin" not in other.headers


def test_api_load_16_concurrent_clients_zero_errors(base_url):
    questions = ["What does Comet cost?", "Who built Metaflow?", "Should we leave Kubeflow?",
                 "MLflow vs Ray", "What license does BentoML use?", "How much does SageMaker cost?",
                 "Which tool if serving is our bottleneck?", "How many stars does Ray have?"]

    def client(worker: int) -> list[tuple[int, bool]]:
        results = []
        with httpx.Client(base_url=base_url, timeout=30) as http:
            for i in range(20):
                question = questions[(worker + i) % len(questions)]
                response = http.post("/v1/chat", json={"message": question})
                results.append((response.status_code, bool(response.json().get("answer"))))
        return results

    with ThreadPoolExecutor(16) as pool:
        outcomes = [r for batch in pool.map(client, range(16)) for r in batch]
    assert len(outcomes) == 320
    assert outcomes.count((200, True)) == 320
