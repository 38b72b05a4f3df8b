"""Builds the slack-bolt `App` (and its Web API client) around the assistant's services."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from assistant.api.services import Services
from assistant.config import Settings
from integrations.slack.connection import SlackConnection
from integrations.slack.handlers import SlackBot

log = logging.getLogger(__name__)

ANSWER_WORKERS = 4  # questions answered at once; more queue (each takes well under a second)


class _HideTokenSkippedWarning(logging.Filter):
    """Drops bolt's warnings that the token is unused or ignored.

    The client carries the bot token and `authorize` hands bolt that same token, so bolt warns
    that the client's token (or SLACK_BOT_TOKEN) is ignored: true, and only confusing to whoever
    reads the log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """False for those warnings."""
        message = record.getMessage()
        return not ("`token` will be unused" in message or "`token` (or SLACK_BOT_TOKEN" in message)


BOLT_LOG = logging.getLogger("integrations.slack.bolt")
BOLT_LOG.addFilter(_HideTokenSkippedWarning())


class SlackConfigError(ValueError):
    """A Slack setting the bot needs is missing."""


def make_client(settings: Settings) -> WebClient:
    """The Web API client: the bot token, `ASSISTANT_SLACK_API_URL`, retries on 429 and drops."""
    if settings.slack_bot_token is None:
        raise SlackConfigError("SLACK_BOT_TOKEN is not set: copy the app's Bot User OAuth Token "
                               "(xoxb-...) into the environment or .env")
    base_url = settings.slack_api_url or WebClient.BASE_URL
    return WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        # urljoin drops the last path segment of a base URL without a trailing slash.
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            # chat.postMessage allows about one message per second per channel: wait and resend.
            RateLimitErrorRetryHandler(max_retry_count=3),
        ],
    )


def build_app(services: Services, connection: SlackConnection, *, socket_mode: bool = False,
              bot: SlackBot | None = None) -> App:
    """A bolt `App` answering with `services`; it makes no network call until an event arrives.

    The bot's identity comes from `connection` (its cached `auth.test`), so bolt never calls
    `auth.test` itself: the check at startup is the only one.
    """
    settings = services.settings
    signing = settings.slack_signing_secret
    secret = signing.get_secret_value() if signing else ""
    if not secret and not socket_mode:
        raise SlackConfigError("SLACK_SIGNING_SECRET is not set: copy it from the app's Basic "
                               "Information page (it verifies that requests come from Slack)")

    def authorize() -> AuthorizeResult | None:
        # None (bolt then answers nothing) only while Slack was never reached; events.py turns
        # that case away first, with a 503 Slack retries.
        return connection.identity_now()

    app = App(
        name="platform-assistant",
        client=connection.client,
        signing_secret=secret,
        # Checked once, before bolt: `/slack/events` verifies every signature itself (so a bad
        # one gets a JSON 401), and Socket Mode requests come over an authenticated WebSocket.
        request_verification_enabled=False,
        # With `authorize`, bolt neither calls auth.test at construction (the server must start
        # while Slack is unreachable) nor on the first event (SingleTeamAuthorization would).
        authorize=authorize,
        # Events are acknowledged at once; the answer is written on these threads afterwards.
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(ANSWER_WORKERS, thread_name_prefix="slack-answer"),
        logger=BOLT_LOG,
    )
    (bot or SlackBot(services)).register(app)
    return app
