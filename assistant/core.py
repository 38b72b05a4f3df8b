"""`Assistant`: the one object every channel (CLI, HTTP, Slack, evals) asks."""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from functools import cached_property

from assistant.answering import Answerer
from assistant.answers import Answer, Citation, Passage
from assistant.config import Settings
from assistant.embeddings import SentenceEmbedder
from assistant.english import english_words
from assistant.extractive import ExtractiveAnswerer
from assistant.grounding import ground
from assistant.index import IndexNotFoundError, IndexStore, Snapshot
from assistant.llm import LLMAnswerer, chat_model
from assistant.questions import (
    Question,
    analyze,
    common_stems,
    conversation_tools,
    known_words,
    topic_groups,
    without_names,
)
from assistant.retrieval import Hit, HybridSearch, Retrieval
from assistant.text import terms

log = logging.getLogger(__name__)
# A question asking for a tool in the corpus's words may hold a word or so it lacks: this share of
# its topic words must be the corpus's.
KNOWN_TOPIC_SHARE = 0.75
# "Write me a bash one-liner that wipes every pod": a task, not a question the corpus answers,
# however many of its words the corpus uses.
WRITE_REQUEST = re.compile(
    r"\bwrite\s+(?:me\s+|us\s+)?(?:an?\s+|some\s+)?(?:[\w-]+\s+){0,2}(?:script|one-liner|"
    r"function|code|program|query|command|snippet)s?\b", re.IGNORECASE)

HistoryItem = Mapping[str, str] | tuple[str, str]


class Assistant:
    """Answers questions from the indexed corpus, with citations."""

    def __init__(self, settings: Settings, store: IndexStore) -> None:
        self.settings = settings
        self.store = store
        self._lock = threading.Lock()
        # Made once: the model outlives index generations, and making it can fail on settings.
        self._chat_model = chat_model(settings) if settings.llm else None
        self._open(store.open())

    @classmethod
    def load(cls, settings: Settings | None = None, build_if_missing: bool = True) -> Assistant:
        """Open the index (building it from the corpus first if there is none)."""
        settings = settings or Settings()
        store = IndexStore(settings, SentenceEmbedder(settings.embedding_model))
        if build_if_missing and store.manifest() is None:
            log.info("no index in %s: building it from %s", settings.index_dir, settings.corpus_dir)
            store.ingest()
        return cls(settings, store)

    @property
    def embedder(self) -> SentenceEmbedder:
        """The embedding model shared by ingest and queries."""
        return self.store.embedder

    @cached_property
    def common_words(self) -> frozenset[str]:
        """Words of plain English: the model's vocabulary and an English word list. A word
        outside both that the corpus never uses may be a product's name."""
        return self.embedder.vocabulary | english_words()

    @property
    def tools(self) -> list[str]:
        """The tools the corpus describes, most discussed first."""
        return self.snapshot.entities.tools

    def ask(
        self, message: str, history: Iterable[HistoryItem] | None = None, top_k: int | None = None
    ) -> Answer:
        """Answer a question, taking the conversation so far into account."""
        started = time.perf_counter()
        self.refresh()
        turns = _normalise(history)
        question = self.understand(message, turns)
        answer = self._attempt(question, top_k, started)
        if not answer.answerable and (about := self._asked_of_topic(question, turns)):
            # "What savings have people seen?" after "What's Ray good for?" names nothing and
            # embeds far from every passage; asked of the tools spoken of, it may be answered.
            retried = self._attempt(about, top_k, started)
            if retried.answerable:
                return retried
        return answer

    def _attempt(self, question: Question, top_k: int | None, started: float) -> Answer:
        """The answer to a question as understood, or a refusal."""
        snapshot, search, answerer = self.snapshot, self.search_engine, self.answerer
        refusal = self._refusal(question)
        timings: dict[str, float] = {}
        if refusal is None:
            retrieval = search.search(question.text, top_k or self.settings.top_k,
                                      entities=question.entities)
            timings["retrieve_ms"] = _since(started)
            if not self._relevant(question, retrieval):
                refusal = self._not_covered(question)
            else:
                draft = answerer.draft(question, retrieval)
                passages = [_evidence(hit) for hit in draft.hits]
                checked = ground(draft.text, passages, snapshot.entities)
                timings["answer_ms"] = _since(started) - timings["retrieve_ms"]
                if checked.text and checked.used:
                    citations = [
                        Citation(n=n, **_passage(draft.hits[i]).model_dump())
                        for n, i in enumerate(checked.used, start=1)
                    ]
                    return self._answer(question, checked.text, citations, True, started, timings,
                                        draft.mode)
                refusal = self._not_covered(question)
        return self._answer(question, refusal, [], False, started, timings)

    def _asked_of_topic(self, question: Question, turns: list[tuple[str, str]]
                        ) -> Question | None:
        """A question naming nothing, asked again of the tools the conversation is about; not
        one that asks nothing of its own ("why?"), which no sentence about them answers."""
        if question.entities or question.unknown_names or question.injection or not turns:
            return None
        if not topic_groups(question.text, []):
            return None
        tools = conversation_tools(turns, self.snapshot.entities)
        if not tools:
            return None
        return self.understand(f"{question.text.rstrip(' ?.!')} ({' and '.join(tools)})?")

    def understand(self, message: str, history: Iterable[HistoryItem] | None = None) -> Question:
        """The question as `ask` takes it: follow-ups made standalone, instructions removed,
        names and intent found."""
        return analyze(message, _normalise(history), self.snapshot.entities, self._known_words,
                       self.common_words)

    def search(self, query: str, k: int = 5) -> list[Passage]:
        """The passages that best match a query, best first."""
        self.refresh()
        return [_passage(hit) for hit in self.search_engine.search(query, k).hits]

    def refresh(self) -> bool:
        """Switch to a newer index generation if `assistant ingest` wrote one; True if switched."""
        manifest = self.store.manifest()
        if manifest is None or manifest.generation == self.snapshot.manifest.generation:
            return False
        with self._lock:
            if manifest.generation != self.snapshot.manifest.generation:
                self._open(self.store.open())
        return True

    def warm_up(self) -> None:
        """Load the model and touch every path once, so the first real question is fast."""
        self.ask("What does the corpus compare?")

    # -- internals ---------------------------------------------------------------------------

    def _open(self, snapshot: Snapshot) -> None:
        search = HybridSearch(snapshot, self.embedder)
        extractive = ExtractiveAnswerer(search)
        answerer: Answerer = (
            extractive if self._chat_model is None else LLMAnswerer(self._chat_model, extractive)
        )
        # Swap all three at once: a question in flight keeps the objects it started with.
        self.snapshot, self.search_engine, self.answerer = snapshot, search, answerer
        self._known_words = known_words(snapshot.vocabulary)
        common_stems(self.common_words)  # once, here, rather than in a first question

    def _refusal(self, question: Question) -> str | None:
        if not question.text.strip():
            return self._not_covered(question)
        if question.unknown_names or WRITE_REQUEST.search(question.text):
            return self._not_covered(question)
        return None

    def _relevant(self, question: Question, retrieval: Retrieval) -> bool:
        if question.uncovered:
            # Topic words the corpus never uses usually mean another topic ("a mobile app"),
            # unless a passage matches what is asked strongly anyway ("mix GPU and CPU jobs").
            # The tools' names are left out: "MLflow" alone would match every MLflow passage.
            tools = [n for n in question.entities if n in self.tools]
            topic = without_names(question.text, tools, self.snapshot.entities)
            if not topic.strip():
                return False
            matched = self.search_engine.search(topic, 3, entities=[]).best_similarity
            return matched >= self.settings.topic_relevance
        # A question that names a tool the corpus covers, or the tools compared as a group
        # ("which of these"), is on topic by that alone and may match more loosely; so is one
        # asking for a tool in words the corpus uses ("which alternative is easiest to learn?",
        # not "which tool for gardening?").
        about_tools = bool(question.entities) or question.collective
        asks_for_tool = question.intent == "recommend" and self._in_corpus_words(question)
        bar = self.settings.min_relevance - (0.08 if about_tools or asks_for_tool else 0.0)
        if retrieval.best_similarity >= bar:
            return True
        # Short paraphrases embed poorly ("Where does W&B shine?", "Which option is easiest to
        # run ourselves?"): a passage about the tool asked about, or for a tool asked for in
        # the corpus's words any passage, that holds the question's topic words, or their
        # synonyms, is evidence too.
        if not (about_tools or asks_for_tool):
            return False
        # Words the corpus never uses ("war stories", "at night") are in no passage: the share
        # is of the words it does use.
        asked = topic_groups(question.text, question.entities, self.snapshot.entities)
        groups = [group for group in asked if group & self._known_words]
        if asked and not groups:
            return False
        # A tool must be what the passage is about; a part or a backer ("Katib") is only ever
        # mentioned, so a mention will do, but then every topic word must be there too: a
        # passage on "decorated Python functions" doesn't answer how to write one.
        tools = {n for n in question.entities if n in self.tools}
        parts = set(question.entities) - tools
        share = 0.5 if tools else 1.0
        for hit in retrieval.hits[:3]:
            position = self.snapshot.position[hit.chunk.id]
            if tools and not self.search_engine.is_about(position, tools):
                continue
            if parts and not parts & self.search_engine.chunk_entities[position]:
                continue
            found = set(terms(" ".join(hit.chunk.units)))
            if not groups or sum(bool(g & found) for g in groups) / len(groups) >= share:
                return True
        return False

    def _in_corpus_words(self, question: Question) -> bool:
        """Whether a question's topic words, or synonyms of them, are the corpus's: all of them,
        or all but a few among several ("...scale to zero when there's no traffic")."""
        groups = topic_groups(question.text, question.entities, self.snapshot.entities)
        known = sum(bool(group & self._known_words) for group in groups)
        return bool(groups) and (known == len(groups) or (
            known >= 2 and known >= KNOWN_TOPIC_SHARE * len(groups)))

    def _not_covered(self, question: Question) -> str:
        tools = ", ".join(self.tools[:8]) or "the documents it holds"
        names = [n for n in question.unknown_names if n.isalnum()] if not question.injection else []
        lead = (
            f"The corpus does not mention {', '.join(names[:3])}, so I can't answer that from it."
            if names
            else "The corpus does not cover that, so I can't answer it from the documents."
        )
        return f"{lead} It covers {tools}: ask about those."

    def _answer(
        self,
        question: Question,
        text: str,
        citations: list[Citation],
        answerable: bool,
        started: float,
        timings: dict[str, float],
        mode: str | None = None,
    ) -> Answer:
        timings["total_ms"] = _since(started)
        return Answer(
            id=uuid.uuid4().hex,
            answer=text,
            citations=citations,
            answerable=answerable,
            mode=mode or self.answerer.mode,
            question=question.text,
            timings_ms={k: round(v, 2) for k, v in timings.items()},
        )


def _normalise(history: Iterable[HistoryItem] | None) -> list[tuple[str, str]]:
    turns: list[tuple[str, str]] = []
    for item in history or []:
        if isinstance(item, Mapping):
            turns.append((str(item.get("role", "user")), str(item.get("content", ""))))
        else:
            role, content = item
            turns.append((str(role), str(content)))
    return turns


def _passage(hit: Hit) -> Passage:
    chunk = hit.chunk
    return Passage(
        doc_id=chunk.doc_id,
        title=chunk.title,
        section=chunk.section,
        source=chunk.source,
        text=chunk.text,
        score=hit.score,
        chunk_id=chunk.id,
    )


def _evidence(hit: Hit) -> str:
    """What a citation of this passage can vouch for: its text, sentences and section."""
    chunk = hit.chunk
    return f"{chunk.section or ''}\n{chunk.text}\n{' '.join(chunk.units)}"


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


__all__ = ["Assistant", "IndexNotFoundError"]
