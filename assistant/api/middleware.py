"""The gate every request passes: request id, auth, rate limit, body checks, metrics and logs."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from assistant.api import logs
from assistant.api.metrics import ApiMetrics
from assistant.api.ratelimit import RateLimiter

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_log = logging.getLogger("assistant.access")

# Probes, docs and Slack (which signs its requests instead) stay reachable without a key.
PUBLIC_PATHS = {"/healthz", "/readyz", "/docs", "/docs/oauth2-redirect", "/openapi.json",
                "/redoc", "/slack/events"}
UNLIMITED_PATHS = {"/healthz", "/readyz", "/metrics", "/slack/events"}
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class RequestGate:
    """Pure ASGI middleware (no per-request task switch): it adds microseconds, not milliseconds."""

    def __init__(
        self,
        app: ASGIApp,
        keys: frozenset[str],
        limiter: RateLimiter | None,
        max_body_bytes: int,
        metrics: ApiMetrics,
    ) -> None:
        self.app = app
        self.keys = keys
        self.limiter = limiter
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request, pass it on, then count and log it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = _headers(scope)
        rid = headers.get("x-request-id", "")
        rid = rid if _SAFE_REQUEST_ID.fullmatch(rid) else uuid.uuid4().hex
        token = logs.request_id.set(rid)
        status = {"code": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            rejection = self._reject(scope, headers)
            if rejection is None:
                rejection, receive = await self._read_body(scope, headers, receive)
            if rejection is not None:
                await _respond(send_with_id, *rejection)
            else:
                await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            endpoint = getattr(route, "path", None) or "unmatched"
            self.metrics.observe_request(endpoint, scope["method"], status["code"], elapsed)
            access_log.info(
                "%s %s %s", scope["method"], scope["path"], status["code"],
                extra={"method": scope["method"], "path": scope["path"],
                       "status": status["code"], "ms": round(elapsed * 1000, 2),
                       "client": _client_address(scope)},
            )
            logs.request_id.reset(token)

    def _reject(self, scope: Scope, headers: dict[str, str]) -> tuple | None:
        path = scope["path"]
        client = _client_address(scope)
        # A CORS preflight carries no credentials; the CORS middleware answers it.
        if self.keys and path not in PUBLIC_PATHS and scope["method"] != "OPTIONS":
            presented = _bearer(headers.get("authorization", ""))
            if presented is None or not any(
                hmac.compare_digest(presented, key) for key in self.keys
            ):
                # Wrong keys count against the caller's address: guessing keys is limited too.
                if self.limiter and self.limiter.acquire(client) > 0:
                    return (429, "rate_limited", "Too many requests.", {"retry-after": "60"})
                return (401, "unauthorized", "Send a valid API key as `Authorization: Bearer "
                        "<key>` (ASSISTANT_API_KEYS).", {"www-authenticate": "Bearer"})
            # Key holders are limited per key, whatever address they call from.
            client = "key:" + hashlib.sha256(presented.encode()).hexdigest()[:16]
        if self.limiter and path not in UNLIMITED_PATHS:
            wait = self.limiter.acquire(client)
            if wait > 0:
                retry = RateLimiter.retry_after(wait)
                return (429, "rate_limited", f"Too many requests: retry in {retry} s.",
                        {"retry-after": retry})
        return None

    async def _read_body(
        self, scope: Scope, headers: dict[str, str], receive: Receive
    ) -> tuple[tuple | None, Receive]:
        """Read the whole body under the size cap, then replay it to the app."""
        if scope["method"] not in {"POST", "PUT", "PATCH"}:
            return None, receive
        if scope["path"].startswith("/v1/"):
            media_type = headers.get("content-type", "").split(";")[0].strip().lower()
            if media_type != "application/json":
                return (415, "unsupported_media_type",
                        "Send the body as JSON with `Content-Type: application/json`.", {}), receive
        too_large = (413, "payload_too_large",
                     f"The request body is over {self.max_body_bytes} bytes.", {})
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            return too_large, receive
        # Count what actually arrives: a chunked body has no Content-Length to trust.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return (400, "client_disconnected", "The client went away.", {}), receive
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return too_large, receive
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return None, replay


async def _respond(send: Send, status: int, code: str, message: str, extra: dict) -> None:
    body = json.dumps({"error": {"code": code, "message": message}},
                      separators=(",", ":")).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in extra.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _bearer(authorization: str) -> str | None:
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"
