"""`/v1/chat` and `/v1/search`: the assistant's own endpoints."""

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

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
def chat(body: ChatRequest, services: ServicesDep) -> Answer | StreamingResponse:
    """The answer with `[n]` citations; `stream: true` sends `citations`, `delta`s and `done`."""
    history = [m.model_dump() for m in body.history]
    answer = services.answer(body.message, history, body.top_k, channel="api")
    if body.stream:
        events = until_disconnect(chat_events(answer), services.metrics)
        return StreamingResponse(events, media_type="text/event-stream",
                                 headers={"cache-control": "no-cache"})
    return answer


@router.post("/search", response_model=SearchResponse, summary="Search the corpus")
def search(body: SearchRequest, assistant: AssistantDep) -> SearchResponse:
    """The passages that best match a query, best first."""
    return SearchResponse(results=assistant.search(body.query, body.k))
