"""The feedback store keeps what was rated and lets unrated answers go after their retention."""

from __future__ import annotations

import sqlite3
import time

from assistant.answers import Answer
from assistant.config import Settings
from assistant.feedback import FeedbackStore

DAY = 86400.0


def _serve(store: FeedbackStore, answer_id: str) -> None:
    answer = Answer(id=answer_id, answer=f"{answer_id} [1]", citations=[], answerable=True,
                    mode="extractive", question=f"{answer_id}?", timings_ms={})
    store.remember(answer, f"{answer_id}?", "api")


def _answer_ids(path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT id FROM answers")}


def test_feedback_unrated_answers_go_after_their_retention_and_rated_ones_stay(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(path, keep_days=30)
    for answer_id in ("rated", "unrated"):
        _serve(store, answer_id)
    store.add("rated", "down", comment="wrong tool")

    assert store.prune(now=time.time() + 29 * DAY) == 0
    assert store.prune(now=time.time() + 31 * DAY) == 1
    assert _answer_ids(path) == {"rated"}
    [record] = store.records("down")
    assert record.question == "rated?" and record.comment == "wrong tool"
    store.close()


def test_feedback_without_retention_keeps_every_answer(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(path)
    _serve(store, "old")
    assert store.prune(now=time.time() + 3650 * DAY) == 0
    assert _answer_ids(path) == {"old"}
    store.close()


def test_feedback_retention_is_a_setting_and_empty_means_forever(monkeypatch):
    monkeypatch.delenv("ASSISTANT_FEEDBACK_KEEP_DAYS", raising=False)
    assert Settings(_env_file=None).feedback_keep_days == 30
    monkeypatch.setenv("ASSISTANT_FEEDBACK_KEEP_DAYS", "7")
    assert Settings(_env_file=None).feedback_keep_days == 7
    monkeypatch.setenv("ASSISTANT_FEEDBACK_KEEP_DAYS", "")
    assert Settings(_env_file=None).feedback_keep_days is None


def test_feedback_serving_answers_sweeps_old_ones_now_and_then(tmp_path, monkeypatch):
    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(path, keep_days=1)
    _serve(store, "old")
    later = time.time() + 2 * DAY
    monkeypatch.setattr(time, "time", lambda: later)
    _serve(store, "new")  # an hour and more since the last sweep: this answer triggers one
    assert _answer_ids(path) == {"new"}
    store.close()
