"""Reads a Slack thread (`conversations.replies`, every page) as the assistant's chat history."""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass

from slack_sdk import WebClient

from integrations.slack.formatting import to_question

log = logging.getLogger(__name__)

HISTORY_TURNS = 20  # earlier thread messages passed to the assistant: the most recent ones
PAGE_SIZE = 200  # messages per conversations.replies call (Slack suggests at most 200)
MAX_PAGES = 10  # a thread longer than this many pages is read only that far


@dataclass
class Thread:
    """What the bot needs from a thread: the recent turns, and whether it spoke there."""

    history: list[dict[str, str]]
    bot_spoke: bool


def read_thread(client: WebClient, channel: str, thread_ts: str, before_ts: str,
                bot: tuple[str | None, str | None], page_size: int = PAGE_SIZE,
                max_pages: int = MAX_PAGES) -> Thread:
    """The thread's messages before `before_ts`; `bot` is (user id, bot id).

    Raises SlackApiError when Slack refuses (most often a missing `*:history` scope).
    """
    # Slack lists replies oldest first, so a long thread is read to its end: the turns that
    # matter for a follow-up are the latest ones, and the bot may have spoken on any page.
    history: deque[dict[str, str]] = deque(maxlen=HISTORY_TURNS)
    bot_spoke = False
    cursor: str | None = None
    for _ in range(max_pages):
        response = client.conversations_replies(channel=channel, ts=thread_ts, limit=page_size,
                                                cursor=cursor)
        for message in response.get("messages", []):
            if float(message.get("ts", 0)) >= float(before_ts):
                continue
            mine = (bot[0] and message.get("user") == bot[0]) or (
                bot[1] and message.get("bot_id") == bot[1]
            )
            if mine:
                bot_spoke = True
                history.append({"role": "assistant", "content": message.get("text", "")})
            elif not message.get("bot_id"):
                history.append({"role": "user",
                                "content": to_question(message.get("text", ""), bot[0])})
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    else:
        log.info("thread %s in %s is longer than %d pages: read its first %d messages only",
                 thread_ts, channel, max_pages, max_pages * page_size)
    return Thread(list(history), bot_spoke)
