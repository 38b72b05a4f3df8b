"""Small text utilities shared by chunking, retrieval, answering and the grounding guard."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import lru_cache

# Words that carry no topic. Question words are included: they say what is asked, not about what.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    behind being below between both but by can could did do does doing down during each else
    ever few
    for from further get got had has have having he her here hers him his how i if in into is
    it its itself just let me more most much my no nor not now of off on once only or other
    our ours out over own same she should so some such than that the their theirs them then
    there these they this those through to too under until up upon us very was we were what
    when where which while who whom why will with would you your yours tell give show explain
    describe please know want need one ones thing things really vs versus still actually
    currently yet already even ever anyway okay ok hey hi hello thanks thank
    something anything everything nothing someone anyone else instead kind sort stuff
    take takes taking took taken make makes making made use uses used using
    myself ourselves yourself yourselves themselves himself herself main
    pls plz thx ty lol lmao haha btw imo imho tbh fyi asap smth sth ya yeah yep yup nope hmm n u
    kinda sorta gonna wanna lot lots around wants wanted wanting
    there's it's what's that's here's who's where's how's let's i'm we're they're you're i've
    we've you've they've i'd we'd don't doesn't didn't isn't aren't wasn't can't won't
    """.split()  # noqa: SIM905 - a word list reads best as text
)

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9$])")
_MESSAGE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=\S)")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "approx.", "Inc.", "Ltd.", "Mr.", "Dr.", "No.")
_WORD = re.compile(r"[A-Za-z0-9]+(?:[.'&][A-Za-z0-9]+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping abbreviations such as "e.g." inside their sentence."""
    return _split(text, _SENTENCE_END)


def split_message(text: str) -> list[str]:
    """Split a typed message into sentences; chat opens them in lower case too ("kf feels
    heavy. what should we use?")."""
    return _split(text, _MESSAGE_END)


def _split(text: str, boundary: re.Pattern[str]) -> list[str]:
    text = " ".join(text.split())
    if not text:
        return []
    pieces = boundary.split(text)
    sentences: list[str] = []
    for piece in pieces:
        if sentences and sentences[-1].endswith(_ABBREVIATIONS):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return [s.strip() for s in sentences if s.strip()]


# Comparatives of everyday adjectives, folded to their base ("narrow" meets "narrower"). A rule
# would also fold "server" into "serve", so they are listed.
_COMPARED = {
    form: base
    for base, forms in {
        "narrow": "narrower narrowest", "broad": "broader broadest", "simple": "simpler simplest",
        "easy": "easier easiest", "tight": "tighter tightest", "fast": "faster fastest",
        "slow": "slower slowest", "quick": "quicker quickest", "cheap": "cheaper cheapest",
        "large": "larger largest", "small": "smaller smallest", "low": "lower lowest",
        "high": "higher highest", "wide": "wider widest", "big": "bigger biggest",
        "hard": "harder hardest", "great": "greater greatest", "strong": "stronger strongest",
        "steep": "steeper steepest", "long": "longer longest", "short": "shorter shortest",
        "light": "lighter lightest", "heavy": "heavier heaviest", "lean": "leaner leanest",
        "new": "newer newest", "weak": "weaker weakest", "safe": "safer safest",
        "rough": "rougher roughest", "smooth": "smoother smoothest",
    }.items()
    for form in forms.split()
}
# "Easiest", "steepest": the superlatives above, which ask for a ranking.
SUPERLATIVES = frozenset(form for form in _COMPARED if form.endswith("est"))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Fold plural, verb, adverb and comparative endings so "migrations", "migrating" and
    "migrated" meet, "originally" meets "original" and "narrower" meets "narrow"."""
    word = _COMPARED.get(word, word)
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) >= 5:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) >= 4:
        word = word[:-1]
    for suffix, replacement, min_len in (
        ("mentation", "ment", 11), ("ation", "at", 7),
        ("ural", "ur", 7),  # "architectural" meets "architecture"
        ("ancy", "ant", 7),  # "tenancy" meets "tenant", "redundancy" "redundant"
        ("ity", "", 8), ("ing", "", 6),
        ("ally", "al", 8),  # "originally" meets "original"
        ("ly", "", 6),  # "monthly" meets "month", "weekly" "week", "directly" "direct"
        ("ed", "", 5), ("e", "", 4),  # "rewrite" meets "rewriting", "move" meets "moving"
    ):
        if word.endswith(suffix) and len(word) >= min_len:
            word = word[: len(word) - len(suffix)] + replacement
            # "letting" -> "let", "planned" -> "plan" (but "install" keeps its double l).
            if suffix in {"ing", "ed"} and len(word) >= 4 and word[-1] == word[-2] \
                    and word[-1] not in "lsz":
                word = word[:-1]
            return word
    return word


def words(text: str) -> list[str]:
    """Lower-cased word tokens, numbers included ("42.2k", "w&b")."""
    return [w.lower() for w in _WORD.findall(text)]


def terms(text: str) -> list[str]:
    """Stemmed content terms: the words that say what a text is about."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


# Shorthand of this domain that a corpus may spell out instead. Shorthand in capitals counts
# only in capitals ("OSS", not "oss"); the rest in any case ("k8s", "rl", "Wandb", "Infra").
ABBREVIATIONS = {
    "k8s": "Kubernetes",
    "OSS": "open source",
    "rl": "reinforcement learning",
    "HPO": "hyperparameter tuning",
    # Chat shorthand, written in lower case.
    "infra": "infrastructure",
    "ops": "operations",
    "prod": "production",
    "repo": "repository",
    "wandb": "Weights & Biases",
    "kfp": "Kubeflow Pipelines",
    "kf": "Kubeflow",
    "hyperparam": "hyperparameter",
    "hyperparams": "hyperparameters",
    "cmd": "command",
    "acct": "account",
    "abt": "about",
    "noob": "newcomer",
    "noobs": "newcomers",
    "libs": "libraries",
    "w": "with",
    "ppl": "people",
    "pvs": "persistent volumes",
    "gotta": "have to",
    "dls": "downloads",
    "deps": "dependencies",
    "perf": "performance",
    "mgmt": "management",
    "ds": "data scientists",
    "func": "function",
    "funcs": "functions",
    "shld": "should",
    "til": "until",
    "wk": "week",
    "wks": "weeks",
    "hrs": "hours",
    "yrs": "years",
    "lib": "library",
    "hparam": "hyperparameter",
    "hparams": "hyperparameters",
    "org": "organization",
    "orgs": "organizations",
    "config": "configuration",
    "info": "information",
    "approx": "approximately",
    "env": "environment",
    "envs": "environments",
    # Contractions typed without their apostrophe.
    **{bare: full for full in (
        "isn't", "aren't", "wasn't", "weren't", "don't", "doesn't", "didn't", "haven't",
        "hasn't", "can't", "won't", "shouldn't", "wouldn't", "couldn't", "I'm", "I've",
        "you're", "they're", "that's", "what's", "where's", "how's", "there's", "who's")
       for bare in (full.replace("'", "").lower(),)},
}
_ABBREVIATION = re.compile(
    r"(?<![\w&.-])("
    + "|".join(re.escape(a) if a.isupper() else f"(?i:{re.escape(a)})" for a in ABBREVIATIONS)
    + r")(?![\w&-]|\.\w)"  # not "wandb.ai"
)
_ANY_CASE = {short.lower(): full for short, full in ABBREVIATIONS.items() if not short.isupper()}


def spell_out_abbreviations(text: str, vocabulary: frozenset[str]) -> str:
    """The text with this domain's shorthand ("k8s") written out, unless the corpus uses it."""

    def spelled(match: re.Match[str]) -> str:
        short = match.group(1)
        if short.lower() in vocabulary:
            return short
        return ABBREVIATIONS.get(short) or _ANY_CASE[short.lower()]

    return _ABBREVIATION.sub(spelled, text)


# Idioms whose words tell a search nothing of what they mean, and what they mean in the words a
# corpus uses: "without paying" is no need stated in the negative, it is "for free". Staying
# with a tool ("hanging on to Kubeflow") is read in `questions`, where the tools are known.
IDIOMS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    # "at no cost to latency" is no price.
    (re.compile(r"\b(?:without (?:paying|payment|spending)(?: anything| a (?:cent|dime|penny))?"
                r"|at (?:no|zero) (?:cost|charge)(?! to\b)|free of charge)\b", re.IGNORECASE),
     "for free"),
    # "stay put on Kubeflow", "jumping ship": staying and leaving.
    (re.compile(r"\bstay(?:s|ing)? put(?: (?:on|with))?\b", re.IGNORECASE), "stay with"),
    (re.compile(r"\bjump(?:s|ing|ed)? ship\b", re.IGNORECASE), "leave"),
    # "be up and running with MLflow": productive with it ("get Kubeflow up and running" is
    # about running it).
    (re.compile(r"\bup and running with\b|\b(?:feel|feels|feeling|felt) at home with\b"
                r"|(?:\bbeing |\bbe |(?<=\bthey are )|(?<=\bwe are )|(?<=\byou are ))"
                r"(?:actually |really )?useful with\b", re.IGNORECASE),
     "productive with"),
    # "What should they type to bring it up?": what command starts it ("what type of..." is a
    # kind, and "pick up traffic" no start).
    (re.compile(r"\b((?:i|we|you|they|one)(?:\s+(?:should|do|must|would|can|need\s+to|have\s+to))?"
                r"|to)\s+(?:type|enter)(?= (?:in )?to\b|\s*[?.!]|$)", re.IGNORECASE),
     r"\1 run as a command"),
    (re.compile(r"\b(?:bring|fire|boot)(?:s|ing)? ((?:[\w&-]+ ){0,2}?)up\b"
                r"(?!\s+to\s+(?:speed|date))", re.IGNORECASE),
     lambda match: f"start {match.group(1).strip()}".rstrip()),
    # "what can W&B line up side by side?": what it compares.
    (re.compile(r"\b(?:line|lay|put|set)s? (?:(?:them|it|things|runs|models) )?(?:up )?side by "
                r"side\b", re.IGNORECASE), "compare"),
    # "the first request after a lull is slow": a cold start.
    (re.compile(r"\b(?:the )?(?:first|initial) (?:request|call|hit|query)s? (?:after|following) "
                r"(?:a |an |some )?(?:lull|idle|quiet|pause|break|downtime)"
                r"(?: (?:period|spell))?\b",
                re.IGNORECASE), "the cold start"),
    # "What's the deal with BentoML?": what it is.
    (re.compile(r"\bwhat(?:'s| is) the (?:deal|story|scoop|lowdown) (?:with|on)\b", re.IGNORECASE),
     "what is"),
    # "What's the damage for a team on W&B?": what it costs.
    (re.compile(r"\bwhat(?:'s| is| would be| will be) the damage\b", re.IGNORECASE),
     "how much does it cost"),
    # "So where does the money go?" of a free tool: what it really costs to run.
    (re.compile(r"\bwhere (?:does|do|did|will) (?:the|our|all the|my) (?:money|spend|spending"
                r"|budget)\s+(?:actually |really )?(?:go|goes|leak|leaks|end up)(?: out)?\b",
                re.IGNORECASE),
     "what is the real cost"),
    # "cooked up Metaflow in the first place": created it, originally.
    (re.compile(r"\b(?:cook|cooks|cooked|dream|dreams|dreamed|dreamt) up\b", re.IGNORECASE),
     "created"),
    (re.compile(r"\bin the first place\b|\bback in the day\b", re.IGNORECASE), "originally"),
    # "until my crew stops fumbling around in Ray", "get going with it": being productive.
    (re.compile(r"\bstops? (?:fumbling|struggling|flailing)(?: around)?(?: (?:in|with))?\b"
                r"|\b(?:get|gets|getting) going (?:with|in)\b", re.IGNORECASE),
     "is productive with"),
    # "quicker to pick up", "easy to pick up": to learn ("pick up traffic" is not).
    (re.compile(r"\b((?:quick|quicker|quickest|easy|easier|easiest|hard|harder|hardest|fast"
                r"|faster|fastest|simple|simpler|simplest) to) pick (?:it |them )?up\b",
                re.IGNORECASE), r"\1 learn"),
    # "how long til the team isn't lost": until it is productive.
    (re.compile(r"\b(?:isn't|aren't|is not|are not|won't be|will not be|stops? being|stop feeling)"
                r" (?:so |totally |completely )?lost\b", re.IGNORECASE),
     "is productive"),
    # "one box that does it all": an all-in-one platform.
    (re.compile(r"\bone (?:box|thing|tool|platform|place) (?:that )?(?:does|do|covers|handles) "
                r"(?:it all|everything)\b", re.IGNORECASE), "an all-in-one platform"),
    # "have someone else host it": a managed offering.
    # ...a "vendor-run" one, or hosting it "not ourselves".
    (re.compile(r"\b(?:someone else|somebody else|a vendor) (?:to )?(?:host|run|manage)s?"
                r"(?: it| them)?\b"
                r"|\b(?:did|do|does|would)(?: not|n't) (?:want to |have to )?(?:host|run|operate"
                r"|manage|maintain) (?:it|them|things|this|anything) (?:ourselves|myself)\b",
                re.IGNORECASE),
     "a managed tier"),
    (re.compile(r"\bvendor[- ](?:run|hosted|managed|operated)\b", re.IGNORECASE), "managed"),
    # "a hosted version": a managed one ("the self-hosted edition" is not).
    (re.compile(r"(?<!-)\bhosted (version|offering|option|plan|tier|flavou?r|edition|service"
                r"|way)\b", re.IGNORECASE), r"managed \1"),
    # "the secret sauce of W&B": its strength.
    (re.compile(r"\bsecret sauce\b|\bparty trick\b|\bkiller feature\b|\bselling point\b",
                re.IGNORECASE), "strength"),
    # "the party trick that makes people reach for W&B": its strength, no more.
    *(
        (re.compile(rf"\b{opening} makes? (?:people|teams|folks|everyone|users|devs) (?:reach for"
                    r"|pick|choose|love|rave about|go for|flock to)\b", re.IGNORECASE), plain)
        for opening, plain in (("that", "of"), ("what", "what is the strength of"))
    ),
    # Chat's "diff": "a diff name" is a different one, "what's the diff?" the difference.
    (re.compile(r"\b(a|an|any) diff\b(?=\s+[a-z])", re.IGNORECASE), r"\1 different"),
    (re.compile(r"(?<=\bthe )diff\b|\bdiff(?=\s+between\b)", re.IGNORECASE), "difference"),
    # "exp tracking": experiment tracking ("how much exp do I need" is experience).
    (re.compile(r"\bexps?(?=\s+(?:tracking|tracker|runs?|logging|history|management)\b)",
                re.IGNORECASE), "experiment"),
    # "access control" is the corpus's RBAC; "our own AWS account" its own cloud; "serving modes"
    # its serving patterns.
    (re.compile(r"\baccess control\b", re.IGNORECASE), "access control (RBAC)"),
    (re.compile(r"\b(own|our|my|your)\s+(?:aws\s+|gcp\s+|azure\s+|cloud\s+)?(?:account|tenancy)\b",
                re.IGNORECASE), r"\1 cloud account"),
    (re.compile(r"\b(serving|deployment|inference|delivery)\s+modes?\b", re.IGNORECASE),
     r"\1 patterns"),
    # "ClearML rings a bell under some older name": its original name.
    (re.compile(r"\s*\brings? a bell\b", re.IGNORECASE), ""),
    (re.compile(r"\b(?:older|old|previous|former|earlier) name\b", re.IGNORECASE),
     "original name"),
    # "what was it called before?": what it was originally called.
    (re.compile(r"\b(called|named|known as) (?:before|previously|earlier|formerly)\b",
                re.IGNORECASE), r"originally \1"),
    # "the brains behind Ray", "did Metaflow start life as", "in a past life": who made it,
    # and what it was at first.
    (re.compile(r"\bthe (?:brains|minds?|people|folks|company) behind\b", re.IGNORECASE),
     "behind"),
    (re.compile(r"(?<!\bwe )(?<!\bi )\b(?:start|starts|started|begin|began|begun)\s+(?:life|out)\s+"
                r"(?:as|at)\b"
                r"|\bin (?:a|its|their) (?:past|previous|former|earlier) life\b", re.IGNORECASE),
     "originally"),
    (re.compile(r"\b(?:(?:go|goes|went)\s+by|had|has|have)\s+(?:some |an? )?(?:other|another"
                r"|different|older|previous|former) name\b", re.IGNORECASE),
     "have an original name"),
    (re.compile(r"\bwhat did ([\w&-]+(?: [\w&-]+)?) go by\b", re.IGNORECASE),
     r"what was \1 originally"),
    # "How huge can a Ray deployment get?": how far it scales.
    (re.compile(r"\bhow (?:big|large|huge|small|tiny) (?:can|could|does|do|will)\s+"
                r"((?:[\w'&-]+\s+){1,4}?)(?:get|grow|go|scale)\b"
                r"|\bhow far (?:can|could|does|do|will)\s+((?:[\w'&-]+\s+){1,4}?)(?:grow|scale)\b",
                re.IGNORECASE),
     lambda match: f"how far can {match.group(1) or match.group(2)}scale"),
    # "a sledgehammer to crack a nut", "overkill": overhead the use doesn't justify.
    (re.compile(r"\b(?:using )?an? sledgehammer to crack a nut\b|\boverkill\b", re.IGNORECASE),
     "overhead not justified"),
    # "the Lego bricks of Ray's model": its building blocks, which the corpus calls primitives.
    (re.compile(r"\b(?:lego|building) (?:bricks|blocks)\b", re.IGNORECASE), "core primitives"),
    # "what do we get in return for it?", "what's in it for us?": its advantage.
    (re.compile(r"\bwhat (?:do|does|would|will|did) (?:we|i|you|they|teams?) (?:actually |really )?"
                r"get in return\b|\bwhat(?:'s| is) in it for (?:us|me|them)\b", re.IGNORECASE),
     "what is the advantage"),
    # "what does a pipeline turn into under the hood?": what it compiles to.
    (re.compile(r"\b(?:turn|turns|turned|get turned|gets turned|end up|ends up|become|becomes)"
                r" (?:into|as)?\s*(?:under the hood|in the end|behind the scenes)"
                r"|\b(?:get|gets|got|are|is) turned into\b", re.IGNORECASE),
     "compile to"),
    # "the apps calling our models": the clients downstream of the serving API.
    (re.compile(r"\b(?:apps|applications|services|clients|callers|consumers)\s+"
                r"(?:that\s+|who\s+|which\s+)?(?:call|calling|hit|hitting|use|using)\s+"
                r"(?:(?:my|our|the|those|these|your)\s+(?:models?|endpoints?)|them|it)\b",
                re.IGNORECASE), "downstream clients"),
    # "what's actually in the box": what it packages.
    (re.compile(r"\bwhat(?:'s| is) (?:actually |really )?in the box\b", re.IGNORECASE),
     "what does it package"),
    # "Should we be shopping around?": leaving what we have.
    (re.compile(r"\b(?:be )?(?:shop|shopping) around\b|\b(?:be )?(?:looking|look) elsewhere\b",
                re.IGNORECASE), "leaving"),
    # "easier on the wallet": cheaper.
    (re.compile(r"\b(?:easier|kinder|lighter|gentler) on the (?:wallet|budget|pocket)\b",
                re.IGNORECASE), "cheaper"),
    # "get the hang of Ray": learn it.
    (re.compile(r"\b(?:get|gets|getting|got) the hang of\b", re.IGNORECASE), "learn"),
    # "How do MLflow and Ray stack up?": a comparison.
    (re.compile(r"\bstack(?:s|ing)? up (?:against|to|with)\b", re.IGNORECASE), "compare with"),
    (re.compile(r"\b(how (?:do|does|would|will) (?:[\w&'-]+ ){1,6}?)stack up\b", re.IGNORECASE),
     r"\1compare"),
    # "how many people does it take to keep running?": to maintain it.
    (re.compile(r"\b(take|takes|took) to keep (?:it |things )?(?:alive|running|afloat|healthy"
                r"|breathing|going)\b", re.IGNORECASE), r"\1 to maintain it"),
    # "do I have to bolt other stuff on": pairing it with other tools.
    (re.compile(r"\bbolt(?:s|ing|ed)?\s+(?:on\s+)?(?:other|extra|more|additional)\s+(?:stuff|tools"
                r"|things|pieces|bits)(?:\s+on)?\b", re.IGNORECASE), "pair with other tools"),
    # "plays nicely with other libraries": integrates with them.
    (re.compile(r"\bplay(?:s|ing)? (?:nice|nicely|well) with\b", re.IGNORECASE), "integrates with"),
    # Looking after a running system, told as care ("babysit a Kubeflow install", "look after
    # it", "keep Kubeflow alive"): each form becomes the same form of "maintain".
    *(
        (re.compile(rf"\bbaby-?{sit}\b|\b{look} after\b|\b{keep}\s+((?:[\w'&-]+\s+){{0,3}}?"
                    r"[\w'&-]+)\s+(?:alive|running|afloat|healthy|breathing|going)\b",
                    re.IGNORECASE),
         lambda match, plain=plain: _maintaining(match, plain))
        for plain, sit, look, keep in (
            ("maintain", "sit", "look", "keep"), ("maintains", "sits", "looks", "keeps"),
            ("maintaining", "sitting", "looking", "keeping"),
            ("maintained", "sat", "looked", "kept"))
    ),
    # "shrink to nothing when idle", "power everything down": the corpus's "scale-to-zero".
    (re.compile(r"\b(?:(?:shrink|scale|spin|wind|power)(?:s|ing|ed)?|shrunk)\s+"
                r"(?:(?:it|itself|them|themselves|everything"
                r"|\w+ (?:models|servers|instances|replicas|deployments))\s+)?"
                r"(?:down\s+)?to\s+(?:nothing|zero)\b"
                r"|\b(?:(?:spin|wind|power|shut)(?:s|ning|ting|ing|ed)?\s+"
                r"(?:(?:it|itself|them|themselves|everything)\s+)?down"
                r"|(?:go|goes|going|went)\s+to\s+sleep|nap|naps|napping|doze|dozes)"
                r"(?=\s+(?:when|while|if|whenever|during|overnight|at night)\b|\s*[?.!]|\s*$)",
                re.IGNORECASE),
     "scale to zero"),
    # "a dozen or so pipelines" is about a dozen, and "backed by the CNCF or smth?" asks of
    # the CNCF alone: no choice between two things.
    (re.compile(r"\s+or so\b(?!-)|\s+or (?:smth|sth|something|not|nah|am i (?:\w+ ){0,3}\w+)"
                r"(?=\s*[?.!]|\s*$)",
                re.IGNORECASE), ""),
    # "bring our runs over to X", "carry the pipelines across": a move, which is a migration
    # ("advantages over Kubeflow" is a comparison, "ports" a noun).
    (re.compile(r"\b(?:bring|brings|bringing|brought|carry|carries|carrying|carried|port"
                r"|porting|ported)\s+((?:[\w'&-]+\s+){0,5}[\w'&-]+)\s+(?:over|across|along)"
                r"(?=\s+(?:to|into|from)\b|\s*[?.!]|\s*$)",
                re.IGNORECASE),
     r"migrate \1"),
)


# What is kept running as a system: a name ("Kubeflow"), "it", or a word for an installation;
# "keep models running when idle" and "keep costs low" are no upkeep.
_SYSTEM = re.compile(r"(?:^|\s)(?:it|them|\S*[A-Z]\S*)$|\b(?:cluster|install|installation|"
                     r"deployment|platform|stack|setup|infra|infrastructure|server|system)s?$")


def _maintaining(match: re.Match[str], plain: str) -> str:
    kept = match.group(1)
    if kept is None:
        return plain
    return f"{plain} {kept}" if _SYSTEM.search(kept) else match.group(0)


def plain_idioms(text: str) -> str:
    """The text with its idioms said plainly ("at no cost" -> "for free")."""
    for pattern, plain in IDIOMS:
        text = pattern.sub(plain, text)
    return text


# Licences go by name: "Apache-2.0" answers "What license...?".
LICENSE_NAMES = ("Apache", "MIT", "GPL", "LGPL", "AGPL", "BSD", "MPL")
_LICENCES = tuple(name.lower() for name in LICENSE_NAMES)  # as a pricing table names them
# A few interchangeable words of this domain; queries are expanded with them, passages are not.
SYNONYMS = {
    "cost": ("price", "pricing"),
    "price": ("cost", "pricing"),
    "pricing": ("cost", "price"),
    "charge": ("cost", "price", "pricing"),
    "fee": ("cost", "price", "pricing"),
    "cheap": ("cost", "price", "free"),
    "expensive": ("cost", "price"),
    "pricey": ("cost", "price"),
    "migrat": ("migration", "move"),
    "move": ("migrat", "switch"),
    "switch": ("move", "migrat"),
    "know": ("understand", "expertise", "learn"),
    "upkeep": ("maintenance", "maintain", "overhead"),
    "maintain": ("maintenance",),  # stemming leaves the two apart
    "maintenance": ("maintain",),
    "staff": ("engineer", "team"),
    "headcount": ("engineer", "team"),
    "plug": ("integrat", "support"),
    "serv": ("serving", "inference"),
    # What a tool is good or bad at, however it is asked.
    "shine": ("excel", "best", "advantage"),
    "strength": ("excel", "best", "advantage"),
    "strong": ("excel", "best", "advantage"),
    "weak": ("disadvantage", "limitation"),
    "weakness": ("disadvantage", "limitation"),
    "drawback": ("disadvantage", "limitation"),
    "downside": ("disadvantage", "limitation"),
    "easy": ("simple", "gentle", "learn"),  # how easy a tool is, the corpus tells as learning
    "design": ("architectur", "approach"),
    "license": _LICENCES,
    "licence": ("license", *_LICENCES),
    "saving": ("reduction", "lower"),  # "30x cost reduction", "82% lower costs"
    "hassle": ("overhead", "complexity"),
    "traction": ("popular", "adopted", "star"),  # "community traction": stars, adoption
    "smooth": ("easy", "easier"),
    "break": ("change",),  # "will the apps break?": "signatures will change"
    "isolation": ("tenancy", "tenant", "namespace"),  # isolation between teams is multi-tenancy
    "separation": ("tenancy", "tenant", "namespace"),
    "quota": ("limit",),
    "limit": ("quota",),
    "onboard": ("learn", "ramp"),  # "the roughest onboarding": the steepest learning curve
    "rough": ("steep", "hard"),
    "fiddle": ("change",),  # "fiddling with my code": code changes
    "tweak": ("change",),
    "alter": ("change",),
    "depend": ("require",),  # "how much they depend on a cluster": what they require
    "style": ("pattern",),  # "which delivery styles": serving patterns
    "bulk": ("batch",),
    "modify": ("change",),
    "record": ("log", "track"),  # "before it starts recording runs": it auto-logs them
    "prediction": ("inference", "serving"),
    "rave": ("excel", "best", "advantage"),  # "what makes people rave about W&B"
    "automatic": ("auto",),  # "auto-logs", "auto-scaling"
    "automatically": ("auto",),
    "register": ("registry",),  # "a place to register models": a model registry
    "money": ("cost", "price", "credit"),  # "free money to try it": free credit
    "freebie": ("free", "credit"),  # "any freebie money to try it": free credit
    "stash": ("store",),
    "solo": ("individual",),  # "a solo researcher": an individual
    "benefit": ("advantage", "excel", "best"),
    "upside": ("advantage", "excel", "best"),
    "orchestrator": ("orchestration",),
    "logger": ("tracking", "log"),  # "the experiment logger": experiment tracking
    "sticker": ("price",),  # "the sticker price"
    "flavor": ("version", "edition"),  # "the hosted flavor": the managed version
    "flavour": ("version", "edition"),
    "macbook": ("laptop",),  # "from my macbook up to a GPU farm"
}


def _by_stem(table: dict[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    # Looked up by stem, so "charge", "charges" and "charging" all find the same synonyms.
    merged: dict[str, set[str]] = {}
    for word, alternatives in table.items():
        merged.setdefault(stem(word), set()).update(stem(a) for a in alternatives)
    return {key: frozenset(values) for key, values in merged.items()}


_SYNONYMS_BY_STEM = _by_stem(SYNONYMS)


def has_synonyms(word: str) -> bool:
    """Whether the synonym table knows the word, in any of its forms ("upkeeps", "drawback")."""
    return stem(word) in _SYNONYMS_BY_STEM


def query_terms(text: str) -> list[str]:
    """Content terms of a query plus their synonyms."""
    found = terms(text)
    return found + [s for t in found for s in sorted(_SYNONYMS_BY_STEM.get(t, ()))]


def term_groups(text: str) -> dict[str, frozenset[str]]:
    """Each distinct content term of a text, with the spellings that meet it: itself and its
    synonyms ("cost" is met by "pricing" too)."""
    return {t: spellings(t) for t in dict.fromkeys(terms(text))}


def spellings(term: str) -> frozenset[str]:
    """A stemmed term and the stems of its synonyms: what meets it in a passage."""
    # Looked up by the stem itself: stemming a stem again may change it ("licens" -> "licen").
    return frozenset({term, *_SYNONYMS_BY_STEM.get(term, ())})


def numbers(text: str) -> set[str]:
    """Every number in a text, normalised ("30,000" and "30000" are equal)."""
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def content_hash(*parts: str) -> str:
    """A short stable id for a piece of content."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8"))
    return digest.hexdigest()[:20]


def word_count(text: str) -> int:
    """Words as a reader counts them."""
    return len(text.split())


def one_edit_apart(word: str, name: str) -> bool:
    """Whether one letter added, dropped, changed or two swapped turns `word` into `name`."""
    if word == name or abs(len(word) - len(name)) > 1:
        return False
    if len(word) == len(name):
        diff = [i for i, (a, b) in enumerate(zip(word, name, strict=True)) if a != b]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and word[diff[0]] == name[diff[1]]
                                  and word[diff[1]] == name[diff[0]])
    short, long = sorted((word, name), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))
