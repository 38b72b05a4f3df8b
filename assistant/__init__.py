"""A chat assistant that answers questions about ML platforms from a corpus, with citations."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.answers import Answer, Citation, Passage
    from assistant.config import Settings
    from assistant.core import Assistant

__all__ = ["Answer", "Assistant", "Citation", "Passage", "Settings"]

_HOMES = {
    "Answer": "assistant.answers",
    "Citation": "assistant.answers",
    "Passage": "assistant.answers",
    "Settings": "assistant.config",
    "Assistant": "assistant.core",
}


def __getattr__(name: str) -> object:
    # Imported on first use so that `import assistant` stays instant (no torch, no chromadb).
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
