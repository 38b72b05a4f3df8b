"""`/v1/chat` and `/v1/search`: the assistant's own endpoints."""

from fastapi import APIRouter
from fastapi.responses import Response, StreamingResponse

from assistant.answers import Answer
from assistant.api.deps import AssistantDep, ServicesDep
from assistant.api.schemas import ChatRequest, ErrorResponse, SearchRequest, SearchResponse
from assistant.api.streaming import chat_events, until_disconnect

router = APIRouter(prefix="/v1", tags=["chat"], responses={422: {"model": ErrorResponse}})


@router.post(
    "/chat",
    response_model=Answer,
    summary="Answer a question with citations",
    responses={200: {"content": {"text/event-stream": {}}}},
)
def chat(body: ChatRequest, services: ServicesDep) -> Response:
    """The answer with `[n]` citations; `stream: true` sends `citations`, `delta`s and `done`."""
    history = [m.model_dump() for m in body.history]
    answer = services.answer(body.message, history, body.top_k, channel="api")
    if body.stream:
        events = until_disconnect(chat_events(answer), services.metrics)
        return StreamingResponse(events, media_type="text/event-stream",
                                 headers={"cache-control": "no-cache"})
    # Already a validated model: serialise it once instead of validating it again on the way out.
    return Response(answer.model_dump_json(), media_type="application/json")


@router.post("/search", response_model=SearchResponse, summary="Search the corpus")
def search(body: SearchRequest, assistant: AssistantDep) -> SearchResponse:
    """The passages that best match a query, best first."""
    return SearchResponse(results=assistant.search(body.query, body.k))
