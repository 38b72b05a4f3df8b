"""Request and response shapes of the HTTP API, each with an example for `/docs`."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.answers import Citation, Passage

MAX_MESSAGE_CHARS = 4000
MAX_HISTORY_TURNS = 50


def _example(example: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})


class ErrorDetail(BaseModel):
    """What went wrong, for programs (`code`) and people (`message`)."""

    model_config = _example({"code": "not_found", "message": "Not Found"})

    code: str = Field(description="Stable machine-readable error code.")
    message: str = Field(description="What went wrong and how to fix it.")


class ErrorResponse(BaseModel):
    """Every error the API returns has this shape."""

    model_config = _example(
        {"error": {"code": "invalid_request", "message": "message: String should have at least "
                   "1 character"}}
    )

    error: ErrorDetail


class Message(BaseModel):
    """One earlier turn of the conversation."""

    model_config = _example({"role": "user", "content": "Tell me about ClearML"})

    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


class ChatRequest(BaseModel):
    """A question, the conversation so far and options."""

    model_config = _example(
        {
            "message": "How much does it cost?",
            "history": [
                {"role": "user", "content": "Tell me about ClearML"},
                {"role": "assistant", "content": "ClearML is an open-source MLOps platform [1]."},
            ],
            "top_k": 5,
            "stream": False,
        }
    )

    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS, pattern=r"\S",
                         description="The question.")
    history: list[Message] = Field(default_factory=list, max_length=MAX_HISTORY_TURNS,
                                   description="Earlier turns, oldest first.")
    top_k: int | None = Field(None, ge=1, le=20, strict=True, description="Passages to retrieve.")
    stream: bool = Field(False, strict=True, description="Answer with Server-Sent Events.")


class SearchRequest(BaseModel):
    """A search query."""

    model_config = _example({"query": "ray pricing", "k": 5})

    query: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS, pattern=r"\S")
    k: int = Field(5, ge=1, le=50, strict=True, description="How many passages to return.")


class SearchResponse(BaseModel):
    """Ranked passages, best first."""

    model_config = _example(
        {"results": [{"doc_id": "kubeflow-alternatives.md", "title": "Kubeflow Alternatives",
                      "section": "Pricing Comparison", "source": "https://example.org/kubeflow",
                      "text": "| Ray | Free (Apache 2.0) | ... |", "score": 0.82,
                      "chunk_id": "3f2a9c"}]}
    )

    results: list[Passage]


class FeedbackRequest(BaseModel):
    """A rating of an answer the API served."""

    model_config = _example(
        {"id": "5b0c1e8f9a2d4c7b8e6f1a3d2c4b5a69", "rating": "down",
         "comment": "It should mention the managed offering."}
    )

    id: str = Field(min_length=1, max_length=100, description="The answer's `id`.")
    rating: Literal["up", "down"]
    comment: str | None = Field(None, max_length=2000)


class FeedbackResponse(BaseModel):
    """The stored feedback."""

    model_config = _example({"feedback_id": 12, "answer_id": "5b0c1e8f9a2d4c7b8e6f1a3d2c4b5a69",
                             "status": "recorded"})

    feedback_id: int
    answer_id: str
    status: Literal["recorded"] = "recorded"


class ChatMessage(BaseModel):
    """An OpenAI chat message; `content` may be a string or a list of text parts."""

    model_config = ConfigDict(
        extra="allow", json_schema_extra={"examples": [{"role": "user", "content": "Hi"}]}
    )

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = Field(None, max_length=20_000)

    def text(self) -> str:
        """The message's text, with list-of-parts content joined."""
        if isinstance(self.content, list):
            return " ".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class CompletionRequest(BaseModel):
    """An OpenAI `chat.completions` request; sampling options are accepted and ignored."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [{"model": "platform-assistant", "stream": False,
                          "messages": [{"role": "user", "content": "Should we leave Kubeflow?"}]}]
        },
    )

    model: str = Field("platform-assistant", max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_HISTORY_TURNS + 1)
    stream: bool = Field(False, strict=True)


class CompletionChoice(BaseModel):
    """The one choice of a completion."""

    model_config = _example({"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": "Comet costs $19 [1]."}})

    index: int = 0
    message: dict[str, str]
    finish_reason: Literal["stop"] = "stop"


class Completion(BaseModel):
    """An OpenAI `chat.completion`, plus the answer's `citations`."""

    model_config = _example(
        {"id": "chatcmpl-5b0c1e8f", "object": "chat.completion", "created": 1764400000,
         "model": "platform-assistant",
         "choices": [{"index": 0, "finish_reason": "stop", "message": {
             "role": "assistant", "content": "Comet's Pro plan costs $19/month [1].\n\nSources:\n"
             "[1] Kubeflow Alternatives — Pricing Comparison (https://example.org/kubeflow)"}}],
         "usage": {"prompt_tokens": 6, "completion_tokens": 9, "total_tokens": 15},
         "citations": []}
    )

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[CompletionChoice]
    usage: dict[str, int]
    citations: list[Citation]
