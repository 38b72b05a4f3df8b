"""The HTTP API: `/v1/chat`, `/v1/search`, `/healthz` and `/readyz` (FastAPI)."""


import json
import logging
import threading
from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from assistant.answers import Answer, Passage
from assistant.config import Settings
from assistant.api.services import NotReadyError, Services
from assistant.core import Assistant

log = logging.getLogger(__name__)


class Message(BaseModel):
    """One earlier turn of the conversation."""

    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


class ChatRequest(BaseModel):
    """A question, the conversation so far and options."""

    model_config = {"json_schema_extra": {"examples": [{"message": "Should we leave Kubeflow?"}]}}

    message: str = Field(min_length=1, max_length=4000, pattern=r"\S")
    history: list[Message] = Field(default_factory=list, max_length=50)
    top_k: int | None = Field(None, ge=1, le=20)
    stream: bool = False


class SearchRequest(BaseModel):
    """A search query."""

    model_config = {"json_schema_extra": {"examples": [{"query": "ray pricing", "k": 5}]}}

    query: str = Field(min_length=1, max_length=4000, pattern=r"\S")
    k: int = Field(5, ge=1, le=50)


class SearchResponse(BaseModel):
    """Ranked passages."""

    results: list[Passage]


class NotReady(Exception):
    """The index is still loading."""


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    """The API app; loads the assistant in the background unless one is given."""
    settings = settings or Settings()
    state: dict[str, object] = {"assistant": assistant, "error": None}

    def load() -> None:
        try:
            loaded = Assistant.load(settings)
            loaded.warm_up()
            state["assistant"] = loaded
        except Exception as exc:  # noqa: BLE001 - reported by /readyz instead of crashing
            log.error("could not load the assistant: %s", exc)
            state["error"] = str(exc)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        # Load in the background: /healthz answers at once, /readyz says when answers can flow.
        if state["assistant"] is None:
            threading.Thread(target=load, name="assistant-loader", daemon=True).start()
        yield

    app = FastAPI(title="Platform assistant", version="0.1.0", lifespan=lifespan)

    def ready_assistant() -> Assistant:
        current = state["assistant"]
        if current is None:
            raise NotReady(state["error"] or "the index is still loading")
        return current  # type: ignore[return-value]

    ready = Annotated[Assistant, Depends(ready_assistant)]

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz(current: ready) -> dict[str, object]:
        """The index is loaded and answers can be served."""
        return {"status": "ready", "generation": current.snapshot.manifest.generation}

    @app.post("/v1/chat", response_model=Answer)
    def chat(body: ChatRequest, current: ready) -> Answer | StreamingResponse:
        """Answer a question with citations; `stream: true` sends Server-Sent Events."""
        answer = current.ask(body.message, [m.model_dump() for m in body.history], body.top_k)
        if body.stream:
            return StreamingResponse(_sse(answer), media_type="text/event-stream")
        return answer

    @app.post("/v1/search", response_model=SearchResponse)
    def search(body: SearchRequest, current: ready) -> SearchResponse:
        """The passages that best match a query."""
        return SearchResponse(results=current.search(body.query, body.k))

    @app.exception_handler(NotReady)
    async def not_ready(request: Request, exc: NotReady) -> JSONResponse:
        return _error(503, "not_ready", str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}"
            for e in exc.errors()
        )
        return _error(422, "invalid_request", problems or "invalid request")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return _error(500, "internal_error", "The server failed to answer; see its log.")

    return app


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _sse(answer: Answer) -> Iterator[str]:
    """`citations`, then the answer in `delta` pieces, then `done` with the whole object."""
    citations = [c.model_dump() for c in answer.citations]
    yield f"event: citations\ndata: {json.dumps(citations)}\n\n"
    words = answer.answer.split(" ")
    for start in range(0, len(words), 8):
        piece = " ".join(words[start : start + 8]) + (" " if start + 8 < len(words) else "")
        yield f"event: delta\ndata: {json.dumps({'text': piece})}\n\n"
    yield f"event: done\ndata: {answer.model_dump_json()}\n\n"
