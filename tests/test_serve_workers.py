"""`assistant serve --workers 2` on a Chroma server: the multi-process deployment, for real."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port

CHROMA = Path(sys.executable).with_name("chroma")


def _wait_until(url: str, seconds: float) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200 or time.monotonic() > deadline:
                return response
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def _ask_as_a_client_would(url: str, message: str, seconds: float) -> httpx.Response:
    """POST on a fresh connection, retrying a 503 after its `Retry-After` as the contract says.

    Each worker loads its own index, so one may still answer 503 `not_ready` after another
    has said it is ready; fresh connections also spread the requests across the workers.
    """
    deadline = time.monotonic() + seconds
    while True:
        response = httpx.post(url, json={"message": message}, timeout=30)
        if response.status_code != 503 or time.monotonic() > deadline:
            return response
        assert response.json()["error"]["code"] == "not_ready"
        time.sleep(float(response.headers["retry-after"]))


@pytest.mark.skipif(not CHROMA.exists(), reason="the chroma command is not installed")
def test_serve_two_workers_share_a_chroma_server(corpus_copy, tmp_path):
    chroma_port, api_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env |= {"ANONYMIZED_TELEMETRY": "False", "ASSISTANT_CHROMA_URL": f"http://127.0.0.1:{chroma_port}",
            "ASSISTANT_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3")}
    chroma = subprocess.Popen([str(CHROMA), "run", "--path", str(tmp_path / "chroma"),
                               "--host", "127.0.0.1", "--port", str(chroma_port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    api = None
    try:
        _wait_until(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", 30)
        cli = [sys.executable, "-m", "assistant.cli", "--corpus", str(corpus_copy),
               "--index", str(tmp_path / "index")]
        ingest = subprocess.run([*cli, "ingest"], env=env, capture_output=True, text=True,
                                timeout=180)
        assert ingest.returncode == 0, ingest.stderr
        assert not (tmp_path / "index" / "chroma").exists()  # the vectors live in the server
        api = subprocess.Popen([*cli, "serve", "--port", str(api_port), "--workers", "2"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
        base = f"http://127.0.0.1:{api_port}"
        assert _wait_until(f"{base}/readyz", 90).status_code == 200
        answers = [_ask_as_a_client_would(f"{base}/v1/chat", "What does Comet cost?", 90)
                   for _ in range(8)]
        assert [a.status_code for a in answers] == [200] * 8
        assert all("$19" in a.json()["answer"] for a in answers)
        chroma.terminate()
        chroma.wait(timeout=10)
        # The vector store went away: readiness says so instead of pretending.
        assert httpx.get(f"{base}/readyz", timeout=10).status_code == 503
    finally:
        for process in (api, chroma):
            if process and process.poll() is None:
                process.terminate()
                process.wait(timeout=15)
        shutil.rmtree(tmp_path / "chroma", ignore_errors=True)
