"""The `assistant` command, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)


def test_cli_ingest_ask_and_search(corpus_copy, tmp_path):
    index = tmp_path / "index"
    ingest = _run("--corpus", str(corpus_copy), "--index", str(index), "ingest", cwd=tmp_path)
    assert ingest.returncode == 0, ingest.stderr
    assert "Indexed 1 documents into 29 passages" in ingest.stdout
    again = _run("--corpus", str(corpus_copy), "--index", str(index), "ingest", cwd=tmp_path)
    assert "up to date" in again.stdout and "nothing embedded" in again.stdout

    ask = _run("--index", str(index), "ask", "How much does ClearML cost?", "--json", cwd=tmp_path)
    assert ask.returncode == 0, ask.stderr
    body = json.loads(ask.stdout)
    assert "$15" in body["answer"] and body["citations"][0]["n"] == 1

    plain = _run("--index", str(index), "ask", "Who built Metaflow?", cwd=tmp_path)
    assert "Netflix" in plain.stdout and "Sources:" in plain.stdout and "[1]" in plain.stdout


def test_cli_empty_corpus_is_reported_not_a_traceback(tmp_path):
    (tmp_path / "empty").mkdir()
    result = _run("--corpus", str(tmp_path / "empty"), "--index", str(tmp_path / "i"), "ingest",
                  cwd=tmp_path)
    assert result.returncode == 1
    assert "No readable documents" in result.stderr
    assert "Traceback" not in result.stderr
