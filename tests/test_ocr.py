"""Images and scanned PDFs read by OCR (the optional extra `ocr`).

Reports rendered by nianbao are rasterised (PNG pages, and an image-only PDF built from
them) and must read back with their figures; the real hongze-2024 report, rasterised at
200 dpi, must score against its truth file. Without the extra, an image or a scanned PDF
fails with a message that names it, and a PDF with text pages still reads those pages.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nianbao.document import Grid, Paragraph
from nianbao.read import ReadError, read_bytes
from nianbao.read.ocr import MISSING, available
from nianbao.read.ocr_layout import Box, fix_number, page_blocks

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
needs_ocr = pytest.mark.skipif(
    not available(), reason="OCR extra not installed (pip install 'nianbao[ocr]': rapidocr, onnxruntime, ...)"
)
has_cjk_font = shutil.which("fc-list") is not None and (
    subprocess.run("fc-list :lang=zh | grep -q .", shell=True, check=False).returncode == 0
)
has_cjk_font = (
    has_cjk_font and __import__("importlib.util").util.find_spec("weasyprint") is not None
)  # PDF output: nianbao[pdf]
needs_font = pytest.mark.skipif(
    not has_cjk_font, reason="no CJK font installed to render reports (apt-get install fonts-wqy-microhei)"
)
DPI = 200


# ── helpers ───────────────────────────────────────────────────────────────────────────
def page_pngs(pdf: bytes, tmp_path) -> list[bytes]:
    """The pages of a PDF as PNG images at 200 dpi (poppler when present, else PDFium)."""
    if shutil.which("pdftoppm"):
        src = tmp_path / "src.pdf"
        src.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(src), str(tmp_path / "page")], check=True)
        return [p.read_bytes() for p in sorted(tmp_path.glob("page-*.png"))]
    import pypdfium2 as pdfium

    out = []
    doc = pdfium.PdfDocument(pdf)
    for page in doc:
        buf = io.BytesIO()
        page.render(scale=DPI / 72).to_pil().save(buf, "PNG")
        out.append(buf.getvalue())
    doc.close()
    return out


def image_pdf(pngs: list[bytes]) -> bytes:
    """An image-only PDF (no text layer), one page an image, as a scanner writes it."""
    from PIL import Image

    images = [Image.open(io.BytesIO(p)).convert("RGB") for p in pngs]
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:], resolution=DPI)
    return buf.getvalue()


def tables(report) -> dict:
    return {
        (t, r, c): cell.value
        for t, rows in report.tables.items()
        for r, cols in rows.items()
        for c, cell in cols.items()
    }


def share_right(got, want) -> float:
    expected = tables(want)
    found = tables(got)
    return sum(found.get(k) == v for k, v in expected.items()) / len(expected)


# ── without OCR models: numbers, lines and cells ──────────────────────────────────────
def test_numeric_confusions_fixed_only_in_numeric_cells():
    assert fix_number("1O") == "10"
    assert fix_number("l2") == "12"
    assert fix_number("3。5") == "3.5"
    assert fix_number("2I") == "21"
    assert fix_number("O") == "O"  # no digit: nothing says it is a number
    assert fix_number("Ol号") == "Ol号"
    assert fix_number("行政许可") == "行政许可"
    assert fix_number("95") == "95"


def box(x0, y0, x1, y1, text, score=0.99) -> Box:
    return Box(x0, y0, x1, y1, text, score)


def test_boxes_become_rows_of_cells_and_paragraphs():
    h = 40
    boxes = [
        box(100, 100, 900, 100 + h, "本报告根据《中华人民共和国政府信息公开条例》编制。"),
        # a table row: label, then figures a column apart (narrow gaps between numbers)
        box(100, 200, 340, 200 + h, "行政规范性文件"),
        box(600, 202, 630, 202 + h, "1O", 0.91),
        box(680, 201, 720, 201 + h, "0"),
        box(770, 199, 810, 199 + h, "12"),
        # one label printed as two boxes with a small gap stays one cell
        box(100, 300, 220, 300 + h, "行政"),
        box(230, 300, 340, 300 + h, "许可"),
        box(600, 300, 660, 300 + h, "3"),
    ]
    blocks = page_blocks(boxes, page=2, scale=0.5)
    assert isinstance(blocks[0], Paragraph) and blocks[0].text.startswith("本报告")
    row = blocks[1].rows[0]
    assert [c.text for c in row] == ["行政规范性文件", "10", "0", "12"]
    assert row[1].ref.confidence == 0.91 and row[1].ref.page == 2
    assert row[1].ref.bbox == (300.0, 101.0, 315.0, 121.0)  # page units (scale 0.5)
    assert [c.text for c in blocks[2].rows[0]] == ["行政许可", "3"]


def test_page_number_lines_are_dropped():
    boxes = [box(100, 100, 900, 140, "一、总体情况"), box(480, 2000, 520, 2040, "- 3 -")]
    blocks = page_blocks(boxes, page=1, scale=1.0)
    assert [b.text for b in blocks] == ["一、总体情况"]


# ── without the extra ─────────────────────────────────────────────────────────────────
def _png() -> bytes:
    """A small page image with a dark bar on it (a white one is a blank page, never OCR'd)."""
    from PIL import Image, ImageDraw

    buf = io.BytesIO()
    image = Image.new("RGB", (200, 100), "white")
    ImageDraw.Draw(image).rectangle((20, 40, 180, 60), fill="black")
    image.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def no_rapidocr(monkeypatch):
    """rapidocr as if not installed (an import of it fails)."""
    monkeypatch.setitem(sys.modules, "rapidocr", None)


def test_image_without_the_extra_names_it(no_rapidocr):
    with pytest.raises(ReadError) as err:
        read_bytes(_png(), "scan.png")
    assert err.value.reason == MISSING == "扫描件/图片需要 OCR：pip install 'nianbao[ocr]'"


def test_scanned_pdf_without_the_extra_names_it(no_rapidocr):
    with pytest.raises(ReadError) as err:
        read_bytes(image_pdf([_png(), _png()]), "scan.pdf")
    assert MISSING in err.value.reason
    assert "2 页" in err.value.reason


@needs_font
def test_mixed_pdf_without_the_extra_reads_its_text_pages(no_rapidocr):
    from nianbao.generate import random_report
    from nianbao.render import render

    pypdf = pytest.importorskip("pypdf")
    text_pdf = render(random_report(11, "2021"), "pdf")
    writer = pypdf.PdfWriter()
    for page in pypdf.PdfReader(io.BytesIO(text_pdf)).pages:
        writer.add_page(page)
    writer.add_page(pypdf.PdfReader(io.BytesIO(image_pdf([_png()]))).pages[0])
    buf = io.BytesIO()
    writer.write(buf)
    doc = read_bytes(buf.getvalue(), "mixed.pdf")
    assert doc.source.format == "pdf" and "政府信息公开" in doc.text()


# ── with the extra ────────────────────────────────────────────────────────────────────
@needs_ocr
def test_broken_or_empty_images_fail_with_a_reason():
    with pytest.raises(ReadError) as err:
        read_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "broken.png")
    assert "图片无法解码" in err.value.reason
    with pytest.raises(ReadError) as err:
        read_bytes(_png(), "blank.png")
    assert "没有识别出文字" in err.value.reason


# ── with the extra: generated reports ─────────────────────────────────────────────────
@needs_ocr
@needs_font
def test_generated_report_as_png_pages_reads_back(tmp_path):
    from nianbao.document import Document, Source
    from nianbao.generate import random_report
    from nianbao.parse import parse_document
    from nianbao.read.ocr import read_image
    from nianbao.render import render

    report = random_report(3, "2021")
    pngs = page_pngs(render(report, "pdf"), tmp_path)
    first = read_bytes(pngs[0], "page-1.png")
    assert first.source.format == "image"
    blocks = [*first.blocks]
    for number, png in enumerate(pngs[1:], start=2):
        blocks.extend(read_image(png, page=number))
    parsed = parse_document(Document(Source("report.png", "", "image"), tuple(blocks)))
    assert share_right(parsed, report) >= 0.97
    assert (parsed.year, parsed.template) == (report.year, report.template)


@needs_ocr
@needs_font
@pytest.mark.parametrize(
    "seed, template",
    [
        (4, "2019"),
        pytest.param(5, "2021", marks=pytest.mark.slow),
        pytest.param(6, "2019", marks=pytest.mark.slow),
    ],
)
def test_generated_report_as_scanned_pdf_reads_back(tmp_path, seed, template):
    from nianbao.generate import random_report
    from nianbao.parse import parse_document
    from nianbao.read.pdf import read_pdf
    from nianbao.render import render

    report = random_report(seed, template)
    scanned = image_pdf(page_pngs(render(report, "pdf"), tmp_path))
    blocks, empty = read_pdf(scanned)
    assert blocks == () and len(empty) >= 2  # no text layer at all
    parsed = parse_document(read_bytes(scanned, "scan.pdf"))
    assert share_right(parsed, report) >= 0.97
    assert (parsed.year, parsed.template) == (report.year, report.template)
    # every figure read by OCR says how sure the OCR was, and where on which page it stood
    refs = [
        cell.ref
        for rows in parsed.tables.values()
        for cols in rows.values()
        for cell in cols.values()
        if cell.value is not None
    ]
    assert len(refs) > 100
    assert all(r.confidence is not None and 0 < r.confidence <= 1 for r in refs)
    assert all(r.page is not None and r.bbox is not None for r in refs)


@needs_ocr
@needs_font
def test_mixed_pdf_reads_text_pages_and_ocrs_the_scanned_one(tmp_path):
    from nianbao.generate import random_report
    from nianbao.parse import parse_document
    from nianbao.render import render

    pypdf = pytest.importorskip("pypdf")
    report = random_report(8, "2021")
    text_pdf = render(report, "pdf")
    pngs = page_pngs(text_pdf, tmp_path)
    reader = pypdf.PdfReader(io.BytesIO(text_pdf))
    writer = pypdf.PdfWriter()
    scanned_page = 2  # 表三 stands on the second page
    for number, page in enumerate(reader.pages, start=1):
        if number == scanned_page:
            writer.add_page(pypdf.PdfReader(io.BytesIO(image_pdf([pngs[number - 1]]))).pages[0])
        else:
            writer.add_page(page)
    buf = io.BytesIO()
    writer.write(buf)
    doc = read_bytes(buf.getvalue(), "mixed.pdf")
    pages = [b.ref.page for b in doc.blocks]
    assert pages == sorted(pages) and set(pages) == set(range(1, len(reader.pages) + 1))
    ocr = {
        b.ref.page
        for b in doc.blocks
        for c in (b.rows[0] if isinstance(b, Grid) else [b])
        if c.ref.confidence is not None
    }
    assert ocr == {scanned_page}
    parsed = parse_document(doc)
    assert share_right(parsed, report) >= 0.97
    assert (parsed.year, parsed.template) == (report.year, report.template)


# ── with the extra: a real report, rasterised ─────────────────────────────────────────
@needs_ocr
@pytest.mark.slow
def test_hongze_2024_rasterised_scores_against_its_truth(tmp_path):
    from click.testing import CliRunner

    from nianbao.cli import main

    src = CORPUS / "real" / "hongze-2024.pdf"
    truth_path = CORPUS / "real" / "hongze-2024.truth.json"
    if not src.is_file() or not truth_path.is_file():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    scanned = tmp_path / "hongze-2024.pdf"
    scanned.write_bytes(image_pdf(page_pngs(src.read_bytes(), tmp_path)))
    result = CliRunner().invoke(main, ["parse", str(scanned), "--format", "json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    total = right = 0
    for table in ("t2", "t3", "t4"):
        for row, cols in (truth.get(table) or {}).items():
            if row == "extra":
                continue
            for col, want in cols.items():
                total += 1
                value = ((got.get(table) or {}).get(row) or {}).get(col)
                right += value == want or (
                    value is not None and want is not None and float(value) == float(want)
                )
    assert right / total >= 0.97, f"{right}/{total}"
    figures = {k: v for k, v in got["provenance"].items() if k.startswith(("t2.", "t3.", "t4."))}
    assert figures and all("confidence" in v and "bbox" in v for v in figures.values() if v.get("raw"))
    assert (got["year"], got["template"]) == (truth["year"], truth["template"])
