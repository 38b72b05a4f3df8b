"""Turns an `Answer` into Slack mrkdwn and Block Kit blocks, within Slack's size limits."""

from __future__ import annotations

import re
from typing import Any

from assistant.answers import Answer, Citation

SECTION_LIMIT = 3000  # characters of text in one section block
BLOCK_LIMIT = 50  # blocks in one message
MAX_SOURCES = 5  # lines in the "Sources" block
FALLBACK_LIMIT = 3000  # the notification text; the blocks carry the whole answer
FEEDBACK_BLOCK_ID = "feedback"
FEEDBACK_ACTIONS = {"feedback_up": "up", "feedback_down": "down"}

Block = dict[str, Any]

_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![*\w])")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_BULLET = re.compile(r"^(\s*)[-*+]\s+", re.MULTILINE)
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_STRIKE = re.compile(r"~~(.+?)~~")
_SLACK_LINK = re.compile(r"<(https?://[^|>]+)(?:\|([^>]*))?>")
_MENTION = re.compile(r"<[@#!][^>]*>")


def escape(text: str) -> str:
    """Escape the three characters Slack treats as control characters in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(markdown: str) -> str:
    """Convert the assistant's Markdown (bold, headings, lists, links) to Slack mrkdwn.

    `[n]` markers are kept as they are: the "Sources" block lists the same numbers.
    """
    text = escape(markdown)
    links: list[str] = []

    def _keep_link(match: re.Match[str]) -> str:
        # Links are set aside first so the bold/italic rules cannot touch their URLs.
        links.append(f"<{match.group(2)}|{match.group(1)}>")
        return f"\x00{len(links) - 1}\x00"

    text = _LINK.sub(_keep_link, text)
    text = _HEADING.sub(lambda m: f"\x01{m.group(1)}\x01", text)
    text = _BOLD.sub(lambda m: f"\x01{m.group(1) or m.group(2)}\x01", text)
    text = _ITALIC.sub(lambda m: f"_{m.group(1)}_", text)
    text = _STRIKE.sub(lambda m: f"~{m.group(1)}~", text)
    text = _BULLET.sub(lambda m: f"{m.group(1)}• ", text)
    text = text.replace("\x01", "*")
    return re.sub("\x00(\\d+)\x00", lambda m: links[int(m.group(1))], text)


def to_question(text: str, bot_user_id: str | None = None) -> str:
    """The question in a Slack message: mentions of the bot removed, links and escapes undone."""
    if bot_user_id:
        text = text.replace(f"<@{bot_user_id}>", " ")
    text = _SLACK_LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _MENTION.sub(" ", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split text into pieces of at most `limit` characters, at paragraph, line or word breaks."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = max(window.rfind(". "), window.rfind(" "))
            cut = cut + 1 if cut >= limit // 2 else limit
        piece = _unsplit_link(rest[:cut])
        pieces.append(piece.rstrip())
        rest = rest[len(piece):].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _unsplit_link(piece: str) -> str:
    # Never cut inside a `<url|label>` link: Slack would render the half as raw text.
    start = piece.rfind("<")
    if start > 0 and ">" not in piece[start:]:
        return piece[:start]
    return piece


def source_lines(citations: list[Citation], limit: int = MAX_SOURCES) -> list[str]:
    """One mrkdwn line per cited section (its numbers share the line), at most `limit` lines."""
    groups: dict[tuple[str, str | None, str], list[int]] = {}
    for c in sorted(citations, key=lambda c: c.n):
        groups.setdefault((c.title, c.section, c.source), []).append(c.n)
    lines = []
    for (title, section, source), numbers in groups.items():
        label = escape(f"{title} — {section}" if section else title)
        if source.startswith(("http://", "https://")):
            label = f"<{source}|{label}>"
        lines.append(f"{' '.join(f'[{n}]' for n in numbers)} {label}")
    if len(lines) > limit:
        hidden = len(lines) - limit + 1
        lines = [*lines[: limit - 1], f"…and {hidden} more sources"]
    return lines


def answer_blocks(answer: Answer, with_feedback: bool = True) -> list[Block]:
    """The message for an answer: text sections, a "Sources" context block and feedback buttons."""
    tail: list[Block] = []
    lines = source_lines(answer.citations) if answer.answerable else []
    if lines:
        tail.append({"type": "context", "block_id": "sources", "elements": [
            {"type": "mrkdwn", "text": "*Sources*"},
            *({"type": "mrkdwn", "text": line} for line in lines),
        ]})
    if with_feedback:
        tail.append(feedback_block(answer.id))
    sections = split_text(to_mrkdwn(answer.answer)) or ["(empty answer)"]
    room = BLOCK_LIMIT - len(tail)
    if len(sections) > room:
        sections = sections[:room]
        sections[-1] = sections[-1][: SECTION_LIMIT - 40].rstrip() + "\n_…(answer shortened)_"
    body = [{"type": "section", "text": {"type": "mrkdwn", "text": s}} for s in sections]
    return [*body, *tail]


def fallback_text(answer: Answer) -> str:
    """The plain `text` of the message: shown in notifications and by clients without blocks."""
    text = to_mrkdwn(answer.answer)
    return text if len(text) <= FALLBACK_LIMIT else text[: FALLBACK_LIMIT - 1].rstrip() + "…"


def feedback_block(answer_id: str) -> Block:
    """The "helpful / not helpful" buttons; their value is the answer id."""
    return {
        "type": "actions",
        "block_id": FEEDBACK_BLOCK_ID,
        "elements": [
            {"type": "button", "action_id": "feedback_up", "value": answer_id,
             "text": {"type": "plain_text", "text": ":thumbsup: Helpful", "emoji": True}},
            {"type": "button", "action_id": "feedback_down", "value": answer_id,
             "text": {"type": "plain_text", "text": ":thumbsdown: Not helpful", "emoji": True}},
        ],
    }


def thanked_blocks(blocks: list[Block], user_id: str, rating: str) -> list[Block]:
    """The answer's blocks with the buttons replaced by a thank-you note to the user who rated."""
    note = "Thanks" if rating == "up" else "Thanks, noted that this did not help"
    thanks: Block = {"type": "context", "block_id": FEEDBACK_BLOCK_ID,
                     "elements": [{"type": "mrkdwn", "text": f"{note}, <@{user_id}>!"}]}
    kept = [b for b in blocks if b.get("block_id") != FEEDBACK_BLOCK_ID]
    return [*kept, thanks]


def notice_blocks(text: str) -> list[Block]:
    """A one-section message (help, still loading, errors)."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}}]
