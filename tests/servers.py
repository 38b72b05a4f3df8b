"""Serve an ASGI app with a real uvicorn on 127.0.0.1, in a thread, for the duration of a test."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from assistant.api.app import SERVER_OPTIONS
from assistant.bench.load import free_port

__all__ = ["free_port", "serving"]


@contextmanager
def serving(app: object) -> Iterator[str]:
    """Run `app` under uvicorn until the block ends; yields its base URL."""
    port = free_port()
    # The options `assistant serve` uses, so tests see what users run.
    config = {**SERVER_OPTIONS, "log_level": "warning"}
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
