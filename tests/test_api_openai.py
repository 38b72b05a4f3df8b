"""The OpenAI-compatible endpoint, driven by the `openai` client itself."""

from __future__ import annotations

import httpx
import openai
import pytest

from assistant.api import create_app
from tests.servers import serving


@pytest.fixture(scope="module")
def client(assistant):
    with serving(create_app(assistant.settings, assistant)) as url:
        yield openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)


def test_openai_completion_answers_with_sources(client):
    completion = client.chat.completions.create(
        model="platform-assistant",
        messages=[{"role": "user", "content": "What does Comet cost?"}],
    )
    content = completion.choices[0].message.content
    assert completion.object == "chat.completion" and completion.choices[0].finish_reason == "stop"
    assert "$19" in content and "\n\nSources:\n[1] " in content
    citations = completion.model_extra["citations"]
    assert citations[0]["n"] == 1 and "$19/month" in citations[0]["text"]
    assert completion.usage.total_tokens > 0


def test_openai_earlier_messages_are_the_history(client):
    completion = client.chat.completions.create(
        model="platform-assistant",
        messages=[
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": "Tell me about ClearML"},
            {"role": "assistant", "content": "ClearML is an MLOps platform."},
            {"role": "user", "content": [{"type": "text", "text": "How much does it cost?"}]},
        ],
    )
    assert "$15" in completion.choices[0].message.content


def test_openai_stream_ends_with_done_and_carries_citations(client):
    stream = client.chat.completions.create(
        model="platform-assistant", stream=True,
        messages=[{"role": "user", "content": "How many GitHub stars does Ray have?"}],
    )
    chunks = list(stream)  # the client stops at `data: [DONE]`
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert "42.2K" in text and "Sources:" in text
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"][0]["n"] == 1


def test_openai_stream_raw_wire_format(client):
    with httpx.stream("POST", f"{client.base_url}chat/completions",
                      json={"messages": [{"role": "user", "content": "Who built Metaflow?"}],
                            "stream": True}) as response:
        lines = [line for line in response.iter_lines() if line]
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"


def test_openai_lists_the_model(client):
    assert [m.id for m in client.models.list()] == ["platform-assistant"]


def test_openai_client_sees_errors_for_bad_conversations(client):
    with pytest.raises(openai.UnprocessableEntityError) as caught:
        client.chat.completions.create(
            model="platform-assistant",
            messages=[{"role": "assistant", "content": "I answer, nobody asked."}],
        )
    assert caught.value.body["code"] == "invalid_request"
