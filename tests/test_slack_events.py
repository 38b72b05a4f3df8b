"""The Slack bot's transport: signatures, url_verification, retries, 429s, Slack unreachable."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from pydantic import SecretStr

from assistant.api import create_app
from assistant.api.services import Services
from assistant.config import Settings
from assistant.core import Assistant
from integrations.slack import mount
from integrations.slack.cli import slack_command
from integrations.slack.dedupe import EventDedupe
from integrations.slack.socket_mode import SocketModeBot
from tests.servers import free_port, serving
from tests.slack_fixtures import (
    SECRET,
    TOKEN,
    answered_after_marker,
    deliver,
    dm,
    in_thread,
    mention,
    section_text,
    send,
    send_event,
    slack_settings,
)
from tests.slack_mock import TEAM_ID, MockSlack, MockSocketMode, mock_slack, sign

# The fixtures `slack` (the mock Web API), `settings`, `api` and `url` (the API under uvicorn).
pytest_plugins = ["tests.slack_fixtures"]


# -- HTTP contract --------------------------------------------------------------------------


def test_events_url_verification_returns_the_challenge(url: str) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"}).encode()
    response = send(url, body)
    assert response.status_code == 200
    assert response.json()["challenge"] == "abc123"


@pytest.mark.parametrize("kind", ["wrong secret", "stale", "missing"])
def test_events_bad_or_stale_signature_gets_401(url: str, kind: str) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123"}).encode()
    if kind == "wrong secret":
        headers = {**sign("not-the-secret", body), "Content-Type": "application/json"}
    elif kind == "stale":
        headers = {**sign(SECRET, body, int(time.time()) - 6 * 60),
                   "Content-Type": "application/json"}
    else:
        headers = {"Content-Type": "application/json"}
    response = httpx.post(f"{url}/slack/events", content=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_signature"
    assert SECRET not in response.text


# -- delivery: retries, rate limits, Slack unreachable -------------------------------------


def test_retried_event_is_answered_once(url: str, slack: MockSlack) -> None:
    event = mention("How much does Metaflow cost?")
    send_event(url, event, event_id="EvRetried")
    send_event(url, event, event_id="EvRetried", retry=1)  # while the first is being answered
    slack.wait_for("chat.postMessage", in_thread(event["ts"]))
    send_event(url, event, event_id="EvRetried", retry=2)  # after it was answered
    answered_after_marker(slack, url)
    assert len(slack.calls_to("chat.postMessage", in_thread(event["ts"]))) == 1


def test_retry_of_an_event_never_processed_is_answered(url: str, slack: MockSlack) -> None:
    event = mention("How much does Metaflow cost?")
    send_event(url, event, event_id="EvFirstDeliveryLost", retry=1)
    [post] = slack.wait_for("chat.postMessage", in_thread(event["ts"]))
    assert post.arg("channel") == "C0001"


def test_rate_limited_post_arrives_after_retry_after(url: str, slack: MockSlack) -> None:
    slack.fail_once("chat.postMessage", status=429, retry_after=1)
    event = mention("How much does ClearML cost?")
    send_event(url, event)
    refused, resent = slack.wait_for("chat.postMessage", in_thread(event["ts"]), count=2)
    assert section_text(refused) == section_text(resent)
    # The client waited for the Retry-After (1 s, plus up to 1 s of jitter) before sending again.
    assert resent.at - refused.at >= 1.0


def test_api_serves_while_slack_is_unreachable(
    seed_settings: Settings, assistant: Assistant, caplog: pytest.LogCaptureFixture,
    tmp_path: Any,
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/api/"
    settings = slack_settings(seed_settings, dead, tmp_path)
    caplog.set_level(logging.INFO, logger="integrations.slack")
    app = create_app(settings, assistant=assistant)
    with serving(app) as base:
        chat = httpx.post(f"{base}/v1/chat", json={"message": "How much does ClearML cost?"},
                          timeout=10)
        assert chat.status_code == 200 and "$15" in chat.json()["answer"]
        deadline = time.monotonic() + 10
        while "cannot reach the Slack Web API" not in caplog.text:
            assert time.monotonic() < deadline, caplog.text
            time.sleep(0.05)
    app.state.slack_connection.stop()
    assert dead in caplog.text and TOKEN not in caplog.text and SECRET not in caplog.text


def test_events_while_slack_is_unreachable_get_503_and_the_retry_is_answered(
    seed_settings: Settings, assistant: Assistant, tmp_path: Path
) -> None:
    port = free_port()  # nothing listens there until the mock starts on it
    app = create_app(slack_settings(seed_settings, f"http://127.0.0.1:{port}/api/", tmp_path),
                     assistant=assistant)
    connection = app.state.slack_connection
    connection.min_probe_interval_s = 0.0  # let the retry probe Slack at once, not a second later
    event = mention("How much does ClearML cost?")
    try:
        with serving(app) as base:
            first = deliver(base, event, event_id="EvWhileDown")
            assert first.status_code == 503
            assert first.json()["error"]["code"] == "slack_unavailable"
            with mock_slack(port) as slack:
                deliver(base, event, event_id="EvWhileDown", retry=1).raise_for_status()
                [post] = slack.wait_for("chat.postMessage", in_thread(event["ts"]))
                # The identity from the bot's own check served bolt too: one auth.test, not two.
                assert len(slack.calls_to("auth.test")) == 1
    finally:
        connection.stop()
    assert "$15" in section_text(post)


def test_events_url_verification_works_while_slack_is_unreachable(
    seed_settings: Settings, assistant: Assistant, tmp_path: Path
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/api/"
    app = create_app(slack_settings(seed_settings, dead, tmp_path), assistant=assistant)
    body = json.dumps({"type": "url_verification", "challenge": "c1", "token": "x"}).encode()
    try:
        with serving(app) as base:
            response = send(base, body)
    finally:
        app.state.slack_connection.stop()
    assert response.status_code == 200 and response.json()["challenge"] == "c1"


def test_mount_with_several_workers_warns_that_retries_may_be_answered_twice(
    settings: Settings, assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="integrations.slack")
    app = FastAPI()
    mount(app, Services(settings.model_copy(update={"workers": 3}), assistant))
    app.state.slack_connection.stop()
    assert "served by 3 workers" in caplog.text and "answered twice" in caplog.text
    caplog.clear()
    single = FastAPI()
    mount(single, Services(settings, assistant))
    single.state.slack_connection.stop()
    assert "answered twice" not in caplog.text


# -- units ----------------------------------------------------------------------------------

def test_dedupe_skips_seen_events_and_forgets_failed_ones() -> None:
    now = [0.0]
    dedupe = EventDedupe(ttl_s=60, clock=lambda: now[0])
    assert dedupe.claim("E1") and not dedupe.claim("E1")  # processing: a retry is skipped
    dedupe.done("E1")
    assert not dedupe.claim("E1")  # done: skipped
    assert dedupe.claim("E2")
    dedupe.release("E2")  # failed: Slack's retry gets another chance
    assert dedupe.claim("E2")
    now[0] = 61
    assert dedupe.claim("E1")  # long past Slack's last retry


def test_cli_slack_socket_without_app_token_says_what_is_missing(settings: Settings) -> None:
    result = CliRunner().invoke(slack_command, ["--socket"], obj={"settings": settings})
    assert result.exit_code == 2
    assert "SLACK_APP_TOKEN" in result.output and TOKEN not in result.output


def test_socket_mode_answers_an_event_from_the_websocket(
    settings: Settings, assistant: Assistant, slack: MockSlack
) -> None:
    socket = MockSocketMode()
    slack.socket_url = socket.url
    services = Services(settings.model_copy(update={"slack_app_token": SecretStr("xapp-test")}),
                        assistant)
    bot = SocketModeBot(services)
    try:
        assert bot.start()
        event = dm("How much does ClearML cost?", channel="D0SOCKET")
        socket.send_event({"type": "event_callback", "team_id": TEAM_ID, "event_id": "EvSocket",
                           "event": event}, envelope_id="env-1")
        socket.wait_for_ack("env-1")
        [post] = slack.wait_for("chat.postMessage", in_thread(event["ts"]))
    finally:
        bot.stop()
        socket.stop()
    assert post.arg("channel") == "D0SOCKET" and "$15" in section_text(post)
    [opened] = slack.calls_to("apps.connections.open")
    assert opened.headers["authorization"] == "Bearer xapp-test"
