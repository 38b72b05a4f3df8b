"""Corpus loading: Markdown, plain text, HTML and PDF files become `Document`s with metadata."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

log = logging.getLogger(__name__)

MARKDOWN_SUFFIXES = {".md", ".markdown"}
TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = MARKDOWN_SUFFIXES | TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


class CorpusError(Exception):
    """The corpus cannot be used at all (nothing readable in it)."""


@dataclass(frozen=True)
class Document:
    """One source document, its text normalised to Markdown."""

    doc_id: str
    title: str
    source: str
    text: str
    fingerprint: str
    date: str | None = None


@dataclass
class LoadResult:
    """The documents read, and the files that could not be read with the reason why."""

    documents: list[Document] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def discover(paths: Iterable[Path]) -> list[tuple[Path, Path]]:
    """Every candidate file under the given paths, as (root, file) pairs in a stable order."""
    found: list[tuple[Path, Path]] = []
    for root in paths:
        if root.is_file():
            found.append((root.parent, root))
        elif root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.is_file())
            found.extend((root, p) for p in files if not _hidden(p.relative_to(root)))
        else:
            raise CorpusError(f"{root} does not exist: pass a corpus folder or files to ingest.")
    return found


def load_corpus(paths: Iterable[Path]) -> LoadResult:
    """Read every supported file; unreadable ones are reported in `skipped`, never fatal."""
    result = LoadResult()
    for root, path in discover(paths):
        name = path.relative_to(root).as_posix()
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            result.skipped.append((name, f"unsupported file type {path.suffix or '(none)'}"))
            continue
        try:
            document = load_file(path, doc_id=name)
        except Exception as exc:  # noqa: BLE001 - any failure of one file must not stop the rest
            reason = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
            log.warning("skipping %s: %s", name, reason)
            result.skipped.append((name, reason))
            continue
        if not document.text.strip():
            result.skipped.append((name, "no text in file"))
            continue
        result.documents.append(document)
    return result


def load_file(path: Path, doc_id: str) -> Document:
    """Read one file into a Document; raises on unreadable content."""
    raw = path.read_bytes()
    fingerprint = hashlib.sha256(raw).hexdigest()
    suffix = path.suffix.lower()
    meta: dict[str, object] = {}
    if suffix in PDF_SUFFIXES:
        text, meta = _pdf_text(path)
    else:
        content = raw.decode("utf-8")
        if suffix in HTML_SUFFIXES:
            text, meta = _html_text(content)
        else:
            meta, content = _split_front_matter(content)
            text = content if suffix in MARKDOWN_SUFFIXES else _plain_text_as_markdown(content)
    title = str(meta.get("title") or _title_from_text(text) or _title_from_name(path))
    date = meta.get("date")
    return Document(
        doc_id=doc_id,
        title=title.strip(),
        source=str(meta.get("source") or meta.get("url") or doc_id),
        text=text,
        fingerprint=fingerprint,
        date=str(date) if date else None,
    )


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _split_front_matter(content: str) -> tuple[dict[str, object], str]:
    match = _FRONT_MATTER.match(content)
    if not match:
        return {}, content
    meta = yaml.safe_load(match.group(1)) or {}
    if not isinstance(meta, dict):
        raise ValueError("front matter is not a mapping of fields")
    return meta, content[match.end() :]


def _looks_like_heading(line: str) -> bool:
    # A short line with no closing punctuation, most words capitalised: "Pricing Comparison".
    words = line.split()
    if not 1 <= len(words) <= 8 or line.endswith((".", ":", ",", ";", "?", "!")):
        return False
    capitalised = sum(w[0].isupper() or not w[0].isalpha() for w in words)
    return capitalised >= max(1, len(words) - 2) and not line.startswith("|")


def _plain_text_as_markdown(content: str) -> str:
    """Plain text: each line is a paragraph; short title-like lines become headings."""
    blocks: list[str] = []
    for line in content.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("|"):
            # Keep table rows contiguous so the chunker sees one table.
            if blocks and blocks[-1].startswith("|"):
                blocks[-1] += "\n" + line
                continue
            blocks.append(line)
        elif _looks_like_heading(line):
            blocks.append(f"## {line}")
        else:
            blocks.append(line)
    return "\n\n".join(blocks) + "\n"


def _html_text(content: str) -> tuple[str, dict[str, object]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(content, "html.parser")
    for tag in soup(["script", "style", "nav", "footer", "header", "noscript"]):
        tag.decompose()
    meta: dict[str, object] = {}
    if soup.title and soup.title.get_text(strip=True):
        meta["title"] = soup.title.get_text(strip=True)
    canonical = soup.find("link", rel="canonical")
    if canonical and canonical.get("href"):
        meta["source"] = canonical["href"]
    blocks: list[str] = []
    body = soup.body or soup
    for element in body.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "table", "pre"]):
        if element.find_parent(["table", "li", "p"]) is not None and element.name != "table":
            continue
        if element.name == "table":
            blocks.append(_html_table(element))
            continue
        text = " ".join(element.get_text(" ", strip=True).split())
        if not text:
            continue
        if element.name[0] == "h":
            blocks.append("#" * int(element.name[1]) + " " + text)
        elif element.name == "li":
            blocks.append(f"- {text}")
        else:
            blocks.append(text)
    return "\n\n".join(b for b in blocks if b) + "\n", meta


def _html_table(table: object) -> str:
    rows = []
    for tr in table.find_all("tr"):  # type: ignore[attr-defined]
        cells = [" ".join(c.get_text(" ", strip=True).split()) for c in tr.find_all(["th", "td"])]
        if cells:
            rows.append("| " + " | ".join(cells) + " |")
    if len(rows) > 1:
        width = rows[0].count("|") - 1
        rows.insert(1, "|" + "---|" * width)
    return "\n".join(rows)


def _pdf_text(path: Path) -> tuple[str, dict[str, object]]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    meta: dict[str, object] = {}
    if reader.metadata and reader.metadata.title:
        meta["title"] = reader.metadata.title
    paragraphs: list[str] = []
    for page in reader.pages:
        page_text = page.extract_text() or ""
        # PDF lines are hard-wrapped: blank lines separate paragraphs, single breaks do not.
        for block in re.split(r"\n\s*\n", page_text):
            joined = " ".join(block.split())
            if joined:
                paragraphs.append(joined)
    return "\n\n".join(paragraphs) + "\n", meta


def _title_from_text(text: str) -> str | None:
    match = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else None


def _title_from_name(path: Path) -> str:
    return path.stem.replace("-", " ").replace("_", " ").strip().title()
