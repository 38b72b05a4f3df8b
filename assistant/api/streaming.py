"""Server-Sent Events for `/v1/chat` and `/v1/chat/completions`."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Iterable, Iterator

from assistant.answers import Answer
from assistant.api.metrics import ApiMetrics

log = logging.getLogger(__name__)

WORDS_PER_DELTA = 8


def pieces(text: str) -> Iterator[str]:
    """The text in small pieces that join back to exactly the text."""
    words = text.split(" ")
    for start in range(0, len(words), WORDS_PER_DELTA):
        last = start + WORDS_PER_DELTA >= len(words)
        yield " ".join(words[start : start + WORDS_PER_DELTA]) + ("" if last else " ")


def chat_events(answer: Answer) -> Iterator[str]:
    """`citations`, then the answer in `delta` pieces, then `done` with the whole object."""
    citations = [c.model_dump() for c in answer.citations]
    yield _event("citations", json.dumps(citations))
    for piece in pieces(answer.answer):
        yield _event("delta", json.dumps({"text": piece}))
    yield _event("done", answer.model_dump_json())


def completion_chunks(answer: Answer, content: str, model: str) -> Iterator[str]:
    """OpenAI `chat.completion.chunk` events: role, content pieces, stop with citations, [DONE]."""
    base = {"id": f"chatcmpl-{answer.id}", "object": "chat.completion.chunk",
            "created": int(time.time()), "model": model}

    def chunk(delta: dict, finish: str | None = None, **extra: object) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return f"data: {json.dumps(base | {'choices': [choice]} | extra)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for piece in pieces(content):
        yield chunk({"content": piece})
    yield chunk({}, "stop", citations=[c.model_dump() for c in answer.citations])
    yield "data: [DONE]\n\n"


async def until_disconnect(events: Iterable[str], metrics: ApiMetrics) -> AsyncIterator[str]:
    """Send events; if the client goes away, stop and count it (no work continues for it)."""
    finished = False
    try:
        for event in events:
            yield event
        finished = True
    finally:
        if not finished:
            metrics.disconnects.inc()
            log.info("client disconnected mid-stream")


def _event(name: str, data: str) -> str:
    return f"event: {name}\ndata: {data}\n\n"
