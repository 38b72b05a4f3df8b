"""The feedback store: answers served and the ratings users give them, in one SQLite file."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from assistant.answers import Answer

Rating = Literal["up", "down"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    channel TEXT NOT NULL,
    message TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    answerable INTEGER NOT NULL,
    citations TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id TEXT NOT NULL REFERENCES answers(id),
    created REAL NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT,
    channel TEXT NOT NULL,
    user TEXT
);
CREATE INDEX IF NOT EXISTS feedback_answer ON feedback(answer_id);
CREATE INDEX IF NOT EXISTS answers_created ON answers(created);
"""
PRUNE_EVERY = 3600.0  # seconds between sweeps of unrated answers past their retention


class UnknownAnswerError(LookupError):
    """Feedback names an answer id this store never saw."""


@dataclass(frozen=True)
class FeedbackRecord:
    """One rating, with the answer it rates."""

    id: int
    answer_id: str
    rating: str
    comment: str | None
    channel: str
    user: str | None
    created: float
    message: str
    question: str
    answer: str
    answerable: bool
    citations: list[dict[str, object]]

    def to_json(self) -> dict[str, object]:
        """The record as one JSON object (a line of `assistant feedback export`)."""
        return {
            "id": self.id,
            "answer_id": self.answer_id,
            "rating": self.rating,
            "comment": self.comment,
            "channel": self.channel,
            "user": self.user,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.created)),
            "message": self.message,
            "question": self.question,
            "answer": self.answer,
            "answerable": self.answerable,
            "citations": self.citations,
        }


class FeedbackStore:
    """Remembers every answer served, so that a rating can be stored beside what it rates.

    An answer nobody rated is kept for `keep_days` (None: forever), long enough to be rated;
    rated answers are kept with their ratings."""

    def __init__(self, path: Path, keep_days: float | None = None) -> None:
        self.path = Path(path)
        self.keep_days = keep_days
        self._pruned_at = 0.0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection shared by the server's threads, serialised by a lock; WAL lets other
        # processes (more API workers, `assistant feedback export`) read while one writes.
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        self.prune()

    def prune(self, now: float | None = None) -> int:
        """Delete unrated answers older than the retention period; returns how many."""
        now = time.time() if now is None else now
        self._pruned_at = now
        if self.keep_days is None:
            return 0
        with self._lock, self._db:
            cursor = self._db.execute(
                "DELETE FROM answers WHERE created < ? "
                "AND NOT EXISTS (SELECT 1 FROM feedback WHERE feedback.answer_id = answers.id)",
                (now - self.keep_days * 86400,),
            )
            return cursor.rowcount

    def remember(self, answer: Answer, message: str, channel: str) -> None:
        """Store an answer as it was served on a channel ("api", "slack", ...)."""
        citations = json.dumps(
            [{"n": c.n, "title": c.title, "section": c.section, "source": c.source,
              "text": c.text} for c in answer.citations]
        )
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (answer.id, time.time(), channel, message, answer.question, answer.answer,
                 int(answer.answerable), citations),
            )
        # A sweep now and then keeps the file bounded without a cost on every answer.
        if time.time() - self._pruned_at >= PRUNE_EVERY:
            self.prune()

    def add(
        self,
        answer_id: str,
        rating: Rating,
        comment: str | None = None,
        channel: str = "api",
        user: str | None = None,
    ) -> int:
        """Store a rating for an answer; returns the feedback id."""
        with self._lock, self._db:
            known = self._db.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone()
            if known is None:
                raise UnknownAnswerError(f"no answer with id {answer_id!r} was served here")
            cursor = self._db.execute(
                "INSERT INTO feedback (answer_id, created, rating, comment, channel, user) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (answer_id, time.time(), rating, comment, channel, user),
            )
            return int(cursor.lastrowid or 0)

    def records(self, rating: Rating | None = None) -> Iterator[FeedbackRecord]:
        """Every rating with its answer, oldest first (only one rating when given)."""
        query = (
            "SELECT f.id, f.answer_id, f.rating, f.comment, f.channel, f.user, f.created, "
            "a.message, a.question, a.answer, a.answerable, a.citations "
            "FROM feedback f JOIN answers a ON a.id = f.answer_id "
            + ("WHERE f.rating = ? " if rating else "")
            + "ORDER BY f.id"
        )
        with self._lock:
            rows = self._db.execute(query, (rating,) if rating else ()).fetchall()
        for row in rows:
            yield FeedbackRecord(*row[:10], answerable=bool(row[10]), citations=json.loads(row[11]))

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()
