"""Understanding a question: follow-ups made standalone, what kind of answer it wants, and
whether it asks about anything the corpus could cover."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.english import english_words, frequency
from assistant.entities import NAME_TOKEN, TYPO_MIN_LENGTH, EntityIndex, written_as_name
from assistant.expectations import (
    AGENT_QUESTION,
    GROUP_NOUNS,
    KIND_WORDS,
    SUPERLATIVE,
    asks_for_drawbacks,
)
from assistant.text import (
    STOPWORDS,
    has_synonyms,
    one_edit_apart,
    plain_idioms,
    query_terms,
    spell_out_abbreviations,
    split_message,
    stem,
    term_groups,
    terms,
    words,
)

INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override|bypass)\b[^.?!]{0,60}\b(instruction|instructions|prompt|"
    r"rules|guidelines|above|previous|prior|context|article|document|documents|corpus)\b"
    r"|\bsystem prompt\b|\byou are now\b|"
    r"\bact as\b|\bpretend (to be|you)\b|\bjailbreak\b|\bdeveloper mode\b|"
    r"\b(reveal|print|show|repeat)\b[^.?!]{0,40}\b(prompt|instructions)\b",
    re.IGNORECASE,
)
DECIDE = re.compile(
    r"\b(leave|leaving|ditch|ditching|abandon|abandoning|quit|quitting|"
    r"move (away )?(off|from)|moving (away )?(off|from)|"
    r"migrate (away )?(off|from)|migrating (away )?(off|from)|switch(ing)? (away )?from|"
    r"stay(ing)? (with|on)|stick(ing)? (with|to)|worth (it|switching|moving|migrating)|replace|"
    r"replacing)\b",
    re.IGNORECASE,
)
# "What stays the same when we migrate off...", "What has to be rewritten...", "How long does
# leaving take?": a question about what moving involves, not whether to move.
ABOUT_MOVING = re.compile(
    r"\bwhat\s+(?:has|have|needs?|must)\s+to\b|\bwhat\s+(?:happens|stays|changes|remains|"
    r"breaks)\b|\bwhat\s+(?:do|does|would|will)\s+(?:we|i)\s+(?:lose|keep)\b|"
    r"\bhow\s+(?:long|much|hard)\b|"
    # "Will our training code survive a move?": what becomes of something when moving.
    r"\b(?:will|would|does|do|can)\b[^.?!]{0,60}\b(?:survive|still work|keep working)\b|"
    # "Do we have to redo our training code?" asks what moving takes, unlike "do we have to
    # leave Kubeflow?".
    r"\b(?:do|does|will|would)\s+(?:we|i|you)\s+(?:have|need)\s+to\s+(?!(?:leave|switch|move|"
    r"migrate|stay|keep|stick|quit|ditch|abandon|replace)\b)|"
    # "Does moving off Kubeflow force us to rewrite our training code?"
    r"\b(?:force|forces|make|makes|require|requires|mean|means)\s+(?:us|you|me|them)\s+to\b",
    re.IGNORECASE,
)
# "Hanging on to Kubeflow", "hold onto MLflow": staying with a tool, when one follows ("holds on
# to GPUs when idle" is about GPUs).
HOLDING_ON = re.compile(r"\b(?:hang|hangs|hanging|hung|hold|holds|holding|held) on ?to\s+",
                        re.IGNORECASE)
# A sentence telling of the asker ("We run on EKS.", "I'm a data scientist.") asks nothing.
BACKGROUND = re.compile(r"\s*(?:we|we're|we've|our|i|i'm|i've|my|us)\b", re.IGNORECASE)
# Words that ask for advice: "Should we...", "Is it worth...", "What do you recommend...".
ADVICE = re.compile(r"\b(?:should|worth|sense|idea|recommend|advise|suggest)\b", re.IGNORECASE)
# A question that opens on what it asks ("Which concepts...?", "Is that fear justified?").
OWN_QUESTION = re.compile(
    r"\s*(?:which|what|how|who|whose|where|when|why"
    r"|(?:is|are|does|do|was) (?:that|this|those|these))\b", re.IGNORECASE)
# "These tools", "which of them": the tools compared, referred to as a group.
COLLECTIVE = re.compile(
    rf"\b(?:these|those|the|all|both)\s+(?:\w+\s+)?(?:{GROUP_NOUNS})\b"
    r"|\b(?:each|which|any|all|none|some|one)\s+of\s+(?:these|those|them|the\s+tools)\b",
    re.IGNORECASE,
)
# "Alternatives to Kubeflow", "instead of Kubeflow", "Kubeflow's alternatives": a decision
# about that tool (not "instead of stitching tools together").
ALTERNATIVE_TO = re.compile(r"\b(?:alternatives? (?:to|for)|instead of)\s+(.+)", re.IGNORECASE)
COMPARE = re.compile(
    r"\b(vs\.?|versus|compare[sd]?|comparing|comparison|difference|differences|differs?|better|"
    r"worse|cheaper|faster|easier|simpler|or|than|respectively|each|both)\b"  # "harder than..."
    r"|^\s*(between)\b",  # "Between Kubeflow and MLflow, which...", not "isolation between jobs"
    re.IGNORECASE,
)
RECOMMEND = re.compile(
    rf"\b(which|what) (\w+ )?({KIND_WORDS}|one|framework|solution)\b|"
    rf"\b(which|any) of (the|these|those) ({KIND_WORDS})\b|"
    r"\brecommend|\bbest (tool|option|choice|fit|for)\b|"
    r"\bshould (we|i) (use|pick|choose|adopt|go with|try|(switch|move|migrate) to)\b|"
    r"\bwhat (?:to|do we|can we|could we) (?:use|pick|choose|adopt|go with|try)(?: instead)?\b|"
    r"\bgood (fit|choice)\b|\bbottleneck\b|"
    # Asked in passing: "What's the move?", "What would you pick?", "What fits?"
    r"\bwhat(?:'s| is) the move\b|\bwhat (?:would|do) you (?:pick|suggest|choose|go with)\b|"
    r"\bwhat fits(?: us| best| better)?\s*(?:[?.!]|$)"
    r"|\bwhere should (?:we|i) (?:start|go)\s*(?:[?.!]|$)"
    r"|\bshould (?:we|i) look at\b|(?:^|[.;!?]\s*)(?:any )?(?:suggestions|recommendations|ideas)"
    r"\s*\?",
    re.IGNORECASE,
)
CITED = re.compile(r"\[\d+\]")
WHICH_OF_THEM = re.compile(
    r"\bwhich (?:one|of (?:them|the two|these|those|both))\b", re.IGNORECASE)
PRONOUN = re.compile(r"\b(it|its|it's|they|them|their|this one|that one)\b", re.IGNORECASE)
# "Is that free?", "How does that compare...", "are those portable?": a demonstrative after a
# verb or a preposition stands for what was spoken of ("that tool" reads well replaced too).
DEMONSTRATIVE = re.compile(
    r"^(?!\s*why\b).*?\b(?:is|are|was|were|does|can|could|will|would|about|with|of|for|on|than)"
    # ...not "do that" (a verb's object) nor "that we..." (a clause), nor in "why is that?"
    r"\s+(that|this|those|these)\b(?!\s+(?:we|i|you|they|it|he|she|there)\b|\s+(?-i:[A-Z]))",
    re.IGNORECASE,
)
ELLIPSIS_LEAD = re.compile(r"^\s*(and|what about|how about|same for|and for|and what about)\b",
                           re.IGNORECASE)
# Words that say what kind of answer is wanted, not what it is about (best not words the
# corpus uses: a question made only of those would lose the topic it shares with the corpus).
QUESTION_WORDS = frozenset(
    """
    cost costs much many price pricing compare comparison difference better best use using
    tool tools platform platforms option options choose pick good worth should team teams
    alternative alternatives offer offers support supports work works make makes like mean meant
    leave leaving switch switching move moving migrate migrating stay stick replace replacing
    ditch quit abandon drop adopt recommend recommended fit fits suit suits right bad go
    choice decide decision compar differ alternativ migrat
    idea think thinking smart wise sense cheaper cheap expensive pricier quicker harder
    come came comes origin long quick quickly hard easy difficult comfortable called named
    created founded founder founders company companies organisation organization firm
    know knows knew nobody newcomer newcomers
    shine shines excel excels strength strengths strong weak weakness weaknesses pros cons
    advantage advantages disadvantage disadvantages downside downsides drawback drawbacks
    benefit benefits limitation limitations catch pitfall pitfalls gotcha gotchas risk risks
    limited restricted
    """.split()  # noqa: SIM905
)


MAX_HISTORY_TURNS = 50  # earlier turns considered when resolving a follow-up
MAX_TURN_CHARS = 4000  # of each turn: enough for any question
THAN = re.compile(r"\s+than\b", re.IGNORECASE)
# A lower-case word with an English inflection ("babysitting", "idling", "quickly") is a word
# the model's vocabulary happens to lack, not a product name ("sagemaker", "dagster").
ENGLISH_ENDING = re.compile(r"(ing|ed|ly|ness|tion|sion|ment|ful|less|able|ible|ous|ive)$")
# Prefixes that make English words of English words ("rewritten", "redeploy").
ENGLISH_PREFIXES = ("re", "un", "pre", "over", "under", "out")
INFLECTED = re.compile(r"(?:en|ed|ing|s)$")


_QUESTION_TERMS = QUESTION_WORDS | {stem(w) for w in QUESTION_WORDS}


@dataclass
class Question:
    """A question as asked, its standalone form and what it asks about."""

    asked: str
    text: str  # standalone: follow-ups resolved, injected instructions removed
    entities: list[str]
    intent: str  # "fact", "compare", "decide" or "recommend"
    injection: bool = False
    unknown_names: list[str] = field(default_factory=list)
    uncovered: bool = False  # every topical word is absent from the corpus
    collective: bool = False  # refers to the compared tools as a group ("these tools")


def resolve_followup(question: str, history: list[tuple[str, str]], entities: EntityIndex) -> str:
    """Make a follow-up standalone using the conversation ("How much does it cost?" -> ClearML)."""
    topic = _last_topic(history, entities)
    return _resolve(question, topic, entities)


@dataclass(frozen=True)
class _Topic:
    """What a conversation is about so far."""

    question: str | None = None  # the last user question that named something, standalone
    names: tuple[str, ...] = ()  # what it named, and the tools kept when it named only a part
    recent_tools: tuple[str, ...] = ()  # the tools named in user turns, latest last


def _resolve(question: str, topic: _Topic, entities: EntityIndex) -> str:
    previous_question, previous_entities = topic.question, list(topic.names)
    if not previous_entities:
        return question
    named = entities.find(question)
    if named and ELLIPSIS_LEAD.match(question) and previous_question:
        # "What about Ray?" after "How much does ClearML cost?": same question, new subject.
        rest = ELLIPSIS_LEAD.sub("", question).strip(" ?.!")
        if len([w for w in words(rest) if w not in STOPWORDS]) <= len(named) + 1:
            return _replace_entities(previous_question, previous_entities, named, entities)
    # "Which one is cheaper?" after "ClearML and Comet pricing", or after a question about each
    # in turn: a choice between them.
    choices = [e for e in previous_entities if e in entities.tools]
    choices = choices if len(choices) >= 2 else list(topic.recent_tools[-2:])
    if not named and len(choices) >= 2 and WHICH_OF_THEM.search(question):
        return f"{question.rstrip(' ?.!')}, {' or '.join(choices)}?"
    # A pronoun stands for the tools spoken of, not the library named beside them ("how long
    # will it take?" after "...Metaflow?" and "...our XGBoost training code?").
    missing = [e for e in previous_entities if e not in named]
    missing = [e for e in missing if e in entities.tools] or missing
    if missing and PRONOUN.search(question):
        return PRONOUN.sub(lambda m: _pronoun_for(m.group(1), missing), question, count=1)
    demonstrative = DEMONSTRATIVE.search(question)
    if missing and demonstrative:
        start, end = demonstrative.span(1)
        return f"{question[:start]}{' and '.join(missing)}{question[end:]}"
    if not named and ELLIPSIS_LEAD.match(question) and previous_question:
        # "And the pricing?" after "How much does ClearML cost?" (not after an answer that
        # only led with a tool: "What about serving?" then asks anew).
        rest = ELLIPSIS_LEAD.sub("", question).strip(" ?.!")
        return f"{rest} of {' and '.join(previous_entities)}?"
    if not named and previous_question and _asks_on(question):
        # "Is there a hosted version?" after "What does BentoML do?": of the same tools.
        return f"{question.rstrip(' ?.!')} of {' and '.join(previous_entities)}?"
    return question


FOLLOW_UP_WORDS = 8  # a question this short, naming nothing, goes on with the conversation
# ...when it asks of a thing that belongs to something ("a hosted version", "the pricing"), not
# what a term means ("What is scale-to-zero?") nor for another tool ("a cheaper option", "a good
# alternative", "a typical migration").
ATTRIBUTE = re.compile(
    r"\bthe\s+[a-z]|\b(?:a|an|any)\s+(?:hosted|managed|free|paid|enterprise|pro|self-hosted|cloud"
    r"|open-source|team|commercial|trial)\b", re.IGNORECASE)
ANOTHER_TOOL = re.compile(rf"\b(?:{KIND_WORDS}|something|anything|else|instead|cheaper|better)\b",
                          re.IGNORECASE)


def _asks_on(question: str) -> bool:
    """Whether a question naming nothing asks on about what was spoken of: short, with a topic
    of its own ("is there a hosted version?"), and not asking for a tool ("which tool is
    cheapest?") nor of the tools as a group."""
    content = [w for w in words(question) if w not in STOPWORDS and w not in QUESTION_WORDS]
    return (bool(content) and len(words(question)) <= FOLLOW_UP_WORDS
            and bool(ATTRIBUTE.search(question)) and not ANOTHER_TOOL.search(question)
            and not RECOMMEND.search(question) and not COLLECTIVE.search(question))


def _holding_on_as_staying(text: str, entities: EntityIndex) -> str:
    """ "Hanging on to Kubeflow" said as the decision it is: "stick with Kubeflow"."""
    def staying(match: re.Match[str]) -> str:
        return "stick with " if entities.tool_at(text[match.end():]) else match.group()

    return HOLDING_ON.sub(staying, text)


def mend_words(text: str, vocabulary: frozenset[str], common_words: frozenset[str]) -> str:
    """The text with one slip in a word of the corpus mended ("servr" -> "server"): a word
    that is no English word, however rare, nor the corpus's, one edit from exactly one English
    word the corpus uses, first letter kept. Names are left alone ("LMFlow", "modal",
    "knative")."""
    targets = _mend_targets(vocabulary, common_words)
    english = english_words(1)

    def mended(match: re.Match[str]) -> str:
        word = match.group()
        lowered = word.lower()
        if lowered in _FUNCTION_WORD_SLIPS and lowered not in english:
            # "waht was ClearML called?": two letters of a question's own words swapped.
            fixed = _FUNCTION_WORD_SLIPS[lowered]
            return fixed.capitalize() if word[0].isupper() else fixed
        if (len(lowered) < TYPO_MIN_LENGTH or not lowered.isalpha() or lowered in vocabulary
                or lowered in common_words or lowered in english
                or written_as_name(text, match)):
            return word
        # Chat drops the g: "keepin", "hostin", "trackin".
        if lowered.endswith("in") and f"{lowered}g" in english:
            return f"{word}g"
        # Slips rarely hit the first letter; names one letter from a word often differ there
        # ("knative" and "native").
        near = {target for size in (len(lowered) - 1, len(lowered), len(lowered) + 1)
                for target in targets.get(size, ())
                if target[0] == lowered[0] and one_edit_apart(lowered, target)}
        if len(near) != 1:
            return word
        fixed = near.pop()
        return fixed.capitalize() if word[0].isupper() else fixed

    return NAME_TOKEN.sub(mended, text)


# The words every question is made of, and their slips of two letters swapped ("waht", "wich",
# "teh"), where only one word has that slip.
_FUNCTION_WORDS = ("what", "which", "where", "when", "who", "how", "why", "the", "and", "does",
                   "should", "would", "could", "with", "there", "their", "about")


def _unambiguous_swaps(originals: tuple[str, ...]) -> dict[str, str]:
    """Each slip of two neighbouring letters swapped, with the one word it comes from ("waht":
    "what"); a slip two words share is left out."""
    owners: dict[str, set[str]] = {}
    for word in originals:
        for i in range(len(word) - 1):
            slip = word[:i] + word[i + 1] + word[i] + word[i + 2:]
            if slip != word:
                owners.setdefault(slip, set()).add(word)
    return {slip: min(found) for slip, found in owners.items() if len(found) == 1}


_FUNCTION_WORD_SLIPS = _unambiguous_swaps(_FUNCTION_WORDS)


@lru_cache(maxsize=4)
def _mend_targets(vocabulary: frozenset[str], common_words: frozenset[str]
                  ) -> dict[int, frozenset[str]]:
    """The English words of the corpus by length, plurals of them included ("primitives"),
    computed once per index generation."""
    by_length: dict[int, set[str]] = {}
    for word in vocabulary:
        if (word in common_words or word.removesuffix("s") in common_words) and word.isalpha() \
                and len(word) >= TYPO_MIN_LENGTH - 1:
            by_length.setdefault(len(word), set()).add(word)
    return {size: frozenset(found) for size, found in by_length.items()}


def known_words(corpus_words: frozenset[str]) -> frozenset[str]:
    """The corpus's words and their stems: what counts as a word the corpus knows."""
    return corpus_words | {stem(w) for w in corpus_words}


def analyze(
    asked: str,
    history: list[tuple[str, str]],
    entities: EntityIndex,
    vocabulary: frozenset[str],
    common_words: frozenset[str],
) -> Question:
    """Resolve, clean and classify a question (`vocabulary` comes from `known_words`)."""
    injection = bool(INJECTION.search(asked))

    def mended(text: str) -> str:
        # Slips, initials and shorthand first, so that follow-ups resolve the names meant.
        text = entities.mend_typos(entities.join_split_names(text), vocabulary, common_words)
        text = entities.spell_out(mend_words(text, vocabulary, common_words))
        text = _holding_on_as_staying(text, entities)
        text = plain_idioms(spell_out_abbreviations(text, vocabulary))
        return _split_compounds(text, vocabulary, common_words)

    text = mended(_without_injection(asked) if injection else asked)
    turns = [(role, mended(content) if role == "user" else content) for role, content in history]
    text = resolve_followup(text, turns, entities) if text else text
    named = entities.find(text)
    # The tools named, not those a name implies ("Kubeflow" by "Kubeflow Pipelines").
    implied = {other for name in named for other in entities.expand(name) if other != name}
    intent = _intent(text, named, [n for n in named if n in entities.tools and n not in implied])
    return Question(
        asked=asked,
        text=text,
        entities=named,
        intent=intent,
        injection=injection,
        unknown_names=_unknown_names(_asked_part(text), entities, vocabulary, common_words),
        # Whether to leave or keep a tool the corpus covers, what leaving it involves, who made
        # it or what its weak point is, is on topic however it is worded ("which well-known
        # company...").
        uncovered=not ((intent == "decide" or DECIDE.search(text) or AGENT_QUESTION.search(text)
                        or asks_for_drawbacks(text)) and named)
        and _uncovered(text, entities, vocabulary),
        collective=bool(COLLECTIVE.search(text)),
    )


def _intent(text: str, named: list[str], tools: list[str]) -> str:
    if _asks_about_moving(text):
        return "fact"
    if (DECIDE.search(text) or _asks_for_alternatives(text, named)) \
            and not _asks_past_the_decision(text):
        return "decide"
    # A comparison told of before a question of its own is no comparison asked; tools only
    # listed are compared unless the question asks which to use or which ranks first ("Which
    # of Kubeflow, MLflow and Ray should we use?", "...which is slowest to learn?").
    asked = _own_question(text) or text
    only_listed = not _compared_in_words(asked, tools)
    if len(named) >= 2 and _compares(asked, tools) and not (
            only_listed and (ADVICE.search(text) or SUPERLATIVE.search(text))):
        return "compare"
    if RECOMMEND.search(text):
        return "recommend"
    return "fact"


def _own_question(text: str) -> str | None:
    """The last sentence of a message that tells before it asks, when that sentence asks a thing
    of its own ("...if we keep Kubeflow. Which cluster concepts must each of them grasp?", "I'm
    comparing community size. How many stars does Metaflow have?"), not an elliptic "...Should
    we?"; None for a message of one sentence."""
    sentences = split_message(text)
    if len(sentences) < 2:
        return None
    asked = sentences[-1]
    topic = [t for t in terms(asked) if t not in _QUESTION_TERMS]
    return asked if OWN_QUESTION.match(asked) and len(topic) >= 2 else None


def _asks_past_the_decision(text: str) -> bool:
    """"...leaving Kubeflow means redoing our code. Is that fear justified?": a question of its
    own after telling of a move asks that, not whether to make it."""
    asked = _own_question(text)
    return asked is not None and not DECIDE.search(asked) and not ADVICE.search(asked)


def _compares(text: str, tools: list[str]) -> bool:
    """Whether a question naming two things compares them: "Ray vs Spark", "cheaper than",
    or "or", "each" or "respectively" between two tools ("MLflow or Metaflow?"), not "does
    Metaflow run on AWS or only Kubernetes?" nor "the whole ML lifecycle or just one slice?"."""
    return _compared_in_words(text, tools) or _listed(text, tools)


def _compared_in_words(text: str, tools: list[str]) -> bool:
    """Whether a question's words compare: "vs", "cheaper", or "or", "each" or "respectively"
    between two tools ("...with MLflow, with Metaflow and with Ray respectively?")."""
    found = {(m.group(1) or m.group(2)).lower() for m in COMPARE.finditer(text)}
    of_two = {"or", "respectively", "each", "both"}
    return bool(found - of_two) or (bool(found) and len(tools) >= 2)


def _listed(text: str, tools: list[str]) -> bool:
    """Whether three tools or more are asked of in a list ("mlflow, metaflow, ray - which is
    slow to learn?", "for Kubeflow, MLflow and Ray"), which compares them however it is
    worded; "KServe and Kubeflow models... to BentoML" lists none."""
    if len(tools) < 3:
        return False
    return any(re.search(rf"\b{re.escape(first)}\s*,\s*(?:and |or )?(?:with |for )?"
                         rf"{re.escape(second)}\b", text, re.IGNORECASE)
               for first in tools for second in tools if first != second)


def _asks_about_moving(text: str) -> bool:
    """"What has to be rewritten when moving off Kubeflow?", "the downside of switching from
    KServe": a sentence that asks what moving involves or costs, and asks no advice ("Should we
    leave Kubeflow? What are the risks?" and "Replacing Kubeflow is risky. Which alternative do
    you recommend?" still ask whether to leave)."""
    return not ADVICE.search(text) and any(
        DECIDE.search(sentence) and (ABOUT_MOVING.search(sentence) or asks_for_drawbacks(sentence))
        for sentence in split_message(text)
    )


def _asks_for_alternatives(text: str, named: list[str]) -> bool:
    """"Alternatives to Kubeflow", "instead of Kubeflow", "Kubeflow's alternatives", and its
    other side, "keep Kubeflow"."""
    following = ALTERNATIVE_TO.search(text)
    lowered = text.lower()
    return any(
        (following and following.group(1).lower().startswith(name))
        or re.search(rf"\b{re.escape(name)}(?:'s)? alternatives?\b", lowered)
        or re.search(rf"\bkeep(?:ing)? (?:using |on |with )?{re.escape(name)}"
                     r"(?:$|[?.!,;]| (?:or|and|instead|over|rather|at all)\b)", lowered)
        for name in (n.lower() for n in named)
    )


def conversation_tools(history: list[tuple[str, str]], entities: EntityIndex) -> list[str]:
    """The tools a conversation is about so far: those of its last question that named one."""
    return [name for name in _last_topic(history, entities).names if name in entities.tools]


def _last_topic(history: list[tuple[str, str]], entities: EntityIndex) -> _Topic:
    """The most recent user question that named something, resolved in its own context, or
    the tool answered to one that asked for a tool ("Which tool for serving?" -> BentoML)."""
    # One forward pass: each user turn is resolved against the topic running before it, so a
    # long conversation costs linear time (resolving each turn from scratch was exponential).
    topic = _Topic()
    asked_for_tool = False  # the last user turn asked for a tool without naming one
    for role, content in history[-MAX_HISTORY_TURNS:]:
        content = content[:MAX_TURN_CHARS]
        if role != "user":
            # An answer cites its passages; a refusal, which lists every tool, cites none.
            tools = [n for n in entities.find(content) if n in entities.tools]
            if asked_for_tool and tools and CITED.search(content):
                lead = tools[0]  # the tool the answer leads with
                recent = tuple(t for t in topic.recent_tools if t != lead) + (lead,)
                topic = _Topic(None, (lead,), recent)
            asked_for_tool = False
            continue
        standalone = _resolve(content, topic, entities)
        named = entities.find(standalone)
        asked_for_tool = not named and _intent(standalone, named, []) == "recommend"
        if named:
            tools = tuple(n for n in named if n in entities.tools)
            # A turn naming only a library ("our XGBoost code") keeps the tools spoken of.
            kept = () if tools else tuple(n for n in topic.names if n in entities.tools)
            recent = tuple(t for t in topic.recent_tools if t not in tools) + tools
            topic = _Topic(standalone, kept + tuple(named), recent)
    return topic


def _pronoun_for(pronoun: str, names: list[str]) -> str:
    joined = " and ".join(names)
    lowered = pronoun.lower()
    if lowered in {"its", "their"}:
        return f"{joined}'s"
    if lowered == "it's":
        return f"{joined} is"
    return joined


def _replace_entities(
    question: str, old: list[str], new: list[str], entities: EntityIndex
) -> str:
    for index, name in enumerate(old):
        question = _substitute(question, name, new[min(index, len(new) - 1)], entities)
    return question


def _substitute(
    text: str, name: str, replacement: str, entities: EntityIndex, possessive: bool = False
) -> str:
    """Replace every mention of an entity, by name or alias (longest first), and its "'s"."""
    surfaces = [name, *entities.entities[name].aliases] if name in entities.entities else [name]
    suffix = "(?:'s)?" if possessive else ""
    for surface in sorted(surfaces, key=len, reverse=True):
        text = re.sub(rf"(?<![\w&]){re.escape(surface)}{suffix}(?![\w&])", replacement, text,
                      flags=re.IGNORECASE)
    return text


def _without_injection(text: str) -> str:
    """Drop the sentences that try to instruct the assistant; keep any real question."""
    parts = re.split(r"(?<=[.?!;:])\s+|\s+(?:and then|then|and)\s+(?=(?:what|how|which|who|is|"
                     r"does|do|should|can)\b)", text, flags=re.IGNORECASE)
    kept = [p for p in parts if p and not INJECTION.search(p)]
    return " ".join(kept).strip()


def _asked_part(text: str) -> str:
    """The message without the sentences that only tell of the asker: "We run on EKS and use
    Katib. Should we leave Kubeflow?" asks about Kubeflow, whatever else it mentions; "Compare
    Airflow with Kubeflow. We have 5 engineers." still asks about Airflow."""
    sentences = split_message(text)
    if len(sentences) < 2:
        return text
    return " ".join(s for s in sentences if not BACKGROUND.match(s) or s.rstrip().endswith("?")
                    or COMPARE.search(s))


def _unknown_names(
    text: str,
    entities: EntityIndex,
    vocabulary: frozenset[str],
    common_words: frozenset[str],
) -> list[str]:
    """Product-like names the corpus never mentions: "SageMaker", "airflow", "Dagster"."""
    known_surfaces = entities.name_words(text)
    unknown: list[str] = []
    for match in NAME_TOKEN.finditer(text):
        token = match.group()
        lowered = token.lower()
        if (
            len(lowered) < 3
            or lowered in STOPWORDS
            # Words of how questions are asked ("downside", "pricier") name no product, nor do
            # the askers' roles ("the CTO wants to ditch Kubeflow").
            or lowered in QUESTION_WORDS
            or (lowered in ROLES and ROLE_NAMED.search(text, 0, match.start())
                and not ROLE_HOLDER_ASKED.search(text, 0, match.start()))
            or has_synonyms(lowered)
            or lowered in known_surfaces
            or lowered in vocabulary
            or stem(lowered) in vocabulary
            or _known_compound(lowered, vocabulary, common_words)
            or _split_point(lowered, vocabulary) is not None
        ):
            continue
        if lowered in PRODUCTS_NAMED_AS_WORDS:
            unknown.append(token)  # "is prefect better than kubeflow": a product, however common
            continue
        # A capital that opens a sentence ("... Kubeflow. Good idea?") marks no name.
        capitalised = written_as_name(text, match)
        # "chore" is a word through "chores": the tokenizer holds one form of many words.
        # "-er" makes a comparative only before "than": "leaner than", not "docker".
        comparative = bool(THAN.match(text, match.end()))
        common = (lowered in common_words or stem(lowered) in common_stems(common_words)
                  or (token.islower() and (_inflected(lowered, common_words, comparative)
                                           or _used_as_noun(text, match)))
                  or _opening_aside(text, match)
                  or (token.islower() and _english_plural_or_slip(lowered)))
        if capitalised or not common:
            unknown.append(token)
    return unknown


# "hitting the endpoint?", "how much headcount do we need": an English word, however rare, that
# ends a phrase opened by a determiner is a common noun; a product would name something after it
# ("the dagster scheduler").
DETERMINER_BEFORE = re.compile(
    r"\b(?:the|a|an|one|our|my|your|their|its|whose|much|many|more|less|this|that|these|those"
    r"|each|every)\s+(?:[a-z]+\s+){0,2}$",
    re.IGNORECASE)
PHRASE_ENDS = re.compile(r"\s*(?:[?.!,;:]|$|(?:" + "|".join(
    ("do", "does", "did", "is", "are", "was", "were", "has", "have", "had", "in", "on", "at",
     "for", "of", "to", "with",
     "from", "by", "into", "when", "if", "and", "or")) + r")\b)", re.IGNORECASE)


# "Who is the CEO of Databricks?" asks for a person the corpus never names: the role stays
# unknown.
ROLE_HOLDER_ASKED = re.compile(
    r"\bwho(?:'s|\s+is|\s+was|\s+are|\s+were)\s+(?:the\s+|their\s+|its\s+)?$", re.IGNORECASE)
# "the CTO wants...", "our SREs": a role named as a person ("Which SRE tools...?" names none).
ROLE_NAMED = re.compile(r"\b(?:the|our|my|their|your|a|an|his|her)\s+$", re.IGNORECASE)
# Roles in a team or a company, written as initials.
ROLES = frozenset("""
    cto ctos ceo cfo coo cio ciso vp vps svp evp sre sres pm pms tpm mle mles swe swes
    qa finops devops secops
""".split())  # noqa: SIM905 - a word list reads best as text
SLIP_MIN_LENGTH = 7  # shorter words one slip from an English word are often names ("docker")
ASIDE_MIN_COUNT = 400  # an aside is a word this common at least ("ballpark", not "airflow")
# Tools of this field the corpus may never name whose names are English words too: a word list
# can't tell them from nouns ("the airflow in our stack", "Prefect, is it better?").
PRODUCTS_NAMED_AS_WORDS = frozenset((
    "airflow", "prefect", "flyte", "argo", "luigi", "triton", "neptune", "vertex", "modal",
    "seldon", "ray", "comet"))


def _used_as_noun(text: str, match: re.Match[str]) -> bool:
    """Whether a lower-case English word stands where a common noun does (see above)."""
    word = match.group().lower()
    return (word in english_words(1) and word not in PRODUCTS_NAMED_AS_WORDS
            and bool(DETERMINER_BEFORE.search(text, 0, match.start()))
            and bool(PHRASE_ENDS.match(text, match.end())))


def _english_plural_or_slip(word: str) -> bool:
    """"endpoints" (products come in the singular) and "evryone" (one slip from a common
    English word, first letter kept; shorter words too often name products) are English, not
    products' names."""
    if word in PRODUCTS_NAMED_AS_WORDS:
        return False
    if word.endswith("s") and word[:-1] in english_words(1):
        return word[:-1] not in PRODUCTS_NAMED_AS_WORDS
    return len(word) >= SLIP_MIN_LENGTH and any(
        edit in english_words() for edit in _one_edit_forms(word))


def _one_edit_forms(word: str) -> set[str]:
    """The words one letter added, dropped, changed or two swapped away, first letter kept."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(1, len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in letters}
            | {a + c + b for a, b in splits for c in letters}) - {word}


def _opening_aside(text: str, match: re.Match[str]) -> bool:
    """"Ballpark, how long...?", "Honestly, is...": an English word opening the message and
    set off by a comma is an aside, not a product's name."""
    word = match.group()
    return (not text[: match.start()].strip() and text[match.end():].startswith(",")
            and word[1:] == word[1:].lower() and frequency(word.lower()) >= ASIDE_MIN_COUNT
            and word.lower() not in PRODUCTS_NAMED_AS_WORDS)


@lru_cache(maxsize=4)
def common_stems(common_words: frozenset[str]) -> frozenset[str]:
    """The stems of the common words, computed once (`Assistant` does it at load)."""
    return frozenset(stem(w) for w in common_words)


def _inflected(word: str, common_words: frozenset[str], comparative: bool = False) -> bool:
    """An English word the vocabulary lacks only in this form: "idling", an adjective made
    from a known word ("beefy", "snappy", "pricey"), a known adjective's superlative
    ("steepest") or, when it is one, its comparative ("leaner"), or one of those with a prefix
    ("rewritten"); "numpy" or "dagster" are not."""
    if ENGLISH_ENDING.search(word):
        return True
    for prefix in ENGLISH_PREFIXES:
        rest = word.removeprefix(prefix)
        # A short stem makes names too ("retool", "reflow"): then only an inflected form counts.
        if rest != word and len(rest) >= 4 and (len(rest) >= 6 or INFLECTED.search(word)) and (
                rest in common_words or _inflected(rest, common_words, comparative)):
            return True
    for ending in ("y", "er", "est") if comparative else ("y", "est"):
        root = word.removesuffix(ending)
        if root == word or len(root) < 3:
            continue
        roots = {root, root + "e"} | ({root[:-1]} if root[-1] == root[-2] else set())
        if ending != "y":
            roots |= {root[:-1] + "y"} if root.endswith("i") else set()  # "tidiest"
        elif word[-2] in "aeiou":
            roots = {root}  # "pricey" keeps the e of "price"
        if roots & common_words:
            return True
    return False


def _known_compound(token: str, vocabulary: frozenset[str], common_words: frozenset[str]) -> bool:
    """A hyphenated word made of known words ("ramp-up", "scale-to-zero", "fifteen-ish") is no
    product name."""
    parts = [p for p in token.split("-") if p]
    if len(parts) < 2:
        return False
    return all(
        p in STOPWORDS or p in vocabulary or stem(p) in vocabulary or p in common_words
        or p == "ish"
        for p in parts
    )


def _split_point(token: str, vocabulary: frozenset[str]) -> int | None:
    """Where a word the corpus lacks splits into two words it has ("multitenancy" for
    "multi-tenancy"), if it does."""
    if token in vocabulary:
        return None
    return next((i for i in range(3, len(token) - 2)
                 if token[:i] in vocabulary and token[i:] in vocabulary), None)


def _split_compounds(text: str, vocabulary: frozenset[str], common_words: frozenset[str]) -> str:
    """The text with two of the corpus's words written as one hyphenated as the corpus writes
    them: "autoscaling" as "auto-scaling", so that searches meet it; not an English word of its
    own ("overall", "elsewhere")."""
    def split(match: re.Match[str]) -> str:
        word = match.group()
        at = _split_point(word, vocabulary) if word not in common_words else None
        return word if at is None else f"{word[:at]}-{word[at:]}"

    return re.sub(r"(?<![\w-])[a-z]{7,}(?![\w-])", split, text)


def without_names(text: str, names: list[str], entities: EntityIndex) -> str:
    """The text with the named entities (and their aliases) taken out: what is asked of them."""
    for name in names:
        text = _substitute(text, name, " ", entities, possessive=True)
    return " ".join(text.split())


def topic_groups(text: str, names: list[str], entities: EntityIndex | None = None
                 ) -> list[frozenset[str]]:
    """The question's topic terms beyond the names (and, given the index, their other names:
    "W&B"), each with its synonyms ("cost": "pricing")."""
    surfaces = [alias for name in names if entities and name in entities.entities
                for alias in entities.entities[name].aliases]
    name_terms = {t for name in [*names, *surfaces] for t in terms(name)}
    return [alts for t, alts in term_groups(text).items()
            if t not in name_terms and t not in _QUESTION_TERMS]


def _uncovered(text: str, entities: EntityIndex, vocabulary: frozenset[str]) -> bool:
    """True when the question's topical words (beyond names) all lie outside the corpus."""
    names = entities.name_words(text)
    topical = [
        w for w in words(text)
        if w not in STOPWORDS and w not in names and w.isalpha()
        and w not in QUESTION_WORDS and stem(w) not in QUESTION_WORDS
    ]
    return bool(topical) and all(not ({w, *query_terms(w)} & vocabulary) for w in topical)
