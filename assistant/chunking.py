"""Heading-aware chunking: a paragraph is one chunk, a table row is one chunk with its header."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from assistant.loading import Document
from assistant.text import content_hash, split_sentences, word_count

# Bump when chunk boundaries or unit text change: the index is then rebuilt from scratch.
CHUNKER_VERSION = "md-sections-3"  # 3: sentences embedded with their subject named
MAX_CHUNK_WORDS = 220

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: its text as shown to users and its sentences ("units")."""

    id: str
    doc_id: str
    title: str
    source: str
    section: str | None
    text: str
    units: tuple[str, ...]
    position: int
    kind: str  # "prose" or "table_row"

    def to_record(self) -> dict[str, object]:
        """A JSON-ready dict."""
        record = asdict(self)
        record["units"] = list(self.units)
        return record

    @classmethod
    def from_record(cls, record: dict[str, object]) -> Chunk:
        """The inverse of `to_record`."""
        return cls(**{**record, "units": tuple(record["units"])})  # type: ignore[arg-type]


def chunk_document(document: Document) -> list[Chunk]:
    """Split a document into chunks that each keep their section path."""
    chunks: list[Chunk] = []
    headings: list[tuple[int, str]] = []
    for block in _blocks(document.text):
        heading = _HEADING.match(block)
        if heading:
            level, name = len(heading.group(1)), heading.group(2)
            if level == 1 and name.strip().lower() == document.title.lower():
                continue  # the document title is not a section
            headings = [(lvl, text) for lvl, text in headings if lvl < level] + [(level, name)]
            continue
        section = " > ".join(name for _, name in headings) or None
        if _is_table(block):
            pieces = _table_rows(block)
        else:
            pieces = [(piece, tuple(split_sentences(piece))) for piece in _split_long(block)]
        for text, units in pieces:
            if not units:
                continue
            kind = "table_row" if text.startswith("|") else "prose"
            chunks.append(
                Chunk(
                    id=content_hash(document.doc_id, section or "", text),
                    doc_id=document.doc_id,
                    title=document.title,
                    source=document.source,
                    section=section,
                    text=text,
                    units=units,
                    position=len(chunks),
                    kind=kind,
                )
            )
    return chunks


def _blocks(text: str) -> list[str]:
    """Paragraph-level blocks; a heading line is always a block of its own."""
    blocks: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        starts_table = stripped.startswith("|") and not (current and current[-1].startswith("|"))
        ends_block = not stripped or _HEADING.match(stripped) or starts_table
        if ends_block and current:
            blocks.append("\n".join(current))
            current = []
        if _HEADING.match(stripped):
            blocks.append(stripped)
        elif stripped:
            if current and current[-1].startswith("|") and not stripped.startswith("|"):
                blocks.append("\n".join(current))
                current = []
            current.append(stripped)
    if current:
        blocks.append("\n".join(current))
    return blocks


def _is_table(block: str) -> bool:
    lines = block.splitlines()
    return len(lines) >= 2 and all(line.startswith("|") for line in lines)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _table_rows(block: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each data row with the header above it; its unit reads the row out in words."""
    lines = block.splitlines()
    header = lines[0]
    names = _cells(header)
    has_separator = len(lines) > 1 and _TABLE_SEPARATOR.match(lines[1])
    rows = lines[2:] if has_separator else lines[1:]
    separator = lines[1] if has_separator else "|" + "---|" * len(names)
    pieces = []
    for row in rows:
        values = _cells(row)
        if not any(values):
            continue
        pairs = [f"{name}: {value}" for name, value in zip(names[1:], values[1:], strict=False)]
        unit = f"{values[0]} — " + "; ".join(pairs) + "." if pairs else values[0]
        pieces.append((f"{header}\n{separator}\n{row}", (unit,)))
    return pieces


def _split_long(block: str) -> list[str]:
    """Keep a paragraph whole unless it is very long; then cut it between sentences."""
    text = " ".join(block.split())
    if word_count(text) <= MAX_CHUNK_WORDS:
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    for sentence in split_sentences(text):
        if current and word_count(" ".join(current + [sentence])) > MAX_CHUNK_WORDS:
            pieces.append(" ".join(current))
            current = []
        current.append(sentence)
    if current:
        pieces.append(" ".join(current))
    return pieces
