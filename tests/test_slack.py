"""The Slack bot, end to end: signed requests to the API under uvicorn, a mock Slack Web API."""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from pydantic import SecretStr

from assistant.answers import Answer, Citation
from assistant.api import create_app
from assistant.api.services import NotReadyError, Services
from assistant.config import Settings
from assistant.core import Assistant
from integrations.slack import formatting
from integrations.slack.cli import slack_command
from integrations.slack.dedupe import EventDedupe
from integrations.slack.socket_mode import SocketModeBot
from tests.servers import free_port, serving
from tests.slack_mock import (
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    Call,
    MockSlack,
    MockSocketMode,
    mock_slack,
    sign,
)

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
    return seed_settings.model_copy(update={
        "slack_bot_token": SecretStr(TOKEN),
        "slack_signing_secret": SecretStr(SECRET),
        "slack_api_url": slack.api_url,
        "feedback_db": tmp_path_factory.mktemp("slack") / "feedback.sqlite3",
    })


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


def new_ts() -> str:
    """A fresh Slack message timestamp."""
    return f"{int(time.time())}.{next(_ts):06d}"


def send(url: str, body: bytes, content_type: str = "application/json",
         headers: dict[str, str] | None = None, timestamp: int | None = None) -> httpx.Response:
    """POST a body to /slack/events, signed like Slack signs it."""
    signed = {**sign(SECRET, body, timestamp), "Content-Type": content_type, **(headers or {})}
    return httpx.post(f"{url}/slack/events", content=body, headers=signed, timeout=10)


def send_event(url: str, event: dict[str, Any], event_id: str | None = None,
               retry: int | None = None) -> httpx.Response:
    """Deliver an Events API callback (a retry when `retry` is a number)."""
    body = {
        "token": "unused", "team_id": TEAM_ID, "api_app_id": "A0001", "type": "event_callback",
        "event_id": event_id or f"Ev{next(_ts):08d}", "event_time": int(time.time()),
        "event": {"event_ts": event.get("ts"), **event},
    }
    headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if (
        retry is not None) else {}
    response = send(url, json.dumps(body).encode(), headers=headers)
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


# -- answering ------------------------------------------------------------------------------


def test_mention_answers_in_the_thread_with_sources_and_buttons(
    url: str, slack: MockSlack, api: FastAPI
) -> None:
    event = mention("How much does ClearML cost?")
    send_event(url, event)
    [post] = slack.wait_for("chat.postMessage", in_thread(event["ts"]))
    assert post.arg("channel") == "C0001"
    assert "$15" in post.arg("text") and "[1]" in post.arg("text")
    assert "$15" in section_text(post)
    lines = sources(post)
    assert 1 <= len(lines) <= 5
    assert lines[0].startswith("[1] ") and f"<{SOURCE}|Kubeflow Alternatives — " in lines[0]
    buttons = [b for b in post.blocks if b["type"] == "actions"][0]["elements"]
    assert [b["action_id"] for b in buttons] == ["feedback_up", "feedback_down"]
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    # The answer was stored, so a click on its buttons can be recorded against it.
    api.state.services.feedback.add(buttons[0]["value"], "up", channel="slack", user="U9")


def test_dm_answers_in_the_thread(url: str, slack: MockSlack) -> None:
    event = dm("Should we leave Kubeflow?")
    send_event(url, event)
    [post] = slack.wait_for("chat.postMessage", in_thread(event["ts"]))
    assert post.arg("channel") == "D0001"
    assert "*When to switch:*" in section_text(post)  # Markdown bold became mrkdwn bold
    assert "**" not in section_text(post)
    assert len(sources(post)) <= 5


def test_thread_follow_up_uses_the_thread_as_history(url: str, slack: MockSlack) -> None:
    parent, reply = new_ts(), new_ts()
    slack.replies[("C0002", parent)] = [
        {"type": "message", "user": "U0001", "ts": parent,
         "text": f"<@{BOT_USER_ID}> Tell me about ClearML."},
        {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": reply,
         "text": "ClearML is an open-source MLOps platform [1]."},
    ]
    follow_up = {"type": "message", "channel_type": "channel", "user": "U0001",
                 "text": "How much does it cost?", "ts": new_ts(), "thread_ts": parent,
                 "channel": "C0002"}
    slack.replies[("C0002", parent)].append({**follow_up})
    send_event(url, follow_up)
    [post] = slack.wait_for("chat.postMessage", in_thread(parent))
    assert post.arg("channel") == "C0002"
    assert "$15" in section_text(post)  # "it" was understood as ClearML from the thread
    [fetch] = slack.calls_to("conversations.replies", lambda c: c.arg("ts") == parent)
    assert fetch.arg("channel") == "C0002"


def test_mention_in_a_thread_is_answered_once(url: str, slack: MockSlack) -> None:
    parent = new_ts()
    slack.replies[("C0004", parent)] = [
        {"type": "message", "user": "U0002", "ts": parent, "text": "We run Kubeflow today."},
        {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": new_ts(),
         "text": "Kubeflow is a Kubernetes-native ML platform [1]."},
    ]
    asked = mention("How much does ClearML cost?", channel="C0004", thread_ts=parent)
    # Slack delivers both: the mention, and (channels:history) the message carrying it.
    send_event(url, asked)
    send_event(url, {**asked, "type": "message", "channel_type": "channel"})
    slack.wait_for("chat.postMessage", in_thread(parent))
    answered_after_marker(slack, url)
    assert len(slack.calls_to("chat.postMessage", in_thread(parent))) == 1


def test_thread_the_bot_never_answered_in_is_left_alone(url: str, slack: MockSlack) -> None:
    parent = new_ts()
    slack.replies[("C0003", parent)] = [
        {"type": "message", "user": "U0002", "ts": parent, "text": "Lunch anyone?"}]
    chatter = {"type": "message", "channel_type": "channel", "user": "U0001", "text": "Sure!",
               "ts": new_ts(), "thread_ts": parent, "channel": "C0003"}
    send_event(url, chatter)
    slack.wait_for("conversations.replies", lambda c: c.arg("ts") == parent)
    answered_after_marker(slack, url)
    assert slack.calls_to("chat.postMessage", lambda c: c.arg("channel") == "C0003") == []


def test_bots_edits_and_joins_are_ignored(url: str, slack: MockSlack) -> None:
    ignored = [
        dm("How much does Ray cost?", bot_id="B0OTHER"),
        dm("How much does Ray cost?", subtype="bot_message"),
        dm("joined", subtype="channel_join"),
        {**dm(""), "subtype": "message_changed",
         "message": {"text": "How much does Ray cost?", "user": "U0001"}},
        mention("How much does Ray cost?", bot_id="B0OTHER"),
        dm("How much does Ray cost?", user=BOT_USER_ID, bot_id=BOT_ID),  # our own message
    ]
    for event in ignored:
        send_event(url, event)
    answered_after_marker(slack, url)
    threads = {event["ts"] for event in ignored}
    assert slack.calls_to("chat.postMessage", lambda c: c.arg("thread_ts") in threads) == []


def test_unanswerable_question_says_so_without_sources(url: str, slack: MockSlack) -> None:
    event = mention("What is the capital of France?")
    send_event(url, event)
    [post] = slack.wait_for("chat.postMessage", in_thread(event["ts"]))
    assert "corpus does not" in section_text(post)
    assert sources(post) == []
    assert any(b["type"] == "actions" for b in post.blocks)


def test_ask_command_answers_only_the_asker(url: str, slack: MockSlack) -> None:
    form = {"command": "/ask", "text": "How much does ClearML cost?", "user_id": "U0001",
            "channel_id": "C0001", "team_id": TEAM_ID, "trigger_id": "t1",
            "response_url": slack.response_url("ask-1")}
    response = send(url, urlencode(form).encode(), "application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "Looking that up" in response.text
    [reply] = slack.wait_for("response_url", lambda c: c.path.endswith("/ask-1"))
    assert reply.arg("response_type") == "ephemeral"
    assert "$15" in section_text(reply) and sources(reply)
    assert slack.calls_to("chat.postMessage", lambda c: c.arg("channel") == "C0001" and
                          "$15" in (c.arg("text") or "") and not c.arg("thread_ts")) == []


def test_feedback_click_stores_the_rating_and_thanks_the_user(
    url: str, slack: MockSlack, api: FastAPI
) -> None:
    event = mention("Which tool if model serving is our bottleneck?")
    send_event(url, event)
    [post] = slack.wait_for("chat.postMessage", in_thread(event["ts"]))
    answer_id = post.blocks[-1]["elements"][1]["value"]
    message_ts = "1700000000.000999"
    payload = {
        "type": "block_actions", "team": {"id": TEAM_ID}, "user": {"id": "U0042"},
        "api_app_id": "A0001", "trigger_id": "t2", "response_url": slack.response_url("click-1"),
        "container": {"type": "message", "message_ts": message_ts, "channel_id": "C0001",
                      "is_ephemeral": False},
        "channel": {"id": "C0001"},
        "message": {"type": "message", "ts": message_ts, "text": post.arg("text"),
                    "blocks": post.blocks, "bot_id": BOT_ID},
        "actions": [{"type": "button", "action_id": "feedback_down", "block_id": "feedback",
                     "value": answer_id, "action_ts": new_ts()}],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    assert send(url, body, "application/x-www-form-urlencoded").status_code == 200
    [update] = slack.wait_for("chat.update", lambda c: c.arg("ts") == message_ts)
    assert update.arg("channel") == "C0001"
    assert not any(b["type"] == "actions" for b in update.blocks)
    assert "<@U0042>" in json.dumps(update.blocks[-1]) and "Thanks" in json.dumps(update.blocks)
    assert section_text(update) == section_text(post)  # the answer itself is kept
    ratings = [r for r in api.state.services.feedback.records() if r.answer_id == answer_id]
    assert [(r.rating, r.channel, r.user) for r in ratings] == [("down", "slack", "U0042")]


# -- delivery: retries, rate limits, size limits, readiness ---------------------------------


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
    posts = slack.wait_for("chat.postMessage", in_thread(event["ts"]), count=2)
    assert len(posts) == 2 and section_text(posts[0]) == section_text(posts[1])


def test_answer_too_long_for_one_block_is_split(
    url: str, slack: MockSlack, api: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    paragraph = "MLflow tracks experiments and serves models for many teams [1]. " * 30
    long_text = "\n\n".join(f"**Point {i}:** {paragraph}" for i in range(6))
    citations = [Citation(n=n, doc_id=f"d{n}.md", title=f"Doc {n}", section="Pricing",
                          source=f"https://example.com/{n}", text="t", score=0.5, chunk_id=str(n))
                 for n in range(1, 9)]
    services = api.state.services
    answer = Answer(id="long-answer", answer=long_text, citations=citations, answerable=True,
                    mode="extractive", question="q", timings_ms={})

    def long_answer(message: str, history: object = (), top_k: object = None,
                    channel: str = "api") -> Answer:
        services.feedback.remember(answer, message, channel)
        return answer

    monkeypatch.setattr(services, "answer", long_answer)
    event = mention("Tell me everything about MLflow.")
    send_event(url, event)
    [post] = slack.wait_for("chat.postMessage", in_thread(event["ts"]))
    sections = [b["text"]["text"] for b in post.blocks if b["type"] == "section"]
    assert len(long_text) > 3000 and len(sections) > 1
    assert all(len(text) <= 3000 for text in sections) and len(post.blocks) <= 50
    assert sum(text.count("[1]") for text in sections) == long_text.count("[1]")
    lines = sources(post)
    assert len(lines) == 5 and lines[0] == "[1] <https://example.com/1|Doc 1 — Pricing>"
    assert lines[-1] == "…and 4 more sources"


def test_question_while_loading_gets_a_polite_reply(
    url: str, slack: MockSlack, api: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    def loading(*args: object, **kwargs: object) -> Answer:
        raise NotReadyError("the index is still loading")

    monkeypatch.setattr(api.state.services, "answer", loading)
    monkeypatch.setattr(api.state.slack_bot, "ready_wait_s", 0.3)
    event = dm("How much does Ray cost?")
    send_event(url, event)
    [post] = slack.wait_for("chat.postMessage", in_thread(event["ts"]))
    assert "still loading" in post.arg("text")


def test_api_serves_while_slack_is_unreachable(
    seed_settings: Settings, assistant: Assistant, caplog: pytest.LogCaptureFixture,
    tmp_path: Any,
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/api/"
    settings = seed_settings.model_copy(update={
        "slack_bot_token": SecretStr(TOKEN), "slack_signing_secret": SecretStr(SECRET),
        "slack_api_url": dead, "feedback_db": tmp_path / "feedback.sqlite3"})
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


# -- units ----------------------------------------------------------------------------------


def test_formatting_converts_markdown_to_mrkdwn() -> None:
    text = "## Costs\n**Ray** is *free* [1].\n- see [docs](https://ray.io) & <more>"
    assert formatting.to_mrkdwn(text) == (
        "*Costs*\n*Ray* is _free_ [1].\n• see <https://ray.io|docs> &amp; &lt;more&gt;")


def test_formatting_question_drops_the_mention_and_slack_markup() -> None:
    raw = f"<@{BOT_USER_ID}> is <https://ray.io|Ray> &amp; MLflow &lt;free&gt;?"
    assert formatting.to_question(raw, BOT_USER_ID) == "is Ray & MLflow <free>?"


def test_formatting_huge_answer_stays_within_50_blocks() -> None:
    answer = Answer(id="x", answer="word " * 60_000, citations=[], answerable=True,
                    mode="extractive", question="q", timings_ms={})
    blocks = formatting.answer_blocks(answer)
    assert len(blocks) == 50 and blocks[-1]["type"] == "actions"
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    assert "shortened" in blocks[-2]["text"]["text"]
    assert len(formatting.fallback_text(answer)) <= 3000


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
