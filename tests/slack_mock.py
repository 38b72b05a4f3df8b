"""A mock Slack Web API over real HTTP on 127.0.0.1 (as bolt-python's tests do), and signing."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"


@dataclass
class Call:
    """One request the mock received."""

    method: str  # "chat.postMessage", or "response_url" for posts to a response URL
    path: str
    params: dict[str, str]  # query string and form fields
    json: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)  # when it arrived

    def arg(self, name: str) -> Any:
        """A parameter, whether it was sent as JSON, as a form field or in the query."""
        return self.json.get(name, self.params.get(name))

    @property
    def blocks(self) -> list[dict[str, Any]]:
        """The message's blocks (form-encoded blocks arrive as a JSON string)."""
        blocks = self.arg("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else blocks


class MockSlack:
    """Records every call; answers like Slack; can answer one call of a method with an error."""

    def __init__(self, port: int = 0) -> None:
        self.calls: list[Call] = []
        self.replies: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.socket_url = ""  # what apps.connections.open answers (a MockSocketMode's url)
        self._failures: dict[str, list[tuple[int, dict[str, str], str]]] = {}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._ts = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self.root = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.api_url = f"{self.root}/api/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> MockSlack:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def response_url(self, name: str) -> str:
        """A response URL (as in slash commands and button clicks) served by this mock."""
        return f"{self.root}/respond/{name}"

    def fail_once(self, method: str, status: int = 429, retry_after: int = 1,
                  error: str = "ratelimited") -> None:
        """Answer the next call of `method` with `status` and `error` (429: with Retry-After)."""
        headers = {"Retry-After": str(retry_after)} if status == 429 else {}
        with self._lock:
            self._failures.setdefault(method, []).append((status, headers, error))

    def calls_to(self, method: str, where: Callable[[Call], bool] = lambda c: True) -> list[Call]:
        """The calls of one method so far that match `where`."""
        with self._lock:
            return [c for c in self.calls if c.method == method and where(c)]

    def wait_for(self, method: str, where: Callable[[Call], bool] = lambda c: True,
                 timeout: float = 10.0, count: int = 1) -> list[Call]:
        """Block until `count` matching calls arrived (no fixed sleeps); fail after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self.calls if c.method == method and where(c)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(f"no {method} call arrived in {timeout} s; got {seen}")
                self._changed.wait(left)

    # -- the HTTP side -----------------------------------------------------------------------

    def _record(self, call: Call) -> tuple[int, dict[str, str], Any]:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
            failures = self._failures.get(call.method)
            if failures:
                status, headers, error = failures.pop(0)
                return status, headers, {"ok": False, "error": error}
        return 200, {}, self._answer(call)

    def _answer(self, call: Call) -> Any:
        if call.method == "response_url":
            return "ok"
        if call.method == "auth.test":
            return {"ok": True, "url": "https://mock.slack/", "team": "Mock", "user": "assistant",
                    "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID}
        if call.method == "chat.postMessage":
            ts = f"{int(time.time())}.{next(self._ts):06d}"
            return {"ok": True, "channel": call.arg("channel"), "ts": ts,
                    "message": {"text": call.arg("text"), "ts": ts, "bot_id": BOT_ID}}
        if call.method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        if call.method == "conversations.replies":
            return self._replies_page(call)
        return {"ok": True}

    def _replies_page(self, call: Call) -> dict[str, Any]:
        """One page of a thread, oldest first, paged with `limit` and `cursor` as Slack does."""
        messages = self.replies.get((call.arg("channel"), call.arg("ts")), [])
        limit = int(call.arg("limit") or 1000)
        start = int(str(call.arg("cursor") or "page:0").removeprefix("page:"))
        end = start + limit
        more = end < len(messages)
        return {"ok": True, "messages": messages[start:end], "has_more": more,
                "response_metadata": {"next_cursor": f"page:{end}" if more else ""}}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        mock = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                url = urlparse(self.path)
                size = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(size).decode() if size else ""
                params = dict(parse_qsl(url.query))
                body: dict[str, Any] = {}
                if "json" in (self.headers.get("Content-Type") or ""):
                    body = json.loads(raw or "{}")
                elif raw:
                    params.update(parse_qsl(raw))
                if url.path.startswith("/api/"):
                    method = url.path.removeprefix("/api/")
                else:
                    method = "response_url"
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, extra, answer = mock._record(Call(method, url.path, params, body, headers))
                payload = (answer if isinstance(answer, str) else json.dumps(answer)).encode()
                self.send_response(status)
                kind = "text/plain" if isinstance(answer, str) else "application/json"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _handle

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

        return Handler


class MockSocketMode:
    """Slack's Socket Mode WebSocket: says hello, sends envelopes, records the acks."""

    def __init__(self) -> None:
        self.acks: list[dict[str, Any]] = []
        self._connections: list[ServerConnection] = []
        self._changed = threading.Condition()
        self._server = serve(self._session, "127.0.0.1", 0, compression=None)
        self.url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _session(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        with self._changed:
            self._connections.append(connection)
            self._changed.notify_all()
        with contextlib.suppress(ConnectionClosed):  # the bot hanging up ends the session
            for message in connection:
                with self._changed:
                    self.acks.append(json.loads(message))
                    self._changed.notify_all()

    def send_event(self, body: dict[str, Any], envelope_id: str) -> None:
        """Deliver an Events API body over the most recent connection (waiting for one)."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._connections, timeout=10):
                raise AssertionError("the bot never opened the Socket Mode connection")
            connection = self._connections[-1]
        connection.send(json.dumps({"envelope_id": envelope_id, "type": "events_api",
                                    "accepts_response_payload": False, "payload": body}))

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """The bot's acknowledgement of an envelope."""
        with self._changed:
            found = self._changed.wait_for(
                lambda: [a for a in self.acks if a.get("envelope_id") == envelope_id], timeout)
        if not found:
            raise AssertionError(f"envelope {envelope_id} was never acknowledged")
        return found[0]

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()


@contextmanager
def mock_slack(port: int = 0) -> Iterator[MockSlack]:
    """A running mock Slack Web API for the duration of the block (on `port`, if given)."""
    mock = MockSlack(port).start()
    try:
        yield mock
    finally:
        mock.stop()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends: `v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}
