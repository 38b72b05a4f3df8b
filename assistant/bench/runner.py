"""The benchmarks: ingest, answers, the HTTP server under load, each against a baseline."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from assistant.bench import load
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

# The load test's questions: the mix above plus the same questions asked of every tool.
TOOLS = ["Kubeflow", "MLflow", "Ray", "BentoML", "Metaflow", "ClearML", "Weights & Biases", "Comet"]
LOAD_QUESTIONS = QUESTIONS + [
    template.format(tool=tool)
    for tool in TOOLS
    for template in ("How much does {tool} cost?", "Who maintains {tool}?",
                     "Is {tool} good for model serving?", "What are the drawbacks of {tool}?")
]
LOAD_CLIENTS = 16
LOAD_PER_CLIENT = 25


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
        figures |= _serve(bench_settings, Path(scratch), rounds,
                          figures["query_embedding_p50_ms"])
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
    direct = assistant.embedder._encode_queries  # tokenizer and network, nothing else
    for question in QUESTIONS:
        assistant.ask(question)  # caches that persist across questions are warmed, as in service
    encoded, lean, asked = [], [], []
    for _ in range(rounds):
        for question in QUESTIONS:
            encoded.append(_timed(lambda q=question: model.encode(q)))
            lean.append(_timed(lambda q=question: direct([q])))
            asked.append(_timed(lambda q=question: assistant.ask(q)))
    p50_encode, p50_direct = statistics.median(encoded), statistics.median(lean)
    # The baseline is the cheaper of the two ways to embed one query, so it flatters nobody.
    p50_bare = min(p50_encode, p50_direct)
    p50_ask = statistics.median(asked)
    return {
        "encode_p50_ms": p50_encode * 1000,
        "direct_embedding_p50_ms": p50_direct * 1000,
        "query_embedding_p50_ms": p50_bare * 1000,
        "ask_p50_ms": p50_ask * 1000,
        "ask_p95_ms": _percentile(asked, 95) * 1000,
        "ask_vs_query_embedding": p50_ask / p50_bare,
    }


def _serve(settings: Settings, scratch: Path, rounds: int, bare_p50_ms: float
           ) -> dict[str, float]:
    """Our server against the naive LangChain endpoint, each in its own process, same load."""
    port = load.free_port()
    command = load.python_module(
        "assistant.cli", "--index", str(settings.index_dir), "--corpus", str(settings.corpus_dir),
        "serve", "--port", str(port))
    env = {"ASSISTANT_API_KEYS": "", "ASSISTANT_RATE_LIMIT": "0",
           "ASSISTANT_FEEDBACK_DB": str(scratch / "feedback.sqlite3")}
    bodies = [{"message": q} for q in LOAD_QUESTIONS]
    started = time.perf_counter()
    with load.server(command, port, "/readyz", env) as process:
        figures = {"serve_to_ready_s": time.perf_counter() - started}
        chat = load.sequential(port, "/v1/chat", [{"message": q} for q in QUESTIONS], rounds)
        ours = load.concurrent(port, "/v1/chat", bodies, LOAD_CLIENTS, LOAD_PER_CLIENT)
        figures["server_peak_rss_mb"] = load.peak_rss_mb(process.pid)
    naive_port = load.free_port()
    naive_command = load.python_module("assistant.bench.naive", "--corpus",
                                       str(settings.corpus_dir), "--port", str(naive_port))
    with load.server(naive_command, naive_port, "/chat", {}, ready_body=bodies[0]):
        naive = load.concurrent(naive_port, "/chat", bodies, LOAD_CLIENTS, LOAD_PER_CLIENT)
    chat_p50_ms = statistics.median(chat) * 1000
    return figures | {
        "chat_http_p50_ms": chat_p50_ms,
        "chat_http_vs_query_embedding": chat_p50_ms / bare_p50_ms,
        "load_requests_per_s": ours.throughput,
        "naive_requests_per_s": naive.throughput,
        "load_vs_naive_throughput": ours.throughput / naive.throughput,
        "load_p50_ms": ours.p50 * 1000,
        "load_p99_ms": ours.percentile(99) * 1000,
        "load_p99_vs_p50": ours.percentile(99) / ours.p50,
        "load_errors": float(ours.errors),
        "naive_errors": float(naive.errors),
    }


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
    "chat_http_vs_query_embedding": ("<=", 1.6),
    "load_vs_naive_throughput": (">=", 1.0),
    "load_p99_vs_p50": ("<", 10.0),
    "load_errors": ("<=", 0.0),
    "server_peak_rss_mb": ("<", 1024.0),
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
