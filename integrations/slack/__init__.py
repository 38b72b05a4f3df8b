"""The Slack bot: answers mentions, DMs, thread follow-ups and `/ask` with cited answers.

`mount(app, services)` adds `POST /slack/events` to the API app (HTTP mode);
`assistant slack --socket` runs the same bot over Socket Mode (see `cli.py` and README.md).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assistant.api.services import Services

log = logging.getLogger(__name__)


def mount(app: FastAPI, services: Services) -> None:
    """Add `POST /slack/events` (events, slash commands, interactivity) to the API app.

    Makes no network call itself: a background thread checks that Slack accepts the token and
    keeps retrying, with a logged reason, while Slack is unreachable.
    """
    # Imported here: `import integrations.slack` stays cheap, and bolt loads only when mounted.
    from integrations.slack.app import build_app
    from integrations.slack.connection import SlackConnection
    from integrations.slack.events import PATH, add_events_route
    from integrations.slack.handlers import SlackBot

    app.state.slack_bot = SlackBot(services)
    bolt = build_app(services, bot=app.state.slack_bot)
    secret = services.settings.slack_signing_secret
    add_events_route(app, bolt, secret.get_secret_value() if secret else "")
    app.state.slack_app = bolt
    app.state.slack_connection = SlackConnection(bolt.client)
    app.state.slack_connection.start()
    log.info("Slack events mounted at %s", PATH)


__all__ = ["mount"]
