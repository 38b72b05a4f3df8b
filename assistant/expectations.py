"""What a question expects of its answer: a price, a quantity, a list, a compared aspect, or
something that is *not* needed. The extractive answerer scores sentences against these."""

from __future__ import annotations

import re

from assistant.text import LICENSE_NAMES, STOPWORDS, SUPERLATIVES, stem, terms, words

# Questions whose answer is a quantity prefer sentences that state one (expected answer type).
# "How much do they need to alter their code?" asks a degree, not an amount, unless it is paid.
HOW_MUCH = (r"how much(?!\s+(?:do|does|did|will|would|should|must)\s+(?:[\w&-]+\s+){1,3}?"
            r"(?:need|have)\s+to\s+(?!cost|charge|pay|spend|save|budget|set aside)\w+)")
QUANTITY = re.compile(
    rf"\b({HOW_MUCH}|"
    r"how (many|long|big|large|fast|popular)|cost|costs|price|prices|pricing|priced|"
    r"charge|fee|fees|stars|percent|budget|expensive|pricey|pricier|cheap|cheaper)\b",
    re.IGNORECASE,
)
NUMBER = re.compile(r"\d")
# A count may be written out: "thousands of GPUs", "three-step setup".
COUNT = re.compile(r"\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|dozens|hundreds|"
                   r"thousands|millions|billions)\b", re.IGNORECASE)
# Questions only a count answers ("how long" may be "about a day"); the plural after "how many"
# is what is counted ("GitHub stars", "engineers"), and "how many times" asks how often.
COUNT_QUESTION = re.compile(
    # "how many libraries/frameworks": either counted.
    r"\bhow many\b(?! times\b)(?: (?:[\w&-]+ )?(?!(?:does|is|was|has|us)\b)"
    r"([\w-]+s(?:/[\w-]+s)*)\b)?"
    r"|\b(?:stars|percent)\b",
    re.IGNORECASE,
)
# "Who makes Ray?" is answered by a sentence that says by or at whom ("Built by Anyscale").
# Where a question opens: the message's start, or after a sentence's end or a dash ("MLflow —
# which foundation backs it?").
CLAUSE_START = r"(?:^|[.?!:;\u2013\u2014]\s*|\s-\s+)\s*"
AGENT_QUESTION = re.compile(
    rf"{CLAUSE_START}who(?:'s)?\s+(?:\w+\s+){{0,2}}?(?:makes?|made|builds?|built|develops?|developed|"
    r"creates?|created|maintains?|maintained|founded|owns?|owned|backs?|backed|sponsors?|sponsored|"
    r"funds?|funded|started|behind)\b"
    # "Which company is behind Ray?", "Whose in-house project was Metaflow?" (not "Which
    # companies should use Ray?", "Whose learning curve is steepest?")
    rf"|{CLAUSE_START}(?:which|what)\s+(?:[\w-]+\s+){{0,3}}?(?:company|companies|co|organi[sz]ations?"
    r"|firms?|foundation|non-?profit|vendor|startup)\s+"
    # "...is behind Ray?", "...sits behind it?", "...did Metaflow come out of?"
    # ("Which vendor makes the most sense?", "Which companies build on Ray?" ask other things.)
    r"(?:[\w&-]+\s+){0,2}?(?:behind|backs?|backed|(?:build|built|builds)(?!\s+on\b)"
    r"|(?:make|made|makes)(?!\s+(?:sense|a\s+good|the\s+most|it\b))|create|created"
    r"|creates|develops?|developed|maintains?|owns?|start(?!\s+(?:with|on|using))|started|found"
    r"|founded"
    r"|(?:come|comes|came) (?:out of|from))\b"
    # "metaflow come from what company originally?"
    r"|\b(?:come|comes|came)\s+(?:out\s+of|from)\s+(?:what|which)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:company|organi[sz]ation|firm|foundation|vendor|startup)\b"
    rf"|{CLAUSE_START}whose\s+(?:[\w-]+\s+){{0,2}}"
    r"(?:brainchild|project|idea|creation|baby|invention)\b",
    re.IGNORECASE,
)
AGENT = re.compile(
    r"\b(?i:built|backed|backing|developed|created|made|maintained|founded|sponsored|owned)"
    r"\b[^.]{0,20}?\b(?:by|at|from)\s+(?:the\s+)?[A-Z]"  # a name: "at Netflix", not "at scale"
)
# "When was W&B founded?" is answered by a date or by nothing ("When should we switch?" asks
# for a condition instead).
DATE_QUESTION = re.compile(r"^\s*(?:when (?:was|were|did)\b|(?:in )?what year\b)", re.IGNORECASE)
DATE = re.compile(
    r"\b(?:1[89]|20)\d\d\b|\b(?:January|February|March|April|June|July|August|September|"
    r"October|November|December)\b|\bMay \d"  # "May" alone opens sentences too
)
# "What license is Ray under?" is answered by a licence's name, "Which release added it?" by a
# version; a sentence that only says "license" or "release" answers neither. ("What license
# fees...", "under what circumstances", "which version is free", "version control" ask other
# things.)
LICENSE_QUESTION = re.compile(
    r"\b(?:what|which|wat)\s+(?:\w+\s+)?licen[cs]es?\b(?!\s+(?:fees?|costs?|prices?|pricing))"
    r"|\blicen[cs]ed\s+(?:under|as)\b|\bunder\s+(?:what|which)\s+licen[cs]e"
    r"|\b(?:released|distributed|published)\s+under\b", re.IGNORECASE)
LICENSE = re.compile(rf"\b(?:{'|'.join(LICENSE_NAMES)}|proprietary)\b")
VERSION_QUESTION = re.compile(
    r"\b(?:latest|newest|current|recent)\s+(?:\w+\s+)?(?:version|release)\b"
    r"|\b(?:which|what)\s+(?:\w+\s+)?(?:version|release)\s+(?:\w+\s+){0,4}?(?:first\s+)?"
    r"(?:added|introduced|brought|shipped|launched|came)\b|\bversion\s+number\b",
    re.IGNORECASE)
VERSION = re.compile(r"\bv\d+(?:\.\d+)+\b|\b(?:version|release)\s+v?\d", re.IGNORECASE)
# What states each kind of answer a question may ask for: a date, a maker, a licence, a
# version. An answer must state one of the kinds asked.
KINDS_STATED = ((DATE_QUESTION, DATE), (AGENT_QUESTION, AGENT), (LICENSE_QUESTION, LICENSE),
                (VERSION_QUESTION, VERSION))
# "What does ClearML cover?" wants the list of what it covers: sentences that enumerate.
LIST_QUESTION = re.compile(
    r"\b(?:what|which) (kinds? of \w+ |sort of \w+ |\w+ \w+ )?(does|do|can|will) [\w&' ]{1,40}? "
    r"(cover|handle|offer|"
    r"support|provide|include|do|bring)\b|\bwhat (features|capabilities|workloads|components)\b",
    re.IGNORECASE,
)
# A need stated in the negative ("nobody knows Kubernetes", "without a platform team", "without
# even needing Kubernetes") is met by sentences that negate it too ("does not require Kubernetes
# expertise"); "not just ML pipelines" and "isn't even ML pipelines" add a need instead.
NEGATION = re.compile(
    r"\b(?:(?:not|isn't|aren't)\b(?! (?:just|only|merely|simply|even)\b)"
    r"|(?:no|nobody|none|neither|nor|never|without|don't|doesn't|didn't|can't|won't|avoid|hate)"
    r"\b(?! (?:just|only|merely|simply)\b))",
    re.IGNORECASE)
# "How long to learn Ray?", "Which is quicker to pick up?": a duration answers, in digits or not
# ("about a day", "1-2 weeks", "takes hours").
DURATION_QUESTION = re.compile(
    r"\bhow (?:long|quickly|fast|soon)\b|\b(?:quicker|faster|sooner|longer|slower)\s+to\b"
    r"|\blearn\s+(?:\w+\s+){0,2}(?:quicker|faster|sooner)\b",
    re.IGNORECASE)
DURATION = re.compile(r"\b(?:minutes?|hours?|days?|weeks?|months?)\b", re.IGNORECASE)
# "Does Kubeflow need a team maintaining it?" is answered by what it requires ("requires 1-2
# dedicated platform engineers"), or doesn't ("can run on Kubernetes but does not require it").
REQUIREMENT_QUESTION = re.compile(
    r"^\s*(?:does|do|will|would|is|are)\b(?!.*\b(?:n't|not|no|never|without)\s+(?:\w+\s+)?"
    r"(?:need|require|have to))"  # "tools that don't need a platform team" ask for others
    r".*\b(?:need|needs|require|requires|required|have to|has to|must)\b", re.IGNORECASE)
REQUIREMENT = re.compile(r"\b(?:requires?|required|must|needs? (?:an?|to|\d|dedicated))\b",
                         re.IGNORECASE)
# Nouns that name the kind of answer a question wants ("Which tool...", "What platforms...").
KIND_WORDS = r"tools?|platforms?|options?|alternatives?"
ANSWER_KIND = re.compile(
    rf"\b(?:(?:which|what)\s+(?:[\w-]+\s+)?|(?:which|any|none|each|all)\s+of\s+"
    rf"(?:the|these|those)\s+)({KIND_WORDS}|choices?)\b",
    re.IGNORECASE,
)
# A sentence about the tools as a group ("All major alternatives in this comparison offer...")
# answers a question asking for several of them at once.
GROUP_NOUNS = r"tools|platforms|projects|options|alternatives|frameworks"
GROUP = re.compile(rf"\b(?:all|both|every|most)\s+(?:\w+\s+)?(?:{GROUP_NOUNS})\b", re.IGNORECASE)
# A decision question that asks when to stay rather than when to go.
STAYING = re.compile(
    r"\b(?i:stay(?:ing)? (?:with|on)|stick(?:ing)? (?:with|to))\b"
    r"|\b(?i:keep(?:ing)? (?:using |on |with )?)[A-Z]"  # "keep Kubeflow", not "keep costs"
)
# "What's the catch with Ray?" asks for a cost or a limit, which sentences state as a need, a
# break or an admitted disadvantage ("...less complexity but requires pairing with other tools").
DRAWBACK_QUESTION = re.compile(
    r"\b(downsides?|drawbacks?|disadvantages?|cons|(?:the|any|a) catch|catch (?:with|to|in)|"
    r"pitfalls?|"
    r"gotchas?|weakness(?:es)?|weak (?:spots?|points?)|limitations?|risks?|risky)\b|"
    r"\bwhat (?:do|would|will) (?:we|i|you) "
    r"(?:lose|give up)\b",
    re.IGNORECASE,
)
# "Pros and cons" asks for both sides, which the best-matching sentences give.
BOTH_SIDES = re.compile(r"\b(pros|advantages?|benefits?|upsides?|strengths?)\b", re.IGNORECASE)
DRAWBACK = re.compile(
    r"\b(disadvantage|downside|drawback|but also|requir(?:e|es|ed|ing)|must|needs? (?:a|an|to)|"
    r"will change|break|breaks|breaking|overhead|steep|complex|complexity|lacks?)\b",
    re.IGNORECASE,
)
# ...unless the sentence denies or lightens it: "does not require Kubernetes", "less operational
# overhead", "abstracts away complexity".
DENIED = re.compile(r"(?:\b(?:not|no|neither|nor|never|without|less|lower|minimal|away|removes?|"
                    r"reduces?)|n't)\W+(?:\w+\W+)?$", re.IGNORECASE)
# "Which tool is easiest to learn?" asks for a ranking, which a paragraph comparing several
# tools on that point answers best.
SUPERLATIVE = re.compile(
    rf"\b(most|least|fewest|best|worst|{'|'.join(sorted(SUPERLATIVES))})\b", re.IGNORECASE
)
# Words every comparison uses; what is left of a comparison question is the aspect compared.
COMPARISON_WORDS = frozenset(stem(w) for w in """
    compare compared comparing comparison differ differs different difference differences
    better worse best versus vs against between each which fit fits suit suits good right
    choose pick use using tool tools platform platforms option options us we our team teams
    side stack up stacks look looks like
    """.split())  # noqa: SIM905 - a word list reads best as text
# A question about what something costs wants a price (an amount, a tier, "free"), not any
# number: "82% lower costs" states a saving, "From $15/month" states a price.
PRICE_QUESTION = re.compile(
    rf"\b({HOW_MUCH} (does|do|is|are|would|will)\b(?!.{{0,40}}\b(time|ramp|effort|learn))|"
    # "what cost reductions have teams seen?" asks a saving
    r"costs?(?!\s+(?:reductions?|savings?|cuts?|cutting))|price|prices|pricing|priced|pricey|"
    r"pricier|charge|charges|fee|fees|expensive|cheap|cheaper|"
    r"paid|pay)\b",
    re.IGNORECASE,
)
PRICE = re.compile(
    r"[$€£]\s?\d|\b(free|pricing|usage-based|per (month|year|seat|user)|/month|tier)\b",
    re.IGNORECASE,
)


def negated_terms(question: str) -> frozenset[str]:
    """The terms of what a question says it does not have or want ("nobody knows Kubernetes")."""
    found: set[str] = set()
    for match in NEGATION.finditer(question):
        clause = re.split(r"[.,;:?!]", question[match.end() :], maxsplit=1)[0]
        found.update(terms(clause))
    return frozenset(found)


def compared_aspect(question: str, names: list[str]) -> str:
    """What a comparison is about ("cheaper", "architecture"), without the tools and the words
    every comparison uses; empty for a plain "A vs B"."""
    name_terms = {t for name in names for t in terms(name)}
    plain = [w.removesuffix("'s") for w in words(question)]
    kept = [w for w in plain if w not in STOPWORDS and stem(w) not in name_terms
            and stem(w) not in COMPARISON_WORDS and not w.isdigit()]
    # "How long", "how much": the kind of answer wanted is part of the aspect.
    quantity = QUANTITY.search(question)
    if kept and quantity and quantity.group().lower().startswith("how "):
        kept.insert(0, quantity.group().lower())
    elif kept and DURATION_QUESTION.search(question):
        kept.insert(0, "how long")  # "which is quicker to learn" is answered by how long
    return " ".join(kept)


def asks_for_several(question: str) -> bool:
    """Whether a question asks for tools in the plural ("Which tools are free?", "any of the
    tools"), so that its answer may name several."""
    return any(m.group(1).lower().endswith("s") for m in ANSWER_KIND.finditer(question))


def answer_kinds(question: str) -> frozenset[str]:
    """The terms that name the kind of answer wanted ("tool" in "Which tool is free?"), not
    its topic; "alternatives" in "What are the alternatives to Kubeflow?" is the topic."""
    return frozenset(stem(m.group(1).lower()) for m in ANSWER_KIND.finditer(question))


def asks_for_drawbacks(question: str) -> bool:
    """Whether a question asks for the downside of something, and not for its upside too."""
    return bool(DRAWBACK_QUESTION.search(question)) and not BOTH_SIDES.search(question)


def states_drawback(sentence: str) -> bool:
    """Whether a sentence states a cost or a limit of something, rather than denying one."""
    return any(not DENIED.search(sentence[: m.start()]) for m in DRAWBACK.finditer(sentence))
