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
    from integrations.slack.app import build_app, make_client
    from integrations.slack.connection import SlackConnection
    from integrations.slack.events import PATH, add_events_route
    from integrations.slack.handlers import SlackBot

    settings = services.settings
    app.state.slack_bot = SlackBot(services)
    app.state.slack_connection = SlackConnection(make_client(settings))
    bolt = build_app(services, app.state.slack_connection, bot=app.state.slack_bot)
    secret = settings.slack_signing_secret
    add_events_route(app, bolt, secret.get_secret_value() if secret else "",
                     app.state.slack_connection)
    app.state.slack_app = bolt
    app.state.slack_connection.start()
    log.info("Slack events mounted at %s", PATH)
    if settings.workers > 1:
        # EventDedupe lives in each process's memory, and Slack's retry of an event may reach
        # another worker than its first delivery did.
        log.warning("Slack events are served by %d workers, but each worker remembers only the "
                    "events it received: a retried event that lands on another worker is answered "
                    "twice. Run the Slack bot with one worker (or `assistant slack --socket`).",
                    settings.workers)


__all__ = ["mount"]
