"""`/v1/chat/completions` and `/v1/models`: OpenAI-compatible, for any OpenAI client or chat UI."""

import time

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from assistant.answers import Answer
from assistant.api.deps import ServicesDep
from assistant.api.errors import ApiError
from assistant.api.schemas import (
    MAX_MESSAGE_CHARS,
    ChatMessage,
    Completion,
    CompletionChoice,
    CompletionRequest,
    ErrorResponse,
)
from assistant.api.streaming import completion_chunks, until_disconnect

MODEL_ID = "platform-assistant"

router = APIRouter(prefix="/v1", tags=["openai"], responses={422: {"model": ErrorResponse}})


@router.post(
    "/chat/completions",
    response_model=Completion,
    summary="OpenAI-compatible chat completion",
    responses={200: {"content": {"text/event-stream": {}}}},
)
def completions(body: CompletionRequest, services: ServicesDep) -> Completion | StreamingResponse:
    """The last user message is the question, earlier turns the history; sources are appended."""
    question, history = _conversation(body.messages)
    answer = services.answer(question, history, channel="openai")
    content = with_sources(answer)
    if body.stream:
        events = until_disconnect(completion_chunks(answer, content, body.model), services.metrics)
        return StreamingResponse(events, media_type="text/event-stream",
                                 headers={"cache-control": "no-cache"})
    prompt_tokens = sum(len(m.text().split()) for m in body.messages)
    completion_tokens = len(content.split())
    return Completion(
        id=f"chatcmpl-{answer.id}",
        created=int(time.time()),
        model=body.model,
        choices=[CompletionChoice(message={"role": "assistant", "content": content})],
        usage={"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
               "total_tokens": prompt_tokens + completion_tokens},
        citations=answer.citations,
    )


@router.get("/models", summary="The one model this server offers")
def models() -> dict[str, object]:
    """OpenAI's model list, so chat UIs can pick the assistant."""
    return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0,
                                        "owned_by": MODEL_ID}]}


def with_sources(answer: Answer) -> str:
    """The answer followed by a "Sources" list, for clients that only show the content."""
    if not answer.citations:
        return answer.answer
    lines = [answer.answer, "", "Sources:"]
    for c in answer.citations:
        where = f"{c.title} — {c.section}" if c.section else c.title
        lines.append(f"[{c.n}] {where} ({c.source})")
    return "\n".join(lines)


def _conversation(messages: list[ChatMessage]) -> tuple[str, list[dict[str, str]]]:
    """Split the messages into the question (last user turn) and the history before it."""
    last = messages[-1]
    question = last.text().strip()
    if last.role != "user" or not question:
        raise ApiError(422, "invalid_request",
                       "messages: the last message must be a non-empty `user` message.")
    if len(question) > MAX_MESSAGE_CHARS:
        raise ApiError(422, "invalid_request",
                       f"messages: the question is over {MAX_MESSAGE_CHARS} characters.")
    # System and tool turns carry instructions, not conversation: the corpus decides the answer.
    history = [{"role": m.role, "content": m.text()} for m in messages[:-1]
               if m.role in {"user", "assistant"}]
    return question, history
