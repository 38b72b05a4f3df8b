"""HTTP load for the benchmarks: servers in subprocesses, clients on keep-alive connections."""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass
class LoadResult:
    """What a load run saw: request latencies, errors and wall time."""

    latencies: list[float]
    errors: int
    seconds: float

    @property
    def throughput(self) -> float:
        """Successful requests per second."""
        return len(self.latencies) / self.seconds

    def percentile(self, pct: float) -> float:
        """A latency percentile, in seconds."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]

    @property
    def p50(self) -> float:
        """Median latency, in seconds."""
        return statistics.median(self.latencies)


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def server(command: list[str], port: int, ready_path: str, env: dict[str, str],
           ready_body: dict | None = None) -> Iterator[subprocess.Popen]:
    """Start a server process and wait until `ready_path` answers 200; stop it afterwards."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{command[2]} exited with {process.returncode}")
            try:
                status, _ = request(port, ready_path, ready_body, method="GET" if ready_body
                                    is None else "POST")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError(f"{command[2]} was not ready within 120 s")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=15)


def request(port: int, path: str, body: dict | None, method: str = "POST",
            connection: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
    """One request (on `connection` if given, kept alive); returns status and body."""
    own = connection is None
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"content-type": "application/json"} if payload is not None else {}
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        if own:
            connection.close()


def sequential(port: int, path: str, bodies: list[dict], rounds: int) -> list[float]:
    """Latency of each request sent one at a time on one kept-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for body in bodies:  # warm the server's caches and the connection
        request(port, path, body, connection=connection)
    latencies = []
    for _ in range(rounds):
        for body in bodies:
            started = time.perf_counter()
            status, _ = request(port, path, body, connection=connection)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
    connection.close()
    return latencies


def concurrent(port: int, path: str, bodies: list[dict], clients: int, per_client: int
               ) -> LoadResult:
    """`clients` threads, each on its own connection, each sending `per_client` requests."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, failed = [], 0
        start.wait()
        for i in range(per_client):
            body = bodies[(number * 7 + i) % len(bodies)]
            began = time.perf_counter()
            try:
                status, _ = request(port, path, body, connection=connection)
            except OSError:
                status = 0
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            if status == 200:
                mine.append(time.perf_counter() - began)
            else:
                failed += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return LoadResult(latencies, errors[0], time.perf_counter() - began)


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB; Linux only."""
    status = Path(f"/proc/{pid}/status")
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def python_module(module: str, *args: str) -> list[str]:
    """A command running `python -m module args` with this interpreter."""
    return [sys.executable, "-m", module, *args]
