"""What the bot does with each Slack event: mentions, DMs, thread follow-ups, /ask, feedback."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant.answers import Answer
from assistant.api.services import NotReadyError, Services
from assistant.feedback import UnknownAnswerError
from integrations.slack.dedupe import EventDedupe
from integrations.slack.formatting import (
    FEEDBACK_ACTIONS,
    answer_blocks,
    escape,
    fallback_text,
    notice_blocks,
    thanked_blocks,
    to_question,
)
from integrations.slack.threads import read_thread

log = logging.getLogger(__name__)

CHANNEL = "slack"  # the feedback store's channel name for everything asked here
# Message subtypes that are a person asking something; every other subtype (edits, deletions,
# joins, bot messages, topic changes...) is ignored.
ASKING_SUBTYPES = {None, "file_share", "thread_broadcast"}

HELP = (
    "Ask me about Kubeflow and its alternatives (MLflow, Ray, BentoML, Metaflow, ...), for "
    "example _Should we leave Kubeflow?_ or _How much does ClearML cost?_"
)
LOADING = (
    ":hourglass_flowing_sand: I'm still loading the documents, so I can't answer yet. "
    "Please ask again in a minute."
)
FAILED = ":warning: Sorry, something went wrong while answering that; the bot's log says why."
USAGE = "Usage: `/ask Should we leave Kubeflow?`"


class SlackBot:
    """Answers Slack messages with the assistant, in the asker's thread."""

    def __init__(
        self, services: Services, dedupe: EventDedupe | None = None, ready_wait_s: float = 20.0
    ) -> None:
        self.services = services
        self.dedupe = dedupe or EventDedupe()
        self.ready_wait_s = ready_wait_s

    def register(self, app: App) -> None:
        """Attach the middleware and listeners to a bolt app."""
        app.middleware(self.skip_duplicates)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.command("/ask")(self.on_ask_command)
        for action_id in FEEDBACK_ACTIONS:
            app.action(action_id)(self.on_feedback)

    # -- listeners (bolt passes arguments by name) --------------------------------------------

    def skip_duplicates(
        self, body: dict[str, Any], next: Callable[[], None]  # noqa: A002 - bolt's argument name
    ) -> BoltResponse | None:
        """Acknowledge, without processing, an event that is already answered or being answered."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        # Claimed here, before the acknowledgement, so a retry racing the first delivery loses.
        if event_id and not self.dedupe.claim(event_id):
            log.info("event %s is a retry of one already handled: not answering twice", event_id)
            return BoltResponse(status=200, body="")
        next()
        return None

    def on_mention(self, event: dict[str, Any], body: dict[str, Any], client: WebClient,
                   context: dict[str, Any]) -> None:
        """Someone @-mentioned the bot in a channel: answer in their thread."""
        with _settling(self.dedupe, body):
            if _from_a_bot(event):
                return
            self._answer(client, context, event, check_thread=False)

    def on_message(self, event: dict[str, Any], body: dict[str, Any], client: WebClient,
                   context: dict[str, Any]) -> None:
        """A message: answer DMs, and follow-ups in threads the bot already answered in."""
        with _settling(self.dedupe, body):
            if _from_a_bot(event) or event.get("subtype") not in ASKING_SUBTYPES:
                return
            if event.get("channel_type") == "im":
                self._answer(client, context, event, check_thread=False)
            elif event.get("thread_ts") and f"<@{context.get('bot_user_id')}>" not in event.get(
                "text", ""
            ):
                # A mention is answered by `on_mention`; here only un-mentioned thread replies.
                self._answer(client, context, event, check_thread=True)

    def on_ask_command(self, ack: Callable[..., None], command: dict[str, Any],
                       respond: Respond) -> None:
        """`/ask question`: answer with a message only the asker sees."""
        question = to_question(command.get("text", ""))
        if not question:
            ack(text=USAGE)
            return
        ack(text=f":mag: Looking that up: _{escape(question)}_")
        try:
            answer = self._ask(question, [])
        except Exception:
            # The asker saw "Looking that up": never leave them waiting on it.
            log.exception("could not answer an /ask question from %s", command.get("user_id"))
            respond(text=FAILED, blocks=notice_blocks(FAILED), response_type="ephemeral",
                    replace_original=False)
            return
        if answer is None:
            respond(text=LOADING, response_type="ephemeral", replace_original=False)
            return
        respond(text=fallback_text(answer), blocks=answer_blocks(answer),
                response_type="ephemeral", replace_original=False)

    def on_feedback(self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any],
                    client: WebClient, respond: Respond) -> None:
        """A feedback button: store the rating and thank the user in place of the buttons."""
        ack()
        rating = FEEDBACK_ACTIONS[action["action_id"]]
        user = body.get("user", {}).get("id")
        try:
            self.services.feedback.add(action["value"], rating, channel=CHANNEL, user=user)
        except UnknownAnswerError:
            respond(text="I can no longer find that answer, so the rating was not saved.",
                    response_type="ephemeral", replace_original=False)
            return
        message = body.get("message")
        if not message:
            # Ephemeral messages (from /ask) come without their blocks: thank separately.
            respond(text="Thanks for the feedback!", response_type="ephemeral",
                    replace_original=False)
            return
        blocks = thanked_blocks(message.get("blocks", []), user or "", rating)
        if body.get("container", {}).get("is_ephemeral"):
            respond(text=message.get("text", ""), blocks=blocks, replace_original=True)
        else:
            client.chat_update(channel=body["channel"]["id"], ts=message["ts"],
                               text=message.get("text", ""), blocks=blocks)

    # -- answering ------------------------------------------------------------------------------

    def _answer(self, client: WebClient, context: dict[str, Any], event: dict[str, Any],
                check_thread: bool) -> None:
        channel, ts = event["channel"], event["ts"]
        thread_ts = event.get("thread_ts")
        bot = (context.get("bot_user_id"), context.get("bot_id"))
        history: list[dict[str, str]] = []
        if thread_ts:
            found = _thread_history(client, channel, thread_ts, ts, bot, check_thread)
            if found is None:
                return
            history = found
        reply_to = thread_ts or ts
        question = to_question(event.get("text", ""), bot[0])
        if not question:
            _post(client, channel, reply_to, HELP, notice_blocks(HELP))
            return
        try:
            answer = self._ask(question, history)
        except Exception:
            log.exception("could not answer a Slack question in %s", channel)
            _post(client, channel, reply_to, FAILED, notice_blocks(FAILED))
            return
        if answer is None:
            _post(client, channel, reply_to, LOADING, notice_blocks(LOADING))
            return
        _post(client, channel, reply_to, fallback_text(answer), answer_blocks(answer))

    def _ask(self, question: str, history: list[dict[str, str]]) -> Answer | None:
        """The answer (recorded for feedback as channel "slack"), or None while still loading."""
        deadline = time.monotonic() + self.ready_wait_s
        while True:
            try:
                # Stores the answer in the feedback store, so the buttons can name its id.
                return self.services.answer(question, history, channel=CHANNEL)
            except NotReadyError:
                if time.monotonic() >= deadline:
                    return None
                time.sleep(0.25)


@contextmanager
def _settling(dedupe: EventDedupe, body: dict[str, Any]) -> Iterator[None]:
    """Mark an event done when its listener returns, or release it for a retry if it fails."""
    event_id = body.get("event_id")
    try:
        yield
    except BaseException:
        if event_id:
            dedupe.release(event_id)
        raise
    if event_id:
        dedupe.done(event_id)


def _from_a_bot(event: dict[str, Any]) -> bool:
    # bolt already drops the bot's own events; other bots are ignored too, so that two bots
    # can never answer each other forever.
    return bool(event.get("bot_id")) or event.get("subtype") == "bot_message"


def _thread_history(
    client: WebClient, channel: str, thread_ts: str, current_ts: str,
    bot: tuple[str | None, str | None], check_thread: bool,
) -> list[dict[str, str]] | None:
    """The thread before the current message as chat history; None if the bot should not answer.

    With `check_thread`, the message did not mention the bot: answer only in its own threads.
    """
    try:
        thread = read_thread(client, channel, thread_ts, current_ts, bot)
    except SlackApiError as exc:
        # Most often a missing *:history scope. A mention or DM is addressed to the bot, so it is
        # answered without the thread rather than not at all; a reply that does not mention the
        # bot may be to anyone, and without the thread nothing says the bot answered there.
        reason = exc.response.get("error") if exc.response else exc
        if check_thread:
            log.warning("could not read thread %s in %s (%s): not answering a reply that does "
                        "not mention the bot", thread_ts, channel, reason)
            return None
        log.warning("could not read thread %s in %s (%s): answering without its history",
                    thread_ts, channel, reason)
        return []
    if check_thread and not thread.bot_spoke:
        return None  # a thread the bot never answered in: not talking to us
    return thread.history


def _post(client: WebClient, channel: str, thread_ts: str, text: str,
          blocks: list[dict[str, Any]]) -> None:
    client.chat_postMessage(
        channel=channel, thread_ts=thread_ts, text=text, blocks=blocks,
        unfurl_links=False, unfurl_media=False,
    )
