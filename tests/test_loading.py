"""Loading: every supported format becomes a Document; bad files are reported and skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.loading import CorpusError, load_corpus
from tests.conftest import SEED_CORPUS, make_store


def _minimal_pdf(text: str) -> bytes:
    """A one-page PDF with one line of text, written by hand (no PDF library needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def test_loading_seed_markdown_keeps_front_matter() -> None:
    result = load_corpus([SEED_CORPUS])
    assert result.skipped == []
    [document] = result.documents
    assert document.title == "Kubeflow Alternatives"
    assert document.source.startswith("https://")
    assert document.date == "2026-11-29"
    assert "## Pricing Comparison" in document.text
    assert "---" not in document.text.splitlines()[0]


def test_loading_reads_text_html_and_pdf(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("Serving Notes\nBentoML packages models as Bentos.\n")
    (tmp_path / "page.html").write_text(
        "<html><head><title>Ray Page</title></head><body><h2>Pricing</h2>"
        "<p>Ray is free under Apache-2.0.</p><table><tr><th>Tool</th><th>Price</th></tr>"
        "<tr><td>Ray</td><td>Free</td></tr></table><script>var x = 1;</script></body></html>"
    )
    (tmp_path / "brief.pdf").write_bytes(_minimal_pdf("Metaflow came from Netflix."))
    result = load_corpus([tmp_path])
    by_id = {d.doc_id: d for d in result.documents}
    assert set(by_id) == {"notes.txt", "page.html", "brief.pdf"}
    assert "## Serving Notes" in by_id["notes.txt"].text
    assert by_id["page.html"].title == "Ray Page"
    assert "## Pricing" in by_id["page.html"].text
    assert "| Ray | Free |" in by_id["page.html"].text
    assert "var x" not in by_id["page.html"].text
    assert "Metaflow came from Netflix." in by_id["brief.pdf"].text


def test_loading_reports_and_skips_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text("# Good\n\nMLflow tracks experiments.\n")
    (tmp_path / "binary.md").write_bytes(b"\xff\xfe\x00garbage\x81")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 this is not a pdf")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    result = load_corpus([tmp_path])
    assert [d.doc_id for d in result.documents] == ["good.md"]
    skipped = dict(result.skipped)
    assert set(skipped) == {"binary.md", "broken.pdf", "image.png"}
    assert "unsupported" in skipped["image.png"]


def test_loading_empty_corpus_is_a_clear_error(tmp_path: Path, embedder) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CorpusError, match="No readable documents"):
        make_store(empty, tmp_path / "index", embedder).ingest()
