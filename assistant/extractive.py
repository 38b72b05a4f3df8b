"""The extractive answerer: answers built from the corpus's own sentences, each one cited.

Sentences of the retrieved passages are scored against the question (dense similarity, weighted
term overlap, and whether they are about the entities asked about); the best are kept, near
duplicates dropped and the rest ordered as the passages read. Decision and comparison questions
get a structured answer whose parts come from focused searches ("facets") over the same index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from assistant.answering import Answerer, Draft, HitPool
from assistant.entities import standalone
from assistant.expectations import (
    COUNT,
    COUNT_QUESTION,
    DURATION,
    DURATION_QUESTION,
    GROUP,
    KINDS_STATED,
    LIST_QUESTION,
    NEGATION,
    NUMBER,
    PRICE,
    PRICE_QUESTION,
    QUANTITY,
    REQUIREMENT,
    REQUIREMENT_QUESTION,
    STAYING,
    SUPERLATIVE,
    answer_kinds,
    asks_for_drawbacks,
    asks_for_several,
    compared_aspect,
    negated_terms,
    states_drawback,
)
from assistant.measures import CountAsked, count_asked, stated_count
from assistant.questions import DECIDE, Question, topic_groups, without_names
from assistant.retrieval import HybridSearch, Retrieval
from assistant.text import numbers, spellings, split_message, term_groups, terms, word_count

# Where a message asks a second thing: after a question mark, or at "and" before a question
# word ("...who backs it, and how many downloads does it get?").
QUESTION_PARTS = re.compile(
    r"\?+[)\s]*|,?\s+and\s+(?=(?:how|what|who|where|when|which|is|are|does|do|can|will)\b)",
    re.IGNORECASE)
COMPARED_AT_MOST = 4  # "Rank Ray, MLflow, Kubeflow and BentoML by stars": a line each
FACT_WORDS = 75  # a factual answer stays under 80 words
DECISION_WORDS = 190
FACT_MARGIN = 0.1  # a factual answer's companions score within this of the best sentence
SUPPORTED_MARGIN = 0.15  # ...or within this, when they hold as much of the question
NEIGHBOUR_MARGIN = 0.2  # ...or within this, next to it in its passage and holding more of it
MIN_FACET_SIMILARITY = 0.3  # a facet whose best sentence matches less than this is left out
OVERLAP_WEIGHT = 0.45
QUANTITY_BONUS = 0.12
TOPIC_WORDS = 12  # an opening sentence this short, about no tool, announces its paragraph's topic
SITUATION_FIT = 0.5  # a decision's part holding this share of the asker's situation comes first
SEVERAL_PARTS = 3  # ...counting the parts the asker names if a sentence names this many
DECISION_ADVICE_PENALTY = 0.25  # a comparison's "Switch from X when..." on an aspect, demoted
REQUIREMENT_MARGIN = 0.2  # a sentence stating the requirement asked about may trail by this
NEGATION_MATCH = 0.2  # a sentence that negates what the question avoids, or requires it
# "Is Kubeflow what we need?": the asker's need, not the tool's.
ASKER_NEEDS = re.compile(r"\bwhat (?:we|i|you) (?:really |actually )?need\b", re.IGNORECASE)
# Openers that point at the sentence before: "This makes Ray more flexible", "These tools...".
ANAPHORIC = re.compile(r"(?:This|These|That|Those|Such|They|Both|Neither)\b")
# ...or further in: "The integration between these components is tighter".
REFERS_BACK = re.compile(r"\b(this|these|those|such)\b", re.IGNORECASE)
# Tools told of as candidates, not as the tool the asker has: "We're choosing between MLflow and
# ClearML.", "I heard good things about Ray."
CONSIDERED = re.compile(
    r"\b(?:choos\w*|decid\w*|consider\w*|shortlist\w*|evaluat\w*|look(?:ing)? (?:at|into)|heard"
    r"|thinking (?:about|of)|between|interested in|recommended|trying out|weighing)\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    """One sentence that could go into the answer."""

    marker: int  # index of its passage in the draft's hit pool
    unit: int
    text: str
    subject: str | None
    names: frozenset[str]
    score: float
    terms: frozenset[str]
    context: frozenset[str]  # names in the whole passage
    overlap: float = 0.0  # share of the question's topical terms it holds (idf-weighted)
    antecedent: str = ""  # the sentence it points back to, read before it
    matched: frozenset[str] = frozenset()  # the question's topical terms it holds

    @property
    def words(self) -> int:
        """Words it adds to an answer, its antecedent included."""
        return word_count(self.antecedent) + word_count(self.text)

    @property
    def places(self) -> set[tuple[int, int]]:
        """The sentences it puts in an answer: itself, and the one it points back to."""
        before = {(self.marker, self.unit - 1)} if self.antecedent else set()
        return {(self.marker, self.unit)} | before


class ExtractiveAnswerer(Answerer):
    """Offline, deterministic answers made of cited corpus sentences."""

    mode = "extractive"

    def __init__(self, search: HybridSearch, facet_k: int = 6) -> None:
        self.search = search
        self.facet_k = facet_k
        self._facet_vector = lru_cache(maxsize=256)(search.embedder.encode_query)

    def draft(self, question: Question, retrieval: Retrieval) -> Draft:
        """Write the answer with [n] markers into the returned hit pool."""
        pool = HitPool(list(retrieval.hits))
        counted = count_asked(question.text)
        if counted and question.intent in {"fact", "recommend"}:
            text = self._most_counted(counted, pool)
            if text:
                return Draft(text=text, hits=pool.hits)
        if question.intent == "decide":
            text = self._decision(question, retrieval, pool)
        elif question.intent == "compare":
            text = self._comparison(question, retrieval, pool)
        elif question.intent == "recommend":
            text = self._recommendation(question, retrieval, pool)
        else:
            text = self._fact(question, retrieval, pool)
        return Draft(text=text, hits=pool.hits)

    # -- answer shapes -----------------------------------------------------------------------

    def _fact(self, question: Question, retrieval: Retrieval, pool: HitPool) -> str:
        scored = self._candidates(retrieval, pool, question.text, question.entities)
        tools = frozenset(self.search.snapshot.entities.tools)
        sentences = split_message(question.text)
        if len(sentences) > 1:
            # What a message tells before it asks may bury the answer in the first search
            # ("...who stewards the projects we depend on. Which foundation backs Kubeflow?"):
            # the question alone is searched too, for sentences the first search missed.
            found = {(c.marker, c.unit) for c in scored}
            scored += [c for c in self._facet(sentences[-1], pool, question.entities,
                                              2 * self.facet_k)
                       if (c.marker, c.unit) not in found]
        # A message asking several things is filtered by what its first part asks, and each
        # part is answered after ("does Ray need Kubernetes? any catch?").
        parts = [part for part in QUESTION_PARTS.split(question.text) if terms(part)]
        first = replace(question, text=parts[0]) if len(parts) > 1 else question
        candidates = self._of_the_kind_asked(first, scored, tools)
        if PRICE_QUESTION.search(first.text):
            # Once the best sentence states a price, sentences that state none only distract.
            best = max(candidates, key=lambda c: c.score, default=None)
            if best is not None and PRICE.search(best.text):
                candidates = [c for c in candidates if PRICE.search(c.text)]
        best = max(candidates, key=lambda c: c.score, default=None)
        if best is None:
            return ""
        if best.overlap >= 0.5:
            # The best sentence holds what was asked: companions must touch the question too.
            candidates = [c for c in candidates if c.overlap > 0]
        # A companion close in score joins; one holding as much of the question as the best
        # may trail a little further, since dense scores of long sentences are noisy, but from
        # another passage only if it holds a term the best lacks: else its citation adds a
        # source and no answer.
        # The sentence next to the best one, holding more of the question, may trail further
        # still: "...can transition to BentoML by packaging the same artifacts. The serving API
        # signatures will change..." answers "will the apps calling our models break?".
        candidates = [
            c for c in candidates
            if c.score >= best.score - FACT_MARGIN
            or (c.overlap >= best.overlap > 0 and c.score >= best.score - SUPPORTED_MARGIN
                and (c.marker == best.marker or c.matched - best.matched))
            or (c.marker == best.marker and abs(c.unit - best.unit) == 1
                and c.overlap > best.overlap and c.score >= best.score - NEIGHBOUR_MARGIN)
        ]
        chosen = _pick(candidates, budget=FACT_WORDS, limit=3, margin=1.0)
        chosen += _elaborations(chosen, scored, FACT_WORDS, tools)
        if len(parts) > 1:
            chosen += self._each_part(question, parts, pool, chosen, tools)
        return _as_prose(chosen)

    def _each_part(self, question: Question, parts: list[str], pool: HitPool,
                   chosen: list[Candidate], tools: frozenset[str]) -> list[Candidate]:
        """"Who backs MLflow, and how many downloads does it get?": the best sentence for each
        part a message asks, that the answer so far lacks."""
        entities = self.search.snapshot.entities
        added: list[Candidate] = []
        for part in parts:
            # "...does Ray need Kubernetes? any catch?": a part naming nothing asks of the names
            # the message does.
            query = part if entities.find(part) else f"{part} {' '.join(question.entities)}"
            found = self._of_the_kind_asked(
                replace(question, text=query),
                self._facet(query, pool, question.entities, self.facet_k), tools)
            best = max(found, key=lambda c: c.score, default=None)
            # It must hold something of its part ("how much have companies got?" is answered
            # by no sentence on stars); a cost stated answers "any catch?" in other words.
            if best is not None and best.score >= MIN_FACET_SIMILARITY \
                    and (best.overlap > 0 or asks_for_drawbacks(part)) \
                    and not _repeats(best, chosen + added):
                added.append(best)
        return added

    def _recommendation(self, question: Question, retrieval: Retrieval, pool: HitPool) -> str:
        tools = set(self.search.snapshot.entities.tools)
        found = self._candidates(retrieval, pool, question.text, question.entities)
        avoided = negated_terms(question.text)
        several = asks_for_several(question.text)
        # "KFP's pipeline model is too rigid for us now... What's the move?": a tool named only
        # before the question is the one the asker has, not the one to recommend.
        current = self._told_of(question)
        if avoided or several or current:
            # "If nobody knows Kubernetes": the answer is a tool that does *not* need it, which
            # a wider search finds; sentences about the burden itself match well but answer
            # nothing, so polarity decides between them. "Which tools are free?": a sentence
            # about all of them may rank below each one's own. The first search favoured the
            # tool the asker has; this one looks past it.
            others = [n for n in question.entities if n not in current]
            # What is needed, without the tool the asker has: its name would pull its passages.
            needed = without_names(question.text, sorted(current), self.search.snapshot.entities)
            found += self._facet(needed, pool, others, 2 * self.facet_k)
        expand = self.search.snapshot.entities.expand
        candidates = _unique([
            _rescored(c, _tool_bonus(c, tools) + _polarity(c, avoided))
            for c in found
        ])
        # A sentence that needs what the question avoids ("...must understand Kubernetes") is
        # no answer to "nobody knows Kubernetes", however well it matches the words.
        candidates = [c for c in candidates if _polarity(c, avoided) >= 0] or candidates
        # Nor is the tool the asker already has, or a part of it, the one to move to; nor a
        # sentence naming no other ("...often start with Kubeflow as their default...").
        candidates = [c for c in candidates
                      if not expand(c.subject) & current
                      and not (c.subject is None and c.names & tools and c.names & tools <= current)
                      ] or candidates
        if SUPERLATIVE.search(question.text):
            ranking = _ranking(found, tools)
            if ranking:
                return _as_prose(ranking)
        listed = _several(candidates, tools) if several else ""
        if listed:
            return listed
        chosen = _pick(candidates, budget=1, limit=1, margin=1.0)
        if not chosen:
            return ""
        lead = chosen[0]
        # Back the recommendation with the best sentence about the same tool, then one alternative.
        same = [c for c in candidates if c.subject == lead.subject and c is not lead]
        chosen += _pick(same, budget=FACT_WORDS - lead.words, limit=1, margin=1.0)
        others = [
            c for c in candidates
            if c.subject in tools and c.subject != lead.subject and not expand(c.subject) & current
            and c.score >= lead.score - 0.1 and not _repeats(c, chosen)
        ]
        lines = [_as_prose(chosen)]
        alternative = _pick(others, budget=45, limit=1, margin=1.0)
        if alternative:
            lines.append(f"**Alternatively:** {_as_prose(alternative)}")
        return "\n".join(lines)

    def _told_of(self, question: Question) -> frozenset[str]:
        """The tools a message names only in what it tells before its last sentence, with the
        tools they imply ("Kubeflow Pipelines": Kubeflow too)."""
        sentences = split_message(question.text)
        if len(sentences) < 2:
            return frozenset()
        entities = self.search.snapshot.entities
        asked = set(entities.find(sentences[-1]))
        # Tools told of as candidates are no tool the asker has.
        considered = {name for sentence in sentences[:-1] if CONSIDERED.search(sentence)
                      for name in entities.find(sentence)}
        return frozenset(implied for name in question.entities
                         if name in entities.tools and name not in asked | considered
                         for implied in entities.expand(name))

    def _most_counted(self, counted: CountAsked, pool: HitPool) -> str:
        """"Which has the most GitHub stars?": the sentence stating the largest count of them
        (the smallest for "fewest"), compared across tools; empty unless two tools state one."""
        tools = frozenset(self.search.snapshot.entities.tools)
        found = self._facet(counted.phrase, pool, [], 3 * self.facet_k)
        per_tool: dict[str, tuple[float, Candidate]] = {}
        for c in sorted(found, key=lambda c: -c.score):
            value = stated_count(c.text, counted.noun)
            about = self._named(c, tools) if c.subject not in tools else {c.subject}
            if value is not None and len(about) == 1:
                per_tool.setdefault(next(iter(about)), (value, c))
        if len(per_tool) < 2:
            return ""
        pick = min if counted.fewest else max
        _, chosen = pick(per_tool.values(), key=lambda entry: entry[0])
        return _as_prose([chosen])

    def _comparison(self, question: Question, retrieval: Retrieval, pool: HitPool) -> str:
        # Compare the tools named; other names ("Pro", "GitHub") are part of the aspect.
        tools = [n for n in question.entities if n in self.search.snapshot.entities.tools]
        named = (tools if len(tools) >= 2 else question.entities)[:COMPARED_AT_MOST]
        base = self._candidates(retrieval, pool, question.text, named)
        aspect = compared_aspect(question.text, named)
        used: list[Candidate] = []
        picked: dict[str, list[Candidate]] = {}
        candidates: dict[str, list[Candidate]] = {}
        for name in named:
            # "Which is cheaper?" compares prices, not what each tool is: search that aspect.
            query = f"{name} {aspect}" if aspect else f"what {name} is and when to choose {name}"
            facet = self._facet(query, pool, [name], self.facet_k)
            # A sentence about this tool, or naming it beside a tool not compared ("MLflow and
            # Metaflow take the opposite approach" speaks for Metaflow against Kubeflow).
            # Advice on leaving or keeping a tool ("Switch from Kubeflow when...") tells when to
            # decide, not what the tool is like: on an aspect, it gives way to a sentence that says.
            candidates[name] = [
                _rescored(c, -DECISION_ADVICE_PENALTY if aspect and DECIDE.match(c.text) else 0.0)
                for c in facet + (base if not aspect else [])
                if c.subject == name or (name in c.names and c.subject not in named)]
            # With an aspect asked, a sentence that holds none of it says nothing of the point
            # ("With 15.6K GitHub stars..." on Kubeflow's scope)...
            about = [c for c in candidates[name]
                     if not _repeats(c, used) and (not aspect or c.overlap > 0)]
            picked[name] = _pick(about, budget=55, limit=1 if aspect else 2, margin=0.2)
            used += picked[name]
        for name in named:
            # ...but a tool no line speaks of yet still gets its best sentence.
            if not picked[name] and not any(name in c.names or c.subject == name for c in used):
                about = [c for c in candidates[name] if not _repeats(c, used)]
                picked[name] = _pick(about, budget=55, limit=1, margin=0.2)
                used += picked[name]
        lines = [f"**{name}:** {_as_prose(picked[name])}" for name in named if picked[name]]
        shared = [
            c for c in base
            if len(c.names & set(named)) >= 2 and not _repeats(c, used)
            and c.score >= MIN_FACET_SIMILARITY and (not aspect or c.overlap > 0)
        ]
        both = _pick(shared, budget=45, limit=1, margin=1.0)
        if both:
            lines.append(f"**Side by side:** {_as_prose(both)}")
        return "\n".join(lines) or self._fact(question, retrieval, pool)

    def _decision(self, question: Question, retrieval: Retrieval, pool: HitPool) -> str:
        entities = self.search.snapshot.entities
        tools = entities.tools
        current = self._left_or_kept(question)
        if DECIDE.search(question.text) and current not in self._decided_tools:
            # "Should we stick with MLflow?" when no passage speaks of leaving or keeping MLflow:
            # a decision's parts would be sentences that merely name it.
            return self._fact(question, retrieval, pool)
        used: list[Candidate] = []
        blocks: list[tuple[float, list[str]]] = []  # how well each part fits the situation told
        # What the asker says of their situation ("we rely on namespaces for multi-tenancy"):
        # the part whose sentences speak to most of it is the one to read first.
        # Words the corpus never uses ("a bank", "the CTO") are held by no part: left out, they
        # don't dilute the share the others hold.
        idf = self.search.snapshot.bm25.idf
        situation = [group for group in topic_groups(question.text, question.entities, entities)
                     if any(term in idf for term in group)]
        # The parts the asker names count too when a sentence names several of them ("Stick with
        # Kubeflow if... (Pipelines, Katib, KServe, Notebooks)"); one or two ("Kubernetes and
        # KServe") are named by the sentences of every part.
        parts = set(question.entities) - entities.expand(current)
        stack = parts if len(parts) >= SEVERAL_PARTS else set()

        def fit(c: Candidate) -> float:
            named = len(stack & c.names) if len(stack & c.names) >= SEVERAL_PARTS else 0
            held = sum(bool(g & c.terms) for g in situation) + named
            return held / (len(situation) + len(stack)) if situation or stack else 0.0

        def section(label: str, facet: str, keep: object = None, limit: int = 1,
                    situated: bool = True) -> None:
            found = [
                c for c in self._facet(facet, pool, [current], self.facet_k)
                if (keep is None or keep(c)) and not _repeats(c, used)  # type: ignore[operator]
                and c.score >= MIN_FACET_SIMILARITY
            ]
            chosen = _pick(found, budget=60, limit=limit, margin=0.1)
            if chosen:
                used.extend(chosen)
                blocks.append((max(map(fit, chosen)) if situated else 0.0,
                               [f"**{label}:** {_as_prose(chosen)}"]))

        def not_another_tool(c: Candidate) -> bool:
            return c.subject is None or current in entities.expand(c.subject)

        section("When to switch", f"switch from {current} when it takes more work than it gives",
                not_another_tool)
        alternatives = [t for t in tools if current not in entities.expand(t)]
        options = [
            # An option that speaks of leaving the current tool is the more relevant one.
            _rescored(c, 0.1 if current in c.context else 0.0) for c in self._facet(
                "consider, move to or adopt this tool if your team needs it", pool,
                alternatives, 2 * self.facet_k)
            if not not_another_tool(c) and c.subject in alternatives
            and c.score >= MIN_FACET_SIMILARITY and not _repeats(c, used)
        ]
        best_per_tool: dict[str, Candidate] = {}
        for c in sorted(options, key=lambda c: -c.score):
            best_per_tool.setdefault(c.subject or "", c)
        picked = _pick(list(best_per_tool.values()), budget=130, limit=5, margin=0.5)
        if picked:
            used.extend(picked)
            blocks.append((max(map(fit, picked)),
                           ["**Options by need:**", *(f"- {_as_prose([c])}" for c in picked)]))
        section("When to stay", f"when to stay or stick with {current} and keep using it",
                not_another_tool)
        # What moving costs answers no situation told ("our upgrades take weeks" is no budget).
        section("Cost of moving", f"how long migrating off {current} takes: budget, rewriting "
                "and ramp-up time", limit=2, situated=False)
        staying = bool(STAYING.search(question.text))
        # A part that speaks to most of the situation told reads first ("our platform team
        # spends more time maintaining it than... Should we stay?" reads when to switch); else
        # "When should we stick with Kubeflow?" reads when to stay first; the rest keep their
        # order.
        blocks.sort(key=lambda block: (
            -block[0] if block[0] >= SITUATION_FIT else 0.0,
            not (staying and block[1][0].startswith("**When to stay:**"))))
        lines = [line for _, block in blocks for line in block]
        return "\n".join(lines) or self._fact(question, retrieval, pool)

    @cached_property
    def _decided_tools(self) -> frozenset[str]:
        """The tools the corpus speaks of leaving or keeping ("Switch from Kubeflow when...",
        "Stick with Kubeflow if..."), in the words that ask for a decision."""
        entities = self.search.snapshot.entities
        return frozenset(
            tool for chunk in self.search.snapshot.chunks for unit in chunk.units
            for match in DECIDE.finditer(unit)
            if (tool := entities.tool_at(unit[match.end():].lstrip()))
        )

    def _left_or_kept(self, question: Question) -> str:
        """The tool a decision is about: the first named after "leave", "move off" or "stick
        with", else the first named; not a technology named before it ("We rely on Kubernetes
        namespaces and KServe is too basic. Should we move off Kubeflow?")."""
        entities = self.search.snapshot.entities
        verb = DECIDE.search(question.text)
        after = entities.find(question.text[verb.end():]) if verb else []
        for names in (after, question.entities):
            tools = [n for n in names if n in entities.tools]
            if tools:
                return tools[0]
        return (question.entities or entities.tools or ["it"])[0]

    # -- scoring -----------------------------------------------------------------------------

    def _of_the_kind_asked(
        self, question: Question, candidates: list[Candidate], tools: frozenset[str]
    ) -> list[Candidate]:
        """The candidates that can be the kind of answer asked for: a date for "when was...", a
        maker for "who made...", a licence's name for "what license...", a version for "which
        release...", and for any of those or a quantity asked of something named, sentences
        about it, not about other tools; none when the corpus lacks it; a cost or limit for
        "what's the downside of...", when one is stated."""
        text = question.text
        wants_quantity = bool(QUANTITY.search(text))
        kinds = [stated for asks, stated in KINDS_STATED if asks.search(text)]
        if kinds:
            candidates = [c for c in candidates if any(k.search(c.text) for k in kinds)]
        # The tools the question names, or else the other things it names ("Anyscale"), but
        # not what a name implies ("Kubeflow Pipelines" is not a question about Kubeflow's
        # stars); "GitHub" in "GitHub stars" is part of what is asked, not whose.
        entities = self.search.snapshot.entities
        named = set(question.entities) - {
            implied for name in question.entities for implied in entities.expand(name)
            if implied != name}
        asked = (named & tools) or named
        # "I'm comparing MLflow and ClearML. How many stars does ClearML have?" asks of ClearML.
        in_question = set(entities.find(split_message(text)[-1])) & asked if text else set()
        asked = in_question or asked
        if asked and (wants_quantity or kinds):
            # Another tool's number or maker is no answer: "How many stars does Comet have?" is
            # not answered by "With 15.6K GitHub stars ..., Kubeflow remains...". A part goes by
            # its tool's licence, maker or version ("Kubeflow Pipelines" by Kubeflow's), not by
            # its count.
            owners = asked | ({implied for name in asked for implied in entities.expand(name)}
                              if kinds and not wants_quantity else set())
            candidates = [c for c in candidates if self._speaks_of(c, owners, tools)]
        if asked and wants_quantity:
            # ...and when no sentence left states a price, or a count, the corpus has none; a
            # count of something the corpus speaks of comes with its name ("stars").
            counted = COUNT_QUESTION.search(text)
            if PRICE_QUESTION.search(text):
                stated = [c for c in candidates if PRICE.search(c.text)]
            elif counted:
                things = self._corpus_terms(counted.group(1) or "")
                stated = [c for c in candidates
                          if COUNT.search(c.text) and (not things or things & c.terms)]
            else:
                stated = candidates
            if not stated:
                return []
        if self._asks_requirement(text):
            # "Does Kubeflow need a team maintaining it?" is answered by what it requires ("requires
            # 1-2 dedicated platform engineers"), not by advice that implies it ("Switch from
            # Kubeflow when your platform team spends more time maintaining..."), when a sentence
            # nearly as good states it.
            best = max((c.score for c in candidates), default=0.0)
            stated = [c for c in candidates
                      if REQUIREMENT.search(c.text) and c.score >= best - REQUIREMENT_MARGIN
                      and self._speaks_of(c, asked, tools)]
            candidates = stated or candidates
        if asks_for_drawbacks(text):
            # "What's the catch with Ray?": a sentence stating a cost of it, rather than those
            # that merely match its name best ("Choose Ray if..."); none when the corpus states
            # no cost of what is named.
            drawbacks = [c for c in candidates
                         if states_drawback(c.text) and self._speaks_of(c, asked, tools)]
            candidates = drawbacks if drawbacks or asked else candidates
        return candidates

    def _asks_requirement(self, text: str) -> bool:
        """Whether a question asks what something requires ("Does Kubeflow need a team...?"),
        not whether the asker needs a tool ("Do we need Kubeflow at all?", "Is Kubeflow what we
        need?")."""
        asked = REQUIREMENT_QUESTION.search(text)
        if not asked or ASKER_NEEDS.search(text):
            return False
        return self.search.snapshot.entities.tool_at(text[asked.end():].lstrip()) is None

    def _speaks_of(self, candidate: Candidate, asked: set[str], tools: frozenset[str]) -> bool:
        """Whether a sentence may answer for what is asked: it names it, or no other tool."""
        spoken = self._named(candidate, tools | asked)
        return not spoken or bool(spoken & asked)

    def _named(self, candidate: Candidate, among: set[str] | frozenset[str]) -> set[str]:
        """Which of these names a sentence speaks of: its subject (and what that implies) and
        the names it mentions."""
        expand = self.search.snapshot.entities.expand
        return set((expand(candidate.subject) | candidate.names) & among)

    def _corpus_terms(self, text: str) -> frozenset[str]:
        """The terms of a text that the corpus uses."""
        return frozenset(t for t in terms(text) if t in self.search.snapshot.bm25.idf)

    def _facet(self, query: str, pool: HitPool, entities: list[str], k: int) -> list[Candidate]:
        """Candidates from a focused search; facet queries repeat, so their vectors are cached."""
        vector = self._facet_vector(query)
        retrieval = self.search.search(query, k, entities=entities, vector=vector)
        return self._candidates(retrieval, pool, query, entities)

    def _candidates(
        self, retrieval: Retrieval, pool: HitPool, query: str, entities: list[str]
    ) -> list[Candidate]:
        snapshot = self.search.snapshot
        idf = snapshot.bm25.idf
        wanted = set(entities)
        # Overlap measures the aspect asked about ("cost"), not the tool's name, weighed below;
        # a part named ("Does Kubeflow include a model registry?") is what is asked about.
        tools = set(snapshot.entities.tools)
        # ...nor in another of its names ("W&B" is no aspect of Weights & Biases).
        name_terms = {t for name in wanted & tools
                      for surface in (name, *snapshot.entities.entities[name].aliases)
                      for t in terms(surface)}
        # Whose sentences are wanted: the tools asked about, or else whatever is named. "Does
        # Metaflow need Kubernetes?" is not answered by Kubeflow's sentences on Kubernetes.
        whose = (wanted & tools) or wanted
        # Each topical term counts once, met by itself or by a synonym ("cost" by "pricing"),
        # weighted by its most telling spelling.
        # "standalone tools" answers nothing in "Which tool is free?".
        kinds = answer_kinds(query)
        groups = [(t, alts, max(idf.get(a, 0.0) for a in alts))
                  for t, alts in term_groups(query).items()
                  if t not in name_terms and t not in kinds]
        query_weight = sum(w for _, _, w in groups) or 1.0
        wants_price = bool(PRICE_QUESTION.search(query))
        wants_quantity = bool(QUANTITY.search(query))
        wants_duration = bool(DURATION_QUESTION.search(query))
        wants_list = bool(LIST_QUESTION.search(query))
        wants_requirement = self._asks_requirement(query)
        # A number the question quotes ("what did 3.11 add?") marks the sentences stating it;
        # a lone digit ("our 2 engineers") marks too many.
        quoted = {n for n in numbers(query) if "." in n or len(n) > 1}
        candidates: list[Candidate] = []
        for rank, hit in enumerate(retrieval.hits):
            marker = pool.add(hit)
            position = snapshot.position[hit.chunk.id]
            subjects = self.search.unit_subjects[position]
            section_terms = _term_set(hit.chunk.section or "")
            lead_terms = _topic_terms(hit.chunk.units, subjects)
            # "Migrating to Metaflow requires rewriting..." in a paragraph about Kubeflow
            # Pipelines still speaks about Kubeflow: only a passage about others is demoted.
            about_wanted = self.search.is_about(position, whose)
            for index, unit in enumerate(hit.chunk.units):
                unit_terms = _term_set(unit)
                # A table row means what its table's heading says ("Pricing Comparison"); a
                # sentence means what its paragraph's opening topic sentence announces.
                context_terms = section_terms if hit.chunk.kind == "table_row" else (
                    lead_terms | section_terms)
                seen = unit_terms | context_terms
                held = [(term, w) for term, alts, w in groups if alts & seen]
                overlap = min(1.0, sum(w for _, w in held) / query_weight)
                # Sentences outside the dense pool matched less than all of those inside it.
                similarity = hit.unit_similarity.get(index, hit.similarity - 0.15)
                names = self.search.unit_names[position][index]
                subject = subjects[index]
                focus = 0.0
                if whose:
                    if snapshot.entities.expand(subject) & whose:
                        focus = 0.15
                    elif names & whose:
                        focus = 0.08
                    elif (subject is not None or names & tools) and not about_wanted:
                        focus = -0.2  # about another tool, in a passage not about the one asked
                if wants_price:
                    focus += QUANTITY_BONUS if PRICE.search(unit) else 0.0
                elif wants_quantity and NUMBER.search(unit):
                    focus += QUANTITY_BONUS
                if wants_duration and DURATION.search(unit):
                    # "about a day" answers "how long" without a digit; "1-2 weeks" twice over.
                    focus += QUANTITY_BONUS
                if wants_list and unit.count(",") >= 2:
                    focus += QUANTITY_BONUS
                if wants_requirement and REQUIREMENT.search(unit):
                    focus += QUANTITY_BONUS
                if quoted and quoted & numbers(unit):
                    focus += QUANTITY_BONUS
                antecedent = ""
                if index > 0 and ANAPHORIC.match(unit):
                    # Quoted alone it would dangle: the sentence it points to comes with it.
                    antecedent = standalone(hit.chunk.units[index - 1], subjects[index - 1])
                score = similarity + OVERLAP_WEIGHT * overlap + focus - 0.01 * rank
                candidates.append(
                    Candidate(marker, index, standalone(unit, subject), subject, names,
                              round(float(score), 4), unit_terms,
                              self.search.chunk_entities[position], overlap, antecedent,
                              frozenset(term for term, _ in held))
                )
        return candidates


@lru_cache(maxsize=8192)
def _term_set(text: str) -> frozenset[str]:
    """A sentence's terms; the corpus's sentences recur in every search, so once each."""
    return frozenset(terms(text))


def _tool_bonus(candidate: Candidate, tools: set[str]) -> float:
    """A recommendation favours sentences about a tool."""
    return 0.1 if candidate.subject in tools else 0.0


def _polarity(candidate: Candidate, avoided: frozenset[str]) -> float:
    """Reward a sentence that negates what the question avoids; demote one that requires it."""
    if not avoided:
        return 0.0
    if NEGATION.search(candidate.text):
        return NEGATION_MATCH
    return -NEGATION_MATCH if candidate.terms & avoided else 0.0


def _unique(candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per sentence (the best scored), when several searches found it."""
    best: dict[tuple[int, int], Candidate] = {}
    for c in candidates:
        key = (c.marker, c.unit)
        if key not in best or c.score > best[key].score:
            best[key] = c
    return list(best.values())


def _announces(sentence: str, subject: str | None) -> bool:
    """Whether an opening sentence only announces its paragraph: short, and about no tool."""
    return subject is None and word_count(sentence) <= TOPIC_WORDS


def _opens_topic(candidate: Candidate) -> bool:
    """Whether a sentence opens its paragraph by announcing the topic, naming nothing."""
    return candidate.unit == 0 and not candidate.names and _announces(
        candidate.text, candidate.subject)


def _topic_terms(units: tuple[str, ...], subjects: list[str | None]) -> frozenset[str]:
    """Terms of a paragraph's short opening sentence about no tool ("The learning curve
    varies significantly."): it announces what the sentences after it are about."""
    if len(units) < 2 or not _announces(units[0], subjects[0]):
        return frozenset()
    return _term_set(units[0])


def _ranking(candidates: list[Candidate], tools: set[str]) -> list[Candidate]:
    """A paragraph that ranks several tools on the point a superlative asks about: an opener
    that matches the question about as well as the best sentence does ("The learning curve
    varies significantly."), and the sentences after it, about two tools or more ("MLflow
    takes hours...", "Ray requires...")."""
    best = max((c.score for c in candidates), default=0.0)
    openers = [c for c in candidates
               if c.matched and _opens_topic(c) and c.score >= best - SUPPORTED_MARGIN]
    for opener in sorted(openers, key=lambda c: -c.score):
        paragraph = [opener, *_elaborations([opener], candidates, FACT_WORDS, frozenset(tools))]
        if len({c.subject for c in paragraph} & tools) >= 2:
            return paragraph
    return []


def _several(candidates: list[Candidate], tools: set[str]) -> str:
    """"Which tools are free?": a sentence about the tools as a group that says itself what the
    best sentence holds of the question (so not "free" alone for "free and needing no
    Kubernetes"), else the best sentence of each tool close to the best, two tools or more."""
    best = max(candidates, key=lambda c: c.score, default=None)
    if best is None:
        return ""
    close = [c for c in candidates if c.score >= best.score - FACT_MARGIN]
    # One that holds all the best one holds of the question answers for every tool at once,
    # though it embeds further from a question naming no tool than a tool's own row does.
    about_all = [c for c in candidates if c.subject is None and GROUP.search(c.text)
                 and c.overlap >= best.overlap and c.score >= MIN_FACET_SIMILARITY
                 and all(c.terms & spellings(t) for t in best.matched)]
    if about_all:
        return _as_prose([max(about_all, key=lambda c: c.score)])
    per_tool: dict[str, Candidate] = {}
    for c in sorted(close, key=lambda c: -c.score):
        if c.subject in tools:
            per_tool.setdefault(c.subject, c)
    if len(per_tool) < 2:
        return ""
    return _as_prose(_pick(list(per_tool.values()), budget=FACT_WORDS, limit=4, margin=1.0))


def _elaborations(
    chosen: list[Candidate], scored: list[Candidate], budget: int, tools: frozenset[str]
) -> list[Candidate]:
    """The sentences after chosen ones that spell them out, while the budget allows: the next
    one when it points back ("This means...", "The integration between these components..."),
    and all that follow an opener that only announces its paragraph ("The learning curve varies
    significantly.")."""
    by_place = {(c.marker, c.unit): c for c in scored}
    taken = {(c.marker, c.unit) for c in chosen}
    used = sum(c.words for c in chosen)
    extra: list[Candidate] = []
    for c in chosen:
        announces = _opens_topic(c)
        place = (c.marker, c.unit + 1)
        while (following := by_place.get(place)) is not None and (
            announces or following.antecedent
            or (not (following.names & tools) and REFERS_BACK.search(following.text))
        ):
            if place not in taken:
                length = word_count(following.text)
                if used + length > budget:
                    break
                taken.add(place)
                extra.append(following)
                used += length
            if not announces:
                break
            place = (c.marker, following.unit + 1)
    return extra


def _rescored(candidate: Candidate, bonus: float) -> Candidate:
    return replace(candidate, score=candidate.score + bonus)


def _repeats(candidate: Candidate, chosen: list[Candidate]) -> bool:
    """Near-duplicates: a sentence already in the answer (itself or as an antecedent), or one
    sharing most of its terms with a chosen one about the same thing (pricing rows of two tools
    share their column names, not their facts)."""
    for other in chosen:
        if candidate.places & other.places:
            return True
        if candidate.subject and other.subject and candidate.subject != other.subject:
            continue
        union = candidate.terms | other.terms
        if union and len(candidate.terms & other.terms) / len(union) > 0.5:
            return True
    return False


def _pick(candidates: list[Candidate], budget: int, limit: int, margin: float) -> list[Candidate]:
    """The best candidates within a word budget, close to the best score, without repeats."""
    ranked = sorted(candidates, key=lambda c: (-c.score, c.marker, c.unit))
    chosen: list[Candidate] = []
    used_words = 0
    for candidate in ranked:
        if chosen and candidate.score < ranked[0].score - margin:
            break
        if _repeats(candidate, chosen):
            continue
        length = candidate.words
        if chosen and used_words + length > budget:
            continue
        chosen.append(candidate)
        used_words += length
        if len(chosen) == limit:
            break
    return chosen


def _as_prose(chosen: list[Candidate]) -> str:
    """Sentences grouped by passage (best passage first) and in reading order inside one."""
    best_of: dict[int, int] = {}
    for rank, candidate in enumerate(chosen):
        best_of.setdefault(candidate.marker, rank)
    ordered = sorted(chosen, key=lambda c: (best_of[c.marker], c.unit))
    picked = {(c.marker, c.unit) for c in chosen}
    sentences: list[str] = []
    for c in ordered:
        if c.antecedent and (c.marker, c.unit - 1) not in picked:
            sentences.append(_cite(c.antecedent, c.marker + 1))
        sentences.append(_cite(c.text, c.marker + 1))
    return " ".join(sentences)


def _cite(sentence: str, n: int) -> str:
    sentence = sentence.rstrip()
    if sentence.endswith((".", "!", "?")):
        return f"{sentence[:-1]} [{n}]{sentence[-1]}"
    return f"{sentence} [{n}]."
