"""Socket Mode: the bot connects out to Slack over a WebSocket, so no public URL is needed."""

from __future__ import annotations

import logging
import threading

from slack_bolt.adapter.socket_mode import SocketModeHandler

from assistant.api.services import Services
from integrations.slack.app import SlackConfigError, build_app, make_client
from integrations.slack.connection import SlackConnection

log = logging.getLogger(__name__)


class SocketModeBot:
    """The bolt app behind a Socket Mode connection; `start` connects, retrying until it can."""

    def __init__(self, services: Services, first_wait_s: float = 2.0,
                 max_wait_s: float = 300.0) -> None:
        token = services.settings.slack_app_token
        if token is None:
            raise SlackConfigError("SLACK_APP_TOKEN is not set: create an app-level token "
                                   "(xapp-..., scope connections:write) on the app's Basic "
                                   "Information page")
        self.connection = SlackConnection(make_client(services.settings), first_wait_s,
                                          max_wait_s)
        self.app = build_app(services, self.connection, socket_mode=True)
        self.handler = SocketModeHandler(self.app, token.get_secret_value())
        self.first_wait_s, self.max_wait_s = first_wait_s, max_wait_s
        self._stop = threading.Event()

    def start(self) -> bool:
        """Check the bot token, then open the WebSocket; True once connected, False if stopped."""
        if not self.connection.wait_until_connected():
            return False
        wait = self.first_wait_s
        while not self._stop.is_set():
            try:
                self.handler.connect()
                log.info("Socket Mode connection open")
                return True
            except Exception as exc:  # noqa: BLE001 - logged, then retried
                # The error names the URL and the reason, never the app token.
                log.error("could not open the Socket Mode connection (%s: %s); retrying in "
                          "%.0f s. Check SLACK_APP_TOKEN (xapp-..., scope connections:write).",
                          type(exc).__name__, exc, wait)
                self.handler.client.wss_uri = None  # ask apps.connections.open for a fresh URL
            if self._stop.wait(wait):
                break
            wait = min(wait * 2, self.max_wait_s)
        return False

    def stop(self) -> None:
        """Stop retrying and close the connection."""
        self._stop.set()
        self.connection.stop()
        self.handler.close()
