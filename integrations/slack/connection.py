"""Learns the bot's identity from `auth.test`, retrying (and logging why) until Slack answers."""

from __future__ import annotations

import logging
import threading
import time

from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 2.0  # an event waits for a probe, and Slack wants an answer within 3 s


class SlackConnection:
    """Calls `auth.test` until it succeeds, with exponential backoff; never raises.

    The result is the bot's identity, cached: bolt gets it through its `authorize` function (see
    app.py), so `auth.test` runs once per process rather than again on the first event.
    """

    def __init__(self, client: WebClient, first_wait_s: float = 2.0, max_wait_s: float = 300.0,
                 min_probe_interval_s: float = 1.0) -> None:
        self.client = client
        self.first_wait_s = first_wait_s
        self.max_wait_s = max_wait_s
        self.min_probe_interval_s = min_probe_interval_s
        self.identity: AuthorizeResult | None = None
        # No client-level retries: the backoff loop retries, and an event cannot wait for both.
        self._probe_client = WebClient(token=client.token, base_url=client.base_url,
                                       timeout=PROBE_TIMEOUT_S, retry_handlers=[])
        self._checking = threading.Lock()  # one auth.test at a time, none once connected
        self._last_check = float("-inf")
        self._stop = threading.Event()

    def check(self) -> bool:
        """One `auth.test` (unless already connected): True if Slack accepted the token."""
        with self._checking:
            return self._check()

    def identity_now(self) -> AuthorizeResult | None:
        """The bot's identity; while unknown, first one quick `auth.test` (unless one just ran).

        For an incoming event: it shows Slack is back, maybe before the backoff loop notices.
        A check already under way is waited for (bounded), not repeated.
        """
        if self.identity is None and self._checking.acquire(timeout=PROBE_TIMEOUT_S):
            try:
                if time.monotonic() - self._last_check >= self.min_probe_interval_s:
                    self._check()
            finally:
                self._checking.release()
        return self.identity

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

    def _check(self) -> bool:
        if self.identity is not None:
            return True
        self._last_check = time.monotonic()
        try:
            result = self._probe_client.auth_test()
        except SlackApiError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            # Only the error code: the response never holds the token, but keep logs minimal.
            code = exc.response.get("error", "unknown error") if exc.response else "unknown error"
            if status >= 500:
                log.error("the Slack Web API at %s is unavailable (HTTP %s); the bot will retry, "
                          "and the HTTP API keeps serving", self.client.base_url, status)
            else:
                log.error("Slack rejected the bot token (%s): check SLACK_BOT_TOKEN and that the "
                          "app is installed in the workspace", code)
            return False
        except Exception as exc:  # noqa: BLE001 - any network failure means "not reachable yet"
            log.error("cannot reach the Slack Web API at %s (%s: %s); the bot will retry, and "
                      "the HTTP API keeps serving", self.client.base_url, type(exc).__name__, exc)
            return False
        token = self.client.token or ""
        self.identity = AuthorizeResult(
            enterprise_id=result.get("enterprise_id"), team_id=result.get("team_id"),
            team=result.get("team"), url=result.get("url"), bot_user_id=result.get("user_id"),
            bot_id=result.get("bot_id"), bot_token=token,
            bot_scopes=result.headers.get("x-oauth-scopes"),
        )
        log.info("connected to Slack as @%s (%s) in %s", result.get("user", ""),
                 result.get("user_id", ""), result.get("team") or "the workspace")
        return True
