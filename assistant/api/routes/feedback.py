"""`/v1/feedback`: ratings of served answers."""

from fastapi import APIRouter

from assistant.api.deps import ServicesDep
from assistant.api.schemas import ErrorResponse, FeedbackRequest, FeedbackResponse

router = APIRouter(prefix="/v1", tags=["feedback"])


@router.post(
    "/feedback",
    status_code=201,
    response_model=FeedbackResponse,
    summary="Rate an answer",
    responses={404: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
)
def feedback(body: FeedbackRequest, services: ServicesDep) -> FeedbackResponse:
    """Store a rating (and comment) for an answer id; `assistant feedback export` reads them."""
    stored = services.feedback.add(body.id, body.rating, body.comment, channel="api")
    return FeedbackResponse(feedback_id=stored, answer_id=body.id)
