"""`POST /slack/events`: Slack's events, slash commands and button clicks, signature-checked."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, Response
from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier
from starlette.concurrency import run_in_threadpool

from assistant.api.errors import error_response
from integrations.slack.connection import SlackConnection

log = logging.getLogger(__name__)

PATH = "/slack/events"
RETRY_AFTER_S = 30  # a hint for other callers; Slack retries events on its own schedule


def add_events_route(api: FastAPI, bolt: App, signing_secret: str,
                     connection: SlackConnection) -> None:
    """Add `POST /slack/events` to the API app, dispatching verified requests to `bolt`.

    Until `connection` knows the bot's identity, events get a JSON 503, so Slack retries them.
    """
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
            return error_response(
                401, "invalid_signature",
                "The X-Slack-Signature is missing or wrong, or the request is more than "
                "5 minutes old: requests must be signed with the app's signing secret.",
            )
        bolt_request = BoltRequest(
            body=body.decode("utf-8", errors="replace"),
            query=dict(request.query_params),
            headers=dict(request.headers),
        )
        if _needs_identity(bolt_request.body) and (
            await run_in_threadpool(connection.identity_now) is None
        ):
            # Without knowing which bot it is, bolt cannot tell its own messages from others'.
            # Not acknowledged, so not claimed by the dedupe: Slack's retry will be answered.
            log.warning("could not answer a Slack request: the bot has not reached the Slack "
                        "Web API yet (the log says why); Slack will retry")
            return error_response(
                503, "slack_unavailable",
                "The bot cannot reach the Slack Web API yet (auth.test has not succeeded), "
                "so it cannot answer; Slack retries events later.",
                **{"Retry-After": str(RETRY_AFTER_S)},
            )
        # dispatch() blocks until the listener acknowledges (well under Slack's 3 s), so it
        # runs on a worker thread rather than the event loop.
        bolt_response = await run_in_threadpool(bolt.dispatch, bolt_request)
        if bolt_response.status >= 500:
            # bolt answers a failure with an empty body; the API's errors are always JSON.
            return error_response(
                bolt_response.status, "slack_handler_failed",
                "The bot could not handle this Slack request; the server log says why.",
            )
        return Response(
            content=bolt_response.body,
            status_code=bolt_response.status,
            headers=bolt_response.first_headers_without_set_cookie(),
        )

    api.add_api_route(PATH, slack_events, methods=["POST"], tags=["slack"],
                      summary="Slack events, slash commands and interactivity")


def _needs_identity(body: dict[str, Any]) -> bool:
    # Slack's URL check and SSL check are answered by bolt without the bot's identity, so the
    # Request URL can be verified while the Web API is unreachable.
    return not (body.get("type") in ("url_verification", "ssl_check") or body.get("ssl_check"))
