"""Micro-batching of concurrent queries."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from assistant.batching import MicroBatcher


def test_batching_a_lone_call_runs_alone():
    batches = []
    batcher = MicroBatcher(lambda items: batches.append(list(items)) or [i * 2 for i in items])
    assert [batcher(n) for n in range(3)] == [0, 2, 4]
    assert batches == [[0], [1], [2]]


def test_batching_concurrent_calls_share_model_calls_and_get_their_own_results():
    batches = []
    gate = threading.Event()

    def slow_double(items):
        batches.append(list(items))
        gate.wait(timeout=0.05)  # the model is busy while more callers arrive
        return [i * 2 for i in items]

    batcher = MicroBatcher(slow_double)
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(batcher, range(64)))
    assert results == [n * 2 for n in range(64)]
    assert sorted(i for batch in batches for i in batch) == list(range(64))
    assert len(batches) < 32 and max(len(b) for b in batches) > 1


def test_batching_an_error_reaches_every_caller_of_the_batch_and_the_next_still_works():
    fail = threading.Event()
    fail.set()

    def process(items):
        time.sleep(0.01)
        if fail.is_set():
            raise ValueError("model failed")
        return items

    batcher = MicroBatcher(process)
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(batcher, n) for n in range(4)]
        errors = [f.exception() for f in futures]
    assert all(isinstance(e, ValueError) for e in errors)
    fail.clear()
    assert batcher(7) == 7


def test_batching_query_vectors_match_one_by_one_encoding(embedder):
    questions = ["What does Comet cost?", "Who built Metaflow?", "Ray pricing", "MLflow vs Ray"]
    alone = [embedder.encode_query(q) for q in questions]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(embedder.encode_query, questions))
    for a, b in zip(alone, together, strict=True):
        assert a.shape == b.shape == (embedder.dimension,)
        assert float(np.dot(a, b)) == pytest.approx(1.0, abs=1e-4)
