"""`assistant bench`: speed measured as ratios against baselines timed in the same run."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from assistant.chunking import chunk_document
from assistant.config import Settings
from assistant.core import Assistant
from assistant.embeddings import SentenceEmbedder
from assistant.index import IndexStore
from assistant.loading import load_corpus

# A mix of what users ask: facts, prices, recommendations, decisions, comparisons, refusals.
QUESTIONS = [
    "How many GitHub stars does Ray have?",
    "How much does ClearML cost per month?",
    "What does Weights & Biases charge for Pro teams?",
    "Which tool should we use if model serving is our bottleneck?",
    "Who originally developed Metaflow?",
    "What license does BentoML use?",
    "How long does it take to get productive with MLflow?",
    "What does Kubeflow's architecture look like?",
    "How much engineering effort does running Kubeflow take?",
    "Is there a managed version of BentoML?",
    "What does Comet cost?",
    "How long should we budget to migrate our pipelines?",
    "Should we leave Kubeflow?",
    "MLflow vs Ray",
    "What is the capital of France?",
    "How much does SageMaker cost?",
]


def run_bench(
    settings: Settings, output: Path | None, rounds: int, echo: Callable[[str], None]
) -> dict[str, float]:
    """Run every benchmark and print a table; returns the figures."""
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as scratch:
        index_dir = Path(scratch) / "index"
        bench_settings = settings.model_copy(update={"index_dir": index_dir})
        figures |= _ingest(bench_settings, rounds, Path(scratch))
        figures |= _ask(bench_settings, rounds)
        figures |= _startup(bench_settings)
    echo(_table(figures))
    if output:
        output.write_text(json.dumps(figures, indent=2) + "\n")
    return figures


def _ingest(settings: Settings, rounds: int, scratch: Path) -> dict[str, float]:
    embedder = SentenceEmbedder(settings.embedding_model)
    documents = load_corpus([settings.corpus_dir]).documents
    texts = [c.text for d in documents for c in chunk_document(d)]
    embedder.model.encode(texts[:8])  # load and warm the model outside the timings
    raw = min(_timed(lambda: embedder.model.encode(texts, batch_size=64)) for _ in range(rounds))
    ours = []
    for round_ in range(rounds):
        store = IndexStore(settings.model_copy(update={"index_dir": scratch / f"i{round_}"}),
                           embedder)
        ours.append(_timed(store.ingest))
    store = IndexStore(settings, embedder)
    store.ingest()
    before = embedder.texts_embedded
    again = store.ingest()
    return {
        "chunks": len(texts),
        "raw_encode_chunks_per_s": len(texts) / raw,
        "ingest_chunks_per_s": len(texts) / min(ours),
        "ingest_vs_raw_encode": raw / min(ours),
        "reingest_embeddings": float(embedder.texts_embedded - before + again.embedded),
    }


def _ask(settings: Settings, rounds: int) -> dict[str, float]:
    assistant = Assistant.load(settings)
    assistant.warm_up()
    model = assistant.embedder.model
    for question in QUESTIONS:
        assistant.ask(question)  # caches that persist across questions are warmed, as in service
    bare, asked = [], []
    for _ in range(rounds):
        for question in QUESTIONS:
            bare.append(_timed(lambda q=question: model.encode(q)))
            asked.append(_timed(lambda q=question: assistant.ask(q)))
    p50_bare, p50_ask = statistics.median(bare), statistics.median(asked)
    return {
        "query_embedding_p50_ms": p50_bare * 1000,
        "ask_p50_ms": p50_ask * 1000,
        "ask_p95_ms": _percentile(asked, 95) * 1000,
        "ask_vs_query_embedding": p50_ask / p50_bare,
    }


def _startup(settings: Settings) -> dict[str, float]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "assistant.cli", "--index", str(settings.index_dir),
               "--corpus", str(settings.corpus_dir), "serve", "--port", str(port)]
    started = time.perf_counter()
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "ASSISTANT_API_KEYS": ""})
    try:
        deadline = started + 60
        while time.perf_counter() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                    if r.status == 200:
                        return {"serve_to_ready_s": time.perf_counter() - started}
            except OSError:
                time.sleep(0.05)
        return {"serve_to_ready_s": float("inf")}
    finally:
        server.terminate()
        server.wait(timeout=10)


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _percentile(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


TARGETS = {
    "ask_vs_query_embedding": ("<=", 1.5),
    "ingest_vs_raw_encode": (">=", 0.9),
    "reingest_embeddings": ("<=", 0.0),
    "serve_to_ready_s": ("<", 10.0),
}


def _table(figures: dict[str, float]) -> str:
    lines = [f"{'measure':32} {'value':>12}  target"]
    for name, value in figures.items():
        target = TARGETS.get(name)
        verdict = ""
        if target:
            op, bound = target
            ok = {"<=": value <= bound, ">=": value >= bound, "<": value < bound}[op]
            verdict = f"{op} {bound:g}  {'ok' if ok else 'MISSED'}"
        lines.append(f"{name:32} {value:12.3f}  {verdict}")
    return "\n".join(lines)
