"""The API app: routers, the request gate, error handlers, and Slack when configured."""

import importlib
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from assistant.api import errors
from assistant.api.middleware import RequestGate
from assistant.api.ratelimit import Rate, RateLimiter
from assistant.api.routes import chat, completions, feedback, health
from assistant.api.services import Services
from assistant.config import Settings
from assistant.core import Assistant

log = logging.getLogger(__name__)

DESCRIPTION = """Answers questions about Kubeflow and its alternatives from a corpus of comparison
documents, always with numbered citations to the passages it used.

Send `Authorization: Bearer <key>` when the server has `ASSISTANT_API_KEYS`. Every error is
`{"error": {"code": ..., "message": ...}}`."""


# How uvicorn must run the app. proxy_headers off: a client could otherwise choose its address,
# and so its rate-limit bucket, with X-Forwarded-For; behind a proxy, limit there or use keys.
SERVER_OPTIONS: dict[str, object] = {"proxy_headers": False, "log_config": None}


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    """The API app; loads the assistant in the background unless one is given."""
    settings = settings or Settings()
    services = Services(settings, assistant)
    limiter = Rate.parse(settings.rate_limit)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        # Load in the background: /healthz answers at once, /readyz says when answers can flow.
        services.start_loading()
        yield
        services.stop()

    app = FastAPI(title="Platform assistant", version="0.1.0", description=DESCRIPTION,
                  lifespan=lifespan)
    app.state.services = services
    for router in (chat.router, completions.router, feedback.router, health.router):
        app.include_router(router)
    errors.install(app)
    if settings.slack_enabled:
        # By name: the library knows nothing of Slack (dependencies point one way).
        importlib.import_module("integrations.slack").mount(app, services)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                           allow_headers=["authorization", "content-type", "x-request-id"])
    app.add_middleware(
        RequestGate,
        keys=settings.keys,
        limiter=RateLimiter(limiter) if limiter else None,
        max_body_bytes=settings.max_body_bytes,
        metrics=services.metrics,
    )
    return app


def app_from_environment() -> FastAPI:
    """The app built from ASSISTANT_* settings: the factory each uvicorn worker calls."""
    return create_app(Settings())
