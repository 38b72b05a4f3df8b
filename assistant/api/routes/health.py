"""Liveness, readiness and metrics."""

from fastapi import APIRouter
from fastapi.responses import Response

from assistant.api.deps import ServicesDep

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    """The process is alive (it may still be loading the index)."""
    return {"status": "ok"}


@router.get("/readyz", summary="Answers can be served", responses={503: {"description": "No"}})
def readyz(services: ServicesDep) -> dict[str, object]:
    """200 once the index is loaded and the vector store answers; 503 otherwise."""
    services.check_vector_store()
    generation = services.assistant().snapshot.manifest.generation
    return {"status": "ready", "generation": generation}


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(services: ServicesDep) -> Response:
    """Request counts and latency by endpoint, answers by mode, refusals."""
    return Response(services.metrics.render(), media_type=services.metrics.content_type)
