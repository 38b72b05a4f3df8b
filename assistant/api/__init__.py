"""The HTTP API (FastAPI): chat, search, OpenAI-compatible completions, feedback, metrics."""

from assistant.api.app import create_app
from assistant.api.services import NotReadyError, Services

__all__ = ["NotReadyError", "Services", "create_app"]
