"""Shared by the Slack tests: the mock Slack Web API, the API serving it, and event builders.

The test modules import the helpers by name and load the fixtures with `pytest_plugins`, not
through conftest.py. PYTEST_DONT_REWRITE: this module is imported before pytest loads it as a
plugin, too late to rewrite its asserts (and pytest would warn); each carries its own message.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from assistant.api import create_app
from assistant.config import Settings
from assistant.core import Assistant
from tests.servers import serving
from tests.slack_mock import BOT_USER_ID, TEAM_ID, Call, MockSlack, mock_slack, sign

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-bot-token"
SOURCE = "https://www.modern-datatools.com/alternatives/kubeflow"
_ts = itertools.count(1)


@pytest.fixture(scope="module")
def slack() -> Iterator[MockSlack]:
    """The mock Slack Web API."""
    with mock_slack() as mock:
        yield mock


@pytest.fixture(scope="module")
def settings(seed_settings: Settings, slack: MockSlack,
             tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Seed settings with Slack switched on and pointed at the mock."""
    return slack_settings(seed_settings, slack.api_url, tmp_path_factory.mktemp("slack"))


@pytest.fixture(scope="module")
def api(settings: Settings, assistant: Assistant) -> FastAPI:
    """The API app, with Slack mounted by `create_app`."""
    return create_app(settings, assistant=assistant)


@pytest.fixture(scope="module")
def url(api: FastAPI) -> Iterator[str]:
    """The API served by a real uvicorn on 127.0.0.1."""
    with serving(api) as base:
        yield base


# -- helpers --------------------------------------------------------------------------------


def slack_settings(base: Settings, api_url: str, data_dir: Path) -> Settings:
    """`base` with Slack switched on, its Web API at `api_url`, feedback stored in `data_dir`."""
    return base.model_copy(update={
        "slack_bot_token": SecretStr(TOKEN), "slack_signing_secret": SecretStr(SECRET),
        "slack_api_url": api_url, "feedback_db": data_dir / "feedback.sqlite3"})


def new_ts() -> str:
    """A fresh Slack message timestamp."""
    return f"{int(time.time())}.{next(_ts):06d}"


def send(url: str, body: bytes, content_type: str = "application/json",
         headers: dict[str, str] | None = None, timestamp: int | None = None) -> httpx.Response:
    """POST a body to /slack/events, signed like Slack signs it."""
    signed = {**sign(SECRET, body, timestamp), "Content-Type": content_type, **(headers or {})}
    return httpx.post(f"{url}/slack/events", content=body, headers=signed, timeout=10)


def deliver(url: str, event: dict[str, Any], event_id: str | None = None,
            retry: int | None = None) -> httpx.Response:
    """Deliver an Events API callback (a retry when `retry` is a number); any status."""
    body = {
        "token": "unused", "team_id": TEAM_ID, "api_app_id": "A0001", "type": "event_callback",
        "event_id": event_id or f"Ev{next(_ts):08d}", "event_time": int(time.time()),
        "event": {"event_ts": event.get("ts"), **event},
    }
    headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if (
        retry is not None) else {}
    return send(url, json.dumps(body).encode(), headers=headers)


def send_event(url: str, event: dict[str, Any], event_id: str | None = None,
               retry: int | None = None) -> httpx.Response:
    """Deliver an Events API callback, and check that the bot acknowledged it."""
    response = deliver(url, event, event_id, retry)
    assert response.status_code == 200, response.text
    return response


def mention(text: str, channel: str = "C0001", **extra: Any) -> dict[str, Any]:
    """An `app_mention` event from a person."""
    return {"type": "app_mention", "user": "U0001", "text": f"<@{BOT_USER_ID}> {text}",
            "ts": new_ts(), "channel": channel, **extra}


def dm(text: str, channel: str = "D0001", **extra: Any) -> dict[str, Any]:
    """A direct message to the bot."""
    return {"type": "message", "channel_type": "im", "user": "U0001", "text": text,
            "ts": new_ts(), "channel": channel, **extra}


def thread_reply(text: str, parent: str, channel: str) -> dict[str, Any]:
    """A person's reply, in a channel, to the thread started by `parent`."""
    return {"type": "message", "channel_type": "channel", "user": "U0001", "text": text,
            "ts": new_ts(), "thread_ts": parent, "channel": channel}


def in_thread(ts: str) -> Any:
    """Matches calls posting into the thread started by `ts`."""
    return lambda call: call.arg("thread_ts") == ts


def section_text(call: Call) -> str:
    """The answer text of a posted message (all its sections)."""
    return "\n".join(b["text"]["text"] for b in call.blocks if b["type"] == "section")


def sources(call: Call) -> list[str]:
    """The lines of the message's "Sources" block."""
    blocks = [b for b in call.blocks if b.get("block_id") == "sources"]
    return [e["text"] for e in blocks[0]["elements"][1:]] if blocks else []


def answered_after_marker(slack: MockSlack, url: str) -> None:
    """Send a DM and wait for its answer: events sent earlier have been handled by then."""
    marker = dm("How much does ClearML cost?")
    send_event(url, marker)
    slack.wait_for("chat.postMessage", in_thread(marker["ts"]))
