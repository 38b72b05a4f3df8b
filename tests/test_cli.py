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


def test_cli_serve_refuses_several_workers_without_a_chroma_server(tmp_path):
    result = _run("serve", "--workers", "2", cwd=tmp_path)
    assert result.returncode == 1
    assert "needs a Chroma server" in result.stderr and "ASSISTANT_CHROMA_URL" in result.stderr


def test_cli_serve_refuses_a_public_address_without_keys(tmp_path):
    result = _run("serve", "--host", "0.0.0.0", cwd=tmp_path)
    assert result.returncode == 1
    assert "without API keys" in result.stderr and "ASSISTANT_API_KEYS" in result.stderr


def test_cli_feedback_export_writes_json_lines(tmp_path):
    from assistant.answers import Answer
    from assistant.feedback import FeedbackStore

    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    for n, rating in enumerate(["up", "down"]):
        answer = Answer(id=f"a{n}", answer=f"answer {n} [1]", citations=[], answerable=True,
                        mode="extractive", question=f"question {n}?", timings_ms={})
        store.remember(answer, f"question {n}?", "api")
        store.add(answer.id, rating, comment=f"comment {n}", channel="slack", user="U1")
    store.close()
    env_file = tmp_path / ".env"
    env_file.write_text(f"ASSISTANT_FEEDBACK_DB={tmp_path / 'feedback.sqlite3'}\n")
    everything = _run("feedback", "export", cwd=tmp_path)
    assert everything.returncode == 0, everything.stderr
    records = [json.loads(line) for line in everything.stdout.splitlines()]
    assert [(r["answer_id"], r["rating"], r["channel"]) for r in records] == [
        ("a0", "up", "slack"), ("a1", "down", "slack")]
    assert records[1]["message"] == "question 1?" and records[1]["comment"] == "comment 1"
    output = tmp_path / "down.jsonl"
    only_down = _run("feedback", "export", "--rating", "down", "--output", str(output),
                     cwd=tmp_path)
    assert only_down.returncode == 0
    assert [json.loads(line)["answer_id"] for line in output.read_text().splitlines()] == ["a1"]


def test_cli_feedback_export_without_feedback_says_so(tmp_path):
    result = _run("feedback", "export", cwd=tmp_path)
    assert result.returncode == 1 and "No feedback yet" in result.stderr
