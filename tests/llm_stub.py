"""An OpenAI-compatible chat server for tests: a stand-in for a hosted LLM, over real HTTP."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

Messages = list[dict[str, str]]
PASSAGE = re.compile(r"^\[(\d+)\] \(.*?\)\n(.+?)(?=\n\n\[\d+\] |\n\nQuestion: )", re.M | re.S)
WORD = re.compile(r"[a-z0-9]{4,}")


def quoting_model(messages: Messages) -> str:
    """A small, honest model: quotes the passage sentence sharing most words with the question,
    cited; NOT_IN_CORPUS when no sentence shares one."""
    prompt = messages[-1]["content"]
    question = set(WORD.findall(prompt.split("Question: ")[-1].lower()))
    best, best_overlap = "", 0
    for n, text in PASSAGE.findall(prompt):
        for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
            overlap = len(question & set(WORD.findall(sentence.lower())))
            if overlap > best_overlap:
                best, best_overlap = f"{sentence.rstrip('.')} [{n}].", overlap
    return best or "NOT_IN_CORPUS"


def judging_model(messages: Messages) -> str:
    """A small, honest judge: a claim is supported when the passages hold all its words."""
    prompt = messages[-1]["content"]
    passages, _, claims = prompt.partition("\nClaims:\n")
    held = set(WORD.findall(passages.lower()))
    verdicts = []
    for line in claims.splitlines():
        number, _, claim = line.partition(". ")
        words = set(WORD.findall(claim.split(" (cites ")[0].lower()))
        verdicts.append(f"{number}: {'yes' if words <= held else 'no'}")
    return "\n".join(verdicts)


def answering_or_judging(messages: Messages) -> str:
    """The judge's reply to the judge's prompt, else the quoting model's."""
    if messages[0]["content"].startswith("You check answers"):
        return judging_model(messages)
    return quoting_model(messages)


@dataclass
class LLMStub:
    """The server's state: how it replies, what it was sent."""

    reply: Callable[[Messages], str] = answering_or_judging
    status: int = 200  # another status answers every request with an OpenAI-style error
    requests: list[dict] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> FastAPI:
        """The ASGI app: `POST /v1/chat/completions`, as OpenAI's API shapes it."""
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def complete(request: Request) -> JSONResponse:
            body = await request.json()
            self.requests.append(body)
            self.headers.append(dict(request.headers))
            if self.status != 200:
                # As hosted APIs do, the error quotes the key it was sent.
                key = request.headers.get("authorization", "").removeprefix("Bearer ")
                error = {"message": f"failing on purpose; key provided: {key}",
                         "type": "server_error"}
                return JSONResponse({"error": error}, status_code=self.status)
            content = self.reply(body["messages"])
            return JSONResponse({
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": content}}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })

        return app

    def prompts(self) -> list[str]:
        """The last message of every request, in order."""
        return [body["messages"][-1]["content"] for body in self.requests]
