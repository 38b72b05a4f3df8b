"""Checks that Slack answers with the bot token, and keeps retrying (logging why) until it does."""

from __future__ import annotations

import logging
import threading

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


class SlackConnection:
    """Calls `auth.test` until it succeeds, with exponential backoff; never raises."""

    def __init__(self, client: WebClient, first_wait_s: float = 2.0, max_wait_s: float = 300.0):
        self.client = client
        self.first_wait_s = first_wait_s
        self.max_wait_s = max_wait_s
        self.identity: dict[str, str] | None = None
        self._stop = threading.Event()

    def check(self) -> bool:
        """One `auth.test`: True if Slack accepted the token (the outcome is logged)."""
        try:
            result = self.client.auth_test()
        except SlackApiError as exc:
            # Only the error code: the response never holds the token, but keep logs minimal.
            code = exc.response.get("error", "unknown error") if exc.response else "unknown error"
            log.error("Slack rejected the bot token (%s): check SLACK_BOT_TOKEN and that the app "
                      "is installed in the workspace", code)
            return False
        except Exception as exc:  # noqa: BLE001 - any network failure means "not reachable yet"
            log.error("cannot reach the Slack Web API at %s (%s: %s); the bot will retry, and "
                      "the HTTP API keeps serving", self.client.base_url, type(exc).__name__, exc)
            return False
        self.identity = {k: str(result.get(k, "")) for k in ("user", "user_id", "bot_id", "team")}
        log.info("connected to Slack as @%s (%s) in %s", self.identity["user"],
                 self.identity["user_id"], self.identity["team"] or "the workspace")
        return True

    def wait_until_connected(self) -> bool:
        """Retry `check` with backoff until it succeeds or `stop` is called; True if connected."""
        wait = self.first_wait_s
        while not self._stop.is_set():
            if self.check():
                return True
            log.info("next attempt to reach Slack in %.0f s", wait)
            if self._stop.wait(wait):
                break
            wait = min(wait * 2, self.max_wait_s)
        return False

    def start(self) -> threading.Thread:
        """Run `wait_until_connected` in a daemon thread, so the caller (the server) goes on."""
        thread = threading.Thread(target=self.wait_until_connected, name="slack-connection",
                                  daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        """Stop retrying."""
        self._stop.set()
