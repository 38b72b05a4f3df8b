"""The Slack bot's answers: mentions, DMs, threads, /ask, feedback buttons and formatting."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from slack_sdk import WebClient

from assistant.answers import Answer, Citation
from assistant.api.services import NotReadyError
from integrations.slack import formatting, threads
from tests.slack_fixtures import (
    SOURCE,
    TOKEN,
    answered_after_marker,
    dm,
    in_thread,
    mention,
    new_ts,
    section_text,
    send,
    send_event,
    sources,
    thread_reply,
)
from tests.slack_mock import BOT_ID, BOT_USER_ID, TEAM_ID, MockSlack

# The fixtures `slack` (the mock Web API), `settings`, `api` and `url` (the API under uvicorn).
pytest_plugins = ["tests.slack_fixtures"]


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
    follow_up = thread_reply("How much does it cost?", parent, "C0002")
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
    chatter = thread_reply("Sure!", parent, "C0003")
    send_event(url, chatter)
    slack.wait_for("conversations.replies", lambda c: c.arg("ts") == parent)
    answered_after_marker(slack, url)
    assert slack.calls_to("chat.postMessage", lambda c: c.arg("channel") == "C0003") == []


def test_thread_follow_up_in_a_long_thread_reads_every_page(url: str, slack: MockSlack) -> None:
    parent = new_ts()
    chatter = [{"type": "message", "user": "U0002", "ts": new_ts(), "text": "noted"}
               for _ in range(240)]  # more than a page: the bot's reply is on the second
    thread = [{"type": "message", "user": "U0002", "ts": parent, "text": "Tools thread"},
              *chatter,
              {"type": "message", "user": "U0001", "ts": new_ts(),
               "text": f"<@{BOT_USER_ID}> Tell me about ClearML."},
              {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": new_ts(),
               "text": "ClearML is an open-source MLOps platform [1]."}]
    follow_up = thread_reply("How much does it cost?", parent, "C0005")
    slack.replies[("C0005", parent)] = [*thread, {**follow_up}]
    send_event(url, follow_up)
    [post] = slack.wait_for("chat.postMessage", in_thread(parent))
    assert "$15" in section_text(post)  # the latest turns, not the oldest, were the history
    fetches = slack.calls_to("conversations.replies", lambda c: c.arg("ts") == parent)
    assert len(fetches) == 2 and fetches[1].arg("cursor")


def test_read_thread_stops_after_max_pages_and_keeps_the_latest_turns(slack: MockSlack) -> None:
    parent = new_ts()
    messages = [{"type": "message", "user": "U0002", "ts": new_ts(), "text": f"message {i}"}
                for i in range(100)]
    slack.replies[("C0006", parent)] = messages
    client = WebClient(token=TOKEN, base_url=slack.api_url)
    thread = threads.read_thread(client, "C0006", parent, new_ts(), (BOT_USER_ID, BOT_ID),
                                 page_size=5, max_pages=5)
    assert len(slack.calls_to("conversations.replies", lambda c: c.arg("ts") == parent)) == 5
    # 25 messages read, of which the assistant gets the latest HISTORY_TURNS.
    assert [turn["content"] for turn in thread.history] == [f"message {i}" for i in range(5, 25)]
    assert not thread.bot_spoke


def test_thread_reply_is_left_alone_when_the_thread_cannot_be_read(
    url: str, slack: MockSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="integrations.slack")
    parent = new_ts()
    slack.replies[("C0007", parent)] = [
        {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": parent,
         "text": "Kubeflow is a Kubernetes-native ML platform [1]."}]
    slack.fail_once("conversations.replies", status=200, error="missing_scope")
    reply = thread_reply("How much does ClearML cost?", parent, "C0007")
    send_event(url, reply)
    answered_after_marker(slack, url)
    assert slack.calls_to("chat.postMessage", in_thread(parent)) == []
    assert "(missing_scope): not answering a reply that does not mention the bot" in caplog.text


def test_mention_in_a_thread_that_cannot_be_read_is_answered_without_it(
    url: str, slack: MockSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="integrations.slack")
    parent = new_ts()
    slack.fail_once("conversations.replies", status=200, error="missing_scope")
    send_event(url, mention("How much does ClearML cost?", channel="C0008", thread_ts=parent))
    [post] = slack.wait_for("chat.postMessage", in_thread(parent))
    assert "$15" in section_text(post)
    assert "(missing_scope): answering without its history" in caplog.text


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


def test_ask_command_that_fails_tells_the_asker(
    url: str, slack: MockSlack, api: FastAPI, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object, **kwargs: object) -> Answer:
        raise RuntimeError("the index file is corrupt")

    monkeypatch.setattr(api.state.services, "answer", broken)
    form = {"command": "/ask", "text": "How much does ClearML cost?", "user_id": "U0001",
            "channel_id": "C0001", "team_id": TEAM_ID, "trigger_id": "t3",
            "response_url": slack.response_url("ask-broken")}
    response = send(url, urlencode(form).encode(), "application/x-www-form-urlencoded")
    assert "Looking that up" in response.text
    [reply] = slack.wait_for("response_url", lambda c: c.path.endswith("/ask-broken"))
    assert reply.arg("response_type") == "ephemeral"
    assert "something went wrong" in reply.arg("text")
    assert "the index file is corrupt" not in reply.arg("text")  # the reason stays in the log
    assert "could not answer an /ask question" in caplog.text


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
