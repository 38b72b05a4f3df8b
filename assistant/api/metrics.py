"""Prometheus metrics: requests and latency by endpoint, answers by mode, refusals."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from assistant.answers import Answer

# Answers take milliseconds; the buckets resolve that range and still catch slow outliers.
_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ApiMetrics:
    """The metrics of one app, in a registry of its own (several apps can share a process)."""

    content_type = "text/plain; version=0.0.4; charset=utf-8"

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "assistant_requests", "HTTP requests by endpoint, method and status.",
            ["endpoint", "method", "status"], registry=self.registry,
        )
        self.latency = Histogram(
            "assistant_request_duration_seconds", "Time to answer an HTTP request, by endpoint.",
            ["endpoint"], buckets=_LATENCY_BUCKETS, registry=self.registry,
        )
        self.answers = Counter(
            "assistant_answers", "Answers served, by mode and channel.", ["mode", "channel"],
            registry=self.registry,
        )
        self.refusals = Counter(
            "assistant_refusals", "Questions answered with 'not in the corpus'.", ["channel"],
            registry=self.registry,
        )
        self.disconnects = Counter(
            "assistant_stream_disconnects", "Streams the client closed before the end.",
            registry=self.registry,
        )

    def observe_request(self, endpoint: str, method: str, status: int, seconds: float) -> None:
        """Count one request and its latency."""
        self.requests.labels(endpoint, method, str(status)).inc()
        self.latency.labels(endpoint).observe(seconds)

    def observe_answer(self, answer: Answer, channel: str) -> None:
        """Count one answer by mode, and refusals apart."""
        self.answers.labels(answer.mode, channel).inc()
        if not answer.answerable:
            self.refusals.labels(channel).inc()

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
