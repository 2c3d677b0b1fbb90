"""Every published form reads the same: the seeds as DOCX/PDF/HTML, content-based detection,
and bad files that fail fast with a clear reason."""

from __future__ import annotations

import io
import shutil
import time
from pathlib import Path

import pytest

import nianbao
from nianbao.generate import random_report
from nianbao.parse import parse_document
from nianbao.read import ReadError, read_bytes, read_path
from nianbao.read.formats import sniff
from nianbao.render import render

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")
has_cjk_font = shutil.which("fc-list") is not None and bool(
    __import__("subprocess").run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip()
)
has_cjk_font = (
    has_cjk_font and __import__("importlib.util").util.find_spec("weasyprint") is not None
)  # PDF output: nianbao[pdf]


def _seed_paths() -> list[Path]:
    return sorted((CORPUS / "seeds").glob("*.txt")) if CORPUS.is_dir() else []


def _essentials(report) -> dict:
    data = report.to_json()
    return {k: data[k] for k in ("agency", "year", "template", "published", "t2", "t3", "t4")}


@needs_corpus
@pytest.mark.parametrize("fmt", ["docx", "html", "pdf"])
@pytest.mark.parametrize("seed", _seed_paths(), ids=lambda p: p.name[:3])
def test_seed_reports_converted_to_other_forms_parse_the_same(seed: Path, fmt: str):
    if fmt == "pdf" and not has_cjk_font:
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-wqy-microhei)")
    text_report = nianbao.parse(str(seed))
    converted = parse_document(read_bytes(render(text_report, fmt), f"{seed.stem}.{fmt}"))
    assert _essentials(converted) == _essentials(text_report)


def test_format_is_told_by_content_not_by_name(tmp_path):
    html = render(random_report(4, "2021"), "html")
    disguised = tmp_path / "report.doc"  # CMSs serve HTML saved as .doc
    disguised.write_bytes(html)
    assert sniff(html[:4096], str(disguised)) == "html"
    report = nianbao.parse(str(disguised))
    assert report.source.format == "html" and report.year == random_report(4, "2021").year
    docx = render(random_report(4, "2021"), "docx")
    misnamed = tmp_path / "report.pdf"
    misnamed.write_bytes(docx)
    assert nianbao.parse(str(misnamed)).source.format == "docx"
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    assert sniff(png, "scan.pdf") == "image"


def _reason(data: bytes, name: str) -> str:
    start = time.perf_counter()
    with pytest.raises(ReadError) as info:
        read_bytes(data, name)
    assert time.perf_counter() - start < 5
    assert info.value.path == name
    return info.value.reason


def test_truncated_and_corrupt_pdfs_fail_with_a_reason():
    if not has_cjk_font:
        pytest.skip("no CJK font installed")
    pdf = render(random_report(1, "2021"), "pdf")
    assert "PDF" in _reason(pdf[: len(pdf) // 3], "cut.pdf")
    assert "PDF" in _reason(b"%PDF-1.7\n" + b"garbage" * 100, "junk.pdf")


def test_encrypted_pdf_fails_with_a_reason():
    pypdf = pytest.importorskip("pypdf", reason="pypdf builds the encrypted test file")
    if not has_cjk_font:
        pytest.skip("no CJK font installed")
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(render(random_report(1, "2021"), "pdf")))
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    assert "加密" in _reason(buf.getvalue(), "locked.pdf")


def test_empty_binary_and_oversized_inputs(tmp_path):
    assert _reason(b"", "empty.txt") == "文件为空"
    assert "二进制" in _reason(b"\x00\x01\x02" * 1000, "blob.txt")
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(201 * 1024 * 1024)  # sparse: no disk used
    start = time.perf_counter()
    with pytest.raises(ReadError) as info:
        read_path(big)
    assert "过大" in info.value.reason and time.perf_counter() - start < 1


def test_a_batch_goes_on_after_bad_files(tmp_path):
    from click.testing import CliRunner

    from nianbao.cli import main

    good = tmp_path / "good.html"
    good.write_bytes(render(random_report(2, "2021"), "html"))
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    result = CliRunner().invoke(main, ["parse", str(bad), str(good)])
    assert result.exit_code == 2
    assert f"nianbao: {bad}:" in result.output and "Traceback" not in result.output
    assert random_report(2, "2021").agency in result.output


@needs_corpus
def test_our_docx_tables_have_the_shape_of_the_official_blank_template():
    """Rows, grid columns and every merged cell of 表二/表三/表四, against the circulated template."""
    from nianbao.document import Grid

    blank = CORPUS / "real" / "template-2021-blank.docx"
    if not blank.exists():
        pytest.skip("template-2021-blank.docx not in this corpus")
    from nianbao.read.docx import read_docx

    def shapes(data: bytes) -> list[list[list[tuple[int, int, int]]]]:
        blocks = read_docx(data)
        grids = [b for b in blocks if isinstance(b, Grid)]
        by_table: dict[int, list] = {}
        for g in grids:
            for row in g.rows:
                by_table.setdefault(row[0].ref.table, []).append(
                    [(c.ref.col, c.rowspan, c.colspan) for c in row]
                )
        return list(by_table.values())

    official = shapes(blank.read_bytes())
    ours = shapes(render(random_report(3, "2021"), "docx"))
    assert len(official) == len(ours) == 3
    for table_official, table_ours in zip(official, ours, strict=True):
        assert table_ours == table_official
