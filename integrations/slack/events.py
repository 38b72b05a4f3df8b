"""`POST /slack/events`: Slack's events, slash commands and button clicks, signature-checked."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier
from starlette.concurrency import run_in_threadpool

log = logging.getLogger(__name__)

PATH = "/slack/events"


def add_events_route(api: FastAPI, bolt: App, signing_secret: str) -> None:
    """Add `POST /slack/events` to the API app, dispatching verified requests to `bolt`."""
    # Checks `v0:{timestamp}:{body}` HMAC-SHA256, and rejects timestamps over 5 minutes old.
    verifier = SignatureVerifier(signing_secret)

    async def slack_events(request: Request) -> Response:
        """Slack's Events API, slash commands and interactivity (verified by signature)."""
        body = await request.body()
        timestamp = request.headers.get("x-slack-request-timestamp", "")
        signature = request.headers.get("x-slack-signature", "")
        # The verifier itself raises on a timestamp that is not a number.
        if not (timestamp.isdigit() and verifier.is_valid(body, timestamp, signature)):
            log.warning("rejected a /slack/events request with a bad or stale signature")
            return JSONResponse(
                {"error": {"code": "invalid_signature", "message": (
                    "The X-Slack-Signature is missing or wrong, or the request is more than "
                    "5 minutes old: requests must be signed with the app's signing secret.")}},
                status_code=401,
            )
        bolt_request = BoltRequest(
            body=body.decode("utf-8", errors="replace"),
            query=dict(request.query_params),
            headers=dict(request.headers),
        )
        # dispatch() blocks until the listener acknowledges (well under Slack's 3 s), so it
        # runs on a worker thread rather than the event loop.
        bolt_response = await run_in_threadpool(bolt.dispatch, bolt_request)
        return Response(
            content=bolt_response.body,
            status_code=bolt_response.status,
            headers=bolt_response.first_headers_without_set_cookie(),
        )

    api.add_api_route(PATH, slack_events, methods=["POST"], tags=["slack"],
                      summary="Slack events, slash commands and interactivity")
