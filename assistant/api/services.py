"""What the routes and channels share: settings, the assistant once loaded, the feedback store."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable
from functools import cached_property

from assistant.answers import Answer
from assistant.api.metrics import ApiMetrics
from assistant.config import Settings
from assistant.core import Assistant, HistoryItem
from assistant.feedback import FeedbackStore

log = logging.getLogger(__name__)

LOAD_RETRY_MAX_S = 30.0


class NotReadyError(Exception):
    """The index is still loading, or could not be loaded."""


class Services:
    """The shared state of one server process; channels (HTTP, Slack) receive it."""

    def __init__(self, settings: Settings, assistant: Assistant | None = None) -> None:
        self.settings = settings
        self._assistant = assistant
        self._error: str | None = None
        self._stopping = threading.Event()
        self.metrics = ApiMetrics()

    def assistant(self) -> Assistant:
        """The loaded assistant; raises `NotReadyError` while it is loading."""
        if self._assistant is None:
            raise NotReadyError(self._error or "the index is still loading; retry shortly")
        return self._assistant

    def answer(
        self,
        message: str,
        history: Iterable[HistoryItem] = (),
        top_k: int | None = None,
        channel: str = "api",
    ) -> Answer:
        """Answer a question and record it (feedback store, metrics) for the channel it came on."""
        answer = self.assistant().ask(message, history, top_k)
        try:
            self.feedback.remember(answer, message, channel)
        except Exception as exc:  # noqa: BLE001 - the answer matters more than its record
            log.error("could not record answer %s for feedback: %s", answer.id, exc)
        self.metrics.observe_answer(answer, channel)
        return answer

    def check_vector_store(self) -> None:
        """Raise `NotReadyError` unless the index is loaded and its vector store answers."""
        current = self.assistant()
        try:
            current.snapshot.collection.count()  # type: ignore[attr-defined]
        except Exception as exc:
            log.warning("the vector store is unreachable: %s", type(exc).__name__)
            raise NotReadyError("the vector store is unreachable") from exc

    @property
    def ready(self) -> bool:
        """True once questions can be answered."""
        return self._assistant is not None

    @cached_property
    def feedback(self) -> FeedbackStore:
        """The feedback store (opened on first use)."""
        return FeedbackStore(self.settings.feedback_db, self.settings.feedback_keep_days)

    def start_loading(self) -> None:
        """Load the assistant in a background thread, so the process answers /healthz at once."""
        if self._assistant is None:
            loader = threading.Thread(target=self._load_in_background, daemon=True)
            loader.start()

    def load(self) -> Assistant:
        """Load the assistant now (in this thread) and warm it up."""
        try:
            loaded = Assistant.load(self.settings)
            loaded.warm_up()
        except Exception as exc:
            # The details go to the log only: /readyz is public, and errors can carry URLs.
            log.error("could not load the assistant: %s", exc)
            self._error = "the assistant could not load its index; the server log says why"
            raise
        self._assistant = loaded
        self._error = None
        return loaded

    def _load_in_background(self) -> None:
        # Keep trying: the corpus may be added, or the Chroma server may come up, after us.
        delay = 1.0
        while self._assistant is None and not self._stopping.is_set():
            with contextlib.suppress(Exception):
                self.load()
                return
            log.info("retrying to load the assistant in %.0f s", delay)
            self._stopping.wait(delay)
            delay = min(delay * 2, LOAD_RETRY_MAX_S)

    def stop(self) -> None:
        """Stop retrying to load (the server is shutting down)."""
        self._stopping.set()
