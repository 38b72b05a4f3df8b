"""Named entities (tools, vendors, technologies) learned from the corpus, and found in text."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.chunking import Chunk
from assistant.text import one_edit_apart

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:&[A-Za-z0-9]+)*")
# A word as a product name may be written: "SageMaker", "neptune.ai", "W&B", "scikit-learn".
NAME_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[.&-][A-Za-z0-9]+)*")
# Chunking writes a table row's unit as "<first cell> — <column>: <value>; ...".
TABLE_ROW_LABEL = " — "
SUBJECT_WINDOW = 3  # a sentence is "about" an entity named within its first words


# A clause that opens a sentence by contrast; the sentence is about what its main clause names.
CONTRAST_OPENER = re.compile(r"\s*(?:where|whereas|while|unlike|although|though)\b", re.IGNORECASE)
# A sentence that opens with a move ("Migrating to Metaflow requires...") is about the move, which
# belongs to its paragraph's subject, not about the tool moved to.
MOVE_OPENER = re.compile(
    r"\s*(?:migrating|moving|switching|transitioning|porting)\s+(?:\w+\s+)?(?:to|from|off|away)\b",
    re.IGNORECASE)
TYPO_MIN_LENGTH = 5  # shorter names are too close to ordinary words to mend ("raay", "rag")


@dataclass(frozen=True)
class Entity:
    """A name the corpus uses for a thing, with other spellings of the same name."""

    name: str
    aliases: tuple[str, ...]
    chunk_count: int
    primary: bool  # the subject of some passage (a tool the corpus describes), not only mentioned


def _namelike(token: str) -> bool:
    # "MLflow", "KServe", "GPU", "W&B", "Kubeflow"; not "the", not "2.0".
    if len(token) < 2 or not token[0].isalpha():
        return "&" in token
    return token[0].isupper() or any(c.isupper() for c in token[1:])


def _always_a_name(token: str) -> bool:
    # Inner capitals or all capitals mark a name even at the start of a sentence.
    return any(c.isupper() for c in token[1:]) or "&" in token


def _runs(sentence: str, allowed_first: set[str]) -> list[tuple[str, int]]:
    """Runs of adjacent name-like words, with the index of the word each run starts at."""
    runs: list[tuple[str, int]] = []
    current: list[re.Match[str]] = []
    start_index = 0
    matches = list(_TOKEN.finditer(sentence))

    def close() -> None:
        if current:
            runs.append((sentence[current[0].start() : current[-1].end()], start_index))

    for index, match in enumerate(matches):
        token = match.group()
        namelike = _namelike(token) and (
            index > 0 or token in allowed_first or _always_a_name(token)
        )
        gap = sentence[current[-1].end() : match.start()] if current else ""
        joinable = current and gap.strip() in {"", "&"}
        if namelike and joinable:
            current.append(match)
            continue
        close()
        current = [match] if namelike else []
        start_index = index
    close()
    return runs


def _acronym(name: str) -> str | None:
    parts = name.split()
    if len(parts) < 2:
        return None
    letters = "".join("&" if part == "&" else part[0] for part in parts)
    return letters if letters.replace("&", "").isupper() else None


def learn_entities(chunks: Iterable[Chunk]) -> EntityIndex:
    """Learn entity names from how the corpus writes them: capitalised runs and table row labels."""
    chunks = list(chunks)
    sentences = [(chunk, unit) for chunk in chunks for unit in chunk.units]
    mid_sentence = {
        m.group()
        for _, unit in sentences
        for i, m in enumerate(_TOKEN.finditer(unit))
        if i > 0 and _namelike(m.group())
    }
    chunk_counts: Counter[str] = Counter()
    subjects: set[str] = set()
    for chunk in chunks:
        names: set[str] = set()
        for unit_index, unit in enumerate(chunk.units):
            if chunk.kind == "table_row":
                label = unit.split(TABLE_ROW_LABEL, 1)[0].strip()
                names.add(label)
                subjects.add(label)
                continue
            for name, word_index in _runs(unit, mid_sentence):
                names.add(name)
                if unit_index == 0 and word_index == 0:
                    subjects.add(name)
        chunk_counts.update(names)

    # Fold spellings of one thing together: "W&B" is "Weights & Biases", "Comet" is "Comet ML".
    alias_of: dict[str, str] = {}
    for name in chunk_counts:
        acronym = _acronym(name)
        if acronym and acronym in chunk_counts and acronym != name:
            alias_of[acronym] = name
        if name.endswith("s") and name[:-1] in chunk_counts:
            alias_of[name] = name[:-1]  # "GPUs" is the plural of "GPU"
    aliases: dict[str, list[str]] = {name: [] for name in chunk_counts if name not in alias_of}
    for alias, name in alias_of.items():
        if name in aliases:
            aliases[name].append(alias)
            chunk_counts[name] += chunk_counts[alias]
    for name in list(aliases):
        parts = name.split()
        if len(parts) == 2 and parts[1].isupper() and len(parts[1]) <= 3:
            short = parts[0]
            if short not in aliases:
                aliases[name].append(short)
    entities = [
        Entity(
            name=name,
            aliases=tuple(sorted(found)),
            chunk_count=chunk_counts[name],
            primary=name in subjects or any(a in subjects for a in found),
        )
        for name, found in sorted(aliases.items())
    ]
    return EntityIndex(entities, total_chunks=len(chunks))


class EntityIndex:
    """Finds entity mentions in any text, case-insensitively, longest name first."""

    def __init__(self, entities: list[Entity], total_chunks: int) -> None:
        self.entities = {entity.name: entity for entity in entities}
        self.total_chunks = max(total_chunks, 1)
        primary = sorted((e for e in entities if e.primary), key=lambda e: (-e.chunk_count, e.name))
        self._tools = tuple(e.name for e in primary)  # asked for on every answer
        self._canonical: dict[str, str] = {}
        for entity in entities:
            for surface in (entity.name, *entity.aliases):
                self._canonical[surface.lower()] = entity.name
        # A name of three or more capitalised words answers to its initials too, written in
        # capitals ("CNCF" for "Cloud Native Computing Foundation"), or of four letters or more
        # in any case ("cncf", which spells no word): questions use initials the corpus never
        # writes. Initials that name something else, or two things, don't.
        by_initials: dict[str, list[str]] = {}
        for entity in entities:
            initials = _acronym(entity.name) or ""
            if len(initials.replace("&", "")) >= 3 and initials.lower() not in self._canonical:
                by_initials.setdefault(initials, []).append(entity.name)
        self._initials = {k: names[0] for k, names in by_initials.items() if len(names) == 1}
        self._initials_any_case = {k.lower(): name for k, name in self._initials.items()}
        self._initials_pattern = re.compile(
            r"(?<![A-Za-z0-9&])(" + "|".join(
                f"(?i:{re.escape(i)})" if len(i) >= 4 else re.escape(i) for i in self._initials
            ) + r")(?![A-Za-z0-9&])"
        ) if self._initials else None
        surfaces = sorted(self._canonical, key=len, reverse=True)
        self._pattern = (
            re.compile(
                r"(?<![A-Za-z0-9&])(" + "|".join(map(re.escape, surfaces)) + r")(?![A-Za-z0-9&])",
                re.IGNORECASE,
            )
            if surfaces
            else None
        )
        # One-word names of tools, lower-cased, that a misspelt word may be meant for.
        self._tool_surfaces = [
            (surface.lower(), entity.name) for entity in entities if entity.primary
            for surface in (entity.name, *entity.aliases)
            if " " not in surface and len(surface) >= TYPO_MIN_LENGTH
        ]
        # ...and one typed in two pieces ("bento ml", "ml-flow", "kube flow", "W and B").
        halves = [(rf"{re.escape(surface[:cut])}[\s-]+{re.escape(surface[cut:])}", name, True)
                  for surface, name in self._tool_surfaces if surface.isalpha()
                  for cut in range(2, len(surface) - 1)]
        initials = [(r"(?:\s+(?:and|n)\s+|\s+&\s*|\s*&\s+)".join(
                         map(re.escape, surface.split("&"))), entity.name, False)
                    for entity in entities if entity.primary
                    for surface in entity.aliases if "&" in surface and " " not in surface]
        self._split_names = [
            (re.compile(rf"(?<![\w&]){piece}(?![\w&])", re.IGNORECASE), name, in_one_case)
            for piece, name, in_one_case in halves + initials]
        # "Kubeflow Pipelines" names Kubeflow too: a compound name implies its head word.
        self._implied: dict[str, tuple[str, ...]] = {}
        for entity in entities:
            head = self._canonical.get(entity.name.split()[0].lower())
            self._implied[entity.name] = (head,) if head and head != entity.name else ()

    def join_split_names(self, text: str) -> str:
        """The text with a tool's name typed in two pieces written whole ("bento ml" ->
        "BentoML")."""
        def whole(match: re.Match[str], name: str, in_one_case: bool) -> str:
            if not in_one_case:
                return name
            # "not clear ML teams": halves in mixed case are words; so are halves after an
            # article ("what does the ml flow look like", "a clear ml platform story").
            pieces = re.split(r"[\s-]+", match.group())
            same_case = all(p.islower() for p in pieces) or all(p[0].isupper() for p in pieces)
            after_article = ARTICLE_BEFORE.search(text, 0, match.start())
            return name if same_case and not after_article else match.group()

        for pattern, name, in_one_case in self._split_names:
            text = pattern.sub(lambda match, n=name, c=in_one_case: whole(match, n, c), text)
        return text

    def mend_typos(self, text: str, *known: frozenset[str]) -> str:
        """The text with one slip of the keyboard in a tool's name mended ("kubflow", "mlfow"),
        in words that are neither a name nor in any of the `known` vocabularies."""
        def mended(match: re.Match[str]) -> str:
            word = match.group()
            lowered = word.lower()
            # A word written as a name ("LMFlow", "... is Xserve") is a name of its own.
            if len(lowered) < TYPO_MIN_LENGTH or lowered in self._canonical or any(
                    lowered in words for words in known) or written_as_name(text, match):
                return word
            near = {name for surface, name in self._tool_surfaces
                    if one_edit_apart(lowered, surface)}
            return near.pop() if len(near) == 1 else word

        return NAME_TOKEN.sub(mended, text)

    def spell_out(self, text: str) -> str:
        """The text with initials the corpus never writes replaced by the name they stand for,
        so that searches meet the corpus's wording."""
        if self._initials_pattern is None:
            return text
        return self._initials_pattern.sub(
            lambda m: self._initials.get(m.group(1)) or self._initials_any_case[m.group(1).lower()],
            text)

    def tool_at(self, text: str) -> str | None:
        """The tool whose name opens the text ("Kubeflow if..." -> Kubeflow), if one does."""
        match = self._pattern.match(text) if self._pattern is not None else None
        name = self._canonical[match.group(1).lower()] if match else None
        return name if name in self._tools else None

    def name_words(self, text: str) -> set[str]:
        """The lower-case words of the names a text mentions, as written and in full."""
        if self._pattern is None:
            return set()
        found: set[str] = set()
        for match in self._pattern.finditer(text):
            for surface in (match.group(1), self._canonical[match.group(1).lower()]):
                found.update(w.lower() for w in NAME_TOKEN.findall(surface))
        return found

    def find(self, text: str) -> list[str]:
        """Entities named in a text, in order of first mention."""
        if self._pattern is None:
            return []
        found: dict[str, None] = {}
        for match in self._pattern.finditer(text):
            name = self._canonical[match.group(1).lower()]
            found[name] = None
            for inner in self._implied[name]:
                found[inner] = None
        return list(found)

    def expand(self, name: str | None) -> frozenset[str]:
        """A name with the names it implies ("Kubeflow Pipelines" -> also "Kubeflow")."""
        if name is None:
            return frozenset()
        return frozenset((name, *self._implied.get(name, ())))

    def subject(self, sentence: str) -> str | None:
        """The tool a sentence is about: a primary entity named within its first few words, of
        its main clause when a contrasting one opens it ("Where Kubeflow tries..., BentoML
        packages..."), and none when a move opens it ("Migrating to Metaflow requires...")."""
        if self._pattern is None or MOVE_OPENER.match(sentence):
            return None
        if CONTRAST_OPENER.match(sentence) and "," in sentence:
            sentence = sentence.split(",", 1)[1]
        for match in self._pattern.finditer(sentence):
            if len(_TOKEN.findall(sentence[: match.start()])) >= SUBJECT_WINDOW:
                return None
            name = self._canonical[match.group(1).lower()]
            if self.entities[name].primary:
                return name
        return None

    def subjects(self, units: tuple[str, ...] | list[str]) -> list[str | None]:
        """What each sentence of a paragraph is about; later sentences ("It offers...", "The
        platform...") continue the paragraph's subject."""
        per_unit = [self.subject(unit) for unit in units]
        return [subject or per_unit[0] for subject in per_unit]

    def distinctiveness(self, name: str) -> float:
        """1 for a name in one passage, near 0 for a name in every passage: how much it tells."""
        count = self.entities[name].chunk_count if name in self.entities else 1
        return max(0.0, 1.0 - (count - 1) / self.total_chunks)

    def weight(self, name: str) -> float:
        """How telling a mention is: rare names weigh more than names every passage uses."""
        count = self.entities[name].chunk_count if name in self.entities else 1
        return math.log(1 + self.total_chunks / count)

    @property
    def tools(self) -> list[str]:
        """The primary entities, most discussed first: what the corpus is about."""
        return list(self._tools)

    def to_records(self) -> list[dict[str, object]]:
        """JSON-ready records."""
        return [
            {"name": e.name, "aliases": list(e.aliases), "chunk_count": e.chunk_count,
             "primary": e.primary}
            for e in self.entities.values()
        ]

    @classmethod
    def from_records(cls, records: list[dict[str, object]], total_chunks: int) -> EntityIndex:
        """The inverse of `to_records`."""
        entities = [
            Entity(
                name=str(r["name"]),
                aliases=tuple(r["aliases"]),  # type: ignore[arg-type]
                chunk_count=int(r["chunk_count"]),  # type: ignore[call-overload]
                primary=bool(r["primary"]),
            )
            for r in records
        ]
        return cls(entities, total_chunks)


def standalone(sentence: str, subject: str | None) -> str:
    """Name the subject where a sentence leans on the one before it ("It offers...")."""
    if not subject or subject.lower() in sentence.lower():
        return sentence
    for pronoun, replacement in (("It ", f"{subject} "), ("Its ", f"{subject}'s ")):
        if sentence.startswith(pronoun):
            return replacement + sentence[len(pronoun) :]
    # "Backed by the Linux Foundation, it covers..." -> "..., MLflow covers..."
    return re.sub(r", it (?=[a-z])", f", {subject} ", sentence, count=1)


def written_as_name(text: str, match: re.Match[str]) -> bool:
    """Whether a word in a text is written as a name: capitals inside it ("LMFlow"), or a
    capital on a word that opens no sentence ("... is Xserve", not "Kubflow is...")."""
    word = match.group()
    if word[1:] != word[1:].lower():
        return True
    if not word[0].isupper():
        return False
    before = text[: match.start()].rstrip()
    return bool(before) and before[-1] not in ".!?:;"


ARTICLE_BEFORE = re.compile(r"\b(?:the|a|an)\s+$", re.IGNORECASE)
