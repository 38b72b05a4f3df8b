"""Reading answers for scoring: phrase matching, number tokens, and sentences with their [n]."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from assistant.text import split_sentences

MARKER = re.compile(r"\[(\d+)\]")
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-"})
_SCALES = {
    "k": 3, "thousand": 3, "m": 6, "million": 6, "mn": 6, "b": 9, "bn": 9, "billion": 9,
    "t": 12, "trillion": 12,
}
_ONE = r"(?P<{c}>[$€£])?\s?(?P<{n}>\d+(?:,\d{{3}})*(?:\.\d+)?)"
# One number as a reader reads it: currency, value, an optional range ("1-2", "$10-$20"), and
# what follows it glued on or as a scale word ("42.2K", "30x", "82%", "30 million").
# "$60/month" reads "$60": the per-unit part changes nothing about the figure stated.
_NUMBER = re.compile(
    r"(?<![\d.,])" + _ONE.format(c="cur", n="num")
    + r"(?:\s?-\s?" + _ONE.format(c="cur2", n="num2") + r")?"
    + r"(?:(?P<glued>[A-Za-z%×+]+)|\s(?P<word>thousand|million|billion|trillion|percent)\b)?"
    + r"(?!\w)"
)


def normalise(text: str) -> str:
    """Lower-cased text without [n] markers, bold marks or extra spaces, for phrase matching."""
    text = MARKER.sub(" ", text).replace("**", " ").translate(_DASHES)
    return " ".join(text.lower().split())


def contains(text: str, phrase: str) -> bool:
    """Whether a phrase occurs in a text, whole words only ("Ray" is not in "array")."""
    needle = normalise(phrase)
    if not needle:
        return False
    left = r"(?<!\w)" if needle[0].isalnum() else ""
    right = r"(?!\w)" if needle[-1].isalnum() else ""
    return re.search(left + re.escape(needle) + right, normalise(text)) is not None


def _value(digits: str, scale: int) -> str:
    plain = digits.replace(",", "")
    if not scale:
        return plain  # "3.10" stays itself: it may be a version, where "3.1" is another
    scaled = Decimal(plain).scaleb(scale)  # the pattern only admits digits
    return format(scaled.normalize(), "f")  # "42.2K" and "42,200" both read "42200"


def number_tokens(text: str) -> set[str]:
    """Numbers with their currency, scale, unit and range as single tokens.

    "$15" is not "15%", "42.2K" is "42200" but not "42.2M", "30x" is not "30 billion",
    "1-2" is not "2-1", "30,000" is "30000", and "$60/month" is "$60".
    """
    tokens: set[str] = set()
    for match in _NUMBER.finditer(MARKER.sub(" ", text).translate(_DASHES)):
        suffix = (match["glued"] or match["word"] or "").lower()
        if suffix == "percent":
            suffix = "%"
        scale = _SCALES.get(suffix, 0)
        unit = "" if scale else suffix.replace("×", "x")
        currency = match["cur"] or match["cur2"] or ""
        value = _value(match["num"], scale)
        if match["num2"]:
            value += "-" + _value(match["num2"], scale)
        tokens.add(f"{currency}{value}{unit}")
    return tokens


@dataclass(frozen=True)
class Statement:
    """One sentence of an answer and the citation numbers its [n] markers name."""

    text: str
    markers: frozenset[int]


def statements(answer_text: str) -> list[Statement]:
    """The answer's sentences (line by line, so list items stay apart) with their markers."""
    found: list[Statement] = []
    for line in answer_text.splitlines():
        for sentence in split_sentences(line):
            markers = frozenset(int(n) for n in MARKER.findall(sentence))
            found.append(Statement(sentence, markers))
    return found


def cited_by(statement: Statement, passages: dict[int, str]) -> list[str]:
    """The passages a sentence cites; all of them when it names none (its support is unclear)."""
    if not statement.markers:
        return list(passages.values())
    return [passages[n] for n in sorted(statement.markers) if n in passages]
